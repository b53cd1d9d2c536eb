//! The sipreg binary against the in-process scripted registrar: exit statuses, output
//! and the edge cases of issue #2, each produced the way a user meets it.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::bulk_registrar::digest_is_valid;
use scripted::registrar::ScriptedRegistrar;
use scripted::{challenge_401, ok_with_contact, respond, Req};
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(registrar: &ScriptedRegistrar, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("sipreg").unwrap();
    cmd.args(args)
        .args(["-r", &registrar.uri()])
        .env("SIPREG_PASSWORD", "secret-alice")
        .env_remove("SIPREG_HA1")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(20));
    cmd
}

#[test]
fn unsupported_algorithm_first_then_sha256_is_answered_with_sha256() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        if i == 0 {
            vec![respond(
                req,
                401,
                "Unauthorized",
                &[
                    "WWW-Authenticate: Digest realm=\"sipreg.test\", nonce=\"aka\", algorithm=AKAv1-MD5".into(),
                    "WWW-Authenticate: Digest realm=\"sipreg.test\", nonce=\"sha\", algorithm=SHA-256, qop=\"auth\"".into(),
                ],
            )]
        } else {
            vec![ok_with_contact(req, 3600)]
        }
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 2);
    let auth = reqs[1].header("authorization").expect("answered");
    assert!(
        auth.contains("algorithm=SHA-256") && auth.contains("nonce=\"sha\""),
        "{auth}"
    );
}

#[test]
fn stale_nonce_is_retried_and_succeeds() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| match i {
        0 => vec![challenge_401(req, "sipreg.test", "n1", "")],
        1 => vec![challenge_401(req, "sipreg.test", "n2", ", stale=true")],
        _ => vec![ok_with_contact(req, 3600)],
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(reg.requests().len(), 3);
}

#[test]
fn repeated_non_stale_challenge_exits_3_naming_the_realm() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        vec![challenge_401(req, "sipreg.test", &format!("n{i}"), "")]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once"]));
    assert_eq!(r.code, 3);
    assert!(
        r.stderr
            .contains("credentials rejected for realm \"sipreg.test\""),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("secret-alice") && !r.stdout.contains("secret-alice"));
    assert_eq!(reg.requests().len(), 2, "exactly one answer, no loop");
}

#[test]
fn forbidden_exits_3() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(req, 403, "Forbidden", &[])]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "--json"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    let out = r.json();
    assert_eq!(out[0]["event"], "failed");
    assert_eq!(out[0]["status"], 403);
    assert_eq!(out[0]["exit_status"], 3);
}

#[test]
fn interval_too_brief_then_ok_registers_with_min_expires() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| match i {
        0 => vec![respond(
            req,
            423,
            "Interval Too Brief",
            &["Min-Expires: 120".into()],
        )],
        _ => vec![ok_with_contact(req, req.expires().unwrap())],
    }));
    let r = Run::of(sipreg(
        &reg,
        &["register", AOR, "--once", "-e", "30", "-o", "json"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reqs = reg.requests();
    assert_eq!(reqs[0].expires(), Some(30));
    assert_eq!(reqs[1].expires(), Some(120));
    assert_eq!(r.json()[0]["expires"], 120);
}

#[test]
fn no_answer_exits_4() {
    let reg = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    let r = Run::of(sipreg(&reg, &["query", AOR, "--timeout", "1s"]));
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("no response"), "{}", r.stderr);
    // Timer E: the first request and retransmissions at 0.5 s (and none after 1 s).
    assert_eq!(reg.requests().len(), 2);
}

#[test]
fn stray_with_wrong_branch_is_ignored_and_reported_with_vv() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        let good = ok_with_contact(req, 3600);
        let stray = String::from_utf8(good.clone())
            .unwrap()
            .replace(&req.branch(), "z9hG4bKnotours")
            .replace("expires=3600", "expires=1");
        vec![stray.into_bytes(), b"\x00garbage\xff".to_vec(), good]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "-vv", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json()[0]["expires"],
        3600,
        "the stray's grant was not taken"
    );
    assert!(
        r.stderr
            .contains("ignored: 200 OK with a branch of no transaction of ours"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("ignored: unreadable message"),
        "{}",
        r.stderr
    );
}

