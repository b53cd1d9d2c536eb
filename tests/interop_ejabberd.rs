//! sipreg against a second real registrar: ejabberd 23.01's `mod_sip`, started once
//! for this test binary on free loopback ports with the configuration in
//! tests/ejabberd/ejabberd.yml (tests/support/ejabberd.rs). Each test has a user of
//! its own, so that the tests can run side by side on the one instance.
//!
//! Where ejabberd departs from RFC 3261 — a query with nothing bound is answered
//! 404; a 200 to a REGISTER lists only the contacts of that request, the removed
//! ones with `expires=0` — the tests assert what sipreg reports.
//!
//! The outbound test stays registered for a few Flow-Timer periods; with
//! `SIPREG_SOAK=1` it stays two minutes.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::time::Duration;
use support::ejabberd::{Ejabberd, EjabberdOptions};
use support::run::Run;

const DOMAIN: &str = "sipreg.test";
/// ejabberd's Flow-Timer for outbound over UDP here (its default is 29 s): a flow
/// without keep-alives is dropped after this long.
const FLOW_TIMER: u32 = 4;

/// The users of the tests, one each; the password is `pw-USER`.
const USERS: &[&str] = &[
    "basic", "empty", "two", "unreg", "zeroed", "gone", "refresh", "brief", "wrongpw", "tcp",
    "tls", "outbound",
];

fn ejabberd() -> &'static Ejabberd {
    Ejabberd::shared(|| EjabberdOptions {
        domain: DOMAIN.into(),
        users: USERS.iter().map(|u| (u.to_string(), password(u))).collect(),
        flow_timeout_udp: FLOW_TIMER,
    })
}

fn ca_file() -> String {
    ejabberd().ca_file.display().to_string()
}

fn password(user: &str) -> String {
    format!("pw-{user}")
}

fn aor(user: &str) -> String {
    format!("sip:{user}@{DOMAIN}")
}

/// Runs sipreg with `password` and `args`, at most `limit`.
fn sipreg_as(password: &str, args: &[&str], limit: Duration) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env("SIPREG_PASSWORD", password)
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .env("NO_COLOR", "1")
        .timeout(limit)
        .output()
        .unwrap();
    Run::from(out)
}

/// `sipreg COMMAND AOR ARGS -r REGISTRAR --json` as `user`; asserts exit 0.
fn ok(user: &str, command: &str, args: &[&str]) -> Vec<Value> {
    ok_via(user, command, args, &ejabberd().registrar_uri())
}

fn ok_via(user: &str, command: &str, args: &[&str], registrar: &str) -> Vec<Value> {
    let aor = aor(user);
    let mut all = vec![command, &aor, "-r", registrar, "--json"];
    all.extend_from_slice(args);
    let r = sipreg_as(&password(user), &all, Duration::from_secs(60));
    assert_eq!(
        r.code,
        0,
        "sipreg {all:?}\nstderr: {}\nstdout: {}\nejabberd:\n{}",
        r.stderr,
        r.stdout,
        tail(&ejabberd().log())
    );
    r.json()
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// The last object of `event`.
fn find<'a>(out: &'a [Value], event: &str) -> &'a Value {
    out.iter()
        .rev()
        .find(|o| o["event"] == event)
        .unwrap_or_else(|| panic!("no {event:?} event in {out:?}"))
}

