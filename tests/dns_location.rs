//! Locating the registrar (RFC 3263) through a small DNS server run by the test on
//! loopback (`--dns-server`): NAPTR → SRV → A, SRV priority order, an explicit
//! port that skips NAPTR and SRV, and failover within one run from a silent or
//! refusing first target to a working second one.

mod transport_common;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, NAPTR, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinEncodable};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use transport_common::servers::{ok_response, Reply, Req, ScriptedTcp, UdpRegistrar};
use transport_common::{find, sipreg, sipreg_ok};

const AOR: &str = "sip:alice@example.test";

/// Records by (lower-case name without the final dot, type).
type Zone = HashMap<(String, RecordType), Vec<RData>>;

/// An authoritative-only DNS server for one test zone, answering over UDP on
/// loopback and keeping a log of the questions (`"SRV _sip._udp.example.test"`).
struct DnsServer {
    addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DnsServer {
    fn start(zone: Zone) -> DnsServer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopped) = (asked.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stopped.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Ok(query) = Message::from_bytes(&buf[..n]) else {
                    continue;
                };
                let answer = answer(&zone, &query, &log);
                let _ = socket.send_to(&answer.to_bytes().unwrap(), from);
            }
        });
        DnsServer {
            addr,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn answer(zone: &Zone, query: &Message, log: &Mutex<Vec<String>>) -> Message {
    let mut response = Message::new();
    response
        .set_id(query.id())
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_authoritative(true)
        .set_recursion_desired(query.recursion_desired())
        .set_recursion_available(true);
    let Some(q) = query.queries().first() else {
        response.set_response_code(ResponseCode::FormErr);
        return response;
    };
    response.add_query(q.clone());
    let name = q
        .name()
        .to_ascii()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    log.lock()
        .unwrap()
        .push(format!("{} {name}", q.query_type()));
    let known = zone.keys().any(|(n, _)| *n == name);
    match zone.get(&(name, q.query_type())) {
        Some(records) => {
            for rdata in records {
                response.add_answer(Record::from_rdata(q.name().clone(), 60, rdata.clone()));
            }
        }
        // A name we hold without this type: NOERROR and no answer.
        None if known => {}
        None => {
            response.set_response_code(ResponseCode::NXDomain);
        }
    }
    response
}

fn name(n: &str) -> Name {
    Name::from_str(&format!("{n}.")).unwrap()
}

fn naptr(order: u16, service: &str, replacement: &str) -> RData {
    RData::NAPTR(NAPTR::new(
        order,
        10,
        b"s".to_vec().into_boxed_slice(),
        service.as_bytes().to_vec().into_boxed_slice(),
        Vec::new().into_boxed_slice(),
        name(replacement),
    ))
}

fn srv(priority: u16, port: u16, target: &str) -> RData {
    RData::SRV(SRV::new(priority, 10, port, name(target)))
}

fn loopback() -> RData {
    RData::A(A(Ipv4Addr::LOCALHOST))
}

fn zone(entries: Vec<(&str, RecordType, Vec<RData>)>) -> Zone {
    entries
        .into_iter()
        .map(|(n, t, r)| ((n.to_string(), t), r))
        .collect()
}

fn dns_arg(dns: &DnsServer) -> String {
    dns.addr.to_string()
}

#[test]
fn naptr_then_srv_then_a_finds_the_registrar() {
    let registrar = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        (
            "example.test",
            RecordType::NAPTR,
            vec![naptr(10, "SIP+D2U", "_sip._udp.edge.example.test")],
        ),
        (
            "_sip._udp.edge.example.test",
            RecordType::SRV,
            vec![srv(10, registrar.addr.port(), "reg.example.test")],
        ),
        ("reg.example.test", RecordType::A, vec![loopback()]),
    ]));
    let out = sipreg_ok(
        &["register", AOR, "--once", "--dns-server", &dns_arg(&dns)],
        || format!("{:?}", dns.asked()),
    );
    assert_eq!(find(&out, "registered")["status"], 200);
    let requests = registrar.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].start_line(),
        "REGISTER sip:example.test SIP/2.0"
    );
    let asked = dns.asked();
    for q in [
        "NAPTR example.test",
        "SRV _sip._udp.edge.example.test",
        "A reg.example.test",
    ] {
        assert!(asked.iter().any(|a| a == q), "{q} not asked: {asked:?}");
    }
}

