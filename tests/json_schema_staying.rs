//! The JSON events of a staying registration (failed with retry_in, recovered,
//! refreshing, refreshed, nat-detected, unregistered) validate against the schema.

mod scripted;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{respond, Req};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/sipreg-output.schema.json"
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// 503 with Retry-After first; then 200s whose Via says the registrar saw us at
/// another address; grants of 2 s so that a refresh happens within the run.
fn registrar() -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        if i == 0 {
            return vec![respond(
                req,
                503,
                "Service Unavailable",
                &["Retry-After: 1".into()],
            )];
        }
        // Grant 2 s to each contact asked for, leave out those being removed.
        let granted: Vec<String> = req
            .header("contact")
            .unwrap_or_default()
            .split(", ")
            .filter(|c| !c.is_empty() && !c.contains("expires=0"))
            .map(|c| format!("Contact: {c};expires=2"))
            .collect();
        let text = String::from_utf8(respond(req, 200, "OK", &granted)).unwrap();
        let natted = text.replacen(
            ";rport;received=127.0.0.1",
            ";received=127.0.0.9;rport=40999",
            1,
        );
        vec![natted.into_bytes()]
    }))
}

#[test]
fn staying_events_validate() {
    let reg = registrar();
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "register",
            "sip:alice@sipreg.test",
            "-r",
            &reg.uri(),
            "--json",
            "--for",
            "3500ms",
        ])
        .env("SIPREG_PASSWORD", "pw")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let schema = validator();
    for v in &events {
        let errors: Vec<String> = schema.iter_errors(v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{v}\n{errors:#?}");
    }
    let names: Vec<&str> = events
        .iter()
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    for kind in [
        "failed",
        "nat-detected",
        "recovered",
        "refreshing",
        "refreshed",
        "unregistered",
    ] {
        assert!(names.contains(&kind), "{kind} missing from {names:?}");
    }
    let nat = events
        .iter()
        .find(|v| v["event"] == "nat-detected")
        .unwrap();
    assert_eq!(nat["public"], "127.0.0.9:40999");
    assert_eq!(nat["rewriting"], true);
}
