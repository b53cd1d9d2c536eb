//! `--metrics ADDR:PORT`: the numbers of a staying registration or a bulk run in the
//! Prometheus exposition format, for a scraper (served by `net::metrics_server`).
//! The loop that drives the endpoint updates them as events come (atomics: a scrape
//! never waits for the loop, nor the loop for a scrape).

use crate::core::{Event, OpKind, Reachability};
use crate::exit::ExitStatus;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailureLabels {
    operation: String,
    /// What kind of failure, as the exit status table names it.
    reason: String,
    /// The final status, or "none" when no final response came.
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProbeLabels {
    result: String,
}

pub struct Metrics {
    registry: Arc<Registry>,
    registered: Gauge,
    grant_remaining: Gauge<f64, AtomicU64>,
    registrations: Counter,
    refreshes: Counter,
    lapses: Counter,
    failures: Family<FailureLabels, Counter>,
    latency: Histogram,
    retransmissions: Counter,
    retransmissions_seen: u64,
    keepalive_failures: Counter,
    probes: Family<ProbeLabels, Counter>,
    reachable: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("sipreg");
        let registered = Gauge::default();
        let grant_remaining = Gauge::<f64, AtomicU64>::default();
        let registrations = Counter::default();
        let refreshes = Counter::default();
        let lapses = Counter::default();
        let failures = Family::<FailureLabels, Counter>::default();
        // 1 ms to about 32 s, doubling.
        let latency = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let retransmissions = Counter::default();
        let keepalive_failures = Counter::default();
        let probes = Family::<ProbeLabels, Counter>::default();
        let reachable = Gauge::default();
        // The registry holds clones: each shares its value with the field kept here.
        registry.register(
            "registered",
            "AORs whose binding is in place now",
            registered.clone(),
        );
        registry.register(
            "grant_remaining_seconds",
            "Seconds until the current grant runs out (one AOR)",
            grant_remaining.clone(),
        );
        registry.register(
            "registrations",
            "Registrations completed (2xx), recoveries included",
            registrations.clone(),
        );
        registry.register("refreshes", "Refreshes completed (2xx)", refreshes.clone());
        registry.register(
            "lapses",
            "Grants that ran out before the refresh (or new register) succeeded",
            lapses.clone(),
        );
        registry.register(
            "failures",
            "Failed operations, by operation, kind and final status",
            failures.clone(),
        );
        registry.register(
            "transaction_duration_seconds",
            "First request of an operation to its final 2xx",
            latency.clone(),
        );
        registry.register(
            "retransmissions",
            "Requests sent again (Timer E)",
            retransmissions.clone(),
        );
        registry.register(
            "keepalive_failures",
            "Flows found dead: a keep-alive unanswered or refused, a NAT mapping changed",
            keepalive_failures.clone(),
        );
        registry.register("probes", "Reachability probes, by result", probes.clone());
        registry.register(
            "reachable",
            "AORs whose last probe reached their contact",
            reachable.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            registered,
            grant_remaining,
            registrations,
            refreshes,
            lapses,
            failures,
            latency,
            retransmissions,
            retransmissions_seen: 0,
            keepalive_failures,
            probes,
            reachable,
        }
    }

    /// What the scraper reads.
    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.registry)
    }

    /// One event of a registration.
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::Completed(o) => {
                match o.op {
                    OpKind::Register => self.registrations.inc(),
                    OpKind::Refresh => self.refreshes.inc(),
                    OpKind::Query | OpKind::Unregister => return,
                };
                if o.lapsed {
                    self.lapses.inc();
                }
                self.latency.observe(o.elapsed.as_secs_f64());
            }
            Event::Failed { op, error } | Event::Retrying { op, error, .. } => {
                let reason = match ExitStatus::of_registration(error) {
                    ExitStatus::Auth => "credentials",
                    ExitStatus::NoResponse => "no-response",
                    ExitStatus::Refused => "refused",
                    _ => "failure",
                };
                let labels = FailureLabels {
                    operation: super::json::op_name(*op).to_string(),
                    reason: reason.into(),
                    status: error.status().map_or("none".into(), |s| s.to_string()),
                };
                self.failures.get_or_create(&labels).inc();
            }
            Event::FlowFailed { .. } => {
                self.keepalive_failures.inc();
            }
            Event::Probed(found) => self.probed(found),
            _ => {}
        }
    }

    fn probed(&mut self, found: &Reachability) {
        let result = if found.reachable {
            "reachable"
        } else {
            "unreachable"
        };
        self.probes
            .get_or_create(&ProbeLabels {
                result: result.into(),
            })
            .inc();
    }

    /// The state of the run now: AORs registered (and reachable, after probes), the
    /// grant of a single AOR, and the retransmissions counted so far.
    pub fn state(
        &mut self,
        registered: u32,
        reachable: u64,
        grant_remaining: Option<Duration>,
        retransmissions: u64,
    ) {
        self.registered.set(i64::from(registered));
        self.reachable.set(reachable as i64);
        if let Some(left) = grant_remaining {
            self.grant_remaining.set(left.as_secs_f64());
        } else if registered == 0 {
            self.grant_remaining.set(0.0);
        }
        let new = retransmissions.saturating_sub(self.retransmissions_seen);
        self.retransmissions.inc_by(new);
        self.retransmissions_seen = retransmissions.max(self.retransmissions_seen);
    }
}
