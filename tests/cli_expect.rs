//! The --expect-… options and --max-time, each passing and failing, against the
//! in-process scripted registrar and against a real Kamailio: exit status, stdout and
//! stderr checked every time.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{challenge_401, respond, Req};
use support::kamailio::{Kamailio, KamailioOptions};
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(registrar: &str, password: &str, args: &[&str]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .args(["-r", registrar])
        .env("SIPREG_PASSWORD", password)
        .env("NO_COLOR", "1")
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    Run::from(out)
}

fn scripted(reg: &ScriptedRegistrar, args: &[&str]) -> Run {
    sipreg(&reg.uri(), "secret-alice", args)
}

/// Asserts the exit status, showing everything sipreg printed when it differs.
fn expect_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

/// A registrar holding two other bindings besides whatever is registered: one at
/// 100 s and one at 3000 s with a host name in mixed case and a transport parameter.
fn two_bindings_registrar() -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        let mut lines = vec![
            "Contact: <sip:alice@192.0.2.7:5062>;expires=100".to_string(),
            "Contact: <sip:alice@Desk.Sipreg.Test:5070;transport=tcp>;expires=3000".to_string(),
        ];
        if let Some(c) = req.contact_uri() {
            lines.push(format!("Contact: <{c}>;expires=45"));
        }
        vec![respond(req, 200, "OK", &lines)]
    }))
}

fn refusing_registrar(status: u16, reason: &'static str) -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(move |req: &Req, _| {
        vec![respond(req, status, reason, &[])]
    }))
}

// ---- --expect-status --------------------------------------------------------------

#[test]
fn expect_status_holds_and_fails_on_a_success() {
    let reg = two_bindings_registrar();
    let r = scripted(&reg, &["query", AOR, "--expect-status", "200"]);
    expect_code(&r, 0);
    assert!(r.stdout.starts_with("2 bindings for"), "{}", r.stdout);
    assert_eq!(r.stderr, "");

    let r = scripted(&reg, &["register", AOR, "--once", "--expect-status", "202"]);
    expect_code(&r, 6);
    assert!(r.stdout.starts_with("registered "), "{}", r.stdout);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: expectation failed: --expect-status: expected 202, got 200 OK"
    );
}

#[test]
fn expect_status_names_an_expected_refusal() {
    // "This account must be refused": the 403 is what the check asks for.
    let reg = refusing_registrar(403, "Forbidden");
    let r = scripted(&reg, &["register", AOR, "--once", "--expect-status", "403"]);
    expect_code(&r, 0);
    assert_eq!(
        r.stdout.trim_end(),
        "register answered 403 Forbidden, as --expect-status expected"
    );
    assert_eq!(r.stderr, "");

    // Accepted although it must be refused: the expectation fails (6).
    let ok = two_bindings_registrar();
    let r = scripted(&ok, &["register", AOR, "--once", "--expect-status", "403"]);
    expect_code(&r, 6);
    assert!(
        r.stderr
            .contains("--expect-status: expected 403, got 200 OK"),
        "{}",
        r.stderr
    );

    // A refusal nobody expected keeps its own exit status (3 here, 5 for a 503).
    let r = scripted(&reg, &["register", AOR, "--once", "--expect-status", "200"]);
    expect_code(&r, 3);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("sipreg: error: refused by the registrar before any credentials were sent: 403 Forbidden"),
        "{}",
        r.stderr
    );
    let unavailable = refusing_registrar(503, "Service Unavailable");
    let r = scripted(&unavailable, &["query", AOR, "--expect-status", "200"]);
    expect_code(&r, 5);
}

#[test]
fn expect_status_sees_the_repeated_challenge_of_a_wrong_password() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        vec![challenge_401(req, "sipreg.test", &format!("n{i}"), "")]
    }));
    let r = scripted(&reg, &["query", AOR, "--expect-status", "401"]);
    expect_code(&r, 0);
    assert_eq!(
        r.stdout.trim_end(),
        "query answered 401 Unauthorized, as --expect-status expected"
    );
    let out = scripted(&reg, &["query", AOR, "--expect-status", "401", "--json"]).json();
    assert_eq!(out[0]["event"], "failed");
    assert_eq!(out[0]["status"], 401);
    assert_eq!(out[0]["exit_status"], 0);
    assert_eq!(
        out[0]["expectations"],
        serde_json::json!([{"name": "status", "expected": 401, "actual": 401, "passed": true}])
    );
}

