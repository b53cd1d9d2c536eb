//! Profiles from `$XDG_CONFIG_HOME/sipreg/config.toml` (a temporary directory here):
//! used, overridden by the command line, missing, malformed, and a literal password
//! refused in a file others can read. Credentials are checked against Kamailio,
//! which verifies the digest; the rest against the scripted registrar, which shows
//! exactly what was sent.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{challenge_401, ok_with_contact, Req};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use support::kamailio::{Kamailio, KamailioOptions};
use support::run::Run;

/// A config home holding `sipreg/config.toml` with the given text and permissions.
struct ConfigHome {
    dir: tempfile::TempDir,
}

impl ConfigHome {
    fn new(text: &str, mode: u32) -> ConfigHome {
        let dir = tempfile::tempdir().unwrap();
        let home = ConfigHome { dir };
        std::fs::create_dir_all(home.path().parent().unwrap()).unwrap();
        std::fs::write(home.path(), text).unwrap();
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        home
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("sipreg").join("config.toml")
    }

    /// sipreg with this config home and no credentials or profile from our own
    /// environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("sipreg").unwrap();
        cmd.args(args)
            .env("XDG_CONFIG_HOME", self.dir.path())
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("SIPREG_PASSWORD")
            .env_remove("SIPREG_HA1")
            .env_remove("SIPREG_PROFILE")
            .timeout(std::time::Duration::from_secs(30));
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(&mut self.command(args))
    }
}

fn expect_code(r: &Run, code: i32) {
    assert_eq!(r.code, code, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}

/// Challenges every request without credentials, accepts those with: the second
/// request of a run shows the Authorization sipreg built.
fn challenge_then_ok() -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        match (req.header("authorization"), req.contact_uri()) {
            (None, _) => vec![challenge_401(req, "sipreg.test", "n1", "")],
            (Some(_), Some(_)) => vec![ok_with_contact(req, req.expires().unwrap_or(3600))],
            (Some(_), None) => vec![scripted::respond(req, 200, "OK", &[])],
        }
    }))
}

fn work_profile(registrar: &str) -> String {
    format!(
        r#"# accounts
[profiles.work]
aor = "sip:alice@sipreg.test"
registrar = "{registrar}"
user = "alice-auth"
transport = "udp"
contact = "sip:alice@127.0.0.1:5077"
expires = "10m"
password_env = "WORK_SIP_PASSWORD"

[profiles.home]
aor = "sip:bob@sipreg.test"
password_command = "printf 'from-command\n'"
"#
    )
}

fn username_of(req: &Req) -> String {
    let auth = req.header("authorization").expect("answered the challenge");
    auth.split("username=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string()
}

#[test]
fn a_profile_is_used_by_at_name_by_option_and_by_environment() {
    let reg = challenge_then_ok();
    let home = ConfigHome::new(&work_profile(&reg.uri()), 0o600);
    let r = Run::of(
        home.command(&["register", "@work", "--once", "--json"])
            .env("WORK_SIP_PASSWORD", "pw"),
    );
    expect_code(&r, 0);
    let out: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(out["aor"], "sip:alice@sipreg.test", "the AOR, not @work");
    assert_eq!(out["contact"], "sip:alice@127.0.0.1:5077");
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs[1]
        .header("to")
        .unwrap()
        .contains("sip:alice@sipreg.test"));
    assert_eq!(
        reqs[1].contact_uri().as_deref(),
        Some("sip:alice@127.0.0.1:5077")
    );
    assert_eq!(reqs[1].expires(), Some(600), "expires = \"10m\"");
    assert_eq!(username_of(&reqs[1]), "alice-auth");

    // --profile NAME and SIPREG_PROFILE select it too; the AOR may then be left out.
    let reg = challenge_then_ok();
    let home = ConfigHome::new(&work_profile(&reg.uri()), 0o600);
    let r = Run::of(
        home.command(&["query", "--profile", "work"])
            .env("WORK_SIP_PASSWORD", "pw"),
    );
    expect_code(&r, 0);
    assert!(
        r.stdout.contains("for sip:alice@sipreg.test"),
        "{}",
        r.stdout
    );
    let r = Run::of(
        home.command(&["query"])
            .env("SIPREG_PROFILE", "work")
            .env("WORK_SIP_PASSWORD", "pw"),
    );
    expect_code(&r, 0);
    assert_eq!(reg.requests().len(), 4, "two queries, each challenged once");
}