/// (contact, expires) of an object's bindings.
fn bindings(object: &Value) -> Vec<(String, u64)> {
    object["bindings"]
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

fn query(user: &str) -> Vec<(String, u64)> {
    bindings(find(&ok(user, "query", &[]), "bindings"))
}

/// A contact of ours at a port nothing listens on (only the registrar's table
/// sees it).
fn contact(user: &str, port: u16) -> String {
    format!("sip:{user}@127.0.0.1:{port}")
}

#[test]
fn register_query_unregister_query() {
    let reg = ok("basic", "register", &["--once"]);
    let registered = find(&reg, "registered");
    assert_eq!(registered["status"], 200);
    let ours = registered["contact"].as_str().unwrap().to_string();
    assert_eq!(registered["expires"], 3600, "{registered}");

    let bound = query("basic");
    assert_eq!(bound.len(), 1, "{bound:?}");
    assert_eq!(bound[0].0, ours);
    assert!((3590..=3600).contains(&bound[0].1), "{bound:?}");

    ok("basic", "unregister", &["--contact", &ours]);
    assert!(
        query("basic").is_empty(),
        "nothing left after unregistering"
    );
}

/// ejabberd answers a query for an AOR with nothing bound `404 Not Found` (RFC 3261
/// §10.3 keeps 404 for an AOR not valid for the domain): after our credentials were
/// accepted it means no bindings, not a failure.
#[test]
fn query_with_nothing_bound_reports_zero_bindings_not_a_failure() {
    let out = ok("empty", "query", &[]);
    let q = find(&out, "bindings");
    assert_eq!(q["status"], 404, "{q}");
    assert!(bindings(q).is_empty(), "{q}");

    let aor = aor("empty");
    let r = sipreg_as(
        &password("empty"),
        &["query", &aor, "-r", &ejabberd().registrar_uri()],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("0 bindings"), "{}", r.stdout);
}

/// A second contact adds a binding. ejabberd's 200 lists only the contacts of the
/// request, not every binding of the AOR (RFC 3261 §10.3 step 8): sipreg reports
/// what it was told, and a query shows both.
#[test]
fn a_second_contact_is_added_and_both_are_listed() {
    let (a, b) = (contact("two", 40001), contact("two", 40002));
    ok("two", "register", &["--once", "--contact", &a]);
    let reg = ok("two", "register", &["--once", "--contact", &b]);
    let listed: Vec<String> = bindings(find(&reg, "registered"))
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert!(listed.contains(&b), "{listed:?}");
    let mut bound: Vec<String> = query("two").into_iter().map(|(c, _)| c).collect();
    bound.sort();
    assert_eq!(bound, vec![a, b]);
}

/// Unregistering one contact, then all: the registrar's table holds what is left.
#[test]
fn unregister_one_then_all_leaves_the_table_as_asked() {
    let (a, b) = (contact("unreg", 40011), contact("unreg", 40012));
    ok("unreg", "register", &["--once", "--contact", &a]);
    ok("unreg", "register", &["--once", "--contact", &b]);
    ok("unreg", "unregister", &["--contact", &a]);
    let bound: Vec<String> = query("unreg").into_iter().map(|(c, _)| c).collect();
    assert_eq!(bound, vec![b.clone()]);
    ok("unreg", "register", &["--once", "--contact", &a]);
    ok("unreg", "unregister", &["--all"]);
    assert!(query("unreg").is_empty());
}

/// ejabberd's 200 to a removal lists the removed contacts too, with `expires=0`. A
/// binding with expires 0 is gone (RFC 3261 §10.3): what sipreg reports as
/// remaining must leave them out.
#[test]
fn contacts_listed_with_expires_0_are_not_reported_as_remaining() {
    let (a, b) = (contact("zeroed", 40031), contact("zeroed", 40032));
    ok("zeroed", "register", &["--once", "--contact", &a]);
    ok("zeroed", "register", &["--once", "--contact", &b]);
    let one = ok("zeroed", "unregister", &["--contact", &a]);
    let left: Vec<String> = bindings(find(&one, "unregistered"))
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert!(!left.contains(&a), "{a} was removed: {left:?}");
    let all = ok("zeroed", "unregister", &["--all"]);
    assert!(bindings(find(&all, "unregistered")).is_empty(), "{all:?}");
}

/// ejabberd answers 404 to the removal of a contact that is not bound: after our
/// credentials were taken, nothing is left to remove, which is what was asked.
#[test]
fn removing_a_contact_that_is_not_bound_succeeds_with_the_404_shown() {
    let out = ok(
        "gone",
        "unregister",
        &["--contact", &contact("gone", 40041)],
    );
    let un = find(&out, "unregistered");
    assert_eq!(un["status"], 404, "{un}");
    assert!(bindings(un).is_empty(), "{un}");
}

/// ejabberd grants at least 60 s (`423 Interval Too Brief`, `Min-Expires: 60`):
/// sipreg asks again with its minimum.
#[test]
fn interval_too_brief_is_retried_with_the_minimum() {
    let aor = aor("brief");
    let r = sipreg_as(
        &password("brief"),
        &[
            "register",
            &aor,
            "--once",
            "-e",
            "10",
            "-r",
            &ejabberd().registrar_uri(),
            "--json",
            "-v",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("423 Interval Too Brief"), "{}", r.stderr);
    let registered = find(&r.json(), "registered").clone();
    assert_eq!(registered["expires"], 60, "{registered}");
    ok("brief", "unregister", &["--all"]);
}

#[test]
fn a_wrong_password_is_rejected_with_exit_3_and_never_shown() {
    let aor = aor("wrongpw");
    let wrong = "not-the-password-x7";
    let r = sipreg_as(
        wrong,
        &[
            "register",
            &aor,
            "--once",
            "-r",
            &ejabberd().registrar_uri(),
            "--json",
            "-vv",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let failed = find(&r.json(), "failed").clone();
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .contains("credentials rejected"),
        "{failed}"
    );
    assert!(!r.stdout.contains(wrong) && !r.stderr.contains(wrong));
}

#[test]
fn tcp_registers_lists_and_removes() {
    let uri = ejabberd().registrar_uri_tcp();
    let reg = ok_via("tcp", "register", &["--once"], &uri);
    let registered = find(&reg, "registered");
    let ours = registered["contact"].as_str().unwrap().to_string();
    assert!(ours.ends_with(";transport=tcp"), "{ours}");
    let q = ok_via("tcp", "query", &[], &uri);
    let bound: Vec<String> = bindings(find(&q, "bindings"))
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(bound, vec![ours.clone()]);
    ok_via("tcp", "unregister", &["--contact", &ours], &uri);
    assert!(query("tcp").is_empty());
}

/// TLS with a private CA (`--ca-file`) and a CA:FALSE leaf certificate naming the
/// domain and the loopback address.
#[test]
fn tls_registers_with_the_test_ca() {
    let uri = ejabberd().registrar_uri_tls();
    let ca = ca_file();
    let reg = ok_via("tls", "register", &["--once", "--ca-file", &ca], &uri);
    let ours = find(&reg, "registered")["contact"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ours.ends_with(";transport=tls"), "{ours}");
    assert_eq!(query("tls").len(), 1);
    ok_via("tls", "unregister", &["--all", "--ca-file", &ca], &uri);

    // Without the CA the certificate is refused, and nothing is registered.
    let aor = aor("tls");
    let r = sipreg_as(
        &password("tls"),
        &["register", &aor, "--once", "-r", &uri],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(query("tls").is_empty());
}

/// A staying registration refreshes before its grant runs out: ejabberd grants 60 s
/// at least, so the refresh comes after about 30 s.
#[test]
fn a_staying_registration_refreshes_and_removes_its_binding_at_the_end() {
    let aor = aor("refresh");
    let r = sipreg_as(
        &password("refresh"),
        &[
            "register",
            &aor,
            "-e",
            "60",
            "--for",
            "34s",
            "-r",
            &ejabberd().registrar_uri(),
            "--json",
        ],
        Duration::from_secs(90),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.json();
    assert_eq!(find(&out, "registered")["expires"], 60);
    let refreshed = find(&out, "refreshed");
    assert_eq!(refreshed["status"], 200, "{refreshed}");
    find(&out, "unregistered");
    assert!(query("refresh").is_empty());
}

/// RFC 5626 outbound over UDP: ejabberd answers with `Require: outbound` and a
/// Flow-Timer, and drops a flow that sends no keep-alive for that long. A staying
/// registration keeps its flow alive by itself (RFC 5626 §4.4.1), and the binding
/// is there every time it is looked at, several Flow-Timer periods on.
/// `SIPREG_SOAK=1`: two minutes.
///
/// ejabberd 23.01 answers the STUN keep-alives of a UDP flow with a STUN error
/// (400 "Flow Failed") and does not count them: the flow holds only if sipreg takes
/// the error as a failed flow and registers again at once.
#[test]
fn outbound_flow_timer_keepalives_keep_the_binding() {
    let soak = std::env::var("SIPREG_SOAK").is_ok_and(|v| v == "1");
    let stay = if soak { 120 } else { 4 * FLOW_TIMER };
    let aor = aor("outbound");
    let registrar = ejabberd().registrar_uri();
    let for_ = format!("{stay}s");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", &aor, "-r", &registrar, "--json", "--for", &for_])
        .args([
            "--instance",
            "urn:uuid:5a1b7e6e-0000-4000-8000-00000000000e",
        ])
        .args(["--reg-id", "1"])
        .env("SIPREG_PASSWORD", password("outbound"))
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = support::lines::Lines::new(
        child.stdout.take().unwrap(),
        Duration::from_secs(u64::from(stay) + 30),
    );
    let first: Value = serde_json::from_str(&lines.next().expect("registered")).unwrap();
    assert_eq!(first["event"], "registered", "{first}");
    let ours = first["contact"].as_str().unwrap().to_string();
    // Looked at from another process while it stays, every Flow-Timer and a bit.
    for _ in 0..stay / (FLOW_TIMER + 1) {
        std::thread::sleep(Duration::from_secs(u64::from(FLOW_TIMER + 1)));
        let bound: Vec<String> = query("outbound").into_iter().map(|(c, _)| c).collect();
        if !bound.contains(&ours) {
            let _ = child.kill();
            panic!("binding dropped: {bound:?}");
        }
    }
    let rest: Vec<Value> = lines
        .rest()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "{rest:?}");
    let un = find(&rest, "unregistered");
    assert_eq!(un["status"], 200, "removed while still bound: {un}");
}
