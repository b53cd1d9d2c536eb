//! `--metrics` (issue 14): `/metrics` scraped during a staying registration against
//! Kamailio (after the registration, after a refresh, after Kamailio died), from one
//! whose registrar refuses, and from a bulk run; parsed by a line parser of the exposition format
//! (`name{labels} value`, `#` lines skipped).

mod scripted;
mod support;

use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use support::kamailio::{Kamailio, KamailioOptions};
use support::staying::Staying;

fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// `name{labels}` → value, for every sample line.
fn scrape(addr: SocketAddr) -> Option<HashMap<String, f64>> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(
        head.contains("Content-Type: application/openmetrics-text"),
        "{head}"
    );
    let mut samples = HashMap::new();
    for line in body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, value) = line.rsplit_once(' ').expect("name value");
        samples.insert(name.to_string(), value.parse().expect("a number"));
    }
    Some(samples)
}

/// Scrapes until `ready` holds, for at most 30 s.
fn scrape_until(
    addr: SocketAddr,
    ready: impl Fn(&HashMap<String, f64>) -> bool,
) -> HashMap<String, f64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(m) = scrape(addr).filter(|m| ready(m)) {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "metrics never got there: {:?}",
            scrape(addr)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_staying_registration_is_scraped_before_and_after_a_refresh() {
    let kam = Kamailio::start(KamailioOptions::default());
    let addr = free_port();
    let mut run = Staying::start(
        &kam.registrar_uri(),
        &["-e", "4", "--metrics", &addr.to_string()],
    );
    run.until("registered");
    let m = scrape_until(addr, |m| m.get("sipreg_registrations_total") == Some(&1.0));
    assert_eq!(m["sipreg_registered"], 1.0, "{m:?}");
    let left = m["sipreg_grant_remaining_seconds"];
    assert!(left > 0.0 && left <= 4.0, "{left}");
    assert_eq!(m["sipreg_refreshes_total"], 0.0);
    assert_eq!(m["sipreg_transaction_duration_seconds_count"], 1.0);
    run.until("refreshed");
    let m = scrape_until(addr, |m| m.get("sipreg_refreshes_total") >= Some(&1.0));
    assert_eq!(m["sipreg_registered"], 1.0);
    assert!(
        m["sipreg_transaction_duration_seconds_count"] >= 2.0,
        "{m:?}"
    );
    // Other paths are not metrics.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
    let (_, code) = run.stop();
    assert_eq!(code, Some(0));
}

/// After a failure against the real registrar: Kamailio dies under a staying
/// registration; the refresh that follows is counted as a failure with no response,
/// and once the grant runs out the AOR is no longer counted as registered.
#[test]
fn a_registrar_that_dies_shows_as_failures_and_a_lapsed_grant() {
    let mut kam = Kamailio::start(KamailioOptions::default());
    let addr = free_port();
    let mut run = Staying::start(
        &kam.registrar_uri(),
        &["-e", "4", "--metrics", &addr.to_string()],
    );
    run.until("registered");
    let m = scrape_until(addr, |m| m.get("sipreg_registered") == Some(&1.0));
    let no_failure = |m: &HashMap<String, f64>| {
        m.iter()
            .filter(|(k, _)| k.starts_with("sipreg_failures_total"))
            .all(|(_, v)| *v == 0.0)
    };
    assert!(no_failure(&m), "{m:?}");
    kam.stop();
    let key = "sipreg_failures_total{operation=\"refresh\",reason=\"no-response\",status=\"none\"}";
    let m = scrape_until(addr, |m| {
        m.get(key) >= Some(&1.0) && m.get("sipreg_registered") == Some(&0.0)
    });
    assert_eq!(m["sipreg_grant_remaining_seconds"], 0.0, "{m:?}");
    assert_eq!(m["sipreg_registrations_total"], 1.0, "{m:?}");
    let _ = run.stop();
}

#[test]
fn failures_are_counted_by_kind_and_status() {
    let refusing = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(
            req,
            503,
            "Service Unavailable",
            &["Retry-After: 1".to_string()],
        )]
    }));
    let addr = free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", "sip:alice@sipreg.test", "-r", &refusing.uri()])
        .args(["--metrics", &addr.to_string(), "--for", "20s", "-q"])
        .env("SIPREG_PASSWORD", "pw")
        .spawn()
        .unwrap();
    let key = "sipreg_failures_total{operation=\"register\",reason=\"refused\",status=\"503\"}";
    let m = scrape_until(addr, |m| m.get(key) >= Some(&2.0));
    assert_eq!(m["sipreg_registered"], 0.0, "{m:?}");
    let _ = child.kill();
    let _ = child.wait();
}

/// A grant that runs out while the registrar refuses (503, Retry-After past the end
/// of the grant) is a lapse once the registration comes back.
#[test]
fn a_lapsed_grant_is_counted_when_it_comes_back() {
    let refusing = ScriptedRegistrar::start(Box::new(|req: &Req, i| match i {
        1 | 2 => vec![respond(
            req,
            503,
            "Service Unavailable",
            &["Retry-After: 3".to_string()],
        )],
        _ => vec![ok_with_contact(req, 2)],
    }));
    let addr = free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", "sip:alice@sipreg.test", "-r", &refusing.uri()])
        .args([
            "--metrics",
            &addr.to_string(),
            "--for",
            "20s",
            "-q",
            "-e",
            "2",
        ])
        .env("SIPREG_PASSWORD", "pw")
        .spawn()
        .unwrap();
    let m = scrape_until(addr, |m| m.get("sipreg_refreshes_total") >= Some(&1.0));
    assert_eq!(m["sipreg_lapses_total"], 1.0, "{m:?}");
    assert_eq!(m["sipreg_registered"], 1.0, "{m:?}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_bulk_run_is_scraped() {
    const N: u32 = 20;
    let users = (1..=N)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let kam = Kamailio::start(KamailioOptions {
        users,
        ..KamailioOptions::default()
    });
    let addr = free_port();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args([
            "bulk",
            "register",
            "--for",
            "30s",
            "--aor",
            "sip:bench{n:04}@sipreg.test",
        ])
        .args(["--count", &N.to_string(), "--password-template", "pw{n:04}"])
        .args([
            "-r",
            &kam.registrar_uri(),
            "--metrics",
            &addr.to_string(),
            "-q",
        ])
        .env_remove("SIPREG_PASSWORD")
        .spawn()
        .unwrap();
    let m = scrape_until(addr, |m| m.get("sipreg_registered") == Some(&f64::from(N)));
    assert_eq!(m["sipreg_registrations_total"], f64::from(N), "{m:?}");
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn metrics_serve_a_staying_registration_only() {
    let out = assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .args(["register", "sip:a@127.0.0.1", "--once", "--metrics", "9464"])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--metrics serves a staying registration"),
        "{err}"
    );
}
