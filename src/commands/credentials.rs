//! Where the secret comes from: never needed on the command line.

use crate::auth::{Credentials, Secret};
use crate::cli::CredentialArgs;
use crate::config::CredentialSource;
use crate::error::{Error, Result};
use crate::output::Output;
use std::io::BufRead;
use std::process::{Command, Stdio};

pub const PASSWORD_ENV: &str = "SIPREG_PASSWORD";
pub const HA1_ENV: &str = "SIPREG_HA1";

/// A profile's password source, with the profile's name for messages.
pub struct ProfileSecret<'a> {
    pub profile: &'a str,
    pub source: &'a CredentialSource,
}

/// The credentials configured by options, profile or environment, in this order:
/// `--ha1`, `-p`, `--password-file`, `--password-stdin` (the command line), then the
/// profile's source, then SIPREG_HA1 and SIPREG_PASSWORD (the environment). None
/// when nothing was given: the command may still prompt when challenged.
pub fn configured(
    args: &CredentialArgs,
    profile: Option<ProfileSecret<'_>>,
    username: &str,
    output: &Output,
) -> Result<Option<Credentials>> {
    let credentials = |secret| {
        Ok(Some(Credentials {
            username: username.to_string(),
            secret,
        }))
    };
    // clap fills --ha1 from SIPREG_HA1 too; the environment ranks below a profile.
    let ha1_from_env = args.ha1.is_some() && std::env::var(HA1_ENV).ok() == args.ha1;
    if let Some(ha1) = args.ha1.as_ref().filter(|_| !ha1_from_env) {
        return credentials(checked_ha1(ha1, "--ha1")?);
    }
    if let Some((secret, from)) = command_line_password(args, output)? {
        return credentials(not_empty(secret, from)?);
    }
    if let Some(p) = profile {
        let from = format!("profile {:?}", p.profile);
        return credentials(not_empty(from_profile(&p)?, &from)?);
    }
    if let Some(ha1) = &args.ha1 {
        return credentials(checked_ha1(ha1, HA1_ENV)?);
    }
    match std::env::var(PASSWORD_ENV) {
        Ok(p) => credentials(not_empty(Secret::Password(p), PASSWORD_ENV)?),
        Err(_) => Ok(None),
    }
}

/// `from` names where the HA1 came from (`--ha1` or SIPREG_HA1), so that the user
/// knows which one to fix.
fn checked_ha1(ha1: &str, from: &str) -> Result<Secret> {
    let secret = Secret::Ha1(ha1.to_string());
    secret
        .check()
        .map_err(|e| Error::Usage(format!("{from}: {e}")))?;
    Ok(secret)
}

/// An empty password is refused before anything is sent: a registrar would only
/// reject it, and an empty variable or file is far more often a mistake.
fn not_empty(secret: Secret, from: &str) -> Result<Secret> {
    match &secret {
        Secret::Password(p) if p.is_empty() => Err(Error::Credentials(format!(
            "the password from {from} is empty"
        ))),
        _ => Ok(secret),
    }
}

/// The password the command line names, and the option that named it.
fn command_line_password(
    args: &CredentialArgs,
    output: &Output,
) -> Result<Option<(Secret, &'static str)>> {
    if let Some(p) = &args.password {
        output.warn(
            "a password given with -p is visible to other users (ps, shell history); \
             prefer SIPREG_PASSWORD, --password-file or --password-stdin",
        );
        return Ok(Some((Secret::Password(p.clone()), "-p")));
    }
    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read --password-file {}: {e}",
                path.display()
            ))
        })?;
        return Ok(Some((
            Secret::Password(first_line(&text)),
            "--password-file",
        )));
    }
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Error::io("cannot read the password from standard input", e))?;
        return Ok(Some((
            Secret::Password(first_line(&line)),
            "--password-stdin",
        )));
    }
    Ok(None)
}

/// Reads a profile's source. A source that was named but yields nothing is an
/// error (exit 3), never a silent fall-through to another source.
fn from_profile(p: &ProfileSecret<'_>) -> Result<Secret> {
    let name = p.profile;
    let password = match p.source {
        CredentialSource::Env(var) => std::env::var(var).map_err(|_| {
            Error::Credentials(format!(
                "profile {name:?}: the environment variable {var} (password_env) is not set"
            ))
        })?,
        CredentialSource::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::Credentials(format!(
                    "profile {name:?}: cannot read password_file {}: {e}",
                    path.display()
                ))
            })?;
            first_line(&text)
        }
        CredentialSource::Command(command) => run_password_command(name, command)?,
        CredentialSource::Literal(password) => password.expose().to_string(),
    };
    Ok(Secret::Password(password))
}

/// Runs `password_command` through `sh -c` and takes the first line it prints. Its
/// stdin and stderr stay ours, so that a tool like `pass` can ask for a passphrase;
/// its output is never shown, not even when it fails.
fn run_password_command(profile: &str, command: &str) -> Result<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| {
            Error::Credentials(format!(
                "profile {profile:?}: cannot run password_command: {e}"
            ))
        })?;
    if !out.status.success() {
        let how = out.status.code().map_or_else(
            || "was killed by a signal".to_string(),
            |c| format!("exited with status {c}"),
        );
        return Err(Error::Credentials(format!(
            "profile {profile:?}: password_command `{command}` {how}"
        )));
    }
    let password = first_line(&String::from_utf8_lossy(&out.stdout));
    if password.is_empty() {
        return Err(Error::Credentials(format!(
            "profile {profile:?}: password_command `{command}` printed no password"
        )));
    }
    Ok(password)
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
    // The realm comes from the registrar: shown, never obeyed.
    let realm = crate::output::terminal_safe(realm);
    let ask = format!("Password for {username} (realm \"{realm}\"): ");
    // Nothing typed is no password: the challenge then fails as unanswerable.
    let password = read_hidden_line(&ask).ok().filter(|p| !p.is_empty())?;
    Some(Credentials {
        username: username.to_string(),
        secret: Secret::Password(password),
    })
}

/// Reads one line from the controlling terminal with echo off. Echo goes off *before*
/// the prompt is shown, as getpass(3) does: switched off after it, keys typed as soon
/// as the prompt appears are echoed and then thrown away by the flush that comes with
/// the switch (seen in CI: the password on the screen and an empty one sent).
fn read_hidden_line(ask: &str) -> std::io::Result<String> {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    let fd = tty.as_raw_fd();
    let mut saved = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: fd is an open terminal and `saved` is written by tcgetattr before use.
    if unsafe { libc::tcgetattr(fd, saved.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: tcgetattr succeeded, so the struct is initialised.
    let saved = unsafe { saved.assume_init() };
    let mut hidden = saved;
    hidden.c_lflag &= !libc::ECHO;
    // The Enter key still moves to the next line.
    hidden.c_lflag |= libc::ECHONL;
    // SAFETY: a valid termios for the same fd.
    if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &hidden) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // Echo comes back however the read ends.
    struct Restore(libc::c_int, libc::termios);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: the fd outlives this guard (dropped before `tty`).
            unsafe { libc::tcsetattr(self.0, libc::TCSANOW, &self.1) };
        }
    }
    let _restore = Restore(fd, saved);
    let mut stderr = std::io::stderr();
    stderr.write_all(ask.as_bytes())?;
    stderr.flush()?;
    let mut line = String::new();
    std::io::BufReader::new(&tty).read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
