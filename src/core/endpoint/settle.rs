//! After anything happened to a registration: its events counted and handed on, its
//! messages queued, its counts and its next deadline brought up to date.

use super::slot;
use super::stats::FailureKind;
use super::{worth_another_target, Dispatch, Endpoint, EndpointEvent, Handle, Phase, Tally};
use crate::core::{Event, OpKind};
use std::cmp::Reverse;
use std::time::Instant;

impl Endpoint {
    /// Nothing is in flight or waiting to start; a staying run has removed its
    /// bindings (or never got any).
    pub fn is_finished(&self) -> bool {
        if self.in_flight > 0 || self.has_work() || !self.probes.is_empty() {
            return false;
        }
        match self.phase {
            // A staying run whose AORs all wait out a back-off (the registrar is
            // down) is not over: they try again.
            Phase::Main => !self.cfg.stays || (self.registered == 0 && self.retrying == 0),
            Phase::Removing => true,
        }
    }

    /// Counts what became of every registration.
    pub fn tally(&self) -> Tally {
        let mut t = Tally {
            population: self.slots.len() as u64,
            ..Tally::default()
        };
        for s in &self.slots {
            let done = s.has(slot::MAIN_DONE) && (!self.cfg.stays || s.has(slot::REMOVED));
            if !s.has(slot::STARTED) {
                t.not_started += 1;
            } else if s.has(slot::FAILED) {
                t.failed += 1;
            } else if done {
                t.succeeded += 1;
            } else {
                t.unfinished += 1;
            }
        }
        t
    }

    pub(super) fn count_failure(&mut self, i: usize, op: OpKind, kind: FailureKind, now: Instant) {
        self.slots[i].set(slot::FAILED, true);
        if Some(op) == self.main_kind {
            self.stats.main_failed += 1;
            self.stats.last_final = Some(now);
        }
        *self.stats.failures.entry(kind).or_default() += 1;
    }

    /// After anything happened to registration `i`: take its events and messages,
    /// update the counts, and put its next deadline in the heap.
    pub(super) fn settle(&mut self, i: usize, now: Instant) {
        let h = Handle(i as u32);
        while let Some(event) = self.slots[i].reg.poll_event() {
            self.count_event(i, h, event, now);
        }
        let population = self.slots.len();
        let slot = &mut self.slots[i];
        while let Some(transmit) = slot.reg.poll_transmit() {
            if transmit.retransmission {
                self.stats.retransmissions += 1;
            } else if is_keepalive(&transmit.payload) {
                self.stats.keepalives += 1;
                let carriers = self.cfg.carriers as usize;
                let shared = population > carriers;
                if !shared {
                    // Each answer has one registration to go to: nothing to track.
                } else if transmit.payload == b"\r\n\r\n" {
                    // Pongs come back in the order of the pings. No longer than the
                    // connection has registrations: pings never answered drop out.
                    let users = population.div_ceil(carriers);
                    let queue = self.pong_queues.entry(slot.carrier).or_default();
                    queue.push_back(i as u32);
                    while queue.len() > users {
                        queue.pop_front();
                    }
                } else if let Some(id) = crate::core::stun::transaction_id(&transmit.payload) {
                    // One ping out per registration: a new one replaces an unanswered
                    // one, so the table stays as small as the population.
                    if let Some(old) = self.stun_ping_of.insert(i as u32, id) {
                        self.stun_pings.remove(&old);
                    }
                    self.stun_pings.insert(id, i as u32);
                }
            }
            self.outbox.push(Dispatch {
                handle: Some(h),
                carrier: slot.carrier,
                transmit,
            });
        }
        let busy = slot.reg.is_busy();
        track(slot, slot::BUSY, busy, &mut self.in_flight);
        let registered = slot.reg.is_registered();
        track(slot, slot::REGISTERED, registered, &mut self.registered);
        let retrying = slot.reg.is_retrying();
        track(slot, slot::RETRYING, retrying, &mut self.retrying);
        // Between transactions only a staying run has anything to do.
        let idle_wakes = self.cfg.stays && self.phase == Phase::Main && !slot.has(slot::QUEUED);
        // A probe runs its own transaction between the registration's.
        let probing = slot.reg.probe_call_id().is_some();
        let deadline = if busy || idle_wakes || probing {
            slot.reg.poll_timeout()
        } else {
            None
        };
        if deadline != slot.scheduled {
            slot.scheduled = deadline;
            if let Some(at) = deadline {
                self.timers.push(Reverse((at, i as u32)));
            }
        }
    }

