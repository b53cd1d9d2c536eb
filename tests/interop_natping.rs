//! Kamailio's own OPTIONS pinging of its contacts (nathelper SIP pings,
//! `WITH_NATPING`) against a staying sipreg: every ping is answered and the
//! contact is never marked unreachable, for 30 s (60 s with `SIPREG_SOAK=1`).
//! With nathelper's `keepalive_timeout` on, a contact that answers no ping is
//! first marked (usrloc cuts its expiry to 10 s and stops pinging it) and then
//! removed: the second test shows that on a silent socket, so that the first one
//! can fail. Issue 12.

mod support;

use serde_json::Value;
use std::fs::File;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::kamailio::{Kamailio, KamailioOptions};
use support::lines::Lines;
use support::staying::AOR;

/// Seconds between two pings of one contact (nathelper `natping_interval`).
const INTERVAL: u64 = 2;
/// A contact that has answered no ping for this long is marked, then removed
/// (nathelper `keepalive_timeout`): three intervals, so one late answer is not
/// enough.
const KEEPALIVE_TIMEOUT: u64 = 3 * INTERVAL;
/// What Kamailio's From says on its pings (`sipping_from` in kamailio.cfg).
const PINGER: &str = "sip:pinger@sipreg.test";

fn pinging() -> Kamailio {
    Kamailio::start_with_defines(
        KamailioOptions {
            natping: Some(INTERVAL as u32),
            ..KamailioOptions::default()
        },
        &[
            &format!("KEEPALIVE_TIMEOUT={KEEPALIVE_TIMEOUT}"),
            // usrloc's timer removes expired contacts every second, not every 10
            "USRLOC_TIMER=1",
        ],
    )
}

/// How long the staying sipreg is watched: 30 s, or a minute with SIPREG_SOAK=1.
fn soak() -> Duration {
    match std::env::var("SIPREG_SOAK").as_deref() {
        Ok("1") => Duration::from_secs(60),
        _ => Duration::from_secs(30),
    }
}

/// alice's bindings at Kamailio, as `sipreg query` reports them.
fn bindings(kam: &Kamailio) -> Vec<Value> {
    let out = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["query", AOR, "-r", &kam.registrar_uri(), "--json"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "query: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout.lines().last().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(v["event"], "bindings", "{v}");
    v["bindings"].as_array().unwrap().clone()
}

/// The binding of `contact` among `bindings`, if any.
fn binding_of<'a>(bindings: &'a [Value], contact: &str) -> Option<&'a Value> {
    bindings.iter().find(|b| b["contact"] == contact)
}

/// Lines of Kamailio's log saying that an answer `code` to one of its pings
/// came from `from` (`IP:PORT`).
fn ping_replies(kam: &Kamailio, code: u16, from: &str) -> usize {
    let needle = format!("natping reply {code} from {from}");
    kam.stderr_log()
        .lines()
        .filter(|l| l.ends_with(&needle))
        .count()
}