#[test]
fn the_command_line_overrides_the_profile() {
    let reg = challenge_then_ok();
    // The profile's registrar is a port nobody answers on: -r must win.
    let text = work_profile("sip:127.0.0.1:9");
    let home = ConfigHome::new(&text, 0o600);
    let r = Run::of(
        home.command(&[
            "register",
            "@work",
            "--once",
            "-r",
            &reg.uri(),
            "-u",
            "other-auth",
            "-c",
            "sip:alice@127.0.0.1:5088",
            "-e",
            "120",
            "--timeout",
            "2s",
        ])
        .env("WORK_SIP_PASSWORD", "pw"),
    );
    expect_code(&r, 0);
    let reqs = reg.requests();
    assert_eq!(
        reqs[1].contact_uri().as_deref(),
        Some("sip:alice@127.0.0.1:5088")
    );
    assert_eq!(reqs[1].expires(), Some(120));
    assert_eq!(username_of(&reqs[1]), "other-auth");

    // An AOR on the command line replaces the profile's; the rest still applies.
    let reg = challenge_then_ok();
    let home = ConfigHome::new(&work_profile(&reg.uri()), 0o600);
    let r = Run::of(
        home.command(&["query", "sip:carol@sipreg.test", "--profile", "work"])
            .env("WORK_SIP_PASSWORD", "pw"),
    );
    expect_code(&r, 0);
    assert!(reg.requests()[0]
        .header("to")
        .unwrap()
        .contains("sip:carol@sipreg.test"));

    // @NAME wins over SIPREG_PROFILE.
    let r = Run::of(
        home.command(&["query", "@home", "--dry-run"])
            .env("SIPREG_PROFILE", "work"),
    );
    expect_code(&r, 0);
    assert!(
        r.stdout.contains("To: <sip:bob@sipreg.test>"),
        "{}",
        r.stdout
    );
}

