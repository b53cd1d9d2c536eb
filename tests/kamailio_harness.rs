//! Self-test of the real-registrar harness (tests/support/kamailio.rs and
//! tests/kamailio/kamailio.cfg): it needs Kamailio installed
//! (scripts/install-deps.sh) and talks to it over 127.0.0.1 only.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::kamailio::{header, raw_register, status_code, KamAuth, Kamailio, KamailioOptions};

fn no_auth(min: u32, max: u32) -> KamailioOptions {
    KamailioOptions {
        auth: KamAuth::None,
        min_expires: min,
        max_expires: max,
        ..Default::default()
    }
}

#[track_caller]
fn exchange(kam: &Kamailio, req: &str) -> String {
    kam.udp_request(req).unwrap_or_else(|| {
        panic!(
            "no response from kamailio at {}\n--- kamailio stderr ---\n{}",
            kam.addr,
            kam.stderr_log()
        )
    })
}

#[test]
fn www_challenge_is_401_with_realm_then_stop_leaves_nothing() {
    let mut kam = Kamailio::start(KamailioOptions::default());
    assert_eq!(
        kam.registrar_uri(),
        format!("sip:127.0.0.1:{}", kam.addr.port())
    );
    assert_eq!(kam.domain, "sipreg.test");
    assert!(
        !kam.instance_pids().is_empty(),
        "kamailio should be running"
    );

    let req = raw_register(
        "alice",
        "sipreg.test",
        Some("<sip:alice@127.0.0.1:5999>"),
        Some(60),
        "",
    );
    let resp = exchange(&kam, &req);
    assert_eq!(
        status_code(&resp),
        Some(401),
        "expected 401, got:\n{resp}\n{}",
        kam.stderr_log()
    );
    let www = header(&resp, "WWW-Authenticate").expect("WWW-Authenticate header");
    assert!(www.starts_with("Digest "), "{www}");
    assert!(www.contains("realm=\"sipreg.test\""), "{www}");
    assert!(www.contains("algorithm=MD5"), "{www}");
    assert!(www.contains("qop=\"auth\""), "{www}");
    assert!(www.contains("nonce=\""), "{www}");
    assert!(!www.contains("stale"), "{www}");

    kam.stop();
    assert!(
        kam.instance_pids().is_empty(),
        "processes left after stop: {:?}",
        kam.instance_pids()
    );
    // the port is free again
    std::net::UdpSocket::bind(kam.addr).expect("port free again after stop");
}

#[test]
fn proxy_challenge_is_407_with_proxy_authenticate() {
    let mut kam = Kamailio::start(KamailioOptions {
        auth: KamAuth::Proxy,
        ..Default::default()
    });
    let req = raw_register(
        "bob",
        "sipreg.test",
        Some("<sip:bob@127.0.0.1:5999>"),
        Some(60),
        "",
    );
    let resp = exchange(&kam, &req);
    assert_eq!(status_code(&resp), Some(407), "expected 407, got:\n{resp}");
    let pa = header(&resp, "Proxy-Authenticate").expect("Proxy-Authenticate header");
    assert!(pa.contains("realm=\"sipreg.test\""), "{pa}");
    assert!(header(&resp, "WWW-Authenticate").is_none(), "{resp}");
    kam.stop();
    assert!(
        kam.instance_pids().is_empty(),
        "processes left after stop: {:?}",
        kam.instance_pids()
    );
}

#[test]
fn sha256_challenge() {
    let kam = Kamailio::start(KamailioOptions {
        algorithm: Some("SHA-256".into()),
        ..Default::default()
    });
    let resp = exchange(
        &kam,
        &raw_register(
            "alice",
            "sipreg.test",
            Some("<sip:a@127.0.0.1:9>"),
            None,
            "",
        ),
    );
    assert_eq!(status_code(&resp), Some(401), "{resp}");
    let www = header(&resp, "WWW-Authenticate").unwrap();
    assert!(www.contains("algorithm=SHA-256"), "{www}");
}