/// A staying sipreg for alice answers every ping for the whole soak, and its
/// contact stays bound with its full expiry throughout.
#[test]
fn a_staying_sipreg_answers_every_ping_and_stays_bound() {
    let kam = pinging();
    let soak = soak();
    let dir = tempfile::tempdir().unwrap();
    let ladder_path = dir.path().join("sipreg.stderr");
    // Spawned here rather than with support::staying, which drops stderr: the
    // ladder (-v) is where sipreg shows each request it answered.
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", AOR, "-r", &kam.registrar_uri(), "--json", "-v"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .stdout(Stdio::piped())
        .stderr(File::create(&ladder_path).unwrap())
        .spawn()
        .unwrap();
    let mut events = Lines::new(child.stdout.take().unwrap(), Duration::from_secs(20));
    let registered: Value =
        serde_json::from_str(&events.next().expect("sipreg ended early")).unwrap();
    assert_eq!(registered["event"], "registered", "{registered}");
    let contact = registered["contact"].as_str().unwrap().to_string();
    let contact_addr = contact.rsplit('@').next().unwrap().to_string();

    // Check the binding every 3 s for the whole soak.
    let started = Instant::now();
    let mut checks = 0;
    while started.elapsed() < soak {
        std::thread::sleep(Duration::from_secs(3).min(soak - started.elapsed()));
        let now = bindings(&kam);
        let ours = binding_of(&now, &contact).unwrap_or_else(|| {
            panic!(
                "after {:?}: {contact} is no longer bound: {now:?}\n--- kamailio ---\n{}",
                started.elapsed(),
                kam.stderr_log()
            )
        });
        // A contact Kamailio found unreachable gets 10 s left to live.
        let expires = ours["expires"].as_u64().unwrap();
        assert!(
            expires > 60,
            "after {:?}: Kamailio marked {contact} unreachable (expires {expires}): {ours}\n--- kamailio ---\n{}",
            started.elapsed(),
            kam.stderr_log()
        );
        checks += 1;
    }
    let watched = started.elapsed();

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let rest: Vec<Value> = events
        .rest()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let code = child.wait().unwrap().code();
    let ladder = std::fs::read_to_string(&ladder_path).unwrap();
    assert_eq!(code, Some(0), "{rest:?}\n{ladder}");
    assert!(
        rest.iter().any(|v| v["event"] == "unregistered"),
        "{rest:?}"
    );

    // What sipreg saw: Kamailio's pings, each answered with 200.
    let kam_addr = kam.addr.to_string();
    let received = ladder
        .lines()
        .filter(|l| l.contains("← OPTIONS") && l.contains(&format!("from {kam_addr}")))
        .count();
    let answered = ladder
        .lines()
        .filter(|l| l.contains(&format!("200 OK → {kam_addr}")) && l.contains("OPTIONS"))
        .count();
    // What Kamailio saw: an answer 200 from our contact to each ping, and no other.
    let mut replied = 0;
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        replied = ping_replies(&kam, 200, &contact_addr);
        if replied >= answered {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = kam.stderr_log();
    let other = log
        .lines()
        .filter(|l| l.contains("natping reply ") && !l.contains("natping reply 200 "))
        .count();
    let expected = (watched.as_secs() / INTERVAL - 1) as usize;
    eprintln!(
        "natping soak: {watched:?} watched, {checks} checks, {received} pings received by sipreg, \
         {answered} answered 200, {replied} answers logged by Kamailio"
    );
    assert!(
        received >= expected,
        "{received} pings in {watched:?}, expected at least {expected}\n{ladder}\n--- kamailio ---\n{log}"
    );
    assert_eq!(answered, received, "{ladder}");
    assert_eq!(replied, answered, "{ladder}\n--- kamailio ---\n{log}");
    assert_eq!(other, 0, "{log}");
    assert!(
        ladder.contains(&format!("answered OPTIONS from {PINGER} with 200")),
        "{ladder}"
    );
}

/// The negative control: a contact bound at a socket that never answers is
/// pinged, then marked (expiry cut to at most 10 s) and removed.
#[test]
fn a_silent_contact_is_pinged_then_removed() {
    let kam = pinging();
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let contact = format!("sip:alice@{silent_addr}");
    let out = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", AOR, "-r", &kam.registrar_uri()])
        .args(["--once", "-c", &contact, "--json"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let registered_at = Instant::now();
    assert!(binding_of(&bindings(&kam), &contact).is_some());

    // Pings arrive (and stay unanswered), until the contact is marked.
    silent
        .set_read_timeout(Some(Duration::from_millis(250)))
        .unwrap();
    let mut pings = Vec::new();
    let mut marked = None;
    let mut removed = None;
    let mut buf = [0u8; 65536];
    // keepalive_timeout + one interval to notice + 10 s left to live + timers.
    let deadline = registered_at + Duration::from_secs(KEEPALIVE_TIMEOUT + INTERVAL + 10 + 8);
    let mut next_check = Instant::now();
    while removed.is_none() && Instant::now() < deadline {
        if let Ok((n, from)) = silent.recv_from(&mut buf) {
            assert_eq!(from, kam.addr, "a datagram from elsewhere");
            pings.push((
                registered_at.elapsed(),
                String::from_utf8_lossy(&buf[..n]).into_owned(),
            ));
        }
        if Instant::now() >= next_check {
            next_check = Instant::now() + Duration::from_secs(1);
            let now = bindings(&kam);
            match binding_of(&now, &contact) {
                None => removed = Some(registered_at.elapsed()),
                Some(b) if b["expires"].as_u64().unwrap() <= 10 && marked.is_none() => {
                    marked = Some(registered_at.elapsed())
                }
                Some(_) => {}
            }
        }
    }
    let log = kam.stderr_log();
    eprintln!(
        "silent contact: {} pings at {:?}; marked after {marked:?}, removed after {removed:?}",
        pings.len(),
        pings.iter().map(|(t, _)| *t).collect::<Vec<_>>()
    );
    assert!(pings.len() >= 2, "{pings:?}\n--- kamailio ---\n{log}");
    for (_, ping) in &pings {
        assert!(
            ping.starts_with(&format!("OPTIONS {contact} SIP/2.0\r\n")),
            "{ping}"
        );
        assert!(ping.contains(&format!("From: {PINGER};tag=")), "{ping}");
    }
    let marked = marked.unwrap_or_else(|| panic!("never marked\n--- kamailio ---\n{log}"));
    let removed = removed.unwrap_or_else(|| panic!("never removed\n--- kamailio ---\n{log}"));
    assert!(
        marked >= Duration::from_secs(KEEPALIVE_TIMEOUT),
        "marked after {marked:?}, before keepalive_timeout"
    );
    assert!(removed > marked, "removed {removed:?}, marked {marked:?}");
    assert_eq!(
        ping_replies(&kam, 200, &silent_addr.to_string()),
        0,
        "{log}"
    );
}
