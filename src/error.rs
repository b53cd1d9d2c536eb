//! The library's error type: every failure maps to exactly one exit status.

use crate::core::RegError;
use crate::exit::ExitStatus;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// Bad arguments; the text says what to fix.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Registration(#[from] RegError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot resolve {host}: {reason}")]
    Resolve { host: String, reason: String },
    /// A credential source that was named could not be read.
    #[error("{0}")]
    Credentials(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Shorthand for [`ExitStatus::of`].
    pub fn exit_status(&self) -> ExitStatus {
        ExitStatus::of(self)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
