//! `--interval DURATION`: what happened in each interval of a bulk run, one line (or
//! one `bulk_interval` JSON object) per interval, counted from the start (`--start-at`
//! when given, so that the intervals of shards on several machines line up and
//! `sipreg bulk merge` adds them by number). Counts are of the interval alone; the
//! figures "now" (in flight, registered, lapsed) are read at its end.

use super::latency::Latencies;
use super::report::{
    failures_from_json, failures_json, latencies_from_json, latencies_hdr, percentiles_json,
    FailureKey,
};
use super::stats::Stats;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// The counters an interval is the difference of.
#[derive(Debug, Clone, Default)]
struct Totals {
    attempted: u64,
    completed: u64,
    failed: u64,
    refreshed: u64,
    retransmissions: u64,
    lapses: u64,
    failures: BTreeMap<FailureKey, u64>,
}

impl Totals {
    fn of(s: &Stats) -> Totals {
        Totals {
            attempted: s.attempted,
            completed: s.main_completed,
            failed: s.main_failed,
            refreshed: s.refreshed,
            retransmissions: s.retransmissions,
            lapses: s.lapses,
            failures: s
                .failures
                .iter()
                .map(|(k, n)| ((k.op.to_string(), k.status, k.reason.clone()), *n))
                .collect(),
        }
    }
}

/// One interval's figures.
#[derive(Debug, Clone, Default)]
pub struct IntervalReport {
    /// `I/N` of the shard, or `*/N` once merged.
    pub shard: String,
    /// From 1.
    pub index: u64,
    pub from: Duration,
    pub to: Duration,
    pub started: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub refreshed: u64,
    pub retransmissions: u64,
    /// Grants that had run out before the success that renewed them.
    pub lapses: u64,
    pub failures: BTreeMap<FailureKey, u64>,
    pub in_flight: u64,
    pub registered: u64,
    /// AORs whose grant had run out and was not renewed, at the end of the interval.
    pub lapsed: u64,
    /// Main operations (registers, queries or removals), and refreshes.
    pub latencies: Latencies,
    pub refresh_latencies: Latencies,
}

/// Cuts a run into intervals: each `take` reports what changed since the last.
#[derive(Debug, Default)]
pub struct Intervals {
    every: Duration,
    shard: String,
    taken: u64,
    before: Totals,
}

/// What is read off the endpoint at the end of an interval.
pub struct Now {
    pub in_flight: u64,
    pub registered: u64,
    pub lapsed: u64,
}

impl Intervals {
    pub fn new(every: Duration, shard: String) -> Intervals {
        Intervals {
            every,
            shard,
            ..Intervals::default()
        }
    }

    /// When interval `taken + 1` ends, from the origin.
    pub fn next_end(&self) -> Duration {
        self.every * u32::try_from(self.taken + 1).unwrap_or(u32::MAX)
    }

    /// When the interval under way began, from the origin.
    pub fn current_start(&self) -> Duration {
        self.every * u32::try_from(self.taken).unwrap_or(u32::MAX)
    }

    /// The interval that ends at `at` (from the origin): the counts since the last
    /// one, and the latencies of main operations and of refreshes recorded since then.
    pub fn take(
        &mut self,
        stats: &Stats,
        [latencies, refresh_latencies]: [Latencies; 2],
        now: Now,
        at: Duration,
    ) -> IntervalReport {
        let totals = Totals::of(stats);
        let b = &self.before;
        let mut failures = BTreeMap::new();
        for (k, n) in &totals.failures {
            let new = n - b.failures.get(k).copied().unwrap_or(0);
            if new > 0 {
                failures.insert(k.clone(), new);
            }
        }
        let from = self.current_start();
        self.taken += 1;
        let report = IntervalReport {
            shard: self.shard.clone(),
            index: self.taken,
            from,
            to: at,
            started: totals.attempted - b.attempted,
            succeeded: totals.completed - b.completed,
            failed: totals.failed - b.failed,
            refreshed: totals.refreshed - b.refreshed,
            retransmissions: totals.retransmissions - b.retransmissions,
            lapses: totals.lapses - b.lapses,
            failures,
            in_flight: now.in_flight,
            registered: now.registered,
            lapsed: now.lapsed,
            latencies,
            refresh_latencies,
        };
        self.before = totals;
        report
    }
}

impl IntervalReport {
    pub fn json(&self) -> Value {
        let failures = failures_json(&self.failures);
        json!({
            "event": "bulk_interval",
            "shard": self.shard,
            "interval": self.index,
            "from_s": self.from.as_secs_f64(),
            "to_s": (self.to.as_secs_f64() * 1000.0).round() / 1000.0,
            "started": self.started,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "refreshed": self.refreshed,
            "failures": failures,
            "retransmissions": self.retransmissions,
            "lapses": self.lapses,
            "in_flight": self.in_flight,
            "registered": self.registered,
            "lapsed": self.lapsed,
            "latency_ms": percentiles_json(&self.latencies),
            "latency_hdr": latencies_hdr(&self.latencies),
            "refresh_latency_ms": percentiles_json(&self.refresh_latencies),
            "refresh_latency_hdr": latencies_hdr(&self.refresh_latencies),
        })
    }