#[test]
fn profile_credentials_are_checked_by_a_real_registrar() {
    let kam = Kamailio::start(KamailioOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let pw_file = dir.path().join("alice.pw");
    std::fs::write(&pw_file, "secret-alice\n").unwrap();
    let text = format!(
        r#"[profiles.env]
aor = "sip:alice@sipreg.test"
registrar = "{reg}"
password_env = "ALICE_PW"

[profiles.file]
aor = "sip:alice@sipreg.test"
registrar = "{reg}"
password_file = "{file}"

[profiles.command]
aor = "sip:alice@sipreg.test"
registrar = "{reg}"
password_command = "echo secret-alice"

[profiles.literal]
aor = "sip:alice@sipreg.test"
registrar = "{reg}"
password = "secret-alice"

[profiles.failing]
aor = "sip:alice@sipreg.test"
registrar = "{reg}"
password_command = "printf 'leak%s' ed-output; exit 7"
"#,
        reg = kam.registrar_uri(),
        file = pw_file.display()
    );
    let home = ConfigHome::new(&text, 0o600);
    // SIPREG_PASSWORD is wrong: a profile's own source comes first.
    for name in ["@env", "@file", "@command", "@literal"] {
        let r = Run::of(
            home.command(&["register", name, "--once"])
                .env("ALICE_PW", "secret-alice")
                .env("SIPREG_PASSWORD", "wrong"),
        );
        expect_code(&r, 0);
        assert!(r.stdout.starts_with("registered "), "{name}: {}", r.stdout);
    }
    // ... and a password option on the command line comes before the profile.
    let r = Run::of(
        home.command(&["register", "@env", "--once", "--password-stdin"])
            .env("ALICE_PW", "secret-alice")
            .write_stdin("wrong\n"),
    );
    expect_code(&r, 3);

    // A source that yields nothing is an error of its own (3), never a fall-through.
    let r = Run::of(
        home.command(&["register", "@env", "--once"])
            .env("SIPREG_PASSWORD", "secret-alice"),
    );
    expect_code(&r, 3);
    assert!(
        r.stderr.contains(
            "profile \"env\": the environment variable ALICE_PW (password_env) is not set"
        ),
        "{}",
        r.stderr
    );
    let r = home.run(&["register", "@failing", "--once"]);
    expect_code(&r, 3);
    assert!(
        r.stderr
            .contains("password_command `printf 'leak%s' ed-output; exit 7` exited with status 7"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("leaked-output") && !r.stderr.contains("leaked-output"));
}

#[test]
fn a_missing_profile_or_file_names_what_there_is() {
    let home = ConfigHome::new(&work_profile("sip:127.0.0.1:9"), 0o600);
    let r = home.run(&["query", "@nope"]);
    expect_code(&r, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "sipreg: error: {}: there is no profile \"nope\" (profiles: home, work)",
            home.path().display()
        )
    );
    assert_eq!(r.stdout, "");

    let r = home.run(&["query", "@work", "--config", "/nonexistent/sipreg.toml"]);
    expect_code(&r, 2);
    assert!(
        r.stderr
            .contains("no config file at /nonexistent/sipreg.toml"),
        "{}",
        r.stderr
    );

    let r = home.run(&["query", "@"]);
    expect_code(&r, 2);
    assert!(r.stderr.contains("\"@\" names no profile"), "{}", r.stderr);

    // Without a profile, a broken config file is never read.
    let broken = ConfigHome::new("this is [ not toml", 0o600);
    let reg = challenge_then_ok();
    let r = Run::of(
        broken
            .command(&["query", "sip:alice@sipreg.test", "-r", &reg.uri()])
            .env("SIPREG_PASSWORD", "pw"),
    );
    expect_code(&r, 0);
}

#[test]
fn a_malformed_file_gives_its_path_line_and_what_is_wrong() {
    let cases: [(&str, usize, &str); 8] = [
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\nregistrar = sip:pbx\n",
            3,
            "string values must be quoted",
        ),
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\n\n[profiles.work]\n",
            4,
            "duplicate key",
        ),
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\nregistar = \"sip:pbx\"\n",
            3,
            "unknown field `registar`",
        ),
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\ntransport = \"pigeon\"\n",
            3,
            "transport \"pigeon\" is not one of udp, tcp, tls, ws, wss",
        ),
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\n\nexpires = \"soon\"\n",
            4,
            "profile \"work\": expires",
        ),
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\nexpires = true\n",
            3,
            "must be seconds (3600) or a duration string",
        ),
        (
            "[profiles.work]\naor = \"sip:alice@sipreg.test\"\npassword_env = \"A\"\npassword_command = \"b\"\n",
            4,
            "give one password source, not both password_env (line 3) and password_command",
        ),
        (
            "[profiles.work]\n\naor = \"sip alice at sipreg\"\n",
            3,
            "aor \"sip alice at sipreg\" is not a SIP URI",
        ),
    ];
    for (text, line, what) in cases {
        let home = ConfigHome::new(text, 0o600);
        let r = home.run(&["register", "@work", "--once"]);
        expect_code(&r, 2);
        let place = format!("{}, line {line}", home.path().display());
        assert!(
            r.stderr.starts_with(&format!("sipreg: error: {place}")) && r.stderr.contains(what),
            "{text:?}: wanted {place:?} and {what:?} in:\n{}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    }
}

#[test]
fn a_literal_password_in_a_file_others_can_read_is_refused() {
    let reg = challenge_then_ok();
    let text = format!(
        "[profiles.work]\naor = \"sip:alice@sipreg.test\"\nregistrar = \"{}\"\npassword = \"hunter2-literal\"\n",
        reg.uri()
    );
    for mode in [0o644, 0o640, 0o604] {
        let home = ConfigHome::new(&text, mode);
        for args in [
            vec!["register", "@work", "--once"],
            vec!["query", "@work", "--dry-run"],
            vec!["profiles"],
        ] {
            let r = home.run(&args);
            expect_code(&r, 2);
            assert!(
                r.stderr.contains(&format!(
                    "{}, line 4: refusing a literal password in a file other users can read (mode {mode:03o}): run `chmod 600 {}`",
                    home.path().display(),
                    home.path().display()
                )),
                "{args:?} {mode:o}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("hunter2-literal") && !r.stdout.contains("hunter2-literal"));
        }
    }
    assert!(
        reg.requests().is_empty(),
        "nothing sent with a refused file"
    );

    // Readable by its owner alone: used.
    let home = ConfigHome::new(&text, 0o600);
    let r = home.run(&["register", "@work", "--once", "-vv"]);
    expect_code(&r, 0);
    assert!(reg.requests()[1].header("authorization").is_some());
    assert!(!r.stderr.contains("hunter2-literal") && !r.stdout.contains("hunter2-literal"));
}

#[test]
fn profiles_lists_every_profile_without_secrets() {
    let text = r#"[profiles.work]
aor = "sip:alice@example.com"
registrar = "sip:pbx.example.com"
user = "alice"
transport = "tls"
proxy = "sip:edge.example.com;lr"
contact = "sip:alice@192.0.2.10:5060"
expires = "1h"
password_env = "WORK_SIP_PASSWORD"

[profiles.home]
aor = "sip:bob@example.org"
password = "hunter2-literal"

[profiles.lab]
aor = "sip:carol@example.net"
password_file = "lab.pw"
"#;
    let home = ConfigHome::new(text, 0o600);
    let r = home.run(&["profiles"]);
    expect_code(&r, 0);
    let lab_file = home.path().parent().unwrap().join("lab.pw");
    let expected = format!(
        "@home
  aor        sip:bob@example.org
  password   password in the config file
@lab
  aor        sip:carol@example.net
  password   file {}
@work
  aor        sip:alice@example.com
  registrar  sip:pbx.example.com
  user       alice
  transport  tls
  proxy      sip:edge.example.com;lr
  contact    sip:alice@192.0.2.10:5060
  expires    3600 s
  password   environment variable WORK_SIP_PASSWORD
",
        lab_file.display()
    );
    assert_eq!(r.stdout, expected);
    assert_eq!(r.stderr, "");
    assert!(!r.stdout.contains("hunter2"));

    // --config names another file.
    let other = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        other.path(),
        "[profiles.only]\naor = \"sip:x@example.com\"\n",
    )
    .unwrap();
    let r = home.run(&["profiles", "--config", other.path().to_str().unwrap()]);
    expect_code(&r, 0);
    assert!(r.stdout.starts_with("@only\n"), "{}", r.stdout);
}
