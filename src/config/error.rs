//! What can be wrong with the config file, worded with the file's path and, where it
//! helps, the line to fix. Never holds a password.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error(
        "no config file at {}: create it with a [profiles.NAME] table per account \
         (see the FILES section of `sipreg man`), or give --config PATH",
        path.display()
    )]
    Missing { path: PathBuf },

    #[error(
        "cannot locate the config file: neither XDG_CONFIG_HOME nor HOME is set; \
         give --config PATH"
    )]
    NoLocation,

    #[error("cannot read the config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// TOML syntax, or a value of the wrong type or an unknown key in a profile.
    #[error("{}, line {line}, column {column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A value that is valid TOML but not a valid setting.
    #[error("{}, line {line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("{}: there is no profile {name:?} (profiles: {})", path.display(), list(available))]
    NoSuchProfile {
        path: PathBuf,
        name: String,
        available: Vec<String>,
    },

    #[error(
        "{}, line {line}: refusing a literal password in a file other users can read \
         (mode {mode:03o}): run `chmod 600 {}`, or use password_env, password_file or \
         password_command instead",
        path.display(),
        path.display()
    )]
    ReadableByOthers {
        path: PathBuf,
        line: usize,
        mode: u32,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

impl From<ConfigError> for crate::Error {
    /// An unreadable file is an I/O failure (exit 1); everything else is a mistake
    /// in what the user gave, to fix like a bad argument (exit 2).
    fn from(e: ConfigError) -> crate::Error {
        match e {
            ConfigError::Read { path, source } => crate::Error::io(
                format!("cannot read the config file {}", path.display()),
                source,
            ),
            other => crate::Error::Usage(other.to_string()),
        }
    }
}
