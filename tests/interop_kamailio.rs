//! sipreg against a real Kamailio registrar (registrar, usrloc, auth_db) started on a
//! free loopback port with the configuration in tests/kamailio/kamailio.cfg.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use support::kamailio::{KamAuth, Kamailio, KamailioOptions};
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(kam: &Kamailio, password: &str, args: &[&str]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .args(["-r", &kam.registrar_uri(), "--json"])
        .env("SIPREG_PASSWORD", password)
        .env_remove("SIPREG_HA1")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    Run::from(out)
}

fn ok(kam: &Kamailio, args: &[&str]) -> Vec<Value> {
    let r = sipreg(kam, "secret-alice", args);
    assert_eq!(
        r.code,
        0,
        "sipreg {args:?}: {}\nkamailio:\n{}",
        r.stderr,
        kam.stderr_log()
    );
    r.json()
}

fn contacts(query: &[Value]) -> Vec<(String, u64)> {
    query[0]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["contact"].as_str().unwrap().to_string(),
                b["expires"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn register_query_unregister_query() {
    let kam = Kamailio::start(KamailioOptions::default());
    let reg = ok(&kam, &["register", AOR, "--once"]);
    assert_eq!(reg[0]["event"], "registered");
    assert_eq!(reg[0]["status"], 200);
    let ours = reg[0]["contact"].as_str().unwrap().to_string();
    assert_eq!(reg[0]["expires"], 3600);

    let q = ok(&kam, &["query", AOR]);
    assert_eq!(q[0]["event"], "bindings");
    let bound = contacts(&q);
    assert_eq!(bound.len(), 1, "{bound:?}");
    assert_eq!(bound[0].0, ours);
    assert!(
        (3590..=3600).contains(&bound[0].1),
        "Kamailio's remaining expiry: {}",
        bound[0].1
    );

    let un = ok(&kam, &["unregister", AOR, "--contact", &ours]);
    assert_eq!(un[0]["event"], "unregistered");
    let q = ok(&kam, &["query", AOR]);
    assert!(contacts(&q).is_empty(), "{q:?}");
}

/// Issue 13 item 13: the default contact is the same for the same AOR on this host
/// (its home port), so `register --once` twice leaves one binding and `unregister`
/// with the same arguments removes it.
#[test]
fn register_twice_then_unregister_with_the_same_arguments_leaves_nothing() {
    // An AOR of its own: no other test here holds its home port.
    let kam = Kamailio::start(KamailioOptions {
        users: vec![("homer".into(), "secret-homer".into())],
        ..KamailioOptions::default()
    });
    let aor = "sip:homer@sipreg.test";
    let homer = |args: &[&str]| {
        let r = sipreg(&kam, "secret-homer", args);
        assert_eq!(r.code, 0, "sipreg {args:?}: {}", r.stderr);
        r
    };
    let first = homer(&["register", aor, "--once"]).json();
    let second = homer(&["register", aor, "--once"]).json();
    assert_eq!(
        first[0]["contact"], second[0]["contact"],
        "{first:?} {second:?}"
    );
    let bound = contacts(&homer(&["query", aor]).json());
    assert_eq!(bound.len(), 1, "{bound:?}");

    let r = homer(&["unregister", aor]);
    assert!(!r.stderr.contains("was not bound"), "{}", r.stderr);
    let left = contacts(&homer(&["query", aor]).json());
    assert!(
        left.is_empty(),
        "the default contact stayed bound: {left:?}"
    );
}

/// Removing a contact that is not bound says so, and how many others remain.
#[test]
fn unregistering_a_contact_that_is_not_bound_says_so() {
    let kam = Kamailio::start(KamailioOptions::default());
    ok(
        &kam,
        &["register", AOR, "--once", "-c", "sip:alice@127.0.0.1:5071"],
    );
    let r = sipreg(
        &kam,
        "secret-alice",
        &["unregister", AOR, "-c", "sip:alice@127.0.0.1:5999"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "sip:alice@127.0.0.1:5999 was not bound; 1 other binding remains — --all removes it"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(contacts(&ok(&kam, &["query", AOR])).len(), 1);
}

#[test]
fn unregister_all_removes_three_bindings() {
    let kam = Kamailio::start(KamailioOptions::default());
    for port in [5071, 5072, 5073] {
        ok(
            &kam,
            &[
                "register",
                AOR,
                "--once",
                "-c",
                &format!("sip:alice@127.0.0.1:{port}"),
            ],
        );
    }
    assert_eq!(contacts(&ok(&kam, &["query", AOR])).len(), 3);
    let un = ok(&kam, &["unregister", AOR, "--all"]);
    assert_eq!(un[0]["event"], "unregistered");
    assert!(contacts(&ok(&kam, &["query", AOR])).is_empty());
}

#[test]
fn proxy_authentication_407_is_answered() {
    let kam = Kamailio::start(KamailioOptions {
        auth: KamAuth::Proxy,
        ..KamailioOptions::default()
    });
    let r = sipreg(&kam, "secret-alice", &["register", AOR, "--once", "-vv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("407 Proxy Authentication Required"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Proxy-Authorization: Digest"),
        "{}",
        r.stderr
    );
    assert_eq!(contacts(&ok(&kam, &["query", AOR])).len(), 1);
}

#[test]
fn www_authentication_401_is_answered() {
    let kam = Kamailio::start(KamailioOptions::default());
    let r = sipreg(&kam, "secret-alice", &["register", AOR, "--once", "-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("← 401 Unauthorized"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("answering 401 challenge for realm \"sipreg.test\" (MD5)"),
        "{}",
        r.stderr
    );
}

#[test]
fn wrong_password_exits_3() {
    let kam = Kamailio::start(KamailioOptions::default());
    let r = sipreg(&kam, "not-the-password", &["register", AOR, "--once"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(!r.stderr.contains("not-the-password") && !r.stdout.contains("not-the-password"));
    assert_eq!(r.json()[0]["event"], "failed");
    assert!(contacts(&ok(&kam, &["query", AOR])).is_empty());
}

#[test]
fn min_expires_423_is_followed() {
    let kam = Kamailio::start(KamailioOptions {
        min_expires: 60,
        ..KamailioOptions::default()
    });
    let r = sipreg(
        &kam,
        "secret-alice",
        &["register", AOR, "--once", "-e", "30", "-v"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("423 Interval Too Brief"), "{}", r.stderr);
    assert_eq!(r.json()[0]["expires"], 60);
}

/// A short real-time run: Kamailio grants 10 s of the 3600 asked; sipreg must report
/// the shorter grant and refresh it (at half, 5 s) before it lapses.
#[test]
fn max_expires_grant_is_reported_and_refreshed() {
    let kam = Kamailio::start(KamailioOptions {
        max_expires: 10,
        ..KamailioOptions::default()
    });
    let events = ok(&kam, &["register", AOR, "-e", "3600", "--for", "11s"]);
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"registered"));
    assert_eq!(names.last(), Some(&"unregistered"));
    let refreshed = names.iter().filter(|n| **n == "refreshed").count();
    assert!(refreshed >= 1, "{names:?}");
    let grants = events
        .iter()
        .filter(|e| e["event"] == "registered" || e["event"] == "refreshed");
    for e in grants {
        assert_eq!(e["expires"], 10, "{e}");
        // Half the grant, spread over its last 10 %.
        let refresh_in = e["refresh_in"].as_u64().unwrap();
        assert!((4..=5).contains(&refresh_in), "{e}");
    }
    assert!(
        contacts(&ok(&kam, &["query", AOR])).is_empty(),
        "binding removed at the end"
    );
}

#[test]
fn sha256_challenge_is_answered() {
    let kam = Kamailio::start(KamailioOptions {
        algorithm: Some("SHA-256".into()),
        ..KamailioOptions::default()
    });
    let r = sipreg(&kam, "secret-alice", &["register", AOR, "--once", "-v"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(r.stderr.contains("(SHA-256)"), "{}", r.stderr);
}

/// `register` without --once stays until a signal, then removes its binding and
/// exits 0: SIGTERM (a service manager) and SIGINT (Ctrl-C) alike.
#[test]
fn signal_unregisters_and_exits_0() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let kam = Kamailio::start(KamailioOptions::default());
    for signal in ["-TERM", "-INT"] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
            .args(["register", AOR, "-r", &kam.registrar_uri(), "--json"])
            .env("SIPREG_PASSWORD", "secret-alice")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let registered: Value = serde_json::from_str(&first).unwrap();
        assert_eq!(registered["event"], "registered");
        assert_eq!(contacts(&ok(&kam, &["query", AOR])).len(), 1);

        let status = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
        let code = child.wait().unwrap().code();
        assert_eq!(code, Some(0), "after {signal}: {rest}");
        let last: Value = serde_json::from_str(rest.lines().last().unwrap()).unwrap();
        assert_eq!(last["event"], "unregistered");
        assert!(
            contacts(&ok(&kam, &["query", AOR])).is_empty(),
            "binding left after {signal}"
        );
    }
}

#[test]
fn ha1_instead_of_password() {
    use md5::{Digest, Md5};
    let kam = Kamailio::start(KamailioOptions::default());
    let ha1: String = Md5::digest(b"alice:sipreg.test:secret-alice")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "register",
            AOR,
            "--once",
            "-r",
            &kam.registrar_uri(),
            "--ha1",
            &ha1,
        ])
        .env_remove("SIPREG_PASSWORD")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!shown.contains(&ha1), "the HA1 was printed");
    assert_eq!(contacts(&ok(&kam, &["query", AOR])).len(), 1);
}

/// Issue 14: a header given with -H and a display name reach the registrar as sent
/// (the test config echoes what it read into its reply).
#[test]
fn a_custom_header_and_a_display_name_reach_kamailio() {
    let kam = Kamailio::start(KamailioOptions::default());
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(["-vv", "register", AOR, "--once", "-r", &kam.registrar_uri()])
        .args([
            "-H",
            "X-Sipreg-Test: tenant-42",
            "--display-name",
            "Alice \"Al\" Smith",
        ])
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(
        r.stderr.contains("X-Sipreg-Test-Seen: tenant-42"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("X-From-Name-Seen: \"Alice \\\"Al\\\" Smith\""),
        "{}",
        r.stderr
    );
}

/// Issue 14: three contacts in one REGISTER are three bindings, each matched to its
/// grant and shown; the same three in one unregister remove them all.
#[test]
fn three_contacts_in_one_register_are_listed_and_removed_together() {
    let kam = Kamailio::start(KamailioOptions::default());
    let three = [
        "-c",
        "sip:alice@192.0.2.1:5060",
        "-c",
        "sip:alice@192.0.2.2:5062",
        "-c",
        "sip:alice@192.0.2.3:5064",
    ];
    let mut args = vec!["register", AOR, "--once"];
    args.extend(three);
    let registered = ok(&kam, &args);
    // Each contact is matched to its own grant.
    let registered = registered
        .iter()
        .find(|e| e["event"] == "registered")
        .expect("a registered event");
    let ours: Vec<&Value> = registered["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["ours"] == true)
        .collect();
    assert_eq!(ours.len(), 3, "{registered:?}");
    assert!(ours.iter().all(|b| b["expires"].as_u64() > Some(0)));
    // And each is shown in the human output.
    let human = Command::cargo_bin("sipreg")
        .unwrap()
        .args(&args)
        .args(["-r", &kam.registrar_uri()])
        .env("SIPREG_PASSWORD", "secret-alice")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let human = Run::from(human);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human
            .stdout
            .contains(&format!("registered 3 contacts for {AOR} (200 OK)")),
        "{}",
        human.stdout
    );
    for c in ["192.0.2.1:5060", "192.0.2.2:5062", "192.0.2.3:5064"] {
        assert!(
            human
                .stdout
                .lines()
                .any(|l| l.contains(c) && l.contains(", expires in ")),
            "{c}: {}",
            human.stdout
        );
    }
    let listed = contacts(&ok(&kam, &["query", AOR, "--expect-bindings", "3"]));
    for c in ["192.0.2.1:5060", "192.0.2.2:5062", "192.0.2.3:5064"] {
        assert!(listed.iter().any(|(b, _)| b.contains(c)), "{c}: {listed:?}");
    }
    let mut args = vec!["unregister", AOR];
    args.extend(three);
    ok(&kam, &args);
    ok(&kam, &["query", AOR, "--expect-bindings", "0"]);
}
