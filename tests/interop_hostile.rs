//! Hostile requests at our contact while it stays registered at a real Kamailio:
//! garbage, a huge header, a request with 100 Vias, and a flood of 10 000 INVITEs
//! from SIPp. Each is answered or dropped; the registration keeps refreshing on time
//! (no failure, no lost binding) and the memory stays bounded (the user agent keeps
//! at most `uas::MAX_TRANSACTIONS` transactions and answers the rest 503 without
//! state). Issue 12.

mod support;

use serde_json::Value;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;
use support::kamailio::{Kamailio, KamailioOptions};
use support::sipp::run_scenario;
use support::staying::Staying;

fn request(contact: SocketAddr, port: u16, vias: usize, extra: &str) -> String {
    let mut m = format!("OPTIONS sip:alice@{contact} SIP/2.0\r\n");
    for i in 0..vias {
        m.push_str(&format!(
            "Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKhostile{vias}x{i};rport\r\n"
        ));
    }
    m.push_str(&format!(
        "From: <sip:mallory@sipreg.test>;tag=m\r\nTo: <sip:alice@sipreg.test>\r\n\
         Call-ID: hostile-{vias}-{}\r\nCSeq: 1 OPTIONS\r\n{extra}Content-Length: 0\r\n\r\n",
        extra.len()
    ));
    m
}

/// Sends `bytes` and returns the first line of the answer, if one comes in 2 s.
fn exchange(socket: &UdpSocket, to: SocketAddr, bytes: &[u8]) -> Option<String> {
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    socket.send_to(bytes, to).unwrap();
    let mut buf = vec![0u8; 65_536];
    let n = socket.recv(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    Some(text)
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn hostile_requests_are_answered_or_dropped_and_the_binding_keeps_refreshing() {
    let kam = Kamailio::start(KamailioOptions::default());
    let free = UdpSocket::bind("127.0.0.1:0").unwrap();
    let contact = free.local_addr().unwrap();
    drop(free);
    let mut run = Staying::start(
        &kam.registrar_uri(),
        &["--local", &contact.to_string(), "-e", "6"],
    );
    run.until("registered");
    let before = resident_kib(run.pid());

    let mallory = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = mallory.local_addr().unwrap().port();
    // Garbage, and a request line of control characters: nothing comes back.
    for garbage in [
        b"\x00\x01\x02garbage\r\n\r\n".to_vec(),
        b"OPTIONS \x1b[2J SIP/2.0\r\nVia: x\r\n\r\n".to_vec(),
    ] {
        assert_eq!(exchange(&mallory, contact, &garbage), None);
    }
    // A huge header still fits a datagram: answered.
    let huge = request(
        contact,
        port,
        1,
        &format!("X-Big: {}\r\n", "a".repeat(60_000)),
    );
    let answer = exchange(&mallory, contact, huge.as_bytes()).expect("an answer");
    assert!(answer.starts_with("SIP/2.0 200 OK"), "{answer:.200}");
    // 100 Vias: answered with all of them, the top one stamped.
    let many = request(contact, port, 100, "");
    let answer = exchange(&mallory, contact, many.as_bytes()).expect("an answer");
    assert!(answer.starts_with("SIP/2.0 200 OK"), "{answer:.200}");
    assert_eq!(answer.matches("\r\nVia: ").count(), 100, "{answer:.400}");
    assert!(answer.contains(&format!(";rport={port}")), "{answer:.400}");

    // 10 000 INVITEs as fast as SIPp sends them.
    let flood = run_scenario(
        "invite_480.xml",
        contact,
        "alice",
        &[
            "-m", "10000", "-r", "10000", "-l", "10000", "-timeout", "15s",
        ],
    );
    let answered = flood.count_received("SIP/2.0 480") + flood.count_received("SIP/2.0 503");
    assert!(answered > 1000, "few answers: {}", flood.report());
    let after = resident_kib(run.pid());
    eprintln!(
        "flood: {} x 480, {} x 503; resident {before} KiB before, {after} KiB after",
        flood.count_received("SIP/2.0 480"),
        flood.count_received("SIP/2.0 503")
    );
    assert!(after < 64 * 1024, "resident {after} KiB after the flood");

    // The registration kept refreshing through it all, and still does.
    let mut refreshed = 0;
    while refreshed < 2 {
        let v: Value = run.next();
        assert!(
            v["event"] != "failed" && v["event"] != "binding-lost",
            "{v}"
        );
        if v["event"] == "refreshed" {
            refreshed += 1;
        }
    }
    let (_, code) = run.stop();
    assert_eq!(code, Some(0));
}
