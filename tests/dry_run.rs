//! --dry-run: the first request exactly as a real run sends it, printed, exit 0, and
//! nothing sent, resolved or read.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("sipreg").unwrap();
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .env_remove("SIPREG_PROFILE")
        .timeout(std::time::Duration::from_secs(20));
    cmd
}

fn expect_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

fn accepting() -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(|req: &Req, _| match req.contact_uri() {
        Some(_) => vec![ok_with_contact(req, 60)],
        None => vec![respond(req, 200, "OK", &[])],
    }))
}

/// Proves that nothing reached the registrar before: a real query afterwards is the
/// first request it records (datagrams on loopback arrive in order).
fn assert_nothing_was_sent(reg: &ScriptedRegistrar) {
    let r = Run::of(sipreg(&["query", AOR, "-r", &reg.uri()]).env("SIPREG_PASSWORD", "pw"));
    expect_code(&r, 0);
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    assert!(
        reqs[0].contact_uri().is_none(),
        "the one request is the query"
    );
}

/// The request with what is random per run (branch, tags, Call-ID, CSeq) masked.
fn masked(text: &str) -> String {
    text.split("\r\n")
        .map(|line| {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("call-id:") {
                "Call-ID: *".to_string()
            } else if lower.starts_with("cseq:") {
                "CSeq: * REGISTER".to_string()
            } else if lower.starts_with("via:") {
                line.split(";branch=").next().unwrap().to_string() + ";branch=*"
            } else if lower.starts_with("from:") {
                line.split(";tag=").next().unwrap().to_string() + ";tag=*"
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

fn free_udp_port() -> u16 {
    let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

#[test]
fn register_dry_run_prints_exactly_what_a_real_run_sends() {
    let reg = accepting();
    let local = format!("127.0.0.1:{}", free_udp_port());
    let args = [
        "register",
        AOR,
        "--once",
        "-r",
        &reg.uri(),
        "--local",
        &local,
        "-e",
        "10m",
        "--q",
        "0.5",
    ];
    let dry = Run::of(sipreg(&args).arg("--dry-run"));
    expect_code(&dry, 0);
    assert!(
        dry.stdout
            .starts_with("REGISTER sip:sipreg.test SIP/2.0\r\n"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.ends_with("\r\n\r\n"),
        "the message's own CRLFs, nothing added"
    );
    assert_eq!(
        dry.stderr.trim_end(),
        format!(
            "sipreg: dry run: nothing sent; the request would go to {} over UDP",
            reg.addr
        )
    );
    assert_nothing_was_sent(&reg);

    let real = Run::of(sipreg(&args).env("SIPREG_PASSWORD", "pw"));
    expect_code(&real, 0);
    let sent = reg.requests()[1].text.clone();
    assert_eq!(masked(&dry.stdout), masked(&sent));
    assert!(
        sent.contains(&format!("Contact: <sip:alice@{local}>;q=0.5")),
        "{sent}"
    );
}

#[test]
fn register_without_once_and_other_commands_dry_run_too() {
    let reg = accepting();
    let r = Run::of(&mut sipreg(&[
        "register",
        AOR,
        "-r",
        &reg.uri(),
        "--dry-run",
    ]));
    expect_code(&r, 0);
    assert!(r.stdout.contains("\r\nExpires: 3600\r\n"), "{}", r.stdout);
    // The local port is not known without a socket: the note says so.
    assert!(
        r.stdout.contains("Contact: <sip:alice@127.0.0.1:0>"),
        "{}",
        r.stdout
    );
    assert!(r
        .stderr
        .contains("the local port (0 here) is chosen when the socket is opened"));

    let r = Run::of(&mut sipreg(&["query", AOR, "-r", &reg.uri(), "--dry-run"]));
    expect_code(&r, 0);
    assert!(
        !r.stdout.contains("Contact:") && !r.stdout.contains("Expires:"),
        "{}",
        r.stdout
    );

    let r = Run::of(&mut sipreg(&[
        "unregister",
        AOR,
        "-r",
        &reg.uri(),
        "--all",
        "--dry-run",
    ]));
    expect_code(&r, 0);
    assert!(
        r.stdout.contains("\r\nContact: *\r\nExpires: 0\r\n"),
        "{}",
        r.stdout
    );
    assert_nothing_was_sent(&reg);
}

#[test]
fn a_host_name_is_not_resolved() {
    // A .invalid name cannot resolve (RFC 6761): a lookup would fail the command.
    let r = Run::of(&mut sipreg(&[
        "register",
        AOR,
        "-r",
        "sip:pbx.sipreg.invalid",
        "--proxy",
        "sip:edge.sipreg.invalid:5070;lr",
        "--dry-run",
    ]));
    expect_code(&r, 0);
    assert!(
        r.stdout
            .contains("Route: <sip:edge.sipreg.invalid:5070;lr>"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("the request would go to edge.sipreg.invalid:5070 over UDP"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("edge.sipreg.invalid is not resolved in a dry run: the local address is shown as 0.0.0.0"),
        "{}",
        r.stderr
    );
}

#[test]
fn credentials_are_not_read_in_a_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\naor = \"{AOR}\"\nregistrar = \"sip:127.0.0.1:9\"\npassword_command = \"touch {}; echo pw\"\n",
            marker.display()
        ),
    )
    .unwrap();
    let r = Run::of(&mut sipreg(&[
        "register",
        "@lab",
        "--config",
        config.to_str().unwrap(),
        "--dry-run",
        "--password-stdin",
    ]));
    expect_code(&r, 0);
    assert!(
        r.stdout.contains("To: <sip:alice@sipreg.test>"),
        "{}",
        r.stdout
    );
    assert!(!marker.exists(), "password_command was run");
}

#[test]
fn quiet_json_and_bad_arguments() {
    let reg = accepting();
    let r = Run::of(&mut sipreg(&[
        "query",
        AOR,
        "-r",
        &reg.uri(),
        "--dry-run",
        "-q",
    ]));
    expect_code(&r, 0);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));

    let r = Run::of(&mut sipreg(&[
        "query",
        AOR,
        "-r",
        &reg.uri(),
        "--dry-run",
        "--json",
    ]));
    expect_code(&r, 0);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["event"], "dry_run");
    assert_eq!(v["destination"], reg.addr.to_string());
    assert_eq!(v["transport"], "UDP");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("REGISTER sip:sipreg.test SIP/2.0\r\n"));

    let r = Run::of(&mut sipreg(&["register", "sip:sipreg.test", "--dry-run"]));
    expect_code(&r, 2);
    assert!(r.stderr.contains("has no user part"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_nothing_was_sent(&reg);
}