#[test]
fn naptr_chooses_the_transport() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        vec![Reply::Send(ok_response(req).into_bytes())]
    }));
    let dns = DnsServer::start(zone(vec![
        (
            "example.test",
            RecordType::NAPTR,
            vec![
                naptr(20, "SIP+D2U", "_sip._udp.example.test"),
                naptr(10, "SIP+D2T", "_sip._tcp.example.test"),
            ],
        ),
        (
            "_sip._tcp.example.test",
            RecordType::SRV,
            vec![srv(10, server.addr.port(), "reg.example.test")],
        ),
        ("reg.example.test", RecordType::A, vec![loopback()]),
    ]));
    let out = sipreg_ok(
        &["register", AOR, "--once", "--dns-server", &dns_arg(&dns)],
        || format!("{:?}", dns.asked()),
    );
    let contact = find(&out, "registered")["contact"].as_str().unwrap();
    assert!(contact.ends_with(";transport=tcp"), "{contact}");
    assert_eq!(server.requests().len(), 1);
    assert!(server.requests()[0]
        .header("via")
        .unwrap()
        .starts_with("SIP/2.0/TCP "));
}

#[test]
fn srv_priority_picks_the_lowest_first() {
    let first = UdpRegistrar::answering();
    let second = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        ("example.test", RecordType::A, vec![loopback()]),
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![
                srv(20, second.addr.port(), "second.example.test"),
                srv(10, first.addr.port(), "first.example.test"),
            ],
        ),
        ("first.example.test", RecordType::A, vec![loopback()]),
        ("second.example.test", RecordType::A, vec![loopback()]),
    ]));
    for _ in 0..3 {
        sipreg_ok(
            &["register", AOR, "--once", "--dns-server", &dns_arg(&dns)],
            || format!("{:?}", dns.asked()),
        );
    }
    assert_eq!(first.requests().len(), 3);
    assert_eq!(second.requests().len(), 0);
    // No NAPTR record: the SRV names were asked for directly.
    assert!(dns.asked().iter().any(|a| a == "NAPTR example.test"));
    assert!(dns
        .asked()
        .iter()
        .any(|a| a == "SRV _sip._udp.example.test"));
}

#[test]
fn silent_first_target_fails_over_to_the_second_in_the_same_run() {
    let silent = UdpRegistrar::silent();
    let working = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![
                srv(10, silent.addr.port(), "dead.example.test"),
                srv(20, working.addr.port(), "alive.example.test"),
            ],
        ),
        ("example.test", RecordType::A, vec![loopback()]),
        ("dead.example.test", RecordType::A, vec![loopback()]),
        ("alive.example.test", RecordType::A, vec![loopback()]),
    ]));
    let out = sipreg_ok(
        &[
            "register",
            AOR,
            "--once",
            "--timeout",
            "1s",
            "--dns-server",
            &dns_arg(&dns),
        ],
        || format!("{:?}", dns.asked()),
    );
    find(&out, "registered");
    let tried = silent.requests();
    let answered = working.requests();
    assert!(!tried.is_empty());
    assert_eq!(answered.len(), 1);
    // One run: the same Call-ID, a higher CSeq.
    assert_eq!(tried[0].header("call-id"), answered[0].header("call-id"));
    let cseq = |r: &Req| -> u32 {
        r.header("cseq")
            .and_then(|c| c.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap()
    };
    assert!(cseq(&answered[0]) > cseq(&tried[0]));
}

