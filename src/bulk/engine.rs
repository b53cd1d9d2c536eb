//! A bulk run: one `core::Endpoint` of every AOR, driven by the one `net::Driver`
//! over the run's carriers (a few shared UDP sockets, or stream connections), with
//! Ctrl-C/SIGTERM and `--for` ending a staying run by removing every binding. The
//! endpoint routes, paces and counts; the driver moves bytes and time and carries out
//! failover, 3xx and reconnects; this file only sets the run up and tells the
//! observer (per-AOR lines, the progress bar) what happened.

use super::configs::{self, RunDefaults, SharedConfigs};
use super::interval::{IntervalReport, Intervals, Now};
use super::plan::{Mode, Plan};
use super::population::Member;
use crate::core::endpoint::stats::Stats;
use crate::core::{
    Endpoint, EndpointConfig, Event, Handle, OpKind, Outcome, RegError, Registration,
};
use crate::net::carriers::Carriers;
use crate::net::{now, DnsSettings, Driver, Interrupts, Next, NoTrace, Routes, StopSignals};
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Instant;

pub use crate::core::Tally;

/// Told about every outcome as it happens (per-AOR lines, the progress bar).
pub trait Observer {
    fn completed(&mut self, _reg: &Registration, _outcome: &Outcome) {}
    fn failed(&mut self, _reg: &Registration, _op: OpKind, _error: &RegError) {}
    /// Called after every event; rate-limit on your side.
    fn tick(&mut self, _stats: &Stats, _in_flight: u32, _now: Instant) {}
    /// One `--interval` is over.
    fn interval(&mut self, _report: &IntervalReport) {}
    /// The run is over: clear what was drawn.
    fn finish(&mut self) {}
}

/// How the run ended.
#[derive(Debug)]
pub enum End {
    /// Everything asked was done (or failed).
    Finished,
    /// A second Ctrl-C/SIGTERM while the bindings were being removed.
    InterruptedTwice,
    /// The network failed in a way no AOR can go on from.
    Broken(crate::error::Error),
}

pub struct Engine {
    plan: Plan,
    endpoint: Endpoint,
    driver: Driver,
    observer: Box<dyn Observer>,
    /// `--pcap`: every message of the run written to a capture too.
    capture: Option<crate::output::Capture>,
    /// `--metrics`: what the scraper reads, updated as the run goes.
    metrics: Option<crate::output::Metrics>,
    /// `--interval`: the run cut into intervals from `origin`.
    intervals: Option<(Intervals, Instant)>,
}

impl Engine {
    /// One registration per member, spread over the sockets or connections in turn
    /// (member i on number i % count). `destinations` holds each member's registrar
    /// address. Members are consumed one by one, so that the registrations reuse
    /// their memory instead of adding to it.
    pub fn new(
        plan: Plan,
        members: Vec<Member>,
        destinations: &[SocketAddr],
        carriers: Carriers,
        observer: Box<dyn Observer>,
    ) -> Engine {
        assert!(!carriers.is_empty(), "a bulk run needs a socket");
        assert_eq!(members.len(), destinations.len());
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
        let stays = plan.mode.stays();
        let mut endpoint = Endpoint::new(
            EndpointConfig {
                rate: plan.rate,
                ramp: plan.ramp,
                concurrency: plan.concurrency,
                stays,
                carriers: carriers.len() as u32,
                reopen_flows: stays,
            },
            seed,
        );
        endpoint.reserve(members.len());
        if let Some(uas) = plan.answer.clone() {
            endpoint.answer_requests(uas, carriers.transport().is_reliable());
        }
        let defaults = RunDefaults {
            transport: carriers.transport(),
            expires: plan.expires,
            timers: plan.timers,
            user_agent: &plan.user_agent,
            headers: &plan.headers,
            display_name: plan.display_name.as_deref(),
        };
        let mut shared = SharedConfigs::default();
        for (i, (member, destination)) in members.into_iter().zip(destinations).enumerate() {
            let local = carriers.local(i % carriers.len());
            let (cfg, credentials) =
                configs::registration_config(member, *destination, local, &defaults, &mut shared);
            let h = endpoint.add(cfg, credentials, None);
            if stays {
                // A staying run keeps its bindings: failures are retried with back-off
                // (RFC 5626 §4.5), as a staying single registration does.
                let reg = endpoint.registration_mut(h);
                reg.enable_recovery(false);
                if let Some(interval) = plan.keepalive {
                    reg.enable_keepalive(interval);
                }
            }
        }
        Engine {
            plan,
            endpoint,
            driver: Driver::new(carriers, Routes::default(), DnsSettings::default()),
            observer,
            capture: None,
            metrics: None,
            intervals: None,
        }
    }

    /// Every target of each member's registrar, best first; each member starts at
    /// its first, where `new` sent it. A member whose target fails (timeout,
    /// transport error, 503) moves to the next (UDP).
    pub fn set_routes(&mut self, routes: Routes) {
        for i in 0..self.endpoint.len() {
            let h = Handle(i as u32);
            self.endpoint.set_fallbacks(h, routes.fallbacks(h));
        }
        self.driver.set_routes(routes);
    }

    /// Keeps `metrics` up to date while it runs (`--metrics`).
    pub fn set_metrics(&mut self, metrics: crate::output::Metrics) {
        self.metrics = Some(metrics);
    }