    pub fn human(&self) -> String {
        let latency = match (self.latencies.figures(), self.refresh_latencies.figures()) {
            (Some(l), _) => format!("p50 {} ms, p99 {} ms, max {} ms", l.p50, l.p99, l.max),
            (None, Some(r)) => format!(
                "refreshes p50 {} ms, p99 {} ms, max {} ms",
                r.p50, r.p99, r.max
            ),
            (None, None) => "no latency".into(),
        };
        let failed = if self.failures.is_empty() {
            String::new()
        } else {
            let by: Vec<String> = self
                .failures
                .iter()
                .map(|((op, status, _), n)| {
                    format!("{n} {op} {}", status.map_or("-".into(), |s| s.to_string()))
                })
                .collect();
            format!(" ({})", by.join(", "))
        };
        format!(
            "[{:>6.1}s] started {}, succeeded {}, failed {}{failed}, refreshed {}, retransmitted {}, in flight {}, registered {}, lapsed {}; {latency}",
            self.to.as_secs_f64(),
            self.started,
            self.succeeded,
            self.failed,
            self.refreshed,
            self.retransmissions,
            self.in_flight,
            self.registered,
            self.lapsed,
        )
    }

    /// Reads a `bulk_interval` object back.
    pub fn from_json(v: &Value) -> Result<IntervalReport, String> {
        let n = |name: &str| v.get(name).and_then(Value::as_u64).unwrap_or(0);
        let secs = |name: &str| {
            v.get(name)
                .and_then(Value::as_f64)
                .and_then(|s| Duration::try_from_secs_f64(s).ok())
                .unwrap_or_default()
        };
        let failures = failures_from_json(v);
        let latencies = latencies_from_json(v, "latency_hdr")?;
        let refresh_latencies = latencies_from_json(v, "refresh_latency_hdr")?;
        Ok(IntervalReport {
            shard: v
                .get("shard")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            index: v
                .get("interval")
                .and_then(Value::as_u64)
                .ok_or("no \"interval\"")?,
            from: secs("from_s"),
            to: secs("to_s"),
            started: n("started"),
            succeeded: n("succeeded"),
            failed: n("failed"),
            refreshed: n("refreshed"),
            retransmissions: n("retransmissions"),
            lapses: n("lapses"),
            failures,
            in_flight: n("in_flight"),
            registered: n("registered"),
            lapsed: n("lapsed"),
            latencies,
            refresh_latencies,
        })
    }

    /// Adds the same interval of another shard.
    pub fn add(&mut self, o: &IntervalReport) {
        for (mine, theirs) in [
            (&mut self.started, o.started),
            (&mut self.succeeded, o.succeeded),
            (&mut self.failed, o.failed),
            (&mut self.refreshed, o.refreshed),
            (&mut self.retransmissions, o.retransmissions),
            (&mut self.lapses, o.lapses),
            (&mut self.in_flight, o.in_flight),
            (&mut self.registered, o.registered),
            (&mut self.lapsed, o.lapsed),
        ] {
            // Saturating: the figures come from files, which may be corrupt.
            *mine = mine.saturating_add(theirs);
        }
        for (k, n) in &o.failures {
            let sum = self.failures.entry(k.clone()).or_default();
            *sum = sum.saturating_add(*n);
        }
        self.latencies.add(&o.latencies);
        self.refresh_latencies.add(&o.refresh_latencies);
        // A shard's last interval may end early (its run did): the merged one lasts
        // as long as the longest.
        self.to = self.to.max(o.to);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::endpoint::stats::FailureKind;
    use crate::core::{OpKind, RegError};

    #[test]
    fn each_interval_counts_only_its_own() {
        let mut stats = Stats::default();
        let mut iv = Intervals::new(Duration::from_secs(10), "1/2".into());
        let now = || Now {
            in_flight: 3,
            registered: 7,
            lapsed: 1,
        };
        stats.attempted = 10;
        stats.main_completed = 8;
        stats.main_failed = 1;
        let timeout = RegError::Timeout {
            destination: "127.0.0.1:5060".parse().unwrap(),
            after: Duration::from_secs(32),
        };
        stats
            .failures
            .insert(FailureKind::of(OpKind::Register, &timeout), 1);
        let first = iv.take(&stats, Default::default(), now(), Duration::from_secs(10));
        assert_eq!(
            (first.index, first.started, first.succeeded, first.failed),
            (1, 10, 8, 1)
        );
        assert_eq!(first.failures.values().sum::<u64>(), 1);
        assert_eq!(iv.next_end(), Duration::from_secs(20));
        stats.attempted = 15;
        stats.main_completed = 14;
        let second = iv.take(&stats, Default::default(), now(), Duration::from_secs(20));
        assert_eq!(
            (
                second.index,
                second.started,
                second.succeeded,
                second.failed
            ),
            (2, 5, 6, 0)
        );
        assert!(second.failures.is_empty());
        assert_eq!(second.from, Duration::from_secs(10));
        let back = IntervalReport::from_json(&second.json()).unwrap();
        assert_eq!((back.index, back.started, back.registered), (2, 5, 7));
        let mut merged = first.clone();
        merged.add(&first);
        assert_eq!((merged.started, merged.in_flight), (20, 6));
    }
}