#[test]
fn grant_given_only_in_contact_parameter_is_reported() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 45)]));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.json();
    assert_eq!(out[0]["event"], "registered");
    assert_eq!(out[0]["expires"], 45);
    // Half of 45 s, spread over its last 10 %: 20.25 to 22.5 s.
    let refresh_in = out[0]["refresh_in"].as_u64().unwrap();
    assert!((20..=23).contains(&refresh_in), "{refresh_in}");
    assert_eq!(out[0]["bindings"][0]["ours"], true);
}

#[test]
fn other_final_response_exits_5() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(
            req,
            503,
            "Service Unavailable",
            &["Retry-After: 30".into()],
        )]
    }));
    let r = Run::of(sipreg(&reg, &["query", AOR]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("503 Service Unavailable"), "{}", r.stderr);
}

#[test]
fn quiet_prints_nothing() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(req, 403, "Forbidden", &[])]
    }));
    let r = Run::of(sipreg(&reg, &["query", AOR, "-q"]));
    assert_eq!(r.code, 3);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let reg = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    for args in [
        vec!["query", "not a uri"],
        vec!["register", AOR, "--expires", "soon"],
        vec!["register", AOR, "--q", "7"],
        vec!["query", "sip:sipreg.test"],
        vec!["query", AOR, "--local", "nowhere"],
        vec!["register", AOR, "--ha1", "xyz"],
    ] {
        let r = Run::of(sipreg(&reg, &args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.trim().is_empty(), "{args:?}");
    }
    assert!(
        reg.requests().is_empty(),
        "nothing was sent for a usage error"
    );
}

#[test]
fn password_on_command_line_warns_and_never_echoes() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| match i {
        0 => vec![challenge_401(req, "sipreg.test", "n1", "")],
        _ => vec![ok_with_contact(req, 60)],
    }));
    let r = Run::of(
        sipreg(
            &reg,
            &["register", AOR, "--once", "-p", "hunter2-secret", "-vv"],
        )
        .env_remove("SIPREG_PASSWORD"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: a password given with -p"),
        "{}",
        r.stderr
    );
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("hunter2-secret"), "password leaked");
    assert!(
        all.contains("Authorization: Digest"),
        "-vv shows whole messages"
    );
}

#[test]
fn password_from_stdin_and_file_answer_the_challenge() {
    let script = || -> scripted::registrar::Script {
        Box::new(|req: &Req, i| match i {
            0 => vec![challenge_401(req, "sipreg.test", "n1", "")],
            _ => vec![ok_with_contact(req, 60)],
        })
    };
    let reg = ScriptedRegistrar::start(script());
    let r = Run::of(
        sipreg(&reg, &["register", AOR, "--once", "--password-stdin"])
            .env_remove("SIPREG_PASSWORD")
            .write_stdin("from-stdin\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(reg.requests()[1].header("authorization").is_some());

    let reg = ScriptedRegistrar::start(script());
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "from-file\nsecond line ignored\n").unwrap();
    let path = file.path().to_str().unwrap();
    let r = Run::of(
        sipreg(&reg, &["register", AOR, "--once", "--password-file", path])
            .env_remove("SIPREG_PASSWORD"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Without any credential source (and no terminal to ask on): exit 3, saying how to give one.
    let reg = ScriptedRegistrar::start(script());
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once"]).env_remove("SIPREG_PASSWORD"));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no password was given"), "{}", r.stderr);
}

#[test]
fn realm_option_refuses_other_realms() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![challenge_401(req, "elsewhere.example", "n1", "")]
    }));
    let r = Run::of(sipreg(
        &reg,
        &["register", AOR, "--once", "--realm", "sipreg.test"],
    ));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("--realm \"sipreg.test\" does not match"),
        "{}",
        r.stderr
    );
    assert_eq!(
        reg.requests().len(),
        1,
        "no answer was sent to the other realm"
    );
}

/// Spawns `sipreg register` (staying) against `reg` and waits for its first JSON line.
fn staying(reg: &ScriptedRegistrar, extra: &[&str]) -> std::process::Child {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", AOR, "-r", &reg.uri(), "--json"])
        .args(extra)
        .env("SIPREG_PASSWORD", "secret-alice")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"registered\""), "{first}");
    child
}

fn signal(child: &std::process::Child, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn keep_binding_exits_without_unregistering() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 3600)]));
    let mut child = staying(&reg, &["--keep-binding"]);
    signal(&child, "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 1, "no unregistration was sent");
}

