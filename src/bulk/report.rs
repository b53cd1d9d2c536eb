//! The summary of a bulk run, for people and as one JSON object; and the same summary
//! read back from JSON and added up, so that the shards of one load test give one
//! answer (`sipreg bulk merge`).
//!
//! Every count adds up across shards; latencies travel as an HDR histogram
//! (`latency_hdr`), which merges exactly, so merged percentiles are those of one run
//! over the whole population (within the histogram's 0.1 %). Rates and elapsed time
//! are recomputed from wall-clock instants (`*_unix`), so shards on several machines
//! must have synchronised clocks (NTP), as any distributed load test assumes.

use super::latency::{Latencies, LATENCY_BUCKETS_MS};
use super::plan::Mode;
use super::shard::Shard;
use super::stats::Stats;
use super::thresholds::{Check, Thresholds};
use super::Tally;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What makes shards parts of one test: the same command, mode and population cut
/// into the same number of shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestId {
    pub command: String,
    pub mode: String,
    /// How the population was given (`--aor T --count N --first F`, or `--users FILE`).
    pub spec: String,
    /// Its size before it was cut into shards.
    pub size: u64,
    pub shards: u32,
}

/// A failure group: operation, final status (None: no final response), reason.
pub type FailureKey = (String, Option<u16>, String);

/// One bulk run's figures, or the sum of a test's shards.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub test: Option<TestId>,
    /// The shard this run was (1-based), or None when merged from several.
    pub shard_index: Option<u32>,
    pub stays: bool,
    pub population: u64,
    pub attempted: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub unfinished: u64,
    pub not_started: u64,
    pub registered: u64,
    pub refreshed: u64,
    pub queried: u64,
    pub unregistered: u64,
    pub failures: BTreeMap<FailureKey, u64>,
    pub retransmissions: u64,
    pub challenges: u64,
    pub interval_too_brief: u64,
    pub ignored: u64,
    pub unreadable: u64,
    pub send_errors: u64,
    pub retried: u64,
    pub keepalives: u64,
    pub flow_failures: u64,
    pub reconnects: u64,
    pub reachable: u64,
    pub unreachable: u64,
    pub bindings: u64,
    pub aors_with_bindings: u64,
    pub lapses: u64,
    pub lapsed_at_end: u64,
    pub registered_at_end: u64,
    pub latencies: Latencies,
    /// Staying mode: the refreshes' latencies (the steady state of a soak).
    pub refresh_latencies: Latencies,
    pub rate_asked: f64,
    /// Wall-clock seconds since the Unix epoch: first and latest start of a main
    /// operation, and the end of the run.
    pub first_start_unix: Option<f64>,
    pub last_start_unix: Option<f64>,
    pub ended_unix: Option<f64>,
    /// `--start-at`, as given and normalised (RFC 3339).
    pub start_at: Option<String>,
    pub cpu: Option<Duration>,
    pub exit_status: u8,
    /// The thresholds asked for, each checked.
    pub checks: Vec<Check>,
}

/// Failure groups as JSON objects (`operation`, `status`, `reason`, `count`), as the
/// summary and the interval lines both write them.
pub(super) fn failures_json(failures: &BTreeMap<FailureKey, u64>) -> Vec<Value> {
    failures
        .iter()
        .map(|((op, status, reason), count)| {
            json!({"operation": op, "status": status, "reason": reason, "count": count})
        })
        .collect()
}

/// Reads back what `failures_json` wrote into the `failures` field of `v`.
pub(super) fn failures_from_json(v: &Value) -> BTreeMap<FailureKey, u64> {
    let mut failures = BTreeMap::new();
    for item in v
        .get("failures")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let op = item.get("operation").and_then(Value::as_str).unwrap_or("?");
        let status = item
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok());
        let reason = item.get("reason").and_then(Value::as_str).unwrap_or("");
        let count = item.get("count").and_then(Value::as_u64).unwrap_or(0);
        let sum = failures
            .entry((op.to_string(), status, reason.to_string()))
            .or_default();
        *sum = u64::saturating_add(*sum, count);
    }
    failures
}