#[test]
fn expect_status_out_of_range_is_a_usage_error_and_sends_nothing() {
    let reg = two_bindings_registrar();
    let r = scripted(&reg, &["query", AOR, "--expect-status", "99"]);
    expect_code(&r, 2);
    assert!(
        r.stderr.contains("--expect-status 99: a SIP status code"),
        "{}",
        r.stderr
    );
    assert!(reg.requests().is_empty());
}

// ---- --expect-bindings ------------------------------------------------------------

#[test]
fn expect_bindings_counts_exactly_at_least_and_at_most() {
    let reg = two_bindings_registrar();
    for holds in ["2", ">=2", ">=1", "<=2", "<=5"] {
        let r = scripted(&reg, &["query", AOR, "--expect-bindings", holds]);
        expect_code(&r, 0);
        assert_eq!(r.stderr, "", "{holds}");
    }
    for (fails, line) in [
        ("3", "--expect-bindings: expected 3, got 2 bindings"),
        (">=3", "--expect-bindings: expected >=3, got 2 bindings"),
        ("<=1", "--expect-bindings: expected <=1, got 2 bindings"),
    ] {
        let r = scripted(&reg, &["query", AOR, "--expect-bindings", fails]);
        expect_code(&r, 6);
        assert!(r.stdout.starts_with("2 bindings for"), "{}", r.stdout);
        assert_eq!(
            r.stderr.trim_end(),
            format!("sipreg: expectation failed: {line}")
        );
    }
    // register --once counts the bindings of its 200: two others and ours.
    let r = scripted(&reg, &["register", AOR, "--once", "--expect-bindings", "3"]);
    expect_code(&r, 0);
}

#[test]
fn expect_bindings_that_is_not_a_count_is_a_usage_error() {
    let reg = two_bindings_registrar();
    for bad in ["many", ">=", "=>2", "-1"] {
        let r = scripted(&reg, &["query", AOR, "--expect-bindings", bad]);
        expect_code(&r, 2);
        assert!(
            r.stderr
                .contains("give a number of bindings as N, >=N or <=N"),
            "{bad}: {}",
            r.stderr
        );
    }
    assert!(reg.requests().is_empty(), "nothing sent for a usage error");
}

// ---- --expect-contact -------------------------------------------------------------

#[test]
fn expect_contact_compares_uris_not_strings() {
    let reg = two_bindings_registrar();
    // Host case and the transport parameter's case differ from the registrar's text:
    // equal as URIs (RFC 3261 §19.1.4).
    let r = scripted(
        &reg,
        &[
            "query",
            AOR,
            "--expect-contact",
            "sip:alice@desk.sipreg.test:5070;transport=TCP",
        ],
    );
    expect_code(&r, 0);
    assert_eq!(r.stderr, "");

    // No port is not port 5070, and a user part is compared case-sensitively.
    for differs in [
        "sip:alice@desk.sipreg.test;transport=tcp",
        "sip:Alice@192.0.2.7:5062",
        "sip:alice@192.0.2.7:5062;transport=tcp",
    ] {
        let r = scripted(&reg, &["query", AOR, "--expect-contact", differs]);
        expect_code(&r, 6);
        assert_eq!(
            r.stderr.trim_end(),
            format!(
                "sipreg: expectation failed: --expect-contact: expected a binding for {differs}, \
                 got sip:alice@192.0.2.7:5062, sip:alice@Desk.Sipreg.Test:5070;transport=tcp"
            )
        );
    }
}

#[test]
fn expect_contact_with_register_finds_our_own_binding() {
    let reg = two_bindings_registrar();
    let contact = "sip:alice@127.0.0.1:5099";
    let r = scripted(
        &reg,
        &[
            "register",
            AOR,
            "--once",
            "-c",
            contact,
            "--expect-contact",
            contact,
        ],
    );
    expect_code(&r, 0);
    let r = scripted(&reg, &["query", AOR, "--expect-contact", "not a uri"]);
    expect_code(&r, 2);
    assert!(r
        .stderr
        .contains("--expect-contact \"not a uri\" is not a SIP URI"));
}

