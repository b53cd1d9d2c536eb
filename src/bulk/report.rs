//! The summary at the end of a bulk run, for people and as one JSON object.
//!
//! The JSON object's counts add up across the shards of one load test: `population`,
//! `attempted`, `succeeded`, `failed`, `unfinished`, `not_started`, the operation
//! counts, every `failures[].count`, `retransmissions`, `challenges`,
//! `latency_buckets_ms[].count` and `cpu_ms`. Percentiles do not add; read them off
//! the summed buckets.

use super::engine::Tally;
use super::plan::Mode;
use super::shard::Shard;
use super::stats::{Latency, Stats, LATENCY_BUCKETS_MS};
use serde_json::{json, Value};
use std::time::Duration;

pub struct Summary<'a> {
    pub mode: Mode,
    pub rate_asked: f64,
    pub shard: Shard,
    pub tally: Tally,
    pub stats: &'a Stats,
    /// From the first start to the end of the run.
    pub elapsed: Duration,
    /// CPU time of the whole process (user and system).
    pub cpu: Option<Duration>,
    pub exit_status: u8,
}

impl Summary<'_> {
    fn latency(&self) -> Option<Latency> {
        Latency::of(&self.stats.latencies_us)
    }

    fn cpu_per_aor(&self) -> Option<Duration> {
        let attempted = u32::try_from(self.stats.attempted)
            .ok()
            .filter(|&n| n > 0)?;
        Some(self.cpu? / attempted)
    }

    pub fn json(&self) -> Value {
        let s = self.stats;
        let t = &self.tally;
        let latency = self.latency();
        let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
        let buckets: Vec<Value> = match &latency {
            Some(l) => l
                .buckets
                .iter()
                .enumerate()
                .map(|(i, count)| json!({"le": LATENCY_BUCKETS_MS.get(i), "count": count}))
                .collect(),
            None => Vec::new(),
        };
        let failures: Vec<Value> = s
            .failures
            .iter()
            .map(|(k, count)| {
                json!({"operation": k.op, "status": k.status, "reason": k.reason, "count": count})
            })
            .collect();
        let mut v = json!({
            "event": "bulk_summary",
            "command": self.mode.name(),
            "mode": match self.mode {
                Mode::RegisterOnce => "once",
                Mode::Stay { .. } => "stay",
                Mode::Query | Mode::Unregister => "once",
            },
            "shard": format!("{}/{}", self.shard.index, self.shard.count),
            "population": t.population,
            "attempted": s.attempted,
            "succeeded": t.succeeded,
            "failed": t.failed,
            "unfinished": t.unfinished,
            "not_started": t.not_started,
            "registered": s.registered,
            "refreshed": s.refreshed,
            "queried": s.queried,
            "unregistered": s.unregistered,
            "failures": failures,
            "retransmissions": s.retransmissions,
            "challenges": s.challenges,
            "interval_too_brief": s.interval_too_brief,
            "ignored": s.ignored,
            "unreadable": s.unreadable,
            "send_errors": s.send_errors,
            "latency_ms": latency.as_ref().map(|l| json!({
                "p50": l.p50, "p90": l.p90, "p99": l.p99, "max": l.max, "mean": round3(l.mean),
            })),
            "latency_buckets_ms": buckets,
            "rate_asked": self.rate_asked,
            "rate": s.start_rate().map(|r| (r * 10.0).round() / 10.0),
            "elapsed_s": round3(self.elapsed.as_secs_f64()),
            "cpu_ms": self.cpu.map(|c| round3(c.as_secs_f64() * 1000.0)),
            "cpu_us_per_aor": self.cpu_per_aor().map(|c| round3(c.as_secs_f64() * 1e6)),
            "exit_status": self.exit_status,
        });
        if let Mode::Stay { .. } = self.mode {
            v["retried"] = json!(s.retried);
            v["keepalives"] = json!(s.keepalives);
            v["flow_failures"] = json!(s.flow_failures);
            v["reconnects"] = json!(s.reconnects);
        }
        if s.reachable + s.unreachable > 0 {
            v["reachable"] = json!(s.reachable);
            v["unreachable"] = json!(s.unreachable);
        }
        if self.mode == Mode::Query {
            v["bindings"] = json!(s.bindings);
            v["aors_with_bindings"] = json!(s.aors_with_bindings);
        }
        v
    }

    pub fn human(&self) -> Vec<String> {
        let s = self.stats;
        let t = &self.tally;
        let verb = match self.mode {
            Mode::RegisterOnce | Mode::Stay { .. } => "registered",
            Mode::Query => "queried",
            Mode::Unregister => "unregistered",
        };
        let mut head = format!(
            "bulk {}: {} of {} AORs {verb}, {} failed",
            self.mode.name(),
            t.succeeded,
            t.population,
            t.failed
        );
        if self.shard != Shard::WHOLE {
            head.push_str(&format!(
                " (shard {}/{})",
                self.shard.index, self.shard.count
            ));
        }
        let mut lines = vec![head];
        let mut row = |label: &str, value: String| lines.push(format!("  {label:<17}{value}"));
        row("attempted", s.attempted.to_string());
        if t.unfinished > 0 {
            row("unfinished", t.unfinished.to_string());
        }
        if t.not_started > 0 {
            row("not started", t.not_started.to_string());
        }
        if let Mode::Stay { .. } = self.mode {
            row("refreshed", s.refreshed.to_string());
            row("unregistered", s.unregistered.to_string());
            if s.retried > 0 {
                row(
                    "retried",
                    format!("{} attempts after a back-off", s.retried),
                );
            }
            if s.keepalives + s.flow_failures + s.reconnects > 0 {
                row(
                    "keep-alives",
                    format!(
                        "{} sent, {} flows failed, {} connections reopened",
                        s.keepalives, s.flow_failures, s.reconnects
                    ),
                );
            }
        }
        if s.reachable + s.unreachable > 0 {
            row(
                "reachable",
                format!(
                    "{}/{} AORs: a request for the AOR reached its contact",
                    s.reachable,
                    s.reachable + s.unreachable
                ),
            );
        }
        if self.mode == Mode::Query {
            row(
                "bindings",
                format!("{} ({} AORs with any)", s.bindings, s.aors_with_bindings),
            );
        }
        row("retransmissions", s.retransmissions.to_string());
        row(
            "challenges",
            format!("{} answered after a 401/407", s.challenges),
        );
        if s.interval_too_brief > 0 {
            row("423 retried", s.interval_too_brief.to_string());
        }
        if s.ignored + s.unreadable > 0 {
            row(
                "ignored",
                format!(
                    "{} stray or duplicate, {} unreadable",
                    s.ignored, s.unreadable
                ),
            );
        }
        if s.send_errors > 0 {
            row("send errors", s.send_errors.to_string());
        }
        row(
            "latency",
            match self.latency() {
                Some(l) => format!(
                    "p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
                    l.p50, l.p90, l.p99, l.max
                ),
                None => "-".into(),
            },
        );
        row(
            "rate",
            format!(
                "{} (asked {}/s), {:.2} s in all",
                s.start_rate()
                    .map_or("-".to_string(), |r| format!("{r:.1}/s")),
                self.rate_asked,
                self.elapsed.as_secs_f64()
            ),
        );
        row(
            "client CPU",
            match (self.cpu_per_aor(), self.cpu) {
                (Some(each), Some(all)) => format!(
                    "{:.1} µs per AOR ({:.1} ms in all)",
                    each.as_secs_f64() * 1e6,
                    all.as_secs_f64() * 1e3
                ),
                _ => "-".into(),
            },
        );
        if !s.failures.is_empty() {
            lines.push("  failures by status and reason:".into());
            for (k, count) in &s.failures {
                let status = k.status.map_or("-".to_string(), |c| c.to_string());
                lines.push(format!(
                    "  {count:>7}  {:<10} {status:>3}  {}",
                    k.op, k.reason
                ));
            }
        }
        lines
    }
}
