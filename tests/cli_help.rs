//! Issue 13 item 17: --help groups the options under headings and ends with
//! examples, --version names what the build can do, and the shared options are
//! accepted before the command too.

use assert_cmd::Command;

fn sipreg(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env_remove("SIPREG_PROFILE")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn register_help_has_headings_and_examples() {
    let (code, help, _) = sipreg(&["register", "--help"]);
    assert_eq!(code, 0);
    for heading in ["Connection:", "Credentials:", "Registration:", "Output:"] {
        assert!(
            help.lines().any(|l| l == heading),
            "no {heading} in:\n{help}"
        );
    }
    // An option sits under its heading.
    let connection = help.find("\nConnection:").unwrap();
    let output = help.find("\nOutput:").unwrap();
    let ca = help.find("--ca-file").unwrap();
    let verbose = help.find("--verbose").unwrap();
    assert!(connection < ca && output < verbose, "{help}");
    let examples = help.find("Examples:").expect("examples");
    assert!(help[examples..].contains("sipreg register sip:alice@example.com"));
    let (_, top, _) = sipreg(&["--help"]);
    assert!(
        top.contains("Examples:") && top.contains("Exit status:"),
        "{top}"
    );
}

#[test]
fn version_lists_transports_and_tls() {
    let (code, out, _) = sipreg(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(&format!("sipreg {}", env!("CARGO_PKG_VERSION"))));
    assert!(out.contains("transports: udp, tcp, tls, ws, wss"), "{out}");
    assert!(out.contains("rustls") && out.contains("ring"), "{out}");
}

#[test]
fn shared_options_go_before_the_command_too() {
    // --json before the command: the dry run prints JSON.
    let (code, out, err) = sipreg(&["--json", "query", "sip:alice@127.0.0.1", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["event"], "dry_run");
    // -r before the command decides where the request would go.
    let (code, out, err) = sipreg(&[
        "-r",
        "sip:127.0.0.1:5999",
        "-o",
        "json",
        "register",
        "sip:alice@example.test",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("127.0.0.1:5999"), "{out}");
    // Given both ways, the one after the command wins.
    let (_, out, _) = sipreg(&[
        "-o",
        "human",
        "query",
        "sip:a@127.0.0.1",
        "--dry-run",
        "--json",
    ]);
    assert!(out.starts_with('{'), "{out}");
    // Still usage errors with exit 2: -q with -v, a bad value, an unknown flag.
    for args in [
        &["-q", "-v", "query", "sip:a@127.0.0.1"][..],
        &["-t", "carrier-pigeon", "query", "sip:a@127.0.0.1"],
        &["--bogus", "query", "sip:a@127.0.0.1"],
    ] {
        let (code, _, err) = sipreg(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}