#[test]
fn drop_kills_every_process() {
    let kam = Kamailio::start(KamailioOptions::default());
    let dir = kam.dir().to_string_lossy().into_owned();
    let pids = kam.instance_pids();
    // main + workers (udp receiver, timers, ...): Kamailio forks.
    assert!(
        pids.len() >= 2,
        "expected several kamailio processes, got {pids:?}"
    );
    drop(kam);
    let left = support::kamailio::pids_with_arg_containing(&dir);
    assert!(left.is_empty(), "processes left after drop: {left:?}");
}

#[test]
fn no_auth_register_query_and_restart_empty() {
    let mut kam = Kamailio::start(no_auth(0, 3600));
    let contact = "<sip:alice@127.0.0.1:5999>";
    let resp = exchange(
        &kam,
        &raw_register("alice", "sipreg.test", Some(contact), Some(120), ""),
    );
    assert_eq!(status_code(&resp), Some(200), "{resp}");
    let c = header(&resp, "Contact").expect("Contact in 200");
    assert!(c.contains("<sip:alice@127.0.0.1:5999>;expires=12"), "{c}");

    // query: no Contact → 200 listing the binding
    let q = exchange(&kam, &raw_register("alice", "sipreg.test", None, None, ""));
    assert_eq!(status_code(&q), Some(200), "{q}");
    assert!(
        header(&q, "Contact")
            .unwrap_or("")
            .contains("sip:alice@127.0.0.1:5999"),
        "{q}"
    );

    // restart on the same port with an empty location table
    let port = kam.addr.port();
    kam.restart_empty();
    assert_eq!(kam.addr.port(), port);
    let q = exchange(&kam, &raw_register("alice", "sipreg.test", None, None, ""));
    assert_eq!(status_code(&q), Some(200), "{q}");
    assert!(
        header(&q, "Contact").is_none(),
        "bindings survived restart_empty:\n{q}"
    );

    // Contact: * with Expires: 0 removes everything
    exchange(
        &kam,
        &raw_register("alice", "sipreg.test", Some(contact), Some(300), ""),
    );
    exchange(
        &kam,
        &raw_register(
            "alice",
            "sipreg.test",
            Some("<sip:alice@127.0.0.1:6000>"),
            Some(300),
            "",
        ),
    );
    let q = exchange(&kam, &raw_register("alice", "sipreg.test", None, None, ""));
    let c = header(&q, "Contact").unwrap_or("");
    assert!(
        c.contains("5999") && c.contains("6000"),
        "two bindings expected, one Contact header:\n{q}"
    );
    let r = exchange(
        &kam,
        &raw_register("alice", "sipreg.test", Some("*"), Some(0), ""),
    );
    assert_eq!(status_code(&r), Some(200), "{r}");
    assert!(header(&r, "Contact").is_none(), "{r}");
    // Contact: * with a non-zero Expires is a 400
    let r = exchange(
        &kam,
        &raw_register("alice", "sipreg.test", Some("*"), Some(10), ""),
    );
    assert_eq!(status_code(&r), Some(400), "{r}");
}

#[test]
fn min_expires_gives_423_and_max_expires_shortens() {
    let kam = Kamailio::start(no_auth(60, 10_000));
    let r = exchange(
        &kam,
        &raw_register(
            "bob",
            "sipreg.test",
            Some("<sip:bob@127.0.0.1:7000>"),
            Some(30),
            "",
        ),
    );
    assert_eq!(status_code(&r), Some(423), "{r}\n{}", kam.stderr_log());
    assert_eq!(header(&r, "Min-Expires"), Some("60"), "{r}");
    // Expires: 0 is a removal, never "too brief"
    let r = exchange(
        &kam,
        &raw_register(
            "bob",
            "sipreg.test",
            Some("<sip:bob@127.0.0.1:7000>"),
            Some(0),
            "",
        ),
    );
    assert_eq!(status_code(&r), Some(200), "{r}");
    drop(kam);

    let kam = Kamailio::start(no_auth(0, 10));
    let r = exchange(
        &kam,
        &raw_register(
            "bob",
            "sipreg.test",
            Some("<sip:bob@127.0.0.1:7000>"),
            Some(3600),
            "",
        ),
    );
    assert_eq!(status_code(&r), Some(200), "{r}");
    assert_eq!(
        header(&r, "Contact"),
        Some("<sip:bob@127.0.0.1:7000>;expires=10"),
        "{r}"
    );
}

