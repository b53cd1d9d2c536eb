//! One test per exit status of the contract (README, man page), each produced the way
//! a user meets it, with what sipreg says about it.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(args: &[&str]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env("SIPREG_PASSWORD", "secret-alice")
        .env("NO_COLOR", "1")
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    Run::from(out)
}

fn answering(status: u16, reason: &'static str) -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(move |req: &Req, _| {
        if status == 200 {
            vec![ok_with_contact(req, 3600)]
        } else {
            vec![respond(req, status, reason, &[])]
        }
    }))
}

fn assert_exit(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

#[test]
fn status_0_registered() {
    let reg = answering(200, "OK");
    let r = sipreg(&["register", AOR, "--once", "-r", &reg.uri()]);
    assert_exit(&r, 0);
    assert!(r.stdout.starts_with("registered "), "{}", r.stdout);
    assert_eq!(r.stderr, "");
}

#[test]
fn status_1_local_address_already_in_use() {
    // Another program holds the port given with --local.
    let holder = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let taken = holder.local_addr().unwrap().to_string();
    let reg = answering(200, "OK");
    let r = sipreg(&["query", AOR, "-r", &reg.uri(), "--local", &taken]);
    assert_exit(&r, 1);
    assert!(r.stderr.starts_with("sipreg: error: "), "{}", r.stderr);
    assert!(r.stderr.contains(&taken), "names the address: {}", r.stderr);
    assert!(reg.requests().is_empty());
}

#[test]
fn status_2_bad_arguments() {
    let r = sipreg(&["register", AOR, "--expires", "soon"]);
    assert_exit(&r, 2);
    assert!(
        r.stderr.contains("invalid value 'soon' for '--expires"),
        "{}",
        r.stderr
    );
    let r = sipreg(&["query", "alice at sipreg.test"]);
    assert_exit(&r, 2);
    assert!(r.stderr.contains("is not a SIP URI"), "{}", r.stderr);
}

#[test]
fn status_3_credentials_rejected() {
    // The credentials answered a challenge, and the answer was refused.
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        if i == 0 {
            vec![scripted::challenge_401(req, "sipreg.test", "n1", "")]
        } else {
            vec![respond(req, 403, "Forbidden", &[])]
        }
    }));
    let r = sipreg(&["register", AOR, "--once", "-r", &reg.uri()]);
    assert_exit(&r, 3);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: error: credentials rejected: the registrar answered 403 Forbidden"
    );
    // A 403 before any credentials went out (issue 13 item 15): still status 3, but
    // said as what it is, with the registrar's Warning.
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(
            req,
            403,
            "Forbidden",
            &["Warning: 399 pbx \"Account disabled\"".into()],
        )]
    }));
    let r = sipreg(&["register", AOR, "--once", "-r", &reg.uri()]);
    assert_exit(&r, 3);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: error: refused by the registrar before any credentials were sent: 403 Forbidden (Warning: 399 pbx \"Account disabled\")"
    );
}

#[test]
fn status_4_registrar_does_not_answer() {
    let reg = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    let r = sipreg(&["query", AOR, "-r", &reg.uri(), "--timeout", "1s"]);
    assert_exit(&r, 4);
    assert!(
        r.stderr.starts_with(&format!(
            "sipreg: error: no response from {} after 1s",
            reg.addr
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn status_5_registrar_refuses() {
    let reg = answering(480, "Temporarily Unavailable");
    let r = sipreg(&["register", AOR, "--once", "-r", &reg.uri()]);
    assert_exit(&r, 5);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: error: registrar refused: 480 Temporarily Unavailable"
    );
}

#[test]
fn status_6_expectation_failed() {
    let reg = answering(200, "OK");
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &reg.uri(),
        "--expect-expires-at-least",
        "2h",
    ]);
    assert_exit(&r, 6);
    assert!(r.stdout.starts_with("registered "), "{}", r.stdout);
    assert_eq!(
        r.stderr.trim_end(),
        "sipreg: expectation failed: --expect-expires-at-least: expected at least 7200 s, got granted 3600 s"
    );
}

/// Issue 13 item 9: a sips: AOR needs TLS (or WSS) on every hop; anything else is a
/// usage error before a single datagram goes out, whatever scheme the registrar has.
#[test]
fn status_2_sips_aor_over_anything_but_tls() {
    let reg = answering(200, "OK");
    for extra in [vec!["-t", "udp"], vec!["-t", "tcp"], vec!["-t", "ws"]] {
        let mut args = vec!["register", "sips:alice@sipreg.test", "--once", "-r"];
        let uri = reg.uri();
        args.push(&uri);
        args.extend(extra.iter());
        let r = sipreg(&args);
        assert_exit(&r, 2);
        assert!(r.stderr.contains("needs TLS end to end"), "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
    let with_param = format!("{};transport=udp", reg.uri());
    let r = sipreg(&["query", "sips:alice@sipreg.test", "-r", &with_param]);
    assert_exit(&r, 2);
    assert!(reg.requests().is_empty(), "nothing was sent over UDP");
}

/// Issue 13 item 14: numbers that make no sense are usage errors with one line that
/// says what to give, before anything is sent.
#[test]
fn status_2_numbers_that_make_no_sense() {
    let reg = answering(200, "OK");
    let uri = reg.uri();
    for (args, says) in [
        (vec!["-e", "0"], "at least 1 second"),
        (vec!["-e", "500ms"], "at least 1 second"),
        (vec!["-e", "1500ms"], "not whole seconds"),
        (vec!["-e", "1.5"], "plain numbers are whole seconds"),
        (vec!["--expires", "-5"], "cannot be negative"),
        (vec!["--timeout", "0"], "must be more than 0"),
    ] {
        let mut all = vec!["register", AOR, "--once", "-r", &uri];
        all.extend(args.iter());
        let r = sipreg(&all);
        assert_exit(&r, 2);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("-- -5"),
            "no clap hint that would eat the AOR: {}",
            r.stderr
        );
    }
    for (registrar, says) in [
        ("sip:127.0.0.1:0", "port 0"),
        ("sip:127.0.0.1:70000", "port 70000 is out of range"),
    ] {
        let r = sipreg(&["register", AOR, "--once", "-r", registrar]);
        assert_exit(&r, 2);
        assert!(r.stderr.contains(says), "{registrar}: {}", r.stderr);
    }
    assert!(reg.requests().is_empty(), "nothing was sent");
}
