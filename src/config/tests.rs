use super::*;
use std::path::Path;

fn parse(text: &str, mode: Option<u32>) -> Result<ConfigFile, ConfigError> {
    ConfigFile::parse(Path::new("/cfg/sipreg/config.toml"), text, mode)
}

#[test]
fn a_full_profile_is_read() {
    let file = parse(
        r#"
[profiles.work]
aor = "sip:alice@example.com"
registrar = "sip:pbx.example.com"
user = "alice"
transport = "TLS"
proxy = "sip:edge.example.com;lr"
contact = "sip:alice@192.0.2.10:5060"
expires = "1h"
password_file = "secrets/work.pw"
"#,
        Some(0o644),
    )
    .unwrap();
    let p = file.profile("work").unwrap();
    assert_eq!(p.aor.as_ref().unwrap().value, "sip:alice@example.com");
    assert_eq!(p.aor.as_ref().unwrap().line, 3);
    assert_eq!(p.transport, Some(crate::cli::TransportArg::Tls));
    assert_eq!(p.expires, Some(3600));
    assert_eq!(
        p.credentials,
        Some(CredentialSource::File("/cfg/sipreg/secrets/work.pw".into())),
        "relative to the config file's directory"
    );
}

#[test]
fn expires_takes_seconds_or_durations_and_rejects_the_rest() {
    let expires = |value: &str| {
        parse(&format!("[profiles.p]\nexpires = {value}\n"), Some(0o600))
            .map(|f| f.profile("p").unwrap().expires)
    };
    assert_eq!(expires("600").unwrap(), Some(600));
    assert_eq!(expires("\"2m 30s\"").unwrap(), Some(150));
    for bad in ["-1", "\"soon\"", "4294967296", "1.5"] {
        let e = expires(bad).unwrap_err().to_string();
        assert!(
            e.starts_with("/cfg/sipreg/config.toml, line 2: profile \"p\": expires"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn syntax_errors_are_located_after_multibyte_text() {
    let e = parse("# café ☕\n[profiles.p]\naor = \"sip:a@b\" junk\n", None).unwrap_err();
    match e {
        ConfigError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 17)),
        other => panic!("{other}"),
    }
}

#[test]
fn a_literal_password_needs_an_owner_only_file() {
    let text = "[profiles.p]\naor = \"sip:a@b\"\npassword = \"pw-literal\"\n";
    for mode in [Some(0o644), Some(0o660), Some(0o601), None] {
        let e = parse(text, mode).unwrap_err();
        assert!(
            matches!(e, ConfigError::ReadableByOthers { line: 3, .. }),
            "{mode:?}: {e}"
        );
        assert!(!e.to_string().contains("pw-literal"));
    }
    for mode in [0o600, 0o400] {
        let file = parse(text, Some(mode)).unwrap();
        let p = file.profile("p").unwrap();
        assert!(
            matches!(&p.credentials, Some(CredentialSource::Literal(pw)) if pw.expose() == "pw-literal")
        );
        assert!(!format!("{p:?}").contains("pw-literal"), "Debug hides it");
    }
}

#[test]
fn unknown_keys_and_tables_are_errors() {
    for (text, line) in [
        ("[profiles.p]\nregistar = \"x\"\n", 2),
        ("[profile.p]\naor = \"sip:a@b\"\n", 1),
        ("top = 1\n", 1),
    ] {
        match parse(text, None).unwrap_err() {
            ConfigError::Syntax {
                line: l, message, ..
            } => {
                assert_eq!(l, line, "{text:?}: {message}");
                assert!(message.contains("unknown field"), "{message}");
            }
            other => panic!("{text:?}: {other}"),
        }
    }
}

#[test]
fn a_missing_profile_lists_the_others() {
    let file = parse("[profiles.b]\n[profiles.a]\n", None).unwrap();
    let e = file.profile("c").unwrap_err().to_string();
    assert_eq!(
        e,
        "/cfg/sipreg/config.toml: there is no profile \"c\" (profiles: a, b)"
    );
    let empty = parse("", None).unwrap();
    assert!(empty
        .profile("c")
        .unwrap_err()
        .to_string()
        .ends_with("(profiles: none)"));
}