/// A first SRV target whose port is closed answers with an ICMP port unreachable:
/// a transport error, so the run moves to the second target at once rather than
/// after the transaction timeout (RFC 3263 §4.3). The timeout is far longer than
/// the run's deadline, and the dead target got the one request.
#[test]
fn closed_first_target_fails_over_on_the_icmp_error_without_waiting() {
    let dead = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let working = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![
                srv(10, dead_port, "dead.example.test"),
                srv(20, working.addr.port(), "alive.example.test"),
            ],
        ),
        ("example.test", RecordType::A, vec![loopback()]),
        ("dead.example.test", RecordType::A, vec![loopback()]),
        ("alive.example.test", RecordType::A, vec![loopback()]),
    ]));
    let out = assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .args(["register", AOR, "--once", "--timeout", "60s", "-v"])
        .args(["--dns-server", &dns_arg(&dns)])
        .env("SIPREG_PASSWORD", transport_common::PASSWORD)
        .env_remove("SIPREG_PROFILE")
        // Well inside the 60 s timeout: waiting it out fails the test.
        .timeout(Duration::from_secs(15))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{:?}", dns.asked());
    assert_eq!(working.requests().len(), 1);
    let to_dead = format!("REGISTER → 127.0.0.1:{dead_port}");
    assert_eq!(
        stderr.lines().filter(|l| l.contains(&to_dead)).count(),
        1,
        "one request to the closed port, no retransmission: {stderr}"
    );
    assert!(stderr.contains("port unreachable"), "{stderr}");
}

#[test]
fn a_503_fails_over_to_the_next_target() {
    let busy = UdpRegistrar::refusing("503 Service Unavailable");
    let working = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![
                srv(10, busy.addr.port(), "busy.example.test"),
                srv(20, working.addr.port(), "alive.example.test"),
            ],
        ),
        ("example.test", RecordType::A, vec![loopback()]),
        ("busy.example.test", RecordType::A, vec![loopback()]),
        ("alive.example.test", RecordType::A, vec![loopback()]),
    ]));
    let out = sipreg_ok(&["query", AOR, "--dns-server", &dns_arg(&dns)], || {
        format!("{:?}", dns.asked())
    });
    assert_eq!(find(&out, "bindings")["status"], 200);
    assert_eq!(busy.requests().len(), 1);
    assert_eq!(working.requests().len(), 1);
}

#[test]
fn every_target_silent_ends_with_exit_4() {
    let a = UdpRegistrar::silent();
    let b = UdpRegistrar::silent();
    let dns = DnsServer::start(zone(vec![
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![
                srv(10, a.addr.port(), "a.example.test"),
                srv(20, b.addr.port(), "b.example.test"),
            ],
        ),
        ("example.test", RecordType::A, vec![loopback()]),
        ("a.example.test", RecordType::A, vec![loopback()]),
        ("b.example.test", RecordType::A, vec![loopback()]),
    ]));
    let r = sipreg(&[
        "query",
        AOR,
        "--timeout",
        "500ms",
        "--dns-server",
        &dns_arg(&dns),
    ]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(!a.requests().is_empty() && !b.requests().is_empty());
}

#[test]
fn explicit_port_skips_naptr_and_srv() {
    let registrar = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        ("reg.example.test", RecordType::A, vec![loopback()]),
        (
            "reg.example.test",
            RecordType::NAPTR,
            vec![naptr(10, "SIP+D2T", "_sip._tcp.reg.example.test")],
        ),
    ]));
    let uri = format!("sip:reg.example.test:{}", registrar.addr.port());
    sipreg_ok(
        &["query", AOR, "-r", &uri, "--dns-server", &dns_arg(&dns)],
        || format!("{:?}", dns.asked()),
    );
    assert_eq!(registrar.requests().len(), 1);
    let asked = dns.asked();
    assert!(
        asked
            .iter()
            .all(|q| q == "A reg.example.test" || q == "AAAA reg.example.test"),
        "{asked:?}"
    );
}