/// p50 … max of `l` in ms, or null without samples, as summaries and intervals write
/// them.
pub(super) fn percentiles_json(l: &Latencies) -> Value {
    json!(l.figures().map(|l| json!({
        "p50": l.p50, "p90": l.p90, "p99": l.p99, "p99_9": l.p999, "max": l.max,
    })))
}

/// What `latencies_from_json` reads: the encoded histogram, or null without samples.
pub(super) fn latencies_hdr(l: &Latencies) -> Option<String> {
    (!l.is_empty()).then(|| l.encode())
}

/// The histogram in field `name` of `v`; none there is no samples.
pub(super) fn latencies_from_json(v: &Value, name: &str) -> Result<Latencies, String> {
    match v.get(name).and_then(Value::as_str) {
        Some(text) => Latencies::decode(text).map_err(|e| format!("{name}: {e}")),
        None => Ok(Latencies::new()),
    }
}

/// Wall-clock seconds of `at`, read against the current instant.
pub fn unix_seconds(at: Instant, now: Instant) -> f64 {
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    wall - now.saturating_duration_since(at).as_secs_f64()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Report {
    /// The report of the run that just ended at `now`.
    #[allow(clippy::too_many_arguments)]
    pub fn of_run(
        test: TestId,
        mode: Mode,
        shard: Shard,
        tally: Tally,
        s: &Stats,
        rate_asked: f64,
        start_at: Option<String>,
        cpu: Option<Duration>,
        now: Instant,
    ) -> Report {
        let failures = s
            .failures
            .iter()
            .map(|(k, n)| ((k.op.to_string(), k.status, k.reason.clone()), *n))
            .collect();
        Report {
            test: Some(test),
            shard_index: Some(shard.index),
            stays: mode.stays(),
            population: tally.population,
            attempted: s.attempted,
            succeeded: tally.succeeded,
            failed: tally.failed,
            unfinished: tally.unfinished,
            not_started: tally.not_started,
            registered: s.registered,
            refreshed: s.refreshed,
            queried: s.queried,
            unregistered: s.unregistered,
            failures,
            retransmissions: s.retransmissions,
            challenges: s.challenges,
            interval_too_brief: s.interval_too_brief,
            ignored: s.ignored,
            unreadable: s.unreadable,
            send_errors: s.send_errors,
            retried: s.retried,
            keepalives: s.keepalives,
            flow_failures: s.flow_failures,
            reconnects: s.reconnects,
            reachable: s.reachable,
            unreachable: s.unreachable,
            bindings: s.bindings,
            aors_with_bindings: s.aors_with_bindings,
            lapses: s.lapses,
            lapsed_at_end: s.lapsed_at_end,
            registered_at_end: s.registered_at_end,
            latencies: s.latencies.clone(),
            refresh_latencies: s.refresh_latencies.clone(),
            rate_asked,
            first_start_unix: s.first_start.map(|t| unix_seconds(t, now)),
            last_start_unix: s.last_start.map(|t| unix_seconds(t, now)),
            ended_unix: s.first_start.map(|_| unix_seconds(now, now)),
            start_at,
            cpu,
            exit_status: 0,
            checks: Vec::new(),
        }
    }

    fn command(&self) -> &str {
        self.test
            .as_ref()
            .map_or("register", |t| t.command.as_str())
    }

    /// Main operations started per second, over the time the starts took.
    pub fn start_rate(&self) -> Option<f64> {
        let span = self.last_start_unix? - self.first_start_unix?;
        (self.attempted > 1 && span > 0.0).then(|| (self.attempted - 1) as f64 / span)
    }

    /// From the first start to the end of the run.
    pub fn elapsed(&self) -> Duration {
        match (self.first_start_unix, self.ended_unix) {
            (Some(a), Some(b)) => Duration::try_from_secs_f64((b - a).max(0.0)).unwrap_or_default(),
            _ => Duration::ZERO,
        }
    }

    /// The share of the population that succeeded, in percent.
    pub fn success_rate(&self) -> Option<f64> {
        (self.population > 0).then(|| self.succeeded as f64 * 100.0 / self.population as f64)
    }

    fn cpu_per_aor(&self) -> Option<Duration> {
        let attempted = u32::try_from(self.attempted).ok().filter(|&n| n > 0)?;
        Some(self.cpu? / attempted)
    }

    /// Checks `thresholds` against this report; the unmet ones say why.
    pub fn check(&mut self, thresholds: &Thresholds) {
        self.checks = thresholds.check(self);
    }

    pub fn unmet(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.met)
    }

    pub fn json(&self) -> Value {
        let latency = self.latencies.figures();
        let buckets: Vec<Value> = match &latency {
            Some(l) => l
                .buckets
                .iter()
                .enumerate()
                .map(|(i, count)| json!({"le": LATENCY_BUCKETS_MS.get(i), "count": count}))
                .collect(),
            None => Vec::new(),
        };
        let failures = failures_json(&self.failures);
        let (shard, shards) = match (&self.test, self.shard_index) {
            (Some(t), Some(i)) => (format!("{i}/{}", t.shards), t.shards),
            (Some(t), None) => (format!("*/{}", t.shards), t.shards),
            (None, _) => ("1/1".to_string(), 1),
        };
        let mut v = json!({
            "event": "bulk_summary",
            "command": self.command(),
            "mode": if self.stays { "stay" } else { "once" },
            "shard": shard,
            "population": self.population,
            "attempted": self.attempted,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "unfinished": self.unfinished,
            "not_started": self.not_started,
            "registered": self.registered,
            "refreshed": self.refreshed,
            "queried": self.queried,
            "unregistered": self.unregistered,
            "failures": failures,
            "retransmissions": self.retransmissions,
            "challenges": self.challenges,
            "interval_too_brief": self.interval_too_brief,
            "ignored": self.ignored,
            "unreadable": self.unreadable,
            "send_errors": self.send_errors,
            "latency_ms": latency.as_ref().map(|l| json!({
                "p50": l.p50, "p90": l.p90, "p99": l.p99, "p99_9": l.p999, "max": l.max,
                "mean": round3(l.mean),
            })),
            "latency_buckets_ms": buckets,
            "latency_hdr": latencies_hdr(&self.latencies),
            "rate_asked": self.rate_asked,
            "rate": self.start_rate().map(|r| (r * 10.0).round() / 10.0),
            "elapsed_s": round3(self.elapsed().as_secs_f64()),
            "first_start_unix": self.first_start_unix.map(round3),
            "last_start_unix": self.last_start_unix.map(round3),
            "ended_unix": self.ended_unix.map(round3),
            "cpu_ms": self.cpu.map(|c| round3(c.as_secs_f64() * 1000.0)),
            "cpu_us_per_aor": self.cpu_per_aor().map(|c| round3(c.as_secs_f64() * 1e6)),
            "exit_status": self.exit_status,
        });
        if let Some(t) = &self.test {
            v["test"] = json!({"population": t.spec, "size": t.size, "shards": shards});
        }
        if let Some(at) = &self.start_at {
            v["start_at"] = json!(at);
        }
        if self.stays {
            v["retried"] = json!(self.retried);
            v["keepalives"] = json!(self.keepalives);
            v["flow_failures"] = json!(self.flow_failures);
            v["reconnects"] = json!(self.reconnects);
            v["lapses"] = json!(self.lapses.saturating_add(self.lapsed_at_end));
            // Apart too, so that a merge can still say how many never recovered.
            v["lapses_unrecovered"] = json!(self.lapsed_at_end);
            v["registered_at_end"] = json!(self.registered_at_end);
            v["refresh_latency_ms"] = percentiles_json(&self.refresh_latencies);
            v["refresh_latency_hdr"] = json!(latencies_hdr(&self.refresh_latencies));
        }
        if self.reachable + self.unreachable > 0 {
            v["reachable"] = json!(self.reachable);
            v["unreachable"] = json!(self.unreachable);
        }
        if self.command() == "query" {
            v["bindings"] = json!(self.bindings);
            v["aors_with_bindings"] = json!(self.aors_with_bindings);
        }
        if !self.checks.is_empty() {
            v["expectations"] = self.checks.iter().map(Check::json).collect();
        }
        v
    }

    pub fn human(&self) -> Vec<String> {
        let verb = match self.command() {
            "query" => "queried",
            "unregister" => "unregistered",
            _ => "registered",
        };
        let mut head = format!(
            "bulk {}: {} of {} AORs {verb}, {} failed",
            self.command(),
            self.succeeded,
            self.population,
            self.failed
        );
        match (&self.test, self.shard_index) {
            (Some(t), None) => head.push_str(&format!(" (merged from {} shards)", t.shards)),
            (Some(t), Some(i)) if t.shards > 1 => {
                head.push_str(&format!(" (shard {i}/{})", t.shards))
            }
            _ => {}
        }
        let mut lines = vec![head];
        let mut row = |label: &str, value: String| lines.push(format!("  {label:<17}{value}"));
        if let Some(at) = &self.start_at {
            row("started at", at.clone());
        }
        row("attempted", self.attempted.to_string());
        if self.unfinished > 0 {
            row("unfinished", self.unfinished.to_string());
        }
        if self.not_started > 0 {
            row("not started", self.not_started.to_string());
        }
        if self.stays {
            row("refreshed", self.refreshed.to_string());
            row("unregistered", self.unregistered.to_string());
            row(
                "registered",
                format!("{} AORs at the end", self.registered_at_end),
            );
            row(
                "lapses",
                format!(
                    "{} (a grant ran out before its refresh succeeded; {} not recovered)",
                    self.lapses + self.lapsed_at_end,
                    self.lapsed_at_end
                ),
            );
            if self.retried > 0 {
                row(
                    "retried",
                    format!("{} attempts after a back-off", self.retried),
                );
            }
            if self.keepalives + self.flow_failures + self.reconnects > 0 {
                row(
                    "keep-alives",
                    format!(
                        "{} sent, {} flows failed, {} connections reopened",
                        self.keepalives, self.flow_failures, self.reconnects
                    ),
                );
            }
        }
        if self.reachable + self.unreachable > 0 {
            row(
                "reachable",
                format!(
                    "{}/{} AORs: a request for the AOR reached its contact",
                    self.reachable,
                    self.reachable + self.unreachable
                ),
            );
        }
        if self.command() == "query" {
            row(
                "bindings",
                format!(
                    "{} ({} AORs with any)",
                    self.bindings, self.aors_with_bindings
                ),
            );
        }
        row("retransmissions", self.retransmissions.to_string());
        row(
            "challenges",
            format!("{} answered after a 401/407", self.challenges),
        );
        if self.interval_too_brief > 0 {
            row("423 retried", self.interval_too_brief.to_string());
        }
        if self.ignored + self.unreadable > 0 {
            row(
                "ignored",
                format!(
                    "{} stray or duplicate, {} unreadable",
                    self.ignored, self.unreadable
                ),
            );
        }
        if self.send_errors > 0 {
            row("send errors", self.send_errors.to_string());
        }
        row(
            "latency",
            match self.latencies.figures() {
                Some(l) => format!(
                    "p50 {} ms, p90 {} ms, p99 {} ms, p99.9 {} ms, max {} ms",
                    l.p50, l.p90, l.p99, l.p999, l.max
                ),
                None => "-".into(),
            },
        );
        if let Some(l) = self.refresh_latencies.figures() {
            row(
                "refresh latency",
                format!(
                    "p50 {} ms, p90 {} ms, p99 {} ms, p99.9 {} ms, max {} ms",
                    l.p50, l.p90, l.p99, l.p999, l.max
                ),
            );
        }
        row(
            "rate",
            format!(
                "{} (asked {}/s), {:.2} s in all",
                self.start_rate()
                    .map_or("-".to_string(), |r| format!("{r:.1}/s")),
                self.rate_asked,
                self.elapsed().as_secs_f64()
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
        if !self.failures.is_empty() {
            lines.push("  failures by status and reason:".into());
            for ((op, status, reason), count) in &self.failures {
                let status = status.map_or("-".to_string(), |c| c.to_string());
                lines.push(format!("  {count:>7}  {op:<10} {status:>3}  {reason}"));
            }
        }
        for c in &self.checks {
            let mark = if c.met { "met" } else { "UNMET" };
            lines.push(format!("  {mark:<6} {}", c.message));
        }
        lines
    }

    /// Reads a `bulk_summary` object back (what `json` wrote).
    pub fn from_json(v: &Value) -> Result<Report, String> {
        let n = |name: &str| v.get(name).and_then(Value::as_u64).unwrap_or(0);
        let f = |name: &str| v.get(name).and_then(Value::as_f64);
        let test = v
            .get("test")
            .ok_or("no \"test\" (written by sipreg before 0.2?)")?;
        let shard = v
            .get("shard")
            .and_then(Value::as_str)
            .ok_or("no \"shard\"")?;
        let shard_index = shard
            .split_once('/')
            .and_then(|(i, _)| i.parse::<u32>().ok());
        let test = TestId {
            command: v
                .get("command")
                .and_then(Value::as_str)
                .ok_or("no \"command\"")?
                .to_string(),
            mode: v
                .get("mode")
                .and_then(Value::as_str)
                .unwrap_or("once")
                .to_string(),
            spec: test
                .get("population")
                .and_then(Value::as_str)
                .ok_or("no \"test.population\"")?
                .to_string(),
            size: test.get("size").and_then(Value::as_u64).unwrap_or(0),
            shards: test
                .get("shards")
                .and_then(Value::as_u64)
                .and_then(|s| u32::try_from(s).ok())
                .ok_or("no \"test.shards\"")?,
        };
        let failures = failures_from_json(v);
        let latencies = latencies_from_json(v, "latency_hdr")?;
        let refresh_latencies = latencies_from_json(v, "refresh_latency_hdr")?;
        // Written as the total and the unrecovered part of it.
        let lapsed_at_end = n("lapses_unrecovered");
        let lapses = n("lapses").saturating_sub(lapsed_at_end);
        Ok(Report {
            stays: test.mode == "stay",
            test: Some(test),
            shard_index,
            population: n("population"),
            attempted: n("attempted"),
            succeeded: n("succeeded"),
            failed: n("failed"),
            unfinished: n("unfinished"),
            not_started: n("not_started"),
            registered: n("registered"),
            refreshed: n("refreshed"),
            queried: n("queried"),
            unregistered: n("unregistered"),
            failures,
            retransmissions: n("retransmissions"),
            challenges: n("challenges"),
            interval_too_brief: n("interval_too_brief"),
            ignored: n("ignored"),
            unreadable: n("unreadable"),
            send_errors: n("send_errors"),
            retried: n("retried"),
            keepalives: n("keepalives"),
            flow_failures: n("flow_failures"),
            reconnects: n("reconnects"),
            reachable: n("reachable"),
            unreachable: n("unreachable"),
            bindings: n("bindings"),
            aors_with_bindings: n("aors_with_bindings"),
            lapses,
            lapsed_at_end,
            registered_at_end: n("registered_at_end"),
            latencies,
            refresh_latencies,
            rate_asked: f("rate_asked").unwrap_or(0.0),
            first_start_unix: f("first_start_unix"),
            last_start_unix: f("last_start_unix"),
            ended_unix: f("ended_unix"),
            start_at: v.get("start_at").and_then(Value::as_str).map(String::from),
            cpu: f("cpu_ms").and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok()),
            exit_status: 0,
            checks: Vec::new(),
        })
    }

    /// Adds another shard's report to this one.
    pub fn add(&mut self, o: &Report) {
        let counts = [
            (&mut self.population, o.population),
            (&mut self.attempted, o.attempted),
            (&mut self.succeeded, o.succeeded),
            (&mut self.failed, o.failed),
            (&mut self.unfinished, o.unfinished),
            (&mut self.not_started, o.not_started),
            (&mut self.registered, o.registered),
            (&mut self.refreshed, o.refreshed),
            (&mut self.queried, o.queried),
            (&mut self.unregistered, o.unregistered),
            (&mut self.retransmissions, o.retransmissions),
            (&mut self.challenges, o.challenges),
            (&mut self.interval_too_brief, o.interval_too_brief),
            (&mut self.ignored, o.ignored),
            (&mut self.unreadable, o.unreadable),
            (&mut self.send_errors, o.send_errors),
            (&mut self.retried, o.retried),
            (&mut self.keepalives, o.keepalives),
            (&mut self.flow_failures, o.flow_failures),
            (&mut self.reconnects, o.reconnects),
            (&mut self.reachable, o.reachable),
            (&mut self.unreachable, o.unreachable),
            (&mut self.bindings, o.bindings),
            (&mut self.aors_with_bindings, o.aors_with_bindings),
            (&mut self.lapses, o.lapses),
            (&mut self.lapsed_at_end, o.lapsed_at_end),
            (&mut self.registered_at_end, o.registered_at_end),
        ];
        // Saturating: the figures come from files, which may be corrupt.
        for (mine, theirs) in counts {
            *mine = mine.saturating_add(theirs);
        }
        for (k, n) in &o.failures {
            let sum = self.failures.entry(k.clone()).or_default();
            *sum = sum.saturating_add(*n);
        }
        self.latencies.add(&o.latencies);
        self.refresh_latencies.add(&o.refresh_latencies);
        // The test asked each shard for its own rate: together they asked the sum.
        self.rate_asked += o.rate_asked;
        let earliest = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let latest = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.first_start_unix = earliest(self.first_start_unix, o.first_start_unix);
        self.last_start_unix = latest(self.last_start_unix, o.last_start_unix);
        self.ended_unix = latest(self.ended_unix, o.ended_unix);
        self.cpu = match (self.cpu, o.cpu) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            (a, b) => a.or(b),
        };
        if self.start_at.is_none() {
            self.start_at.clone_from(&o.start_at);
        }
        self.shard_index = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A staying shard's summary read back and added to another: lapses that never
    /// recovered stay apart from those that did, so the merged summary still tells.
    #[test]
    fn unrecovered_lapses_survive_a_merge() {
        let shard = |i| Report {
            test: Some(TestId {
                command: "register".into(),
                mode: "stay".into(),
                spec: "--aor a".into(),
                size: 4,
                shards: 2,
            }),
            shard_index: Some(i),
            stays: true,
            lapses: 2,
            lapsed_at_end: 1,
            ..Report::default()
        };
        let mut sum = Report::from_json(&shard(1).json()).unwrap();
        sum.add(&Report::from_json(&shard(2).json()).unwrap());
        let v = sum.json();
        assert_eq!(
            (v["lapses"].as_u64(), v["lapses_unrecovered"].as_u64()),
            (Some(6), Some(2))
        );
        assert!(
            sum.human()
                .iter()
                .any(|l| l
                    .contains("6 (a grant ran out before its refresh succeeded; 2 not recovered)")),
            "{:?}",
            sum.human()
        );
    }
}
