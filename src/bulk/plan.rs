//! What a bulk run does with its population, and how fast.

use crate::core::{OpKind, Operation, Timers, UnregisterTarget};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Register every AOR once and leave the bindings in place.
    RegisterOnce,
    /// Register every AOR, refresh each before its grant runs out, and remove them all
    /// on Ctrl-C/SIGTERM or when `duration` (if any) has passed since the start.
    Stay { duration: Option<Duration> },
    /// List every AOR's bindings.
    Query,
    /// Remove every binding of every AOR (`Contact: *`).
    Unregister,
}

impl Mode {
    /// The operation every AOR starts with.
    pub fn operation(self) -> Operation {
        match self {
            Mode::RegisterOnce | Mode::Stay { .. } => Operation::Register,
            Mode::Query => Operation::Query,
            Mode::Unregister => Operation::Unregister(UnregisterTarget::All),
        }
    }

    /// The kind of the operation the summary is about (its latencies, its successes).
    pub fn main_kind(self) -> OpKind {
        match self {
            Mode::RegisterOnce | Mode::Stay { .. } => OpKind::Register,
            Mode::Query => OpKind::Query,
            Mode::Unregister => OpKind::Unregister,
        }
    }

    pub fn stays(self) -> bool {
        matches!(self, Mode::Stay { .. })
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::RegisterOnce | Mode::Stay { .. } => "register",
            Mode::Query => "query",
            Mode::Unregister => "unregister",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: Mode,
    /// New transactions per second.
    pub rate: f64,
    /// `--ramp`: the rate goes along this instead (and stays at its end rate).
    pub ramp: Option<crate::core::endpoint::ramp::Ramp>,
    /// Transactions in flight at most.
    pub concurrency: u32,
    pub timers: Timers,
    /// Requested expiry in seconds.
    pub expires: u32,
    pub user_agent: String,
    /// `-H` lines, and `--display-name` quoted.
    pub headers: Vec<String>,
    pub display_name: Option<String>,
    /// Staying mode: keep-alives this often (RFC 5626 §4.4); the registrar's
    /// Flow-Timer, when it sends one, is followed too.
    pub keepalive: Option<Duration>,
    /// How requests at the contacts are answered; None: they are not (a run that
    /// only queries or removes has no contact to be reached at).
    pub answer: Option<crate::core::uas::UasConfig>,
    /// Probe each AOR once after it registers (`--expect-reachable`).
    pub probe: bool,
}