#[test]
fn a_second_interrupt_exits_130_at_once() {
    // The registrar answers the registration but never the unregistration.
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        if req.expires() == Some(0) {
            vec![]
        } else {
            vec![ok_with_contact(req, 3600)]
        }
    }));
    let mut child = staying(&reg, &[]);
    signal(&child, "-INT");
    // Wait until the unregistration is on the wire, then interrupt again.
    let sent_at = std::time::Instant::now();
    while !reg.requests().iter().any(|r| r.expires() == Some(0)) {
        assert!(sent_at.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    signal(&child, "-INT");
    assert_eq!(child.wait().unwrap().code(), Some(130));
}

/// The same handler as bulk mode's: SIGTERM starts the removal like Ctrl-C does, and a
/// second SIGTERM cuts it short with 130, just as a second Ctrl-C.
#[test]
fn a_second_sigterm_during_removal_exits_130() {
    use std::time::{Duration, Instant};
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        if req.expires() == Some(0) {
            vec![]
        } else {
            vec![ok_with_contact(req, 3600)]
        }
    }));
    let mut child = staying(&reg, &[]);
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !reg.requests().iter().any(|r| r.expires() == Some(0)) {
        assert!(Instant::now() < deadline, "no unregistration was sent");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: as above; the child is still running (its removal gets no answer).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "sipreg did not exit");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(130));
}