    /// Reports each interval of `intervals`, counted from the start of the run
    /// (`--interval`).
    pub fn set_intervals(&mut self, intervals: Intervals) {
        self.intervals = Some((intervals, now()));
    }

    /// Writes every message of the run to `capture` too (`--pcap`).
    pub fn set_capture(&mut self, capture: crate::output::Capture) {
        self.capture = Some(capture);
    }

    /// Where redirect targets are located (`--dns-server`).
    pub fn set_dns(&mut self, dns: DnsSettings) {
        self.driver.set_dns(dns);
    }

    pub fn finish_observer(&mut self) {
        self.observer.finish();
    }

    pub fn stats(&self) -> &Stats {
        self.endpoint.stats()
    }

    /// Times the loop slept and woke up again: once per tick while it paces at
    /// 1000/s or more, once per datagram or deadline otherwise.
    pub fn wakeups(&self) -> u64 {
        self.driver.wakeups()
    }

    /// Runs until every AOR is done, or (staying mode) until the bindings were
    /// removed after a signal or `--for`. The first transactions start now.
    pub async fn run(&mut self) -> End {
        let started = now();
        self.endpoint.start_all(self.plan.mode.operation(), started);
        if let Some((_, origin)) = &mut self.intervals {
            *origin = started;
        }
        let stays = self.plan.mode.stays();
        // Only staying mode listens for signals; other modes end as any program.
        let mut signals = StopSignals::new(stays);
        let stay_over = match self.plan.mode {
            // A --for beyond what the clock holds is no end at all.
            Mode::Stay { duration: Some(d) } => started.checked_add(d),
            _ => None,
        };
        // One timer for `--for` and `--interval`, set to whichever comes first.
        let mut timer = pin!(tokio::time::sleep_until(started.into()));
        let main_kind = self.plan.mode.main_kind();
        let end = loop {
            let removing = self.endpoint.is_removing();
            let wake_at = [
                stay_over.filter(|_| !removing),
                self.intervals
                    .as_ref()
                    .map(|(i, origin)| *origin + i.next_end()),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(at) = wake_at {
                if timer.deadline() != at.into() {
                    timer.as_mut().reset(at.into());
                }
            }
            let next = {
                let mut interrupts = Interrupts {
                    signals: stays.then_some(&mut signals),
                    time_up: wake_at.map(|_| timer.as_mut()),
                };
                let ep = &mut self.endpoint;
                let mut quiet = NoTrace;
                let trace: &mut dyn crate::net::Trace = match &mut self.capture {
                    Some(capture) => capture,
                    None => &mut quiet,
                };
                self.driver.next(ep, trace, &mut interrupts).await
            };
            if let Some(m) = &mut self.metrics {
                if let Ok(Next::Event(_, event)) = &next {
                    m.event(event);
                }
                let s = self.endpoint.stats();
                m.state(
                    self.endpoint.registered(),
                    s.reachable,
                    None,
                    s.retransmissions,
                );
            }
            match next {
                Ok(Next::Event(h, Event::Completed(outcome))) if outcome.op == main_kind => {
                    self.observer
                        .completed(self.endpoint.registration(h), &outcome);
                    if self.plan.probe && outcome.op == OpKind::Register && !removing {
                        self.endpoint.start_probe(h, now());
                    }
                }
                Ok(Next::Event(h, Event::Failed { op, error })) => {
                    self.observer
                        .failed(self.endpoint.registration(h), op, &error);
                }
                // Answered already; a bulk run counts them (stats), it does not
                // print each one.
                Ok(Next::Event(..) | Next::Incoming(_)) => {}
                Ok(Next::Finished) => break End::Finished,
                Ok(Next::Signal) if removing => break End::InterruptedTwice,
                Ok(Next::Signal) => self.endpoint.begin_removal(now()),
                Ok(Next::TimeUp) => {
                    let at = now();
                    self.report_intervals(at, false);
                    if !removing && stay_over.is_some_and(|end| at >= end) {
                        self.endpoint.begin_removal(at);
                    }
                }
                Err(e) => break End::Broken(e),
            }
            self.observer
                .tick(self.endpoint.stats(), self.endpoint.in_flight(), now());
        };
        // The last interval, however short, so that the intervals add up to the run.
        self.report_intervals(now(), true);
        end
    }

    /// Reports every interval that has ended by `at`; `last`: the run is over, and
    /// the interval under way ends with it.
    fn report_intervals(&mut self, at: Instant, last: bool) {
        let Some((intervals, origin)) = &mut self.intervals else {
            return;
        };
        let origin = *origin;
        loop {
            let end = origin + intervals.next_end();
            // Every interval that is over; at the end of the run, the one under way
            // too, if it had begun.
            let partial = last && at < end && at > origin + intervals.current_start();
            if at < end && !partial {
                return;
            }
            let (latencies, refresh_latencies) = self.endpoint.take_interval_latencies();
            let current = Now {
                in_flight: u64::from(self.endpoint.in_flight()),
                registered: u64::from(self.endpoint.registered()),
                lapsed: self.endpoint.lapsed_now(at.min(end)),
            };
            let report = intervals.take(
                self.endpoint.stats(),
                [latencies, refresh_latencies],
                current,
                end.min(at) - origin,
            );
            self.observer.interval(&report);
            if partial {
                return;
            }
        }
    }

    /// Counts what became of every AOR.
    pub fn tally(&self) -> Tally {
        self.endpoint.tally()
    }
}
