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

/// AORs of the first `count` users that Kamailio holds a binding for, by a bulk query.
fn aors_bound(kam: &Kamailio, count: u32) -> u64 {
    let (code, lines, stderr) = bulk_of(kam, count, &["query", "--timeout", "2s"]);
    assert_eq!(code, 0, "{stderr}");
    summary(&lines)["aors_with_bindings"].as_u64().unwrap()
}

/// Polls `aors_bound` until it is `want`, for at most `limit`; returns the last count.
fn wait_for_bound(kam: &Kamailio, count: u32, want: u64, limit: Duration) -> u64 {
    let since = Instant::now();
    loop {
        let bound = aors_bound(kam, count);
        if bound == want || since.elapsed() > limit {
            return bound;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A staying bulk run with 10 s grants: the registrar restarts with empty tables, and
/// every AOR is bound again before one grant's time has passed (the refreshes restore
/// them; those that met the dead registrar are retried). SIGTERM then removes them all.
#[test]
fn a_staying_run_is_whole_again_within_one_grant_after_the_registrar_restarts_empty() {
    const AORS: u32 = 200;
    let users = (1..=AORS)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    let mut kam = Kamailio::start(KamailioOptions {
        users,
        max_expires: 10,
        ..KamailioOptions::default()
    });
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["bulk", "register", "-e", "10", "--for", "120s"])
        .args(["--aor", "sip:bench{n:04}@sipreg.test", "--count"])
        .arg(AORS.to_string())
        .args([
            "--password-template",
            "pw{n:04}",
            "-r",
            &kam.registrar_uri(),
        ])
        .args(["--rate", "2000", "--json"])
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Killed if an assertion below fails first, so no run outlives the test.
    let mut child = KillOnDrop(Some(child));
    let grant = Duration::from_secs(10);
    assert_eq!(
        wait_for_bound(&kam, AORS, u64::from(AORS), grant),
        u64::from(AORS)
    );

    kam.restart_empty();
    let restarted = Instant::now();
    let after_restart = aors_bound(&kam, AORS);
    assert!(
        after_restart < u64::from(AORS),
        "the restarted registrar forgot bindings ({after_restart} left)"
    );
    let bound = wait_for_bound(&kam, AORS, u64::from(AORS), grant);
    assert_eq!(
        bound,
        u64::from(AORS),
        "only {bound} of {AORS} AORs bound {:?} after the restart",
        restarted.elapsed()
    );

    // First SIGTERM: every binding is removed, the summary counts all AORs done.
    let pid = child.0.as_ref().map_or(0, |c| c.id());
    // SAFETY: kill(2) on our own child's pid, which has not been reaped.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let out = wait_with_limit(child.0.take().unwrap(), Duration::from_secs(30));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(out.status.code(), Some(0), "{last}");
    assert_eq!(last["succeeded"], AORS, "{last}");
    assert_eq!(aors_bound(&kam, AORS), 0);
}

struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits for `child` to exit, killing it after `limit`.
fn wait_with_limit(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let since = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if since.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}
