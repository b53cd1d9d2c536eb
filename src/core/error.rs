use crate::auth::AuthError;
use crate::exit::ExitStatus;
use std::net::SocketAddr;
use std::time::Duration;
use thiserror::Error;

/// Why an operation of the registration ended without success.
#[derive(Debug, Clone, Error)]
pub enum RegError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("credentials rejected: the registrar answered {status} {reason}")]
    Forbidden { status: u16, reason: String },
    #[error("no response from {destination} after {}", humantime::format_duration(*after))]
    Timeout {
        destination: SocketAddr,
        after: Duration,
    },
    #[error("registrar refused: {status} {reason}")]
    Refused {
        status: u16,
        reason: String,
        retry_after: Option<u32>,
    },
    #[error("registrar answered 423 Interval Too Brief {tries} times (last Min-Expires: {min_expires:?}); giving up")]
    IntervalLoop {
        tries: u32,
        min_expires: Option<u32>,
    },
    #[error("registrar answered {status} {reason} but granted no time to our contact (expires 0)")]
    NothingGranted { status: u16, reason: String },
    #[error("too many challenges in one request ({0}); giving up")]
    ChallengeLoop(u32),
}

impl RegError {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            RegError::Auth(_) | RegError::Forbidden { .. } | RegError::ChallengeLoop(_) => {
                ExitStatus::Auth
            }
            RegError::Timeout { .. } => ExitStatus::NoResponse,
            RegError::Refused { .. }
            | RegError::IntervalLoop { .. }
            | RegError::NothingGranted { .. } => ExitStatus::Refused,
        }
    }

    /// The final SIP status, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegError::Forbidden { status, .. }
            | RegError::Refused { status, .. }
            | RegError::NothingGranted { status, .. } => Some(*status),
            RegError::IntervalLoop { .. } => Some(423),
            _ => None,
        }
    }
}
