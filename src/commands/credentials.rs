//! Where the secret comes from: never needed on the command line.

use crate::auth::{Credentials, Secret};
use crate::cli::CredentialArgs;
use crate::error::{Error, Result};
use crate::output::Output;
use std::io::BufRead;

pub const PASSWORD_ENV: &str = "SIPREG_PASSWORD";

/// The credentials configured by options or environment, in this order: `--ha1` /
/// SIPREG_HA1, `-p`, `--password-file`, `--password-stdin`, SIPREG_PASSWORD. None when
/// nothing was given: the command may still prompt when challenged.
pub fn configured(
    args: &CredentialArgs,
    username: &str,
    output: &Output,
) -> Result<Option<Credentials>> {
    let secret = if let Some(ha1) = &args.ha1 {
        let secret = Secret::Ha1(ha1.clone());
        secret
            .check()
            .map_err(|e| Error::Usage(format!("--ha1: {e}")))?;
        secret
    } else if let Some(p) = &args.password {
        output.warn(
            "a password given with -p is visible to other users (ps, shell history); \
             prefer SIPREG_PASSWORD, --password-file or --password-stdin",
        );
        Secret::Password(p.clone())
    } else if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read --password-file {}: {e}",
                path.display()
            ))
        })?;
        Secret::Password(first_line(&text))
    } else if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::io("cannot read the password from standard input", e))?;
        Secret::Password(first_line(&line))
    } else if let Ok(p) = std::env::var(PASSWORD_ENV) {
        Secret::Password(p)
    } else {
        return Ok(None);
    };
    Ok(Some(Credentials {
        username: username.to_string(),
        secret,
    }))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// Asks for the password on the terminal (no echo) when one is attached; None otherwise.
pub fn prompt(username: &str, realm: &str) -> Option<Credentials> {
    let term = console::Term::stderr();
    if !term.is_term() || !console::Term::stdout().is_term() {
        return None;
    }
    let _ = term.write_str(&format!("Password for {username} (realm \"{realm}\"): "));
    let password = term.read_secure_line().ok()?;
    Some(Credentials {
        username: username.to_string(),
        secret: Secret::Password(password),
    })
}
