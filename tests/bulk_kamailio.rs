//! `sipreg bulk` against a real Kamailio with 1000 provisioned users: register every
//! AOR once, see every binding in a bulk query, remove them all, see none. And against
//! a Kamailio that checks nonce counts: the pre-emptive answers' rising nc passes.

mod support;

use serde_json::Value;
use std::time::{Duration, Instant};
use support::kamailio::{Kamailio, KamailioOptions};

const USERS: u32 = 1000;

fn bulk(kam: &Kamailio, args: &[&str]) -> (i32, Vec<Value>, String) {
    bulk_of(kam, USERS, args)
}

/// `sipreg bulk ARGS` for the first `count` provisioned users.
fn bulk_of(kam: &Kamailio, count: u32, args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .arg("bulk")
        .args(args)
        .args([
            "--aor",
            "sip:bench{n:04}@sipreg.test",
            "--count",
            &count.to_string(),
            "--password-template",
            "pw{n:04}",
            "-r",
            &kam.registrar_uri(),
            "--rate",
            "2000",
            "--json",
        ])
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn summary(lines: &[Value]) -> &Value {
    let last = lines.last().expect("a summary");
    assert_eq!(last["event"], "bulk_summary", "{last}");
    last
}

#[test]
fn a_thousand_aors_register_show_up_and_go_away() {
    let users = (1..=USERS)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let started = Instant::now();
    let kam = Kamailio::start(KamailioOptions {
        users,
        ..KamailioOptions::default()
    });
    eprintln!(
        "kamailio with {USERS} db_text users answered after {:?}",
        started.elapsed()
    );

    let (code, lines, stderr) = bulk(&kam, &["register", "--once"]);
    let s = summary(&lines);
    assert_eq!(code, 0, "{s}\n{stderr}\n{}", kam.stderr_log());
    assert_eq!(s["registered"], USERS);
    assert_eq!(s["succeeded"], USERS);
    assert_eq!(s["failed"], 0);

    let (code, lines, stderr) = bulk(&kam, &["query", "-v"]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&lines);
    assert_eq!(s["bindings"], USERS);
    assert_eq!(s["aors_with_bindings"], USERS);
    let per_aor: Vec<&Value> = lines.iter().filter(|o| o["event"] == "bindings").collect();
    assert_eq!(per_aor.len(), USERS as usize);
    for o in per_aor {
        let aor = o["aor"].as_str().unwrap();
        let user = aor.trim_start_matches("sip:").split('@').next().unwrap();
        let bindings = o["bindings"].as_array().unwrap();
        assert_eq!(bindings.len(), 1, "{o}");
        let contact = bindings[0]["contact"].as_str().unwrap();
        assert!(
            contact.starts_with(&format!("sip:{user}@127.0.0.1:")),
            "{aor}: {contact}"
        );
    }

    let (code, lines, stderr) = bulk(&kam, &["unregister"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary(&lines)["unregistered"], USERS);

    let (code, lines, stderr) = bulk(&kam, &["query"]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&lines);
    assert_eq!(s["bindings"], 0, "{s}");
    assert_eq!(s["aors_with_bindings"], 0);
    assert_eq!(s["queried"], USERS);
}

/// Kamailio with `nonce_count` accepts a nonce again only with a higher nc than the
/// last one it saw. The first AOR is challenged; every later one answers at once with
/// that nonce and the next nc, so one challenge serves all of them. Answers in order
/// (`--concurrency 1`): Kamailio's workers would otherwise see counts out of order
/// and refuse some, which costs those AORs a challenge but no failure.
#[test]
fn a_registrar_checking_nonce_counts_accepts_the_rising_count() {
    const AORS: u32 = 100;
    let users = (1..=AORS)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let kam = Kamailio::start_with_defines(
        KamailioOptions {
            users,
            ..KamailioOptions::default()
        },
        &["NONCE_COUNT"],
    );
    let (code, lines, stderr) = bulk_of(&kam, AORS, &["register", "--once", "--concurrency", "1"]);
    let s = summary(&lines);
    assert_eq!(code, 0, "{s}\n{stderr}\n{}", kam.stderr_log());
    assert_eq!(s["succeeded"], AORS, "{s}");
    assert_eq!(
        s["challenges"], 1,
        "one challenge for the whole population: {s}"
    );

    // With 50 in flight, Kamailio's workers may see counts out of order and refuse
    // some; those AORs take a fresh challenge, and every AOR still registers.
    let (code, lines, stderr) = bulk_of(&kam, AORS, &["register", "--once", "--concurrency", "50"]);
    let s = summary(&lines);
    assert_eq!(code, 0, "{s}\n{stderr}");
    assert_eq!(s["succeeded"], AORS, "{s}");
}
