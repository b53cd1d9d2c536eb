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
    Success,
    /// A failure not listed below: I/O, DNS, TLS, malformed response.
    Failure,
    /// Bad arguments, unparsable URI.
    Usage,
    /// Credentials rejected (403, or a repeated non-stale challenge), or none available.
    Auth,
    /// No response: transaction timeout, registrar unreachable.
    NoResponse,
    /// Another final response refused the request.
    Refused,
    /// An `--expect-…` option did not hold.
    Expectation,
    /// `-o nagios`: a monitoring plugin's state, whose own table replaces the above.
    Monitoring(PluginState),
}

/// The state of a monitoring plugin (monitoring-plugins development guidelines), and
/// its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PluginState {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl PluginState {
    pub fn word(self) -> &'static str {
        match self {
            PluginState::Ok => "OK",
            PluginState::Warning => "WARNING",
            PluginState::Critical => "CRITICAL",
            PluginState::Unknown => "UNKNOWN",
        }
    }

    /// What sipreg's own status means to a monitoring system: the registrar refused,
    /// failed or did not answer (CRITICAL), or the check itself could not be made
    /// (UNKNOWN: a usage error, a local failure, an interrupted run).
    pub fn of(status: ExitStatus) -> PluginState {
        match status {
            ExitStatus::Success => PluginState::Ok,
            ExitStatus::Auth
            | ExitStatus::NoResponse
            | ExitStatus::Refused
            | ExitStatus::Expectation => PluginState::Critical,
            ExitStatus::Failure | ExitStatus::Usage => PluginState::Unknown,
            ExitStatus::Monitoring(state) => state,
        }
    }
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Auth => 3,
            ExitStatus::NoResponse => 4,
            ExitStatus::Refused => 5,
            ExitStatus::Expectation => 6,
            ExitStatus::Monitoring(state) => state as u8,
        }
    }

    /// The status a monitoring system reads (`-o nagios`).
    pub fn as_plugin(self) -> ExitStatus {
        ExitStatus::Monitoring(PluginState::of(self))
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
  6  an expectation option (--expect-...) did not hold
With -o nagios, the monitoring-plugins statuses instead: 0 OK, 1 WARNING
(--warning-time), 2 CRITICAL (refused, no answer, credentials rejected, an
expectation or --critical-time failed), 3 UNKNOWN (usage or local error)";
}