#[test]
fn other_methods_are_refused() {
    let kam = Kamailio::start(KamailioOptions::default());
    let req = raw_register("alice", "sipreg.test", None, None, "")
        .replace("REGISTER sip:", "MESSAGE sip:")
        .replace("CSeq: 1 REGISTER", "CSeq: 1 MESSAGE");
    let r = exchange(&kam, &req);
    assert_eq!(status_code(&r), Some(405), "{r}");
}

#[test]
fn tcp_listener_answers_too() {
    let kam = Kamailio::start(KamailioOptions {
        tcp: true,
        ..Default::default()
    });
    let mut s = TcpStream::connect(kam.addr).expect("tcp connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let local = s.local_addr().unwrap();
    let req = raw_register(
        "alice",
        "sipreg.test",
        Some("<sip:alice@127.0.0.1:5999;transport=tcp>"),
        Some(60),
        "",
    )
    .replace("SIP/2.0/UDP {local}", &format!("SIP/2.0/TCP {local}"));
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = vec![0u8; 4096];
    let mut got = String::new();
    while !got.contains("\r\n\r\n") {
        let n = s.read(&mut buf).expect("read tcp response");
        assert!(n > 0, "tcp closed early; got {got:?}\n{}", kam.stderr_log());
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert_eq!(status_code(&got), Some(401), "{got}");
}

#[test]
fn parallel_instances_do_not_collide() {
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| Kamailio::start(KamailioOptions::default())))
        .collect();
    let kams: Vec<Kamailio> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut ports: Vec<u16> = kams.iter().map(|k| k.addr.port()).collect();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 4);
    for k in &kams {
        let r = exchange(k, &raw_register("bob", "sipreg.test", None, None, ""));
        assert_eq!(status_code(&r), Some(401), "{r}");
    }
}

#[test]
fn expired_nonce_is_challenged_with_stale_true() {
    let kam = Kamailio::start_with_defines(KamailioOptions::default(), &["NONCE_EXPIRE=1"]);
    let first = exchange(
        &kam,
        &raw_register(
            "alice",
            "sipreg.test",
            Some("<sip:a@127.0.0.1:9>"),
            Some(60),
            "",
        ),
    );
    let www = header(&first, "WWW-Authenticate")
        .expect("challenge")
        .to_string();
    let nonce = www
        .split("nonce=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    // nonce lifetime 1 s, plus Kamailio's nonce_auth_max_drift slack
    std::thread::sleep(Duration::from_millis(2500));
    // Kamailio checks the nonce's age before the response: any well-formed
    // credentials with an expired nonce get stale=true.
    let auth = format!(
        "Authorization: Digest username=\"alice\", realm=\"sipreg.test\", nonce=\"{nonce}\", \
         uri=\"sip:sipreg.test\", response=\"00000000000000000000000000000000\", algorithm=MD5, \
         qop=auth, nc=00000001, cnonce=\"abcdef\"\r\n"
    );
    let r = exchange(
        &kam,
        &raw_register(
            "alice",
            "sipreg.test",
            Some("<sip:a@127.0.0.1:9>"),
            Some(60),
            &auth,
        ),
    );
    assert_eq!(status_code(&r), Some(401), "{r}\n{}", kam.stderr_log());
    let www2 = header(&r, "WWW-Authenticate").unwrap();
    assert!(www2.contains("stale=true"), "{www2}\n{}", kam.stderr_log());
    assert!(!www2.contains(&nonce), "a fresh nonce is expected: {www2}");
}
