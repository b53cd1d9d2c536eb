//! The contact as a reachable endpoint, against a real Kamailio that routes requests
//! for its users to their bound contacts (`WITH_ROUTING`: lookup("location") then
//! t_relay): `--expect-reachable` over UDP and TCP, `--probe-every` on a staying
//! registration, and a bulk run that probes every AOR. Issue 12.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::time::Duration;
use support::kamailio::{Kamailio, KamailioOptions};
use support::run::Run;
use support::staying::{Staying, AOR};

fn routing(tcp: bool) -> Kamailio {
    Kamailio::start(KamailioOptions {
        routing: true,
        tcp,
        ..KamailioOptions::default()
    })
}

fn sipreg(args: &[&str]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .arg("--json")
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    Run::from(out)
}

fn reachable_once(kam: &Kamailio, registrar: &str) {
    let r = sipreg(&[
        "register",
        AOR,
        "-r",
        registrar,
        "--once",
        "--expect-reachable",
    ]);
    assert_eq!(
        r.code,
        0,
        "{}\n{}\n{}",
        r.stdout,
        r.stderr,
        kam.stderr_log()
    );
    let v: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["event"], "registered", "{v}");
    assert_eq!(v["reachable"], true, "{v}");
    assert!(v["probe_rtt_ms"].as_f64().unwrap() > 0.0, "{v}");
    assert_eq!(v["expectations"][0]["passed"], true, "{v}");
    // The binding --once leaves is removed so that the next test starts clean.
    let r = sipreg(&["unregister", AOR, "-r", registrar, "--all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_request_for_the_aor_reaches_us_over_udp() {
    let kam = routing(false);
    reachable_once(&kam, &kam.registrar_uri());
}

/// Over TCP the request comes on the connection we registered from, and our answer
/// goes back on it (RFC 3261 §18.2.2).
#[test]
fn a_request_for_the_aor_reaches_us_over_tcp() {
    let kam = routing(true);
    reachable_once(&kam, &kam.registrar_uri_tcp());
}

/// Another user bound elsewhere (at a contact nobody answers at) changes nothing:
/// alice's probe reaches alice's contact.
#[test]
fn another_users_binding_does_not_take_our_probe() {
    let kam = routing(false);
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let bob_contact = format!("sip:bob@{}", silent.local_addr().unwrap());
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "register",
            "sip:bob@sipreg.test",
            "-r",
            &kam.registrar_uri(),
        ])
        .args(["--once", "-c", &bob_contact])
        .env("SIPREG_PASSWORD", "secret-bob")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    reachable_once(&kam, &kam.registrar_uri());
}

/// A staying registration probes on its own with --probe-every; each probe is a
/// `probed` event.
#[test]
fn a_staying_registration_probes_every_so_often() {
    let kam = routing(false);
    let mut run = Staying::start(&kam.registrar_uri(), &["--probe-every", "1s"]);
    run.until("registered");
    for _ in 0..2 {
        let events = run.until("probed");
        let probed = events.last().unwrap();
        assert_eq!(probed["reachable"], true, "{probed}");
        assert_eq!(probed["status"], 200, "{probed}");
    }
    let (_, code) = run.stop();
    assert_eq!(code, Some(0));
}

/// Bulk: every AOR registers and is probed once; the summary counts them all
/// reachable.
#[test]
fn bulk_probes_every_aor() {
    const N: u32 = 1000;
    let users = (1..=N)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let kam = Kamailio::start(KamailioOptions {
        users,
        routing: true,
        ..KamailioOptions::default()
    });
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(["bulk", "register", "--once", "--expect-reachable"])
        .args([
            "--aor",
            "sip:bench{n:04}@sipreg.test",
            "--count",
            &N.to_string(),
        ])
        .args([
            "--password-template",
            "pw{n:04}",
            "--rate",
            "2000",
            "--json",
        ])
        .args(["-r", &kam.registrar_uri()])
        .env_remove("SIPREG_PASSWORD")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["event"], "bulk_summary", "{summary}");
    assert_eq!(summary["reachable"], N, "{summary}");
    assert_eq!(summary["unreachable"], 0, "{summary}");
    assert_eq!(out.status.code(), Some(0), "{summary}");
}
