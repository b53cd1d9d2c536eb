//! An ICMP port unreachable for the registrar is a transport error (RFC 3261 §18.4,
//! RFC 3263 §4.3): over UDP, a registrar port where nothing listens ends the run at
//! once with exit 4, as a refused TCP connection does, instead of Timer F's 32 s of
//! retransmissions. Each run's timeout is far longer than its deadline here, so a
//! build that ignored the ICMP error would be killed and fail; and the requests
//! counted show that none was retransmitted.

mod transport_common;

use std::time::Duration;
use transport_common::{Run, PASSWORD};

/// Longer than any run here may take: a build that waited for Timer F is killed.
const DEADLINE: Duration = Duration::from_secs(15);

/// A loopback UDP port where nothing listens (bound, then closed again).
fn dead_port() -> u16 {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port()
}

fn run(args: &[&str]) -> Run {
    let out = assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env("SIPREG_PASSWORD", PASSWORD)
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .timeout(DEADLINE)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `-v` ladder lines of REGISTERs sent.
fn registers_sent(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.contains("REGISTER →")).count()
}

#[test]
fn register_once_to_a_closed_udp_port_ends_at_once_with_exit_4() {
    let port = dead_port();
    let r = run(&[
        "register",
        "sip:alice@sipreg.test",
        "--once",
        "-r",
        &format!("sip:127.0.0.1:{port}"),
        "--timeout",
        "60s",
        "-v",
    ]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("port unreachable"),
        "the reason names the ICMP error: {}",
        r.stderr
    );
    assert_eq!(
        registers_sent(&r.stderr),
        1,
        "no retransmission: {}",
        r.stderr
    );
}

#[test]
fn json_says_why_the_registrar_is_unreachable() {
    let port = dead_port();
    let r = run(&[
        "query",
        "sip:alice@sipreg.test",
        "-r",
        &format!("sip:127.0.0.1:{port}"),
        "--timeout",
        "60s",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    let out = r.json();
    let failed = out.last().unwrap();
    assert_eq!(failed["event"], "failed", "{failed}");
    assert_eq!(failed["exit_status"], 4, "{failed}");
    let reason = failed["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("127.0.0.1:{port}")) && reason.contains("port unreachable"),
        "{reason}"
    );
}

#[test]
fn ipv6_closed_port_is_told_by_icmpv6_too() {
    // Loopback ::1 is there on Linux unless IPv6 is disabled altogether.
    let Ok(socket) = std::net::UdpSocket::bind("[::1]:0") else {
        panic!("this test needs IPv6 on loopback");
    };
    let port = socket.local_addr().unwrap().port();
    drop(socket);
    let r = run(&[
        "register",
        "sip:alice@sipreg.test",
        "--once",
        "-r",
        &format!("sip:[::1]:{port}"),
        "--timeout",
        "60s",
        "-v",
    ]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("port unreachable"), "{}", r.stderr);
    assert_eq!(registers_sent(&r.stderr), 1, "{}", r.stderr);
}

#[test]
fn bulk_to_a_closed_port_fails_every_aor_as_unreachable_without_retransmitting() {
    let port = dead_port();
    let r = run(&[
        "bulk",
        "register",
        "--once",
        "-r",
        &format!("sip:127.0.0.1:{port}"),
        "--aor",
        "sip:bench{n:04}@sipreg.test",
        "--count",
        "20",
        "--password-template",
        "pw{n:04}",
        "--timeout",
        "60s",
        "--json",
    ]);
    let summary = r.json().pop().expect("a summary");
    assert_eq!(summary["failed"], 20, "{summary}\n{}", r.stderr);
    assert_eq!(summary["succeeded"], 0, "{summary}");
    assert_eq!(summary["retransmissions"], 0, "{summary}");
    let failures = summary["failures"].as_array().unwrap();
    let total: u64 = failures.iter().map(|f| f["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 20, "{summary}");
    for f in failures {
        let reason = f["reason"].as_str().unwrap();
        assert!(reason.contains("port unreachable"), "{reason}");
    }
}