// ---- --expect-expires-at-least ----------------------------------------------------

#[test]
fn expect_expires_at_least_checks_our_grant_on_register() {
    let reg = two_bindings_registrar();
    let r = scripted(
        &reg,
        &[
            "register",
            AOR,
            "--once",
            "--expect-expires-at-least",
            "45s",
        ],
    );
    expect_code(&r, 0);
    assert_eq!(r.stderr, "");
    let r = scripted(
        &reg,
        &["register", AOR, "--once", "--expect-expires-at-least", "1m"],
    );
    expect_code(&r, 6);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: expectation failed: --expect-expires-at-least: expected at least 60 s, got granted 45 s"
    );
}

#[test]
fn expect_expires_at_least_on_query_takes_the_shortest_or_the_named_contact() {
    let reg = two_bindings_registrar();
    let r = scripted(&reg, &["query", AOR, "--expect-expires-at-least", "100"]);
    expect_code(&r, 0);
    let r = scripted(&reg, &["query", AOR, "--expect-expires-at-least", "2m"]);
    expect_code(&r, 6);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: expectation failed: --expect-expires-at-least: expected at least 120 s, \
         got the shortest of 2 bindings expires in 100 s"
    );
    // With --expect-contact, that binding's expiry counts.
    let r = scripted(
        &reg,
        &[
            "query",
            AOR,
            "--expect-contact",
            "sip:alice@desk.sipreg.test:5070;transport=tcp",
            "--expect-expires-at-least",
            "2m",
        ],
    );
    expect_code(&r, 0);
}

// ---- --max-time -------------------------------------------------------------------

#[test]
fn max_time_bounds_the_whole_command() {
    // A registrar that never answers, and a transaction timeout of 32 s: --max-time
    // ends it first, as "no response" (4).
    let silent = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    let r = scripted(&silent, &["register", AOR, "--once", "--max-time", "1s"]);
    expect_code(&r, 4);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "sipreg: error: no final response from {} within --max-time 1s",
            silent.addr
        )
    );
    // Timer E retransmits at 0.5 s; nothing after the limit.
    let sent = silent.requests().len();
    assert!((1..=3).contains(&sent), "{sent} requests");

    // The limit counts challenges too: one 401, then silence.
    let challenging = ScriptedRegistrar::start(Box::new(|req: &Req, i| match i {
        0 => vec![challenge_401(req, "sipreg.test", "n1", "")],
        _ => vec![],
    }));
    let r = scripted(&challenging, &["query", AOR, "--max-time", "1s", "--json"]);
    expect_code(&r, 4);
    let out = r.json();
    assert_eq!(out[0]["event"], "failed");
    assert_eq!(out[0]["exit_status"], 4);
    assert!(
        out[0]["reason"]
            .as_str()
            .unwrap()
            .ends_with("within --max-time 1s"),
        "{}",
        out[0]
    );
}

#[test]
fn max_time_bounds_locating_the_registrar_too() {
    // A DNS server on loopback that never answers: the limit runs out while the
    // registrar's name is being looked up, before any REGISTER.
    let dns = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = dns.local_addr().unwrap().to_string();
    let r = sipreg(
        "sip:pbx.sipreg.test",
        "secret-alice",
        &["query", AOR, "--dns-server", &server, "--max-time", "1s"],
    );
    expect_code(&r, 4);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: error: --max-time 1s ran out before a request could be sent"
    );
}

#[test]
fn max_time_ends_a_staying_registration_and_says_so() {
    let reg = two_bindings_registrar();
    let r = scripted(&reg, &["register", AOR, "--max-time", "1s"]);
    expect_code(&r, 4);
    assert!(r.stdout.starts_with("registered "), "{}", r.stdout);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: error: --max-time 1s ran out; the binding was left in place \
         (--for DURATION stays registered for a while and then unregisters)"
    );
}

