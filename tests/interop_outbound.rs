//! RFC 5626 outbound, RFC 5627 GRUU and STUN keep-alives against a real Kamailio
//! (outbound module, registrar outbound_mode 1, gruu_enabled, stun module).

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::kamailio::{Kamailio, KamailioOptions};

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(kam: &Kamailio, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        // Bounded: a run that hangs fails the test instead of stalling it.
        .timeout(std::time::Duration::from_secs(60))
        .args(args)
        .args(["-r", &kam.registrar_uri(), "--json"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .output()
        .unwrap();
    let events = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), events, stderr)
}

fn outbound_registrar() -> Kamailio {
    Kamailio::start(KamailioOptions {
        outbound: true,
        stun: true,
        ..KamailioOptions::default()
    })
}

#[test]
fn instance_and_reg_id_reach_the_location_table_and_the_gruu_is_shown() {
    let kam = outbound_registrar();
    let urn = "urn:uuid:00000000-0000-1000-8000-000a95a0e128";
    let (code, events, stderr) = sipreg(
        &kam,
        &[
            "register",
            AOR,
            "--once",
            "--instance",
            urn,
            "--reg-id",
            "1",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let reg = &events[0];
    assert_eq!(reg["event"], "registered");
    assert_eq!(reg["pub_gruu"], format!("sip:alice@sipreg.test;gr={urn}"));
    assert!(reg["temp_gruu"].as_str().unwrap().ends_with(";gr"), "{reg}");

    // A second sipreg asks the registrar what it stored.
    let (code, events, stderr) = sipreg(&kam, &["query", AOR]);
    assert_eq!(code, 0, "{stderr}");
    let binding = &events[0]["bindings"][0];
    assert_eq!(binding["params"]["+sip.instance"], format!("<{urn}>"));
    assert_eq!(binding["params"]["reg-id"], "1");
}

#[test]
fn stun_keepalives_are_answered_and_the_flow_stays_up() {
    let kam = outbound_registrar();
    let (code, events, stderr) = sipreg(
        &kam,
        &[
            "register",
            AOR,
            "--for",
            "3500ms",
            "--keepalive",
            "1s",
            "-v",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let pings = stderr.matches("STUN binding (keep-alive) → ").count();
    let answers = stderr.matches("← STUN binding (keep-alive)").count();
    assert!(pings >= 2, "{stderr}");
    assert_eq!(pings, answers, "every ping answered: {stderr}");
    assert!(!stderr.contains("flow failed"), "{stderr}");
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["registered", "unregistered"]);
}

#[test]
fn unanswered_stun_keepalive_reregisters() {
    // Without the stun module Kamailio drops the Binding requests: after 10 s with
    // no answer the flow counts as dead and sipreg registers again at once.
    let kam = Kamailio::start(KamailioOptions::default());
    let (code, events, stderr) = sipreg(
        &kam,
        &["register", AOR, "--for", "12s", "--keepalive", "1s"],
    );
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    let failed = names.iter().position(|n| *n == "flow-failed");
    assert!(failed.is_some(), "{names:?}\n{stderr}");
    assert_eq!(names[failed.unwrap() + 1], "registered", "{names:?}");
}

#[test]
fn crlf_keepalives_over_tcp_are_answered() {
    let kam = Kamailio::start(KamailioOptions {
        tcp: true,
        ..KamailioOptions::default()
    });
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        // Bounded: a run that hangs fails the test instead of stalling it.
        .timeout(std::time::Duration::from_secs(60))
        .args(["register", AOR, "-r", &kam.registrar_uri(), "-t", "tcp"])
        .args(["--for", "3500ms", "--keepalive", "1s", "-v", "--json"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let pings = stderr.matches("CRLF keep-alive → ").count();
    let pongs = stderr.matches("← CRLF keep-alive").count();
    assert!(pings >= 2, "{stderr}");
    assert_eq!(pings, pongs, "every ping answered: {stderr}");
    assert!(!stderr.contains("flow failed"), "{stderr}");
}
