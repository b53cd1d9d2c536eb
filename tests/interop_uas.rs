//! The user agent at our contact, reached through a real Kamailio that routes
//! requests for its users to their bound contacts (`WITH_ROUTING`), by SIPp and
//! sipsak as callers: OPTIONS, INVITE refused, INVITE cancelled while ringing,
//! MESSAGE; a retransmitted request answered with the same bytes; a thousand bulk
//! AORs each answering an OPTIONS for its AOR. Issue 12. Scenarios: tests/sipp.

mod support;

use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use support::kamailio::{Kamailio, KamailioOptions};
use support::sipp::{run_injected, run_scenario};
use support::staying::Staying;

fn routing() -> Kamailio {
    Kamailio::start(KamailioOptions {
        routing: true,
        ..KamailioOptions::default()
    })
}

fn kamailio_addr(kam: &Kamailio) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], kam.port()))
}

/// A staying alice at Kamailio, registered; `extra` arguments to `register`.
fn alice(kam: &Kamailio, extra: &[&str]) -> Staying {
    let mut run = Staying::start(&kam.registrar_uri(), extra);
    run.until("registered");
    run
}

/// Stops alice and returns the events she printed.
fn events_of(run: Staying) -> Vec<Value> {
    let (events, code) = run.stop();
    assert_eq!(code, Some(0), "{events:?}");
    events
}

fn named<'a>(events: &'a [Value], name: &str) -> Vec<&'a Value> {
    events.iter().filter(|v| v["event"] == name).collect()
}

#[test]
fn options_through_the_registrar_gets_200_with_allow_and_accept() {
    let kam = routing();
    let run = alice(&kam, &[]);
    run_scenario("options.xml", kamailio_addr(&kam), "alice", &[]).assert_ok();
    // sipsak, the peer a support engineer reaches for, sees the same.
    let out = std::process::Command::new("sipsak")
        .args(["-s", &format!("sip:alice@127.0.0.1:{}", kam.port())])
        .args(["-q", "Allow:.*INVITE"])
        .output()
        .expect("sipsak (scripts/install-deps.sh installs it)");
    assert_eq!(
        out.status.code(),
        Some(0),
        "sipsak: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    events_of(run);
}

/// An INVITE gets 100 then --answer's status, once: the ACK stops the
/// retransmissions, and the call is reported once.
#[test]
fn an_invite_is_refused_as_answer_says_and_reported_once() {
    let kam = routing();
    for (answer, scenario) in [("480", "invite_480.xml"), ("486", "invite_486.xml")] {
        let run = alice(&kam, &["--answer", answer]);
        let call = run_scenario(scenario, kamailio_addr(&kam), "alice", &[]);
        call.assert_ok();
        assert_eq!(
            call.count_received(&format!("SIP/2.0 {answer}")),
            1,
            "{}",
            call.report()
        );
        let events = events_of(run);
        let calls = named(&events, "incoming-call");
        assert_eq!(calls.len(), 1, "{events:?}");
        assert_eq!(calls[0]["status"].to_string(), answer);
        let from = calls[0]["from"].as_str().unwrap();
        assert!(from.starts_with("sip:sipp@127.0.0.1"), "{from}");
    }
}

/// A CANCEL while the INVITE rings: 200 for the CANCEL, 487 for the INVITE.
#[test]
fn a_cancel_while_ringing_ends_the_invite_with_487() {
    let kam = routing();
    let run = alice(&kam, &["--ring", "10s"]);
    let call = run_scenario("invite_cancel.xml", kamailio_addr(&kam), "alice", &[]);
    call.assert_ok();
    assert_eq!(call.count_received("SIP/2.0 487"), 1, "{}", call.report());
    let events = events_of(run);
    let calls = named(&events, "incoming-call");
    assert_eq!(calls.len(), 1, "{events:?}");
    assert_eq!(calls[0]["status"], 487);
}

#[test]
fn a_message_is_answered_and_shown() {
    let kam = routing();
    let run = alice(&kam, &[]);
    run_scenario("message.xml", kamailio_addr(&kam), "alice", &[]).assert_ok();
    let events = events_of(run);
    let messages = named(&events, "message");
    assert_eq!(messages.len(), 1, "{events:?}");
    assert_eq!(messages[0]["text"], "hello from sipp");
    assert_eq!(messages[0]["content_type"], "text/plain");
}

/// Sent straight to our contact (through Kamailio its transaction layer would
/// absorb the copy): a retransmitted OPTIONS gets the same bytes again, and is
/// handled once.
#[test]
fn a_retransmitted_request_gets_the_same_answer() {
    let kam = routing();
    let free = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let contact = free.local_addr().unwrap();
    drop(free);
    let run = alice(&kam, &["--local", &contact.to_string(), "-v"]);
    let call = run_scenario("retransmitted_options.xml", contact, "alice", &[]);
    call.assert_ok();
    assert_eq!(call.count_received("SIP/2.0 200"), 3, "{}", call.report());
    events_of(run);
}

/// Bulk: a thousand AORs registered, each answers an OPTIONS sent to its AOR
/// through Kamailio.
#[test]
fn a_thousand_bulk_aors_each_answer_their_options() {
    const N: u32 = 1000;
    let users: Vec<(String, String)> = (1..=N)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let kam = Kamailio::start(KamailioOptions {
        users: users.clone(),
        routing: true,
        ..KamailioOptions::default()
    });
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["bulk", "register", "--for", "60s", "--json"])
        .args([
            "--aor",
            "sip:bench{n:04}@sipreg.test",
            "--count",
            &N.to_string(),
        ])
        .args(["--password-template", "pw{n:04}", "--rate", "2000"])
        .args(["-r", &kam.registrar_uri()])
        .env_remove("SIPREG_PASSWORD")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Every AOR bound before the calls start: Kamailio lists them.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let last = format!("bench{N:04}");
    while std::time::Instant::now() < deadline {
        let probe = format!(
            "OPTIONS sip:{last}@127.0.0.1:{} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKwait;rport\r\n\
             From: <sip:t@t>;tag=1\r\nTo: <sip:{last}@sipreg.test>\r\nCall-ID: wait\r\nCSeq: 1 OPTIONS\r\n\
             Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
            kam.port()
        );
        match kam.udp_request(&probe) {
            Some(answer) if answer.starts_with("SIP/2.0 200") => break,
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    let names: Vec<&str> = users.iter().map(|(u, _)| u.as_str()).collect();
    let calls = run_injected("options_injected.xml", kamailio_addr(&kam), &names, &[]);
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    calls.assert_ok();
    assert_eq!(
        calls.count_received("SIP/2.0 200"),
        N as usize,
        "{}",
        calls.report()
    );
}

/// With -q the contact still answers, and says nothing: no line on stdout or stderr.
#[test]
fn quiet_answers_silently() {
    let kam = routing();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args([
            "-q",
            "register",
            "sip:alice@sipreg.test",
            "-r",
            &kam.registrar_uri(),
        ])
        .args(["--for", "3s"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bound by then or not: a 404 from Kamailio fails the scenario; retry briefly.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut answered = false;
    while !answered && std::time::Instant::now() < deadline {
        answered = run_scenario("options.xml", kamailio_addr(&kam), "alice", &[]).ok();
    }
    let out = child.wait_with_output().unwrap();
    assert!(answered, "no OPTIONS answered");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
