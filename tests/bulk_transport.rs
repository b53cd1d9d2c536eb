//! `sipreg bulk` over TCP and TLS: against a real Kamailio (one connection per AOR,
//! a few shared connections, TLS with a private CA), against a scripted TCP
//! registrar that closes a connection under a run, and the usage errors of the
//! transport options.

mod support;
mod transport_common;

use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;
use support::kamailio::{KamTls, Kamailio, KamailioOptions};
use transport_common::certs::Pki;
use transport_common::servers::{ok_response, Reply, Req, ScriptedTcp};

struct Run {
    code: i32,
    lines: Vec<Value>,
    stderr: String,
}

impl Run {
    fn summary(&self) -> &Value {
        let last = self
            .lines
            .last()
            .unwrap_or_else(|| panic!("no summary line; stderr: {}", self.stderr));
        assert_eq!(last["event"], "bulk_summary", "{last}");
        last
    }

    /// Per AOR of a `-v` query: (user part, contacts bound).
    fn bindings(&self) -> Vec<(String, Vec<String>)> {
        self.lines
            .iter()
            .filter(|o| o["event"] == "bindings")
            .map(|o| {
                let aor = o["aor"].as_str().unwrap();
                let user = aor.trim_start_matches("sip:").split('@').next().unwrap();
                let contacts = o["bindings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["contact"].as_str().unwrap().to_string())
                    .collect();
                (user.to_string(), contacts)
            })
            .collect()
    }
}

/// `sipreg bulk ARGS` for `count` template AORs bench0001… (passwords pw0001…).
fn bulk(count: u32, args: &[&str]) -> Run {
    bulk_under(None, count, args)
}

/// The same, run by a shell after `ulimit LIMIT` (e.g. `-Sn 64`).
fn bulk_under(ulimit: Option<&str>, count: u32, args: &[&str]) -> Run {
    let sipreg = assert_cmd::cargo::cargo_bin("sipreg");
    let mut command = match ulimit {
        None => assert_cmd::Command::new(&sipreg),
        Some(limit) => {
            let mut c = assert_cmd::Command::new("sh");
            c.args(["-c", &format!("ulimit {limit} && exec \"$0\" \"$@\"")])
                .arg(&sipreg);
            c
        }
    };
    let out = command
        .arg("bulk")
        .args(args)
        .args([
            "--aor",
            "sip:bench{n:04}@sipreg.test",
            "--count",
            &count.to_string(),
            "--password-template",
            "pw{n:04}",
            "--rate",
            "5000",
            "--json",
        ])
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .env("NO_COLOR", "1")
        // Bounded: a run that hangs fails the test instead of stalling it.
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    Run {
        code: out.status.code().unwrap_or(-1),
        lines,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn users(count: u32) -> Vec<(String, String)> {
    (1..=count)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect()
}

/// The port of a contact `sip:user@127.0.0.1:PORT;transport=…`.
fn contact_port(contact: &str) -> u16 {
    let host_port = contact
        .split('@')
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    host_port.rsplit(':').next().unwrap().parse().unwrap()
}

/// register --once, query (every AOR has exactly our one binding, over `transport`),
/// unregister, query (none left). Returns the distinct local ports the bindings
/// name: one per connection we opened.
fn register_query_unregister(
    count: u32,
    args: &[&str],
    transport: &str,
    kam: &Kamailio,
) -> HashSet<u16> {
    let with = |first: &[&'static str]| -> Vec<String> {
        first
            .iter()
            .map(|a| a.to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .collect()
    };
    let run = |first: &[&'static str]| {
        let all = with(first);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        bulk(count, &all)
    };

    let r = run(&["register", "--once"]);
    let s = r.summary();
    assert_eq!(r.code, 0, "{s}\n{}\n{}", r.stderr, kam.stderr_log());
    assert_eq!(s["registered"], count, "{s}");
    assert_eq!(s["succeeded"], count, "{s}");

    let r = run(&["query", "-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["bindings"], count, "{s}");
    assert_eq!(s["aors_with_bindings"], count, "{s}");
    let per_aor = r.bindings();
    assert_eq!(per_aor.len(), count as usize);
    let mut ports = HashSet::new();
    for (user, contacts) in per_aor {
        assert_eq!(contacts.len(), 1, "{user}: {contacts:?}");
        let contact = &contacts[0];
        assert!(
            contact.starts_with(&format!("sip:{user}@127.0.0.1:"))
                && contact.ends_with(&format!(";transport={transport}")),
            "{user}: {contact}"
        );
        ports.insert(contact_port(contact));
    }

    let r = run(&["unregister"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.summary()["unregistered"], count);

    let r = run(&["query"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["bindings"], 0, "{s}");
    assert_eq!(s["queried"], count, "{s}");
    ports
}

#[test]
fn tcp_one_connection_per_aor_then_four_shared_with_kamailio() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(500),
        tcp: true,
        ..KamailioOptions::default()
    });
    let uri = kam.registrar_uri_tcp();

    // Each AOR's binding names the local port of its own connection.
    let ports = register_query_unregister(200, &["-r", &uri], "tcp", &kam);
    assert_eq!(ports.len(), 200, "{ports:?}");

    // -t tcp does what ;transport=tcp does; 500 AORs share 4 connections.
    let plain = kam.registrar_uri();
    let ports = register_query_unregister(
        500,
        &["-r", &plain, "-t", "tcp", "--connections", "4"],
        "tcp",
        &kam,
    );
    assert_eq!(ports.len(), 4, "{ports:?}");
}

#[test]
fn tls_with_two_shared_connections_with_kamailio() {
    let pki = Pki::new("sipreg bulk test CA");
    let cert = pki.server(&["127.0.0.1"]);
    let kam = Kamailio::start(KamailioOptions {
        users: users(40),
        tls: Some(KamTls {
            cert_chain_pem: cert.cert_pem,
            key_pem: cert.key_pem,
        }),
        ..KamailioOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let uri = kam.registrar_uri_tls("127.0.0.1");
    let ports = register_query_unregister(
        40,
        &[
            "-r",
            &uri,
            "--ca-file",
            ca.to_str().unwrap(),
            "--connections",
            "2",
        ],
        "tls",
        &kam,
    );
    assert_eq!(ports.len(), 2, "{ports:?}");

    // Without the CA the certificate is refused, for every connection: exit 1, why.
    let r = bulk(3, &["register", "--once", "-r", &uri]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("unknown issuer"), "{}", r.stderr);
}

#[test]
fn tls_server_name_in_bulk_mode_with_kamailio() {
    let pki = Pki::new("sipreg bulk test CA");
    let cert = pki.server(&["registrar.sipreg.test"]);
    let kam = Kamailio::start(KamailioOptions {
        users: users(3),
        tls: Some(KamTls {
            cert_chain_pem: cert.cert_pem,
            key_pem: cert.key_pem,
        }),
        ..KamailioOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let ca = ca.to_str().unwrap();
    let uri = kam.registrar_uri_tls("127.0.0.1");
    let name = "registrar.sipreg.test";
    let r = bulk(
        3,
        &[
            "register",
            "--once",
            "-r",
            &uri,
            "--ca-file",
            ca,
            "--tls-server-name",
            name,
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert_eq!(r.summary()["registered"], 3, "{}", r.summary());
    // The address itself is not a name the certificate carries.
    let r = bulk(3, &["register", "--once", "-r", &uri, "--ca-file", ca]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not valid for 127.0.0.1"), "{}", r.stderr);
    let r = bulk(
        3,
        &[
            "unregister",
            "-r",
            &uri,
            "--ca-file",
            ca,
            "--tls-server-name",
            name,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The `To` user of a request.
fn to_user(req: &Req) -> String {
    let to = req.header("to").unwrap_or_default();
    to.split("sip:")
        .nth(1)
        .and_then(|rest| rest.split('@').next())
        .unwrap_or_default()
        .to_string()
}

/// The failures of a summary as (reason, count).
fn failures(summary: &Value) -> Vec<(String, u64)> {
    summary["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["reason"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_connection_closed_under_one_aor_fails_only_that_aor() {
    // bench0003's connection is closed instead of answered; everyone else gets 200.
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        if to_user(req) == "bench0003" {
            vec![Reply::Close]
        } else {
            vec![Reply::Send(ok_response(req).into_bytes())]
        }
    }));
    let r = bulk(
        20,
        &[
            "register",
            "--once",
            "-r",
            &server.uri(),
            "--timeout",
            "20s",
        ],
    );
    let s = r.summary();
    assert_eq!(r.code, 5, "{s}\n{}", r.stderr);
    assert_eq!(s["succeeded"], 19, "{s}");
    assert_eq!(s["failed"], 1, "{s}");
    // A transport failure, told at once: not a transaction timeout.
    let f = failures(s);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].0.contains("transport failure") && f[0].0.contains("closed"),
        "{f:?}"
    );
    assert_eq!(server.connections(), 20);
    // Every request carried the transport in Via and Contact.
    for req in server.requests() {
        let via = req.header("via").unwrap();
        assert!(via.starts_with("SIP/2.0/TCP 127.0.0.1:"), "{via}");
        let contact = req.header("contact").unwrap();
        assert!(contact.contains(";transport=tcp"), "{contact}");
    }
}

#[test]
fn a_shared_connection_closed_mid_run_fails_its_aors_and_the_run_ends() {
    // The third request on the second connection accepted closes it.
    let mut on_second = 0;
    let server = ScriptedTcp::start(Box::new(move |req: &Req, _| {
        if req.connection == 1 {
            on_second += 1;
            if on_second == 3 {
                return vec![Reply::Close];
            }
        }
        vec![Reply::Send(ok_response(req).into_bytes())]
    }));
    let r = bulk(
        20,
        &[
            "register",
            "--once",
            "-r",
            &server.uri(),
            "--connections",
            "2",
            "--timeout",
            "20s",
            "-v",
        ],
    );
    let s = r.summary();
    assert_eq!(r.code, 5, "{s}\n{}", r.stderr);
    assert_eq!(server.connections(), 2);
    // The other connection's ten AORs all succeed; of the closed one's ten, the two
    // answered before the close may, the rest fail.
    let (succeeded, failed) = (
        s["succeeded"].as_u64().unwrap(),
        s["failed"].as_u64().unwrap(),
    );
    assert_eq!(succeeded + failed, 20, "{s}");
    assert!((10..=12).contains(&succeeded), "{s}");
    for (reason, _) in failures(s) {
        assert!(reason.contains("transport failure"), "{reason}");
    }
}

#[test]
fn transport_options_that_do_not_fit_are_usage_errors() {
    let cases: [(&[&str], &str); 6] = [
        (&["-t", "ws", "--insecure"], "--insecure"),
        (&["-t", "wss", "--sockets", "3"], "--sockets"),
        (&["-t", "tcp", "--connections", "0"], "--connections"),
        (&["--connections", "2"], "--connections"),
        (&["-t", "tcp", "--sockets", "2"], "--sockets"),
        (&["-t", "tcp", "--insecure"], "--insecure"),
    ];
    for (extra, mention) in cases {
        let mut args = vec!["register", "--once", "-r", "sip:127.0.0.1:9"];
        args.extend(extra);
        let r = bulk(3, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(mention), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
    }
}

#[test]
fn one_connection_per_aor_raises_the_soft_descriptor_limit_or_names_connections() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        vec![Reply::Send(ok_response(req).into_bytes())]
    }));
    // 40 connections do not fit in a soft limit of 30 descriptors: it is raised.
    let r = bulk_under(
        Some("-Sn 30"),
        40,
        &["register", "--once", "-r", &server.uri()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.summary()["succeeded"], 40);
    assert_eq!(server.connections(), 40);

    // Nor in a hard limit of 50: one line that says what to do, before connecting.
    let r = bulk_under(
        Some("-n 50"),
        40,
        &["register", "--once", "-r", &server.uri()],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--connections"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert_eq!(server.connections(), 40);
    // Shared connections fit.
    let r = bulk_under(
        Some("-n 50"),
        40,
        &[
            "register",
            "--once",
            "-r",
            &server.uri(),
            "--connections",
            "4",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(server.connections(), 44);
}

#[test]
fn staying_mode_removes_every_binding_over_the_shared_connections_at_the_end() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        vec![Reply::Send(ok_response(req).into_bytes())]
    }));
    let r = bulk(
        6,
        &[
            "register",
            "--for",
            "300ms",
            "-r",
            &server.uri(),
            "--connections",
            "2",
        ],
    );
    let s = r.summary();
    assert_eq!(r.code, 0, "{s}\n{}", r.stderr);
    assert_eq!(s["succeeded"], 6, "{s}");
    assert_eq!(server.connections(), 2);
    let removals: HashSet<String> = server
        .requests()
        .iter()
        .filter(|q| q.header("contact").is_some_and(|c| c.contains("expires=0")))
        .map(to_user)
        .collect();
    assert_eq!(removals.len(), 6, "{removals:?}");
}

/// Staying mode with `--keepalive` over TCP: each AOR pings its connection with a
/// CRLF pair (RFC 5626 §4.4.1) and Kamailio's CRLF pong keeps the flow alive, so no
/// flow fails and every AOR stays registered until the end.
#[test]
fn staying_over_tcp_keeps_every_flow_alive_with_crlf_pings() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(5),
        tcp: true,
        ..KamailioOptions::default()
    });
    let r = bulk(
        5,
        &[
            "register",
            "-r",
            &kam.registrar_uri_tcp(),
            "--keepalive",
            "1s",
            "--for",
            "3500ms",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["succeeded"], 5, "{s}");
    assert!(s["keepalives"].as_u64().unwrap() >= 5, "{s}");
    assert_eq!(s["flow_failures"], 0, "{s}");
    assert_eq!(s["unregistered"], 5, "{s}");
}

#[test]
fn keepalive_belongs_to_a_staying_run() {
    let r = bulk(
        1,
        &[
            "register",
            "--once",
            "--keepalive",
            "30s",
            "-r",
            "sip:127.0.0.1:9",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--keepalive"), "{}", r.stderr);
}

/// Bulk over WebSocket (RFC 7118) against Kamailio's listener: one connection per AOR,
/// then four shared, each binding naming its connection's port with `;transport=ws`.
#[test]
fn ws_one_connection_per_aor_then_four_shared_with_kamailio() {
    let kam = Kamailio::start(KamailioOptions {
        users: users(40),
        websocket: true,
        ..KamailioOptions::default()
    });
    let url = kam.ws_url();
    let ports = register_query_unregister(20, &["-r", &url], "ws", &kam);
    assert_eq!(ports.len(), 20, "{ports:?}");
    let ports = register_query_unregister(40, &["-r", &url, "--connections", "4"], "ws", &kam);
    assert_eq!(ports.len(), 4, "{ports:?}");
}

/// Staying mode over TCP with a registrar that closes each AOR's first connection
/// right after answering its REGISTER: every connection is reopened from a new port
/// and its AOR registered again there, with the new port in Via and Contact and the
/// old binding removed in the same request; at the end every binding is removed.
#[test]
fn staying_over_tcp_reopens_connections_the_registrar_closed_and_registers_again() {
    const AORS: usize = 5;
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        let ok = Reply::Send(ok_response(req).into_bytes());
        if req.connection < AORS {
            vec![ok, Reply::Close]
        } else {
            vec![ok]
        }
    }));
    let r = bulk(
        AORS as u32,
        &["register", "-r", &server.uri(), "--for", "2s"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["succeeded"], AORS, "{s}");
    assert_eq!(s["reconnects"], AORS, "{s}");
    assert_eq!(s["registered"], 2 * AORS, "{s}");
    assert_eq!(s["unregistered"], AORS, "{s}");
    assert_eq!(server.connections(), 2 * AORS);
    let requests = server.requests();
    for user in (1..=AORS).map(|n| format!("bench{n:04}")) {
        let mine: Vec<&Req> = requests.iter().filter(|q| to_user(q) == user).collect();
        assert_eq!(mine.len(), 3, "{user}: register, again, remove");
        let port_of = |q: &Req| {
            let via = q.header("via").unwrap();
            via.split(':')
                .nth(1)
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string()
        };
        let (first, again) = (mine[0], mine[1]);
        assert!(first.connection < AORS && again.connection >= AORS);
        let (old, new) = (port_of(first), port_of(again));
        assert_ne!(old, new, "{user}: a new connection, a new sent-by");
        let contact = again.header("contact").unwrap();
        assert!(
            contact.contains(&format!("127.0.0.1:{new};transport=tcp>")),
            "{contact}"
        );
        assert!(
            contact.contains(&format!("127.0.0.1:{old};transport=tcp>;expires=0")),
            "the stale binding removed: {contact}"
        );
    }
}
