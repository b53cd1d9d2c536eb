use crate::auth::AuthError;
use std::net::SocketAddr;
use std::time::Duration;
use thiserror::Error;

/// Why an operation of the registration ended without success.
#[derive(Debug, Clone, Error)]
pub enum RegError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A 403. `credentials_sent`: our request carried an answer to a challenge; when
    /// it did not, the registrar refused us for another reason (an account disabled,
    /// an address not allowed), which its Warning header may say.
    #[error("{}", forbidden_text(*status, reason, *credentials_sent, warning.as_deref()))]
    Forbidden {
        status: u16,
        reason: String,
        credentials_sent: bool,
        warning: Option<String>,
    },
    #[error("no response from {destination} after {}", humantime::format_duration(Duration::from_millis(after.as_millis() as u64)))]
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
    #[error("registrar answered {status} {reason} without listing our contact, twice")]
    BindingMissing { status: u16, reason: String },
    #[error("transport failure: {0}")]
    Transport(String),
    /// The registrar cannot be reached: an ICMP port or host unreachable, a refused
    /// or timed-out connection, no route. Ends a run as a timeout does (RFC 3261
    /// §18.4: a transport error; RFC 3263 §4.3: try the next target).
    #[error("registrar unreachable: {0}")]
    Unreachable(String),
    /// Our request would not fit in one UDP datagram (RFC 3261 §18.1.1 asks for a
    /// congestion-controlled transport for large requests).
    #[error("the REGISTER would be {bytes} bytes, more than one UDP datagram carries ({limit}): use -t tcp or -t tls")]
    TooLarge { bytes: usize, limit: usize },
    /// An answer to our request (it carried our branch) that could not be read.
    #[error("malformed response to our request: {0}")]
    Malformed(String),
    #[error("redirected to {domain}: credentials are not sent to another domain")]
    RedirectedAuth { domain: String },
    #[error("too many challenges in one request ({0}); giving up")]
    ChallengeLoop(u32),
}

impl RegError {
    /// A failure that may pass: staying mode retries it with back-off. Rejected
    /// credentials only with `retry_auth` (--retry-auth); a registrar that keeps
    /// asking for another interval, or a 4xx other than 408/480, never.
    pub fn is_transient(&self, retry_auth: bool) -> bool {
        match self {
            RegError::Timeout { .. }
            | RegError::Transport(_)
            | RegError::Unreachable(_)
            | RegError::Malformed(_)
            | RegError::NothingGranted { .. }
            | RegError::BindingMissing { .. } => true,
            RegError::Refused { status, .. } => matches!(status, 408 | 480 | 500..=699),
            RegError::Auth(_)
            | RegError::Forbidden { .. }
            | RegError::ChallengeLoop(_)
            | RegError::RedirectedAuth { .. } => retry_auth,
            RegError::IntervalLoop { .. } | RegError::TooLarge { .. } => false,
        }
    }

    /// The registrar's Retry-After, in seconds.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            RegError::Refused { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The final SIP status, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            RegError::Forbidden { status, .. }
            | RegError::Refused { status, .. }
            | RegError::NothingGranted { status, .. }
            | RegError::BindingMissing { status, .. } => Some(*status),
            RegError::IntervalLoop { .. } => Some(423),
            _ => None,
        }
    }
}

fn forbidden_text(
    status: u16,
    reason: &str,
    credentials_sent: bool,
    warning: Option<&str>,
) -> String {
    let warning = warning
        .map(|w| format!(" (Warning: {w})"))
        .unwrap_or_default();
    if credentials_sent {
        format!("credentials rejected: the registrar answered {status} {reason}{warning}")
    } else {
        format!(
            "refused by the registrar before any credentials were sent: {status} {reason}{warning}"
        )
    }
}
