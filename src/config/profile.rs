//! One account of the config file, checked: every value here is usable as it is,
//! except URIs, which the commands parse (they know which option each one stands for).

use crate::cli::TransportArg;
use std::fmt;
use std::path::PathBuf;

/// A value with the line of the config file it came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// A password written in the config file. Its Debug form hides it, so that a
/// profile can be logged or printed in a test failure without leaking it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct LiteralPassword(String);

impl LiteralPassword {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for LiteralPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LiteralPassword(<hidden>)")
    }
}

/// Where a profile's password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// `password_env`: the name of an environment variable.
    Env(String),
    /// `password_file`: the first line of this file (relative paths are taken from
    /// the config file's directory, `~/` from HOME).
    File(PathBuf),
    /// `password_command`: the first line this shell command prints.
    Command(String),
    /// `password`: accepted only from a file its owner alone can read.
    Literal(LiteralPassword),
}

impl CredentialSource {
    /// How `sipreg profiles` shows the source: where it is, never the secret.
    pub fn describe(&self) -> String {
        match self {
            CredentialSource::Env(name) => format!("environment variable {name}"),
            CredentialSource::File(path) => format!("file {}", path.display()),
            CredentialSource::Command(command) => format!("command `{command}`"),
            CredentialSource::Literal(_) => "password in the config file".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub aor: Option<Located<String>>,
    pub registrar: Option<Located<String>>,
    pub user: Option<String>,
    pub transport: Option<TransportArg>,
    pub proxy: Option<Located<String>>,
    pub contact: Option<Located<String>>,
    /// Requested expiry in seconds.
    pub expires: Option<u32>,
    /// Header lines for every request (`headers = ["X-Tenant: 42"]`), checked.
    pub headers: Vec<String>,
    pub credentials: Option<CredentialSource>,
}