#[test]
fn unknown_domain_is_a_resolve_error() {
    let dns = DnsServer::start(Zone::new());
    let r = sipreg(&["query", AOR, "--dns-server", &dns_arg(&dns)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("cannot resolve example.test: no such name in DNS (NXDOMAIN)"),
        "{}",
        r.stderr
    );
}

/// A domain that exists but has neither SIP records nor an address is named as such,
/// not as a missing name: the user fixes a different record.
#[test]
fn a_domain_without_an_address_says_so() {
    let dns = DnsServer::start(zone(vec![("example.test", RecordType::NAPTR, Vec::new())]));
    let r = sipreg(&["query", AOR, "--dns-server", &dns_arg(&dns)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the name exists in DNS but has no address"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_dns_server_argument_is_a_usage_error() {
    let r = sipreg(&["query", AOR, "--dns-server", "dns.example.test"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--dns-server"), "{}", r.stderr);
}

/// Bulk mode reads `--dns-server` (and `--user-agent`) as every other command does:
/// each AOR's domain is located through the given server.
#[test]
fn bulk_register_locates_the_domain_through_the_dns_server() {
    let registrar = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        ("example.test", RecordType::A, vec![loopback()]),
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![srv(10, registrar.addr.port(), "reg.example.test")],
        ),
        ("reg.example.test", RecordType::A, vec![loopback()]),
    ]));
    let r = sipreg(&[
        "bulk",
        "register",
        "--once",
        "--aor",
        "sip:bench{n}@example.test",
        "--count",
        "3",
        "--dns-server",
        &dns_arg(&dns),
        "--user-agent",
        "load-probe/1",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{:?}", r.stderr, dns.asked());
    let summary = r.json().pop().unwrap();
    assert_eq!(summary["succeeded"], 3, "{summary}");
    let requests = registrar.requests();
    assert_eq!(requests.len(), 3);
    for q in &requests {
        assert_eq!(q.start_line(), "REGISTER sip:example.test SIP/2.0");
        assert_eq!(q.header("user-agent"), Some("load-probe/1"));
    }
    assert!(
        dns.asked()
            .iter()
            .any(|a| a == "SRV _sip._udp.example.test"),
        "{:?}",
        dns.asked()
    );
}

/// Bulk mode fails over as the single commands do: the first SRV target does not
/// answer, so every AOR moves to the second within the same run.
#[test]
fn bulk_register_fails_over_to_the_second_srv_target() {
    let silent = UdpRegistrar::silent();
    let working = UdpRegistrar::answering();
    let dns = DnsServer::start(zone(vec![
        (
            "_sip._udp.example.test",
            RecordType::SRV,
            vec![
                srv(10, silent.addr.port(), "dead.example.test"),
                srv(20, working.addr.port(), "alive.example.test"),
            ],
        ),
        ("example.test", RecordType::A, vec![loopback()]),
        ("dead.example.test", RecordType::A, vec![loopback()]),
        ("alive.example.test", RecordType::A, vec![loopback()]),
    ]));
    let r = sipreg(&[
        "bulk",
        "register",
        "--once",
        "--aor",
        "sip:bench{n}@example.test",
        "--count",
        "5",
        "--timeout",
        "1s",
        "--dns-server",
        &dns_arg(&dns),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{:?}", r.stderr, dns.asked());
    let summary = r.json().pop().unwrap();
    assert_eq!(summary["succeeded"], 5, "{summary}");
    let tried = silent.requests();
    let answered = working.requests();
    assert_eq!(answered.len(), 5);
    // Each AOR went on as itself: its Call-ID at the second target is one it used at
    // the first.
    let first_ids: std::collections::HashSet<_> =
        tried.iter().filter_map(|q| q.header("call-id")).collect();
    for q in &answered {
        assert!(first_ids.contains(q.header("call-id").unwrap()));
    }
}