/// RFC 3581: the registrar saw us at 127.0.0.9:40999 (Via received/rport). With the
/// default contact sipreg registers that address and removes the one it first
/// registered, in one request: the registrar is left with exactly one binding.
#[test]
fn nat_rewrite_leaves_one_binding_at_the_public_address() {
    use std::sync::{Arc, Mutex};
    let held: Arc<Mutex<Vec<String>>> = Arc::default();
    let bindings = held.clone();
    let reg = ScriptedRegistrar::start(Box::new(move |req: &Req, _| {
        let mut held = bindings.lock().unwrap();
        for c in req.header("contact").unwrap_or_default().split(", ") {
            let Some(uri) = c.split('>').next().and_then(|u| u.strip_prefix('<')) else {
                continue;
            };
            held.retain(|b| b != uri);
            if !c.contains("expires=0") && req.expires() != Some(0) {
                held.push(uri.to_string());
            }
        }
        let lines: Vec<String> = held
            .iter()
            .map(|b| format!("Contact: <{b}>;expires=3600"))
            .collect();
        let ok = String::from_utf8(respond(req, 200, "OK", &lines)).unwrap();
        vec![ok
            .replacen(
                ";rport;received=127.0.0.1",
                ";received=127.0.0.9;rport=40999",
                1,
            )
            .into_bytes()]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = r.json();
    assert_eq!(events[0]["event"], "nat-detected");
    assert_eq!(events[0]["rewriting"], true);
    assert_eq!(events[1]["event"], "registered");
    assert_eq!(events[1]["contact"], "sip:alice@127.0.0.9:40999");
    assert_eq!(*held.lock().unwrap(), ["sip:alice@127.0.0.9:40999"]);
    assert_eq!(reg.requests().len(), 2, "one registration, one rewrite");

    // A contact the user gave is never rewritten, only reported.
    let r = Run::of(sipreg(
        &reg,
        &[
            "register",
            AOR,
            "--once",
            "--json",
            "-c",
            "sip:alice@127.0.0.1:5999",
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = r.json();
    assert_eq!(events[0]["event"], "nat-detected");
    assert_eq!(events[0]["rewriting"], false);
    assert_eq!(events[1]["contact"], "sip:alice@127.0.0.1:5999");
}

/// With no password configured and a terminal attached, the first challenge asks for
/// one: the prompt names user and realm, what is typed is not echoed, and it answers
/// the challenge. The terminal is a pseudo-terminal from util-linux's `script`; the
/// password is typed only once the prompt is shown, as a person would.
#[test]
fn a_terminal_is_asked_for_the_password_without_echo() {
    use std::io::{Read, Write};
    let reg =
        ScriptedRegistrar::start(Box::new(|req: &Req, _| match req.header("authorization") {
            Some(_) => vec![ok_with_contact(req, 60)],
            None => vec![challenge_401(req, "sipreg.test", "n1", "")],
        }));
    let line = format!(
        "'{}' register {AOR} --once -r '{}'",
        assert_cmd::cargo::cargo_bin("sipreg").display(),
        reg.uri()
    );
    let mut child = std::process::Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux's script (scripts/install-deps.sh installs it)");
    let (tx, rx) = std::sync::mpsc::channel();
    let mut out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let prompt = "Password for alice (realm \"sipreg.test\"): ";
    let wait = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !String::from_utf8_lossy(&seen).contains(prompt) {
        let left = wait.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!("no prompt: {:?}", String::from_utf8_lossy(&seen)),
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"typed-secret\n").unwrap();
    while let Ok(chunk) = rx.recv_timeout(wait.saturating_duration_since(std::time::Instant::now()))
    {
        seen.extend(chunk);
    }
    drop(stdin);
    let status = child.wait().unwrap();
    let shown = String::from_utf8_lossy(&seen);
    assert_eq!(status.code(), Some(0), "{shown}");
    assert!(shown.contains("registered"), "{shown}");
    assert!(
        !shown.contains("typed-secret"),
        "the password was echoed: {shown}"
    );
    let answer = reg.requests().pop().unwrap();
    assert!(
        digest_is_valid(&answer, "alice", "typed-secret", "sipreg.test", "n1"),
        "{:?}",
        answer.header("authorization")
    );
}

/// Issue 13 item 12: escape sequences a registrar writes (a reason phrase that would
/// retitle the terminal and clear it, a Contact parameter with ESC and NUL) reach the
/// terminal as visible escapes, on the result line, in the bindings table, in the
/// error line and on the -vv dump.
#[test]
fn control_characters_from_the_registrar_never_reach_the_terminal_raw() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        if i == 0 {
            vec![respond(
                req,
                200,
                "OK\x1b]0;pwned\x07\x1b[2J",
                &["Contact: <sip:bob@192.0.2.9:5060>;expires=60;x=\"a\x1b[31mb\x00c\"".into()],
            )]
        } else {
            vec![respond(req, 403, "No\x1b[2J way", &[])]
        }
    }));
    let ok = Run::of(sipreg(&reg, &["query", AOR]));
    let reg_run = Run::of(sipreg(&reg, &["register", AOR, "--once", "-vv"]));
    for (what, text) in [
        ("query stdout", &ok.stdout),
        ("query stderr", &ok.stderr),
        ("register stdout", &reg_run.stdout),
        ("register stderr", &reg_run.stderr),
    ] {
        assert!(
            !text.contains('\x1b') && !text.contains('\x07') && !text.contains('\0'),
            "{what}: {text:?}"
        );
    }
    assert!(
        ok.stdout.contains("OK\\x1b]0;pwned\\x07\\x1b[2J"),
        "{:?}",
        ok.stdout
    );
    assert!(ok.stdout.contains("\\x1b[31mb\\x00c"), "{:?}", ok.stdout);
    assert!(
        reg_run.stderr.contains("No\\x1b[2J way"),
        "{:?}",
        reg_run.stderr
    );
}

/// Issue 13 item 8: SIGHUP (the terminal closed) removes the binding as SIGTERM does,
/// saying so; a second signal of another kind (SIGTERM after SIGHUP) leaves at once
/// with 130 and says the binding stays registered.
#[test]
fn sighup_removes_the_binding_and_a_second_signal_of_any_kind_exits_130() {
    use std::io::Read;
    // First run: the registrar answers the removal.
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 3600)]));
    let mut child = staying_with_stderr(&reg);
    signal(&child, "-HUP");
    let code = child.wait().unwrap().code();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("removing binding sip:alice@"), "{err}");
    assert!(err.contains("(Ctrl-C again to leave it)"), "{err}");
    assert!(
        reg.requests().iter().any(|r| r.expires() == Some(0)),
        "removed"
    );

    // Second run: the removal is never answered; SIGHUP then SIGTERM.
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        if req.expires() == Some(0) {
            vec![]
        } else {
            vec![ok_with_contact(req, 3600)]
        }
    }));
    let mut child = staying_with_stderr(&reg);
    signal(&child, "-HUP");
    let sent_at = std::time::Instant::now();
    while !reg.requests().iter().any(|r| r.expires() == Some(0)) {
        assert!(sent_at.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    signal(&child, "-TERM");
    let code = child.wait().unwrap().code();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("stays registered for about"), "{err}");
}