#[test]
fn max_time_that_is_long_enough_changes_nothing() {
    let reg = two_bindings_registrar();
    let r = scripted(&reg, &["register", AOR, "--once", "--max-time", "10s"]);
    expect_code(&r, 0);
    assert!(r.stdout.starts_with("registered "), "{}", r.stdout);
    assert_eq!(r.stderr, "");
}

// ---- output ----------------------------------------------------------------------

#[test]
fn quiet_prints_nothing_whether_checks_hold_or_fail() {
    let reg = two_bindings_registrar();
    let r = scripted(&reg, &["query", AOR, "-q", "--expect-bindings", "2"]);
    expect_code(&r, 0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    let r = scripted(&reg, &["query", AOR, "-q", "--expect-bindings", "5"]);
    expect_code(&r, 6);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
}

#[test]
fn verbose_shows_the_checks_that_held() {
    let reg = two_bindings_registrar();
    let r = scripted(
        &reg,
        &[
            "query",
            AOR,
            "-v",
            "--expect-status",
            "200",
            "--expect-bindings",
            ">=1",
        ],
    );
    expect_code(&r, 0);
    assert!(
        r.stderr
            .contains("expectation held: --expect-status: 200 OK"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("expectation held: --expect-bindings: 2 bindings"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_lists_every_check_with_what_came_back() {
    let reg = two_bindings_registrar();
    let r = scripted(
        &reg,
        &[
            "query",
            AOR,
            "--json",
            "--expect-status",
            "200",
            "--expect-bindings",
            ">=3",
            "--expect-contact",
            "sip:alice@192.0.2.7:5062",
            "--expect-expires-at-least",
            "90",
        ],
    );
    expect_code(&r, 6);
    let out = r.json();
    assert_eq!(out.len(), 1, "{}", r.stdout);
    assert_eq!(out[0]["event"], "bindings");
    assert_eq!(
        out[0]["expectations"],
        serde_json::json!([
            {"name": "status", "expected": 200, "actual": 200, "passed": true},
            {"name": "bindings", "expected": ">=3", "actual": 2, "passed": false},
            {"name": "contact", "expected": "sip:alice@192.0.2.7:5062",
             "actual": ["sip:alice@192.0.2.7:5062", "sip:alice@Desk.Sipreg.Test:5070;transport=tcp"],
             "passed": true},
            {"name": "expires_at_least", "expected": 90, "actual": 100, "passed": true},
        ])
    );
    // Only the failed check is on stderr.
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: expectation failed: --expect-bindings: expected >=3, got 2 bindings"
    );
}

// ---- against Kamailio ---------------------------------------------------------------

/// Every expectation option, holding and failing, on `register --once` against a
/// real registrar (granting at most 3600 s).
#[test]
fn kamailio_register_expectations() {
    let kam = Kamailio::start(KamailioOptions::default());
    let uri = kam.registrar_uri();
    let run = |password: &str, args: &[&str]| sipreg(&uri, password, args);
    let contact = "sip:alice@127.0.0.1:5081";
    let base = ["register", AOR, "--once", "-c", contact];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };

    let holds = with(&[
        "--expect-status",
        "200",
        "--expect-bindings",
        "1",
        "--expect-contact",
        "sip:alice@127.0.0.1:5081",
        "--expect-expires-at-least",
        "59m",
        "--max-time",
        "10s",
    ]);
    let r = run("secret-alice", &holds);
    expect_code(&r, 0);
    assert!(
        r.stdout.starts_with("registered sip:alice@127.0.0.1:5081"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr, "");

    for (option, value, line) in [
        ("--expect-status", "202", "--expect-status: expected 202, got 200 OK"),
        ("--expect-bindings", ">=2", "--expect-bindings: expected >=2, got 1 binding"),
        (
            "--expect-contact",
            "sip:alice@127.0.0.1:5082",
            "--expect-contact: expected a binding for sip:alice@127.0.0.1:5082, got sip:alice@127.0.0.1:5081",
        ),
        // Kamailio caps the grant at its max_expires.
        (
            "--expect-expires-at-least",
            "2h",
            "--expect-expires-at-least: expected at least 7200 s, got granted 3600 s",
        ),
    ] {
        let v = with(&["-e", "7200", option, value]);
        let r = run("secret-alice", &v);
        expect_code(&r, 6);
        assert!(r.stdout.starts_with("registered "), "{}", r.stdout);
        assert_eq!(
            r.stderr.trim_end(),
            format!("sipreg: expectation failed: {line}"),
            "{option}"
        );
    }

    // A wrong password: Kamailio challenges again (401). A check that this account
    // is refused holds; one that it registers does not, with the auth exit status.
    let v = with(&["--expect-status", "401"]);
    let r = run("wrong-password", &v);
    expect_code(&r, 0);
    assert_eq!(
        r.stdout.trim_end(),
        "register answered 401 Unauthorized, as --expect-status expected"
    );
    let v = with(&["--expect-status", "200"]);
    let r = run("wrong-password", &v);
    expect_code(&r, 3);
    assert!(r.stderr.contains("credentials rejected"), "{}", r.stderr);
}

/// Every expectation option, holding and failing, on `query` against a real
/// registrar; then --max-time once the registrar has gone away.
#[test]
fn kamailio_query_expectations_and_max_time() {
    let mut kam = Kamailio::start(KamailioOptions::default());
    let uri = kam.registrar_uri();
    for (port, expires) in [(5091, "600"), (5092, "3600")] {
        let contact = format!("sip:alice@127.0.0.1:{port}");
        let r = sipreg(
            &uri,
            "secret-alice",
            &["register", AOR, "--once", "-c", &contact, "-e", expires],
        );
        expect_code(&r, 0);
    }
    let query = |extra: &[&str]| {
        let mut args = vec!["query", AOR];
        args.extend_from_slice(extra);
        sipreg(&uri, "secret-alice", &args)
    };
    let r = query(&[
        "--expect-status",
        "200",
        "--expect-bindings",
        "2",
        "--expect-contact",
        "sip:alice@127.0.0.1:5092",
        "--expect-expires-at-least",
        "50m",
        "--max-time",
        "10s",
    ]);
    expect_code(&r, 0);
    assert!(r.stdout.starts_with("2 bindings for"), "{}", r.stdout);
    assert_eq!(r.stderr, "");

    for (extra, line) in [
        (
            vec!["--expect-status", "404"],
            "--expect-status: expected 404, got 200 OK".to_string(),
        ),
        (
            vec!["--expect-bindings", "<=1"],
            "--expect-bindings: expected <=1, got 2 bindings".to_string(),
        ),
        (
            // Both contacts follow, in the registrar's order.
            vec!["--expect-contact", "sip:alice@127.0.0.1:5093"],
            "--expect-contact: expected a binding for sip:alice@127.0.0.1:5093, got sip:alice@127.0.0.1:509"
                .to_string(),
        ),
        (
            // Without --expect-contact every binding must last: the 600 s one does not.
            vec!["--expect-expires-at-least", "50m"],
            "--expect-expires-at-least: expected at least 3000 s, got the shortest of 2 bindings expires in"
                .to_string(),
        ),
    ] {
        let r = query(&extra);
        expect_code(&r, 6);
        assert!(r.stdout.starts_with("2 bindings for"), "{}", r.stdout);
        assert!(
            r.stderr
                .starts_with(&format!("sipreg: expectation failed: {line}")),
            "{extra:?}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        if extra[0] == "--expect-contact" {
            for port in [5091, 5092] {
                assert!(r.stderr.contains(&format!("sip:alice@127.0.0.1:{port}")));
            }
        }
    }

    // A PBX that stops answering (its port still open, so no ICMP error ends the
    // check first): --max-time ends the check with 4, well before the 32 s
    // transaction timeout.
    kam.stop();
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let at = silent.local_addr().unwrap();
    let r = sipreg(
        &format!("sip:{at}"),
        "secret-alice",
        &["query", AOR, "--expect-status", "200", "--max-time", "1s"],
    );
    expect_code(&r, 4);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains(&format!("no final response from {at} within --max-time 1s")),
        "{}",
        r.stderr
    );
}
