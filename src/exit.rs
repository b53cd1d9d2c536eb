//! The exit-status contract, the same for every command (README, man page). The
//! core and the library say what happened; this is the one place that maps it to a
//! status.

use crate::core::RegError;
use crate::error::Error;

/// The process's exit status when a second Ctrl-C or SIGTERM cuts the removal of the
/// bindings short: 128 + SIGINT, as a shell reports a program that Ctrl-C ended.
pub const INTERRUPTED_TWICE: i32 = 130;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success; for an interrupted `register`, the binding was removed.
    Success = 0,
    /// A failure not listed below: I/O, DNS, TLS, malformed response.
    Failure = 1,
    /// Bad arguments, unparsable URI.
    Usage = 2,
    /// Credentials rejected (403, or a repeated non-stale challenge), or none available.
    Auth = 3,
    /// No response: transaction timeout, registrar unreachable.
    NoResponse = 4,
    /// Another final response refused the request.
    Refused = 5,
    /// An `--expect-…` option did not hold.
    Expectation = 6,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status a command ends with after `error`.
    pub fn of(error: &Error) -> ExitStatus {
        match error {
            Error::Usage(_) => ExitStatus::Usage,
            Error::Registration(e) => ExitStatus::of_registration(e),
            Error::Io { .. } | Error::Resolve { .. } => ExitStatus::Failure,
            Error::Credentials(_) => ExitStatus::Auth,
        }
    }

    /// The status for an operation of the core that failed.
    pub fn of_registration(error: &RegError) -> ExitStatus {
        match error {
            RegError::Auth(_)
            | RegError::Forbidden { .. }
            | RegError::ChallengeLoop(_)
            | RegError::RedirectedAuth { .. } => ExitStatus::Auth,
            RegError::Transport(_) | RegError::Malformed(_) | RegError::TooLarge { .. } => {
                ExitStatus::Failure
            }
            // Refused connections, ICMP unreachable, no route: as when it never answers.
            RegError::Timeout { .. } | RegError::Unreachable(_) => ExitStatus::NoResponse,
            RegError::Refused { .. }
            | RegError::IntervalLoop { .. }
            | RegError::NothingGranted { .. }
            | RegError::BindingMissing { .. } => ExitStatus::Refused,
        }
    }

    /// The table printed in `--help` and the man page.
    pub const TABLE: &'static str = "\
Exit status:
  0  success (register interrupted by Ctrl-C/SIGTERM: the binding was removed)
  1  failure not listed below: I/O, DNS, TLS, malformed response
  2  usage error: bad arguments, unparsable URI
  3  authentication failed: credentials rejected (403, or a repeated challenge
     that is not stale), or none available
  4  no response: transaction timeout, registrar unreachable
  5  registrar refused with another final response
  6  an expectation option (--expect-...) did not hold";
}
