//! Staying registered against real peers, in real time: a Kamailio that restarts and
//! forgets its bindings, a registrar that answers 503 with Retry-After, and a
//! two-minute soak with 10-second grants.

mod scripted;
mod support;

use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use serde_json::Value;
use std::time::{Duration, Instant};
use support::kamailio::{Kamailio, KamailioOptions};
use support::staying::Staying;

const AOR: &str = "sip:alice@sipreg.test";

/// Our contacts in the registrar, as a second sipreg sees them.
fn bindings(kam: &Kamailio) -> Vec<String> {
    let out = assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .timeout(Duration::from_secs(60))
        .args([
            "query",
            AOR,
            "-r",
            &kam.registrar_uri(),
            "--json",
            "--timeout",
            "2s",
        ])
        .env("SIPREG_PASSWORD", "secret-alice")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["contact"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn registrar_restart_with_empty_tables_is_repaired_by_the_next_refresh() {
    let mut kam = Kamailio::start(KamailioOptions {
        max_expires: 10,
        ..KamailioOptions::default()
    });
    let mut sipreg = Staying::start(&kam.registrar_uri(), &[]);
    let registered = sipreg.until("registered");
    let ours = registered.last().unwrap()["contact"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(bindings(&kam), std::slice::from_ref(&ours));

    kam.restart_empty();
    let restarted = Instant::now();
    assert!(
        bindings(&kam).is_empty(),
        "the restarted registrar forgot the binding"
    );
    // The refresh policy for a 10 s grant refreshes within 5 s; wait for it, bounded.
    let back = loop {
        let v = sipreg.next();
        if v["event"] == "refreshed" || v["event"] == "recovered" {
            break v;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "no refresh: {v}"
        );
    };
    assert_eq!(back["status"], 200);
    assert_eq!(bindings(&kam), [ours], "registered again after the restart");
    let (rest, code) = sipreg.stop();
    assert_eq!(code, Some(0));
    assert_eq!(rest.last().unwrap()["event"], "unregistered");
}

#[test]
fn retry_after_from_a_503_is_waited_for_then_recovered() {
    let registrar = ScriptedRegistrar::start(Box::new(|req: &Req, i| match i {
        0 => vec![respond(
            req,
            503,
            "Service Unavailable",
            &["Retry-After: 1".into()],
        )],
        _ if req.expires() == Some(0) => vec![respond(req, 200, "OK", &[])],
        _ => vec![ok_with_contact(req, 3600)],
    }));
    let mut sipreg = Staying::start(&registrar.uri(), &[]);
    let seen = sipreg.until("recovered");
    assert_eq!(seen[0]["event"], "failed");
    assert_eq!(seen[0]["status"], 503);
    assert_eq!(seen[0]["retry_in"], 1);
    assert_eq!(seen[0]["exit_status"], Value::Null);
    let (_, code) = sipreg.stop();
    assert_eq!(code, Some(0));
    let reqs = registrar.requests();
    assert_eq!(
        reqs[0].call_id(),
        reqs[1].call_id(),
        "the retry keeps the Call-ID"
    );
    assert_eq!(reqs[1].cseq(), reqs[0].cseq() + 1);
}

/// At least two minutes against 10-second grants: a second sipreg queries every second
/// and never finds the binding missing; the REGISTERs sent match the refresh policy
/// (one per 4.5 to 5 seconds: half the grant, spread over its last 10 %).
#[test]
fn two_minute_soak_with_ten_second_grants() {
    let kam = Kamailio::start(KamailioOptions {
        max_expires: 10,
        ..KamailioOptions::default()
    });
    let soak = Duration::from_secs(120);
    let mut sipreg = Staying::start(&kam.registrar_uri(), &["--for", "120s"]);
    let registered = sipreg.until("registered");
    let ours = registered.last().unwrap()["contact"]
        .as_str()
        .unwrap()
        .to_string();
    let start = Instant::now();
    let mut queries = 0;
    while start.elapsed() < soak - Duration::from_secs(2) {
        let seen = bindings(&kam);
        assert!(
            seen.contains(&ours),
            "binding missing after {:?}: {seen:?}",
            start.elapsed()
        );
        queries += 1;
        std::thread::sleep(Duration::from_secs(1));
    }
    let rest = sipreg.until("unregistered");
    let refreshes = rest.iter().filter(|v| v["event"] == "refreshed").count();
    assert!(queries >= 100, "only {queries} queries");
    // 120 s / 5 s = 24 refreshes at the latest schedule, 120 / 4.5 = 26.7 at the earliest.
    assert!(
        (22..=27).contains(&refreshes),
        "{refreshes} refreshes in 120 s"
    );
    assert!(bindings(&kam).is_empty());
}

/// Flow recovery (RFC 5626 §4.4.1): Kamailio closes the idle TCP connection after
/// 2 s; sipreg opens a new one and registers again at once, not at the next refresh.
#[test]
fn a_tcp_connection_closed_by_the_registrar_is_reopened_and_registered_again() {
    let kam = Kamailio::start(KamailioOptions {
        tcp: true,
        tcp_lifetime: Some(2),
        ..KamailioOptions::default()
    });
    let mut sipreg = Staying::start(&kam.registrar_uri(), &["-t", "tcp"]);
    sipreg.until("registered");
    let started = Instant::now();
    let seen = sipreg.until("registered");
    let flow = seen.iter().find(|v| v["event"] == "flow-failed");
    assert!(flow.is_some(), "{seen:?}");
    // Registered again long before the hour-long grant would have been refreshed.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(bindings(&kam).len(), 1);
    let (_, code) = sipreg.stop();
    assert_eq!(code, Some(0));
}
