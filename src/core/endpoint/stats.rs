//! What a bulk run counts while it runs, and the figures of its summary.

use super::latency::Latencies;
use crate::core::{OpKind, RegError};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How failures are grouped in the summary: the operation, the final SIP status (None:
/// no final response) and the error as a sentence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FailureKind {
    pub op: &'static str,
    pub status: Option<u16>,
    pub reason: String,
}

impl FailureKind {
    pub fn of(op: OpKind, error: &RegError) -> FailureKind {
        let reason = match error {
            // The time waited differs by a millisecond here and there; leaving it out
            // keeps one group for one cause.
            RegError::Timeout { destination, .. } => format!("no response from {destination}"),
            other => other.to_string(),
        };
        FailureKind {
            op: op_name(op),
            status: error.status(),
            reason,
        }
    }

    pub fn redirected(op: OpKind, target: &crate::sip::SipUri) -> FailureKind {
        FailureKind {
            op: op_name(op),
            status: None,
            reason: format!("redirected to {target}, which bulk mode does not follow"),
        }
    }
}

pub fn op_name(op: OpKind) -> &'static str {
    match op {
        OpKind::Register => "register",
        OpKind::Refresh => "refresh",
        OpKind::Query => "query",
        OpKind::Unregister => "unregister",
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    /// Operations that completed, by kind.
    pub registered: u64,
    pub refreshed: u64,
    pub queried: u64,
    pub unregistered: u64,
    pub failures: BTreeMap<FailureKind, u64>,
    /// Timer E retransmissions sent.
    pub retransmissions: u64,
    /// Challenges answered after a 401/407 (pre-emptive answers that were accepted
    /// are not counted: they cost no round trip).
    pub challenges: u64,
    pub interval_too_brief: u64,
    /// Failed attempts that a staying run retries after a back-off.
    pub retried: u64,
    /// Keep-alive pings sent (CRLF or STUN, RFC 5626 §4.4).
    pub keepalives: u64,
    /// Flows found dead: a keep-alive unanswered, a connection lost under a binding.
    pub flow_failures: u64,
    /// Connections the driver was asked to reopen.
    pub reconnects: u64,
    /// Reachability probes that reached their own contact through the registrar,
    /// and those that did not.
    pub reachable: u64,
    pub unreachable: u64,
    /// Datagrams that were no response of any registration of ours, or that the
    /// registration ignored (duplicates, late answers).
    pub ignored: u64,
    pub unreadable: u64,
    pub send_errors: u64,
    /// Query: bindings listed, and AORs that had at least one.
    pub bindings: u64,
    pub aors_with_bindings: u64,
    /// Whole-operation latency (first request to final response) of the main
    /// operation of every AOR that completed it, and of those that completed since
    /// the last `--interval` report.
    pub latencies: Latencies,
    pub interval_latencies: Latencies,
    /// The same for the refreshes of a staying run (a soak's steady state).
    pub refresh_latencies: Latencies,
    pub interval_refresh_latencies: Latencies,
    /// Main operations that completed.
    pub main_completed: u64,
    /// Registrations whose grant had run out before a refresh (or a new register)
    /// succeeded: the registrar had dropped the binding in between.
    pub lapses: u64,
    /// At the start of the removal, AORs whose grant had run out and was not
    /// renewed: lapses that never recovered.
    pub lapsed_at_end: u64,
    /// AORs registered when the removal began (a staying run's population at its end).
    pub registered_at_end: u64,
    /// When the first and the latest main operation started, and when the latest
    /// final response of a main operation arrived.
    pub first_start: Option<Instant>,
    pub last_start: Option<Instant>,
    pub last_final: Option<Instant>,
    /// Main operations started, and those that failed.
    pub attempted: u64,
    pub main_failed: u64,
}

impl Stats {
    pub fn record_latency(&mut self, elapsed: Duration, now: Instant) {
        self.latencies.record(elapsed);
        self.interval_latencies.record(elapsed);
        self.main_completed += 1;
        self.last_final = Some(now);
    }

    pub fn record_refresh_latency(&mut self, elapsed: Duration) {
        self.refresh_latencies.record(elapsed);
        self.interval_refresh_latencies.record(elapsed);
    }

    pub fn record_start(&mut self, now: Instant) {
        self.first_start.get_or_insert(now);
        self.last_start = Some(now);
        self.attempted += 1;
    }

    /// Main operations that reached an end, well or badly.
    pub fn main_done(&self) -> u64 {
        self.main_completed + self.main_failed
    }

    /// Main operations started per second, over the time the starts took. With one
    /// start (or all at once) there is no interval to divide by.
    pub fn start_rate(&self) -> Option<f64> {
        let span = self
            .last_start?
            .duration_since(self.first_start?)
            .as_secs_f64();
        (self.attempted > 1 && span > 0.0).then(|| (self.attempted - 1) as f64 / span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_group_whatever_the_time_waited() {
        let timeout = |ms| RegError::Timeout {
            destination: "127.0.0.1:5060".parse().unwrap(),
            after: Duration::from_millis(ms),
        };
        let a = FailureKind::of(OpKind::Register, &timeout(1000));
        let b = FailureKind::of(OpKind::Register, &timeout(1001));
        assert_eq!(a, b);
        assert_eq!(a.reason, "no response from 127.0.0.1:5060");
    }

    #[test]
    fn start_rate_over_the_span_of_starts() {
        let t0 = Instant::now();
        let mut s = Stats::default();
        assert_eq!(s.start_rate(), None);
        for k in 0..11 {
            s.record_start(t0 + Duration::from_millis(100 * k));
        }
        assert_eq!(s.start_rate(), Some(10.0));
    }
}
