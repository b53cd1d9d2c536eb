//! `sipreg profiles`: the profiles of the config file, without secrets.

use crate::config::{self, ConfigFile, Profile};
use crate::exit::ExitStatus;
use std::io::Write;
use std::path::PathBuf;

pub fn run(config: Option<PathBuf>) -> ExitStatus {
    let loaded = match config {
        Some(path) => ConfigFile::load(&path),
        None => config::default_path().and_then(|path| ConfigFile::load(&path)),
    };
    let file = match loaded {
        Ok(f) => f,
        Err(e) => {
            let e = crate::Error::from(e);
            eprintln!("sipreg: error: {e}");
            return e.exit_status();
        }
    };
    let mut lines = Vec::new();
    let mut profiles = file.profiles().peekable();
    if profiles.peek().is_none() {
        lines.push(format!(
            "no profiles in {}: add a [profiles.NAME] table",
            file.path.display()
        ));
    }
    for p in profiles {
        lines.extend(describe(p));
    }
    let mut out = std::io::stdout().lock();
    for line in lines {
        // A closed pipe (sipreg profiles | head) is not worth failing over.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    ExitStatus::Success
}

/// `@NAME` then one indented line per setting; the password source is named,
/// its secret never shown.
fn describe(p: &Profile) -> Vec<String> {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut add = |key, value: Option<String>| {
        if let Some(v) = value {
            rows.push((key, v));
        }
    };
    add("aor", p.aor.as_ref().map(|v| v.value.clone()));
    add("registrar", p.registrar.as_ref().map(|v| v.value.clone()));
    add("user", p.user.clone());
    add(
        "transport",
        p.transport
            .and_then(|t| clap::ValueEnum::to_possible_value(&t))
            .map(|v| v.get_name().to_string()),
    );
    add("proxy", p.proxy.as_ref().map(|v| v.value.clone()));
    add("contact", p.contact.as_ref().map(|v| v.value.clone()));
    add("expires", p.expires.map(|e| format!("{e} s")));
    add(
        "password",
        Some(p.credentials.as_ref().map_or_else(
            || "none (SIPREG_PASSWORD, or asked when challenged)".to_string(),
            |c| c.describe(),
        )),
    );
    let mut lines = vec![format!("@{}", p.name)];
    lines.extend(rows.into_iter().map(|(k, v)| format!("  {k:<10} {v}")));
    lines
}