    /// Counts one event of registration `i` and hands it on (or, for a failure the
    /// next target may cure, asks the driver to fail over instead).
    pub(super) fn count_event(&mut self, i: usize, h: Handle, event: Event, now: Instant) {
        match &event {
            Event::Challenged { .. } => self.stats.challenges += 1,
            Event::IntervalTooBrief { .. } => self.stats.interval_too_brief += 1,
            Event::Ignored { .. } => self.stats.ignored += 1,
            Event::Completed(outcome) => {
                if self.uas.is_some() {
                    self.note_gruus(i, outcome);
                }
                if outcome.lapsed {
                    self.stats.lapses += 1;
                }
                let slot = &mut self.slots[i];
                match outcome.op {
                    OpKind::Register => self.stats.registered += 1,
                    OpKind::Refresh => {
                        self.stats.refreshed += 1;
                        self.stats.record_refresh_latency(outcome.elapsed);
                    }
                    OpKind::Query => {
                        self.stats.queried += 1;
                        self.stats.bindings += outcome.bindings.len() as u64;
                        if !outcome.bindings.is_empty() {
                            self.stats.aors_with_bindings += 1;
                        }
                    }
                    OpKind::Unregister => self.stats.unregistered += 1,
                }
                if slot.has(slot::REMOVING) && outcome.op == OpKind::Unregister {
                    slot.set(slot::REMOVED, true);
                } else if Some(outcome.op) == self.main_kind && !slot.has(slot::MAIN_DONE) {
                    slot.set(slot::MAIN_DONE, true);
                    self.stats.record_latency(outcome.elapsed, now);
                }
            }
            Event::Failed { error, .. } | Event::Retrying { error, .. }
                if self.slots[i].fallbacks > 0 && worth_another_target(error) =>
            {
                let (Event::Failed { op, error } | Event::Retrying { op, error, .. }) = event
                else {
                    unreachable!("matched above")
                };
                self.events.push_back(EndpointEvent::Failover {
                    handle: h,
                    op,
                    error,
                });
                return;
            }
            Event::Failed { op, error } => {
                let kind = FailureKind::of(*op, error);
                self.count_failure(i, *op, kind, now);
            }
            Event::Retrying { .. } => self.stats.retried += 1,
            Event::Probed(found) => {
                self.probe_ended(i);
                match found.reachable {
                    true => self.stats.reachable += 1,
                    false => self.stats.unreachable += 1,
                }
            }
            Event::FlowFailed { reason } => {
                self.stats.flow_failures += 1;
                let slot = &self.slots[i];
                if !self.reconnecting && slot.reg.config().shared.transport.is_reliable() {
                    // A keep-alive went unanswered on a connection: the registration
                    // registers again by itself, on a new one.
                    self.stats.reconnects += 1;
                    self.events.push_back(EndpointEvent::Reconnect {
                        carrier: slot.carrier,
                        reason: reason.clone(),
                        resend: false,
                    });
                }
            }
            _ => {}
        }
        self.events.push_back(EndpointEvent::Event(h, event));
    }
}

/// Sets `flag` of `slot` to `on`, keeping `count` (the slots that have it) in step.
fn track(slot: &mut slot::Slot, flag: u16, on: bool, count: &mut u32) {
    if on != slot.has(flag) {
        slot.set(flag, on);
        if on {
            *count += 1;
        } else {
            *count -= 1;
        }
    }
}

/// A keep-alive ping rather than a request: two CRLFs on a stream, a STUN
/// Binding request on UDP. Requests start with a method name.
fn is_keepalive(payload: &[u8]) -> bool {
    payload == b"\r\n\r\n" || crate::core::stun::is_stun(payload)
}
