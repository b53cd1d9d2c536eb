//! What a bulk run counts while it runs, and the figures of its summary.

use crate::core::{OpKind, RegError};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Upper bounds (ms) of the latency buckets in the JSON summary. Fixed, so that the
/// buckets of several shards add up and percentiles can be read off their sum.
pub const LATENCY_BUCKETS_MS: [f64; 16] = [
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
    10000.0, 30000.0,
];

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
    /// operation of every AOR that completed it, in microseconds.
    pub latencies_us: Vec<u32>,
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
        let us = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.push(us);
        self.last_final = Some(now);
    }

    pub fn record_start(&mut self, now: Instant) {
        self.first_start.get_or_insert(now);
        self.last_start = Some(now);
        self.attempted += 1;
    }

    /// Main operations that reached an end, well or badly.
    pub fn main_done(&self) -> u64 {
        self.latencies_us.len() as u64 + self.main_failed
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

/// Latency figures in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
    /// Counts per bucket of `LATENCY_BUCKETS_MS`, and one more for longer.
    pub buckets: Vec<u64>,
}

impl Latency {
    /// None without samples.
    pub fn of(samples_us: &[u32]) -> Option<Latency> {
        if samples_us.is_empty() {
            return None;
        }
        let mut sorted = samples_us.to_vec();
        sorted.sort_unstable();
        // nearest rank: the smallest sample with at least p of them at or below it
        let rank = |p: f64| {
            let k = (p * sorted.len() as f64).ceil() as usize;
            ms(sorted[k.clamp(1, sorted.len()) - 1])
        };
        let mut buckets = vec![0u64; LATENCY_BUCKETS_MS.len() + 1];
        for &us in &sorted {
            let i = LATENCY_BUCKETS_MS
                .iter()
                .position(|&bound| ms(us) <= bound)
                .unwrap_or(LATENCY_BUCKETS_MS.len());
            buckets[i] += 1;
        }
        let sum: f64 = sorted.iter().map(|&us| f64::from(us)).sum();
        Some(Latency {
            p50: rank(0.50),
            p90: rank(0.90),
            p99: rank(0.99),
            max: ms(sorted[sorted.len() - 1]),
            mean: sum / sorted.len() as f64 / 1000.0,
            buckets,
        })
    }
}

fn ms(us: u32) -> f64 {
    f64::from(us) / 1000.0
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
    fn percentiles_by_nearest_rank() {
        let samples: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        let l = Latency::of(&samples).unwrap();
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(l.mean, 50.5);
        assert_eq!(l.buckets.iter().sum::<u64>(), 100);
        // 1 ms, 2 ms, then 3..=5, 6..=10, 11..=20, 21..=50, 51..=100
        assert_eq!(&l.buckets[2..9], &[1, 1, 3, 5, 10, 30, 50]);
        assert!(Latency::of(&[]).is_none());
        let one = Latency::of(&[700]).unwrap();
        assert_eq!((one.p50, one.p99, one.max), (0.7, 0.7, 0.7));
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