/// As `staying`, with stderr kept for the test to read.
fn staying_with_stderr(reg: &ScriptedRegistrar) -> std::process::Child {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["register", AOR, "-r", &reg.uri(), "--json"])
        .env("SIPREG_PASSWORD", "secret-alice")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = support::lines::Lines::new(
        child.stdout.take().unwrap(),
        std::time::Duration::from_secs(20),
    );
    let first = lines.next().expect("a first JSON line");
    assert!(first.contains("\"registered\""), "{first}");
    child
}

/// Issue 13 item 15: the answering server is named on the -v ladder and in JSON.
#[test]
fn the_responders_server_header_is_shown_at_v_and_in_json() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        let ok = String::from_utf8(ok_with_contact(req, 3600)).unwrap();
        vec![ok
            .replacen("\r\n", "\r\nServer: TestPBX 1.2\r\n", 1)
            .into_bytes()]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "-v"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = format!("{}{}", r.stdout, r.stderr);
    assert!(
        shown.contains("200 OK") && shown.contains("[TestPBX 1.2]"),
        "{shown}"
    );
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "--json"]));
    assert_eq!(r.json()[0]["server"], "TestPBX 1.2", "{}", r.stdout);
}

/// A rejection by repeated 401 carries the 401 as its JSON status, not null.
#[test]
fn json_status_after_a_repeated_challenge_is_the_401() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        vec![challenge_401(req, "sipreg.test", &format!("n{i}"), "")]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "--json"]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.json()[0]["status"], 401, "{}", r.stdout);
}

/// An answer to our request that cannot be read ends with exit 1 at once (the
/// contract's "malformed response"), not with a timeout (exit 4).
#[test]
fn a_malformed_response_to_our_request_exits_1() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        let ok = String::from_utf8(ok_with_contact(req, 3600)).unwrap();
        // The status code is not a number; the branch is ours.
        vec![ok
            .replacen("SIP/2.0 200 OK", "SIP/2.0 2x0 OK", 1)
            .into_bytes()]
    }));
    let r = Run::of(sipreg(
        &reg,
        &["register", AOR, "--once", "--timeout", "10s"],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("malformed response"), "{}", r.stderr);
    assert_eq!(
        reg.requests().len(),
        1,
        "no retransmission after the answer"
    );
}

/// A refusal shows the registrar's Warning text (404 here; a 403 says it in its own words).
#[test]
fn a_refusal_shows_the_registrars_warning() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(
            req,
            480,
            "Temporarily Unavailable",
            &["Warning: 399 pbx.example.com \"Maintenance until 18:00\"".into()],
        )]
    }));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "--json"]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    let v = &r.json()[0];
    assert_eq!(v["status"], 480, "{v}");
    assert!(
        v["warning"].as_str().unwrap().contains("Maintenance"),
        "{v}"
    );
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once"]));
    assert!(
        r.stderr
            .contains("(Warning: 399 pbx.example.com \"Maintenance until 18:00\")"),
        "{}",
        r.stderr
    );
}

/// `-c garbage` names no host; an empty password is refused before anything is
/// sent; a bad SIPREG_HA1 is named as such.
#[test]
fn contact_without_host_empty_password_and_bad_ha1_are_named() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 3600)]));
    let r = Run::of(sipreg(&reg, &["register", AOR, "--once", "-c", "garbage"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--contact \"garbage\" names no host"),
        "{}",
        r.stderr
    );

    let mut cmd = sipreg(&reg, &["register", AOR, "--once"]);
    cmd.env("SIPREG_PASSWORD", "");
    let r = Run::of(cmd);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the password from SIPREG_PASSWORD is empty"),
        "{}",
        r.stderr
    );

    let mut cmd = sipreg(&reg, &["register", AOR, "--once"]);
    cmd.env_remove("SIPREG_PASSWORD")
        .env("SIPREG_HA1", "deadbeef");
    let r = Run::of(cmd);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("SIPREG_HA1:") && !r.stderr.contains("--ha1"),
        "{}",
        r.stderr
    );
    assert!(
        reg.requests().is_empty(),
        "nothing is sent before these are fixed"
    );
}
