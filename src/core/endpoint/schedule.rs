//! When transactions start: the deadline heap, the pacer and the queues of work
//! (the population's operation, due refreshes, removals, single starts).

use super::slot;
use super::{kind_of, Endpoint, Handle, Phase, Start};
use crate::core::{Operation, UnregisterTarget};
use std::cmp::Reverse;
use std::time::Instant;

impl Endpoint {
    /// Starts `op` on `h` as soon as pacing and concurrency allow (at once, unpaced).
    pub fn start(&mut self, h: Handle, op: Operation, now: Instant) {
        self.now = Some(now);
        self.main_kind.get_or_insert(kind_of(&op));
        self.direct.push_back((h.0, op));
        self.start_due(now, &mut || now);
    }

    /// Runs `op` on every registration in turn, paced (a bulk run's population).
    pub fn start_all(&mut self, op: Operation, now: Instant) {
        self.now = Some(now);
        self.main_kind = Some(kind_of(&op));
        self.main = Some(op);
        self.next_main = 0;
    }

    /// A staying run is over: stop refreshing, and remove every binding we hold
    /// (paced like the registrations were).
    pub fn begin_removal(&mut self, now: Instant) {
        self.now = Some(now);
        // Lapses that never recovered: the removal would hide them.
        self.stats.lapsed_at_end = self.lapsed_now(now);
        self.stats.registered_at_end = u64::from(self.registered);
        self.phase = Phase::Removing;
        for i in self.due.drain(..) {
            self.slots[i as usize].set(slot::QUEUED, false);
        }
        self.next_removal = 0;
    }

    /// Registrations whose last grant ran out at `now` and none followed.
    pub fn lapsed_now(&self, now: Instant) -> u64 {
        self.slots.iter().filter(|s| s.reg.has_lapsed(now)).count() as u64
    }

    /// Whether a removal is under way.
    pub fn is_removing(&self) -> bool {
        self.phase == Phase::Removing
    }

    /// Fires every deadline that has come, then starts what pacing allows.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.fire_timers(now);
        self.start_due(now, &mut || now);
    }

    /// Fires every deadline that has come: transaction timers at once; a refresh,
    /// retry or keep-alive of a staying run joins the queue for a pacing slot.
    pub fn fire_timers(&mut self, now: Instant) {
        self.now = Some(now);
        self.fire_uas(now);
        while let Some(&Reverse((at, i))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            let i = i as usize;
            let slot = &mut self.slots[i];
            if slot.scheduled != Some(at) {
                continue; // superseded by a later deadline
            }
            slot.scheduled = None;
            if slot.reg.is_busy() {
                slot.reg.handle_timeout(now);
                self.settle(i, now);
            } else if slot.reg.handle_probe_timeout(now) {
                // A probe's transaction timer: at once, like any other; whatever
                // else is due comes back through `settle`.
                self.settle(i, now);
            } else if self.cfg.stays && self.phase == Phase::Main {
                slot.set(slot::QUEUED, true);
                self.due.push_back(i as u32);
            }
        }
    }

    /// Starts the transactions whose pacing slot has come, while fewer than
    /// `concurrency` are in flight. `clock` tells when each request is made: a batch
    /// started in one turn of a busy loop times each from its own start.
    pub fn start_due(&mut self, now: Instant, clock: &mut dyn FnMut() -> Instant) {
        while self.in_flight < self.cfg.concurrency && self.has_work() {
            if !self.pacer.try_take(now) {
                return;
            }
            let now = clock();
            match self.take_work() {
                Some(Start::Direct(i, op)) => {
                    let i = i as usize;
                    let slot = &mut self.slots[i];
                    slot.set(slot::STARTED, true);
                    slot.reg.start(op, now);
                    self.settle(i, now);
                }
                Some(Start::Main(i)) => self.start_main(i, now),
                Some(Start::Due(i)) => {
                    let slot = &mut self.slots[i];
                    slot.set(slot::QUEUED, false);
                    // Sends the refresh (retry, keep-alive) the registration has due.
                    slot.reg.handle_timeout(now);
                    self.settle(i, now);
                }
                Some(Start::Remove(i)) => {
                    let slot = &mut self.slots[i];
                    slot.set(slot::REMOVING, true);
                    slot.reg
                        .start(Operation::Unregister(UnregisterTarget::Ours), now);
                    self.settle(i, now);
                }
                None => return,
            }
        }
    }

    /// Whether a transaction is waiting to start and concurrency would allow it.
    pub fn wants_to_start(&self) -> bool {
        self.in_flight < self.cfg.concurrency && self.has_work()
    }

    /// The earliest instant at which `handle_timeout` has work: a deadline, or the
    /// next pacing slot of a transaction waiting to start.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let timer = self.timers.peek().map(|Reverse((at, _))| *at);
        let timer = match (timer, self.uas_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let start = self
            .wants_to_start()
            .then(|| self.pacer.next_start().or(self.now))
            .flatten();
        match (timer, start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(super) fn has_work(&self) -> bool {
        if !self.direct.is_empty() {
            return true;
        }
        match self.phase {
            Phase::Main => {
                !self.due.is_empty() || (self.main.is_some() && self.next_main < self.slots.len())
            }
            Phase::Removing => self.next_removal < self.slots.len(),
        }
    }

    pub(super) fn take_work(&mut self) -> Option<Start> {
        if let Some((i, op)) = self.direct.pop_front() {
            return Some(Start::Direct(i, op));
        }
        match self.phase {
            Phase::Main => {
                if let Some(i) = self.due.pop_front() {
                    return Some(Start::Due(i as usize));
                }
                let i = self.next_main;
                (self.main.is_some() && i < self.slots.len()).then(|| {
                    self.next_main += 1;
                    Start::Main(i)
                })
            }
            Phase::Removing => {
                while self.next_removal < self.slots.len() {
                    let i = self.next_removal;
                    self.next_removal += 1;
                    let s = &self.slots[i];
                    if s.has(slot::STARTED) && (s.reg.is_registered() || s.reg.is_busy()) {
                        return Some(Start::Remove(i));
                    }
                }
                None
            }
        }
    }

    pub(super) fn start_main(&mut self, i: usize, now: Instant) {
        let Some(op) = self.main.clone() else {
            return;
        };
        let slot = &mut self.slots[i];
        slot.set(slot::STARTED, true);
        self.nonces.prime(&mut slot.reg);
        slot.reg.start(op, now);
        self.stats.record_start(now);
        self.settle(i, now);
    }
}
