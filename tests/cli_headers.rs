//! Issue 14's provider knobs against the scripted registrar, which shows exactly what
//! was sent: `-H/--header` lines on every request (register, query, unregister, and
//! from a profile's `headers = [...]`), refused for the headers sipreg writes itself;
//! `--display-name` in From and To as a quoted string.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn answering() -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(|req: &Req, _| match req.contact_uri() {
        Some(_) => vec![ok_with_contact(req, 60)],
        None => vec![respond(req, 200, "OK", &[])],
    }))
}

fn sipreg(args: &[&str]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env("SIPREG_PASSWORD", "pw")
        .env_remove("SIPREG_PROFILE")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    Run::from(out)
}

#[test]
fn headers_and_the_display_name_go_on_every_request() {
    let reg = answering();
    let uri = reg.uri();
    let knobs = [
        "-H",
        "X-Tenant: 42",
        "--header",
        "P-Access-Network-Info: 3GPP-UTRAN-TDD",
        "--display-name",
        "Alice \"Al\" Smith",
    ];
    for command in [
        vec!["register", AOR, "--once"],
        vec!["query", AOR],
        vec!["unregister", AOR, "--all"],
    ] {
        let mut args = command.clone();
        args.extend(["-r", uri.as_str()]);
        args.extend(knobs);
        let r = sipreg(&args);
        assert_eq!(r.code, 0, "{command:?}: {}", r.stderr);
    }
    let requests = reg.requests();
    assert!(requests.len() >= 3, "{}", requests.len());
    for req in &requests {
        assert_eq!(req.header("x-tenant"), Some("42"), "{}", req.text);
        assert_eq!(
            req.header("p-access-network-info"),
            Some("3GPP-UTRAN-TDD"),
            "{}",
            req.text
        );
        let from = req.header("from").unwrap();
        assert!(
            from.starts_with("\"Alice \\\"Al\\\" Smith\" <sip:alice@sipreg.test>;tag="),
            "{from}"
        );
        assert_eq!(
            req.header("to"),
            Some("\"Alice \\\"Al\\\" Smith\" <sip:alice@sipreg.test>")
        );
    }
}

#[test]
fn headers_sipreg_writes_itself_and_malformed_ones_are_refused() {
    let reg = answering();
    for (header, named) in [
        ("Via: SIP/2.0/UDP 1.2.3.4", "Via"),
        ("call-id: x", "call-id"),
        ("CSeq: 1 REGISTER", "CSeq"),
        ("Contact: <sip:x@y>", "-c/--contact"),
        ("Expires: 0", "-e/--expires"),
        ("Authorization: Digest x", "Authorization"),
        ("User-Agent: x", "--user-agent"),
        ("l: 5", "l header"),
        ("no colon here", "'Name: value'"),
        ("Bad Name: x", "not a header name"),
    ] {
        let r = sipreg(&["register", AOR, "--once", "-r", &reg.uri(), "-H", header]);
        assert_eq!(r.code, 2, "{header}: {}", r.stderr);
        assert!(r.stderr.contains(named), "{header}: {}", r.stderr);
    }
    let r = sipreg(&["query", AOR, "-r", &reg.uri(), "--display-name", "a\u{7}b"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(reg.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_profiles_headers_come_first_then_the_command_lines() {
    let reg = answering();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.work]\naor = \"{AOR}\"\nregistrar = \"{}\"\n\
             headers = [\"X-Tenant: 7\", \"X-Site: lab\"]\n",
            reg.uri()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let r = sipreg(&["query", "@work", "--config", config, "-H", "X-Extra: 1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let req = &reg.requests()[0];
    let order: Vec<&str> = req.text.lines().filter(|l| l.starts_with("X-")).collect();
    assert_eq!(
        order,
        ["X-Tenant: 7", "X-Site: lab", "X-Extra: 1"],
        "{}",
        req.text
    );

    std::fs::write(
        dir.path().join("bad.toml"),
        "[profiles.bad]\naor = \"sip:a@b\"\nheaders = [\"Via: x\"]\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.toml");
    let r = sipreg(&["query", "@bad", "--config", bad.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 3") && r.stderr.contains("Via"),
        "{}",
        r.stderr
    );
}

/// `-c` given three times: one REGISTER binds all three (RFC 3261 §10.2.1), and
/// `unregister` with the same three removes them in one request.
#[test]
fn several_contacts_go_in_one_request() {
    let reg = answering();
    let uri = reg.uri();
    let contacts = [
        "-c",
        "sip:alice@192.0.2.1:5060",
        "-c",
        "sip:alice@192.0.2.2:5062;transport=tcp",
        "-c",
        "sip:alice@[2001:db8::3]:5060",
    ];
    let mut register = vec!["register", AOR, "--once", "-r", uri.as_str()];
    register.extend(contacts);
    let r = sipreg(&register);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut unregister = vec!["unregister", AOR, "-r", uri.as_str()];
    unregister.extend(contacts);
    let r = sipreg(&unregister);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let requests = reg.requests();
    let contact_of = |i: usize| requests[i].header("contact").unwrap().to_string();
    assert_eq!(
        contact_of(0),
        "<sip:alice@192.0.2.1:5060>, <sip:alice@192.0.2.2:5062;transport=tcp>, <sip:alice@[2001:db8::3]:5060>"
    );
    let last = contact_of(requests.len() - 1);
    assert_eq!(
        last,
        "<sip:alice@192.0.2.1:5060>;expires=0, <sip:alice@192.0.2.2:5062;transport=tcp>;expires=0, <sip:alice@[2001:db8::3]:5060>;expires=0"
    );
}
