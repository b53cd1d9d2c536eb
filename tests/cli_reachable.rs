//! `register --once --expect-reachable` when the registrar does not route the probe
//! to us, against the in-process scripted registrar: it answers 404, answers 200
//! itself (the request went to another contact), or never answers. Each fails the
//! expectation (exit 6) with what happened, in words and in JSON. The success case
//! needs a registrar that routes: tests/interop_contact.rs, against Kamailio.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use serde_json::Value;
use support::run::Run;

fn probed(options_answer: Option<(u16, &'static str)>, extra: &[&str]) -> (Run, ScriptedRegistrar) {
    let reg = ScriptedRegistrar::start(Box::new(move |req: &Req, _| {
        if req.start.starts_with("REGISTER") {
            return vec![ok_with_contact(req, 60)];
        }
        match options_answer {
            Some((status, reason)) => vec![respond(req, status, reason, &[])],
            None => Vec::new(),
        }
    }));
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "register",
            "sip:alice@sipreg.test",
            "--once",
            "--expect-reachable",
        ])
        .args(["-r", &reg.uri(), "--timeout", "2s"])
        .args(extra)
        .env("SIPREG_PASSWORD", "pw")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (Run::from(out), reg)
}

fn options_sent(reg: &ScriptedRegistrar) -> Vec<Req> {
    reg.requests()
        .into_iter()
        .filter(|r| r.start.starts_with("OPTIONS"))
        .collect()
}

#[test]
fn a_404_from_the_registrar_is_named() {
    let (run, reg) = probed(Some((404, "Not Found")), &[]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--expect-reachable: expected a request for the AOR to reach this contact, got 404 Not Found from the registrar"),
        "{}",
        run.stderr
    );
    // The probe: an OPTIONS for the AOR itself, with a Call-ID of its own.
    let options = options_sent(&reg);
    assert_eq!(options.len(), 1);
    assert!(options[0]
        .start
        .starts_with("OPTIONS sip:alice@sipreg.test SIP/2.0"));
    let register = &reg.requests()[0];
    assert_ne!(options[0].call_id(), register.call_id());
}

#[test]
fn a_200_that_our_contact_never_saw_came_from_another_contact() {
    let (run, _) = probed(Some((200, "OK")), &["-o", "json"]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    let v: Value = serde_json::from_str(run.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["event"], "registered", "{v}");
    assert_eq!(v["reachable"], false, "{v}");
    assert!(
        v["probe"]
            .as_str()
            .unwrap()
            .starts_with("arrived at another contact"),
        "{v}"
    );
    let check = &v["expectations"][0];
    assert_eq!(check["name"], "reachable");
    assert_eq!(check["passed"], false);
}

#[test]
fn a_probe_nobody_routes_times_out_with_its_reason() {
    let (run, reg) = probed(None, &[]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no request arrived within --timeout 2s"),
        "{}",
        run.stderr
    );
    // Retransmitted on UDP (Timer E) like any non-INVITE request.
    assert!(options_sent(&reg).len() > 1);
}

#[test]
fn expect_reachable_and_probe_every_are_refused_where_they_mean_nothing() {
    for (args, named) in [
        (
            vec!["query", "sip:alice@sipreg.test", "--expect-reachable"],
            "register --once --expect-reachable",
        ),
        (
            vec!["register", "sip:alice@sipreg.test", "--expect-reachable"],
            "add --once",
        ),
        (
            vec![
                "register",
                "sip:alice@sipreg.test",
                "--once",
                "--probe-every",
                "30s",
            ],
            "--probe-every probes a staying registration",
        ),
        (
            vec![
                "register",
                "sip:alice@sipreg.test",
                "--probe-every",
                "100ms",
            ],
            "at least 1s",
        ),
        (
            vec![
                "register",
                "sip:alice@sipreg.test",
                "--once",
                "--answer",
                "200",
            ],
            "sipreg sets up no calls",
        ),
    ] {
        let out = Command::cargo_bin("sipreg")
            .unwrap()
            .args(&args)
            .args(["-r", "sip:127.0.0.1:9"])
            .env("SIPREG_PASSWORD", "pw")
            .timeout(std::time::Duration::from_secs(10))
            .output()
            .unwrap();
        let run = Run::from(out);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains("error") && first.contains(named),
            "{args:?}: {}",
            run.stderr
        );
    }
}
