//! What the transport and location tests share: running the sipreg binary, test
//! certificates, and small scripted servers (TCP and UDP) that answer REGISTER the
//! way a test wants. Deliberately independent of `sipreg::sip`, so that a bug there
//! cannot hide itself in these tests.

#![allow(dead_code)]

pub mod certs;
pub mod servers;

use assert_cmd::Command;
use serde_json::Value;
use std::time::Duration;

pub const AOR: &str = "sip:alice@sipreg.test";
pub const PASSWORD: &str = "secret-alice";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// Runs sipreg with `args` (and the test password in the environment).
pub fn sipreg<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env("SIPREG_PASSWORD", PASSWORD)
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs sipreg with `--json`, asserts exit 0 (showing `context()` otherwise) and
/// returns the JSON objects it printed.
pub fn sipreg_ok<S: AsRef<str>>(args: &[S], context: impl Fn() -> String) -> Vec<Value> {
    let mut all: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    all.push("--json");
    let r = sipreg(&all);
    assert_eq!(
        r.code,
        0,
        "sipreg {all:?}\nstderr: {}\nstdout: {}\n{}",
        r.stderr,
        r.stdout,
        context()
    );
    r.json()
}

/// The object of the (last) event named `event`: other events (NAT detected, a
/// flow that failed) may come before it.
pub fn find<'a>(out: &'a [Value], event: &str) -> &'a Value {
    out.iter()
        .rev()
        .find(|o| o["event"] == event)
        .unwrap_or_else(|| panic!("no {event:?} event in {out:?}"))
}

/// The bindings of a `bindings`/`registered` object as (contact, expires).
pub fn bindings(object: &Value) -> Vec<(String, u64)> {
    object["bindings"]
        .as_array()
        .expect("bindings array")
        .iter()
        .map(|b| {
            (
                b["contact"].as_str().unwrap().to_string(),
                b["expires"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// register --once → query → unregister → query against one registrar, with
/// `extra` arguments on every run; checks each step and returns our contact.
pub fn register_query_unregister(extra: &[&str], context: impl Fn() -> String) -> String {
    let with = |first: &[&str]| -> Vec<String> {
        first.iter().chain(extra).map(|a| a.to_string()).collect()
    };
    let out = sipreg_ok(&with(&["register", AOR, "--once"]), &context);
    let reg = find(&out, "registered");
    assert_eq!(reg["status"], 200);
    let ours = reg["contact"].as_str().unwrap().to_string();

    let out = sipreg_ok(&with(&["query", AOR]), &context);
    let q = find(&out, "bindings");
    assert!(
        bindings(q).iter().any(|(c, _)| *c == ours),
        "query does not list {ours}: {q:?}"
    );

    // Each run has a socket (and so a default contact) of its own: name ours.
    let out = sipreg_ok(&with(&["unregister", AOR, "--contact", &ours]), &context);
    assert_eq!(find(&out, "unregistered")["status"], 200);
    let out = sipreg_ok(&with(&["query", AOR]), &context);
    let q = find(&out, "bindings");
    assert!(
        !bindings(q).iter().any(|(c, _)| *c == ours),
        "{ours} still bound after unregister: {q:?}"
    );
    ours
}
