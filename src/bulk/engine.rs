//! The event loop of a bulk run: every registration on one current-thread loop, over
//! a few shared UDP sockets or over TCP/TLS connections, with one timer heap and one
//! pacer.
//!
//! Each received datagram or stream message is parsed once and handed to the
//! registration its Call-ID names; the registration checks branch and CSeq itself.
//! Every registration is a plain `core::Registration`: its own Call-ID, From-tag,
//! CSeq, nonce state, retransmissions, 423 and stale handling and refresh schedule.
//! The loop only moves bytes, keeps the deadlines in order and decides when a
//! transaction may start. Over TCP/TLS, the connections' reader tasks (`streams`)
//! frame the messages and the loop takes them from one channel; a connection that
//! is lost fails the registrations waiting on it (`connection_lost`).
//!
//! While it paces UDP transactions at 1000/s or more, the loop runs on a 1 ms tick
//! (`ticker`) instead of waking for every datagram: each tick reads what arrived,
//! fires the deadlines and starts the transactions due, and the sockets stay out of
//! the reactor meanwhile. Waking up is a good part of the client's CPU per
//! registration on a busy loop; a tick does the work of many datagrams for the price
//! of one wake-up. Responses are timed from the kernel's receive timestamps, so the
//! wait for the tick does not count in the latencies.

use super::datagrams::{wall_clock, Datagram, Receiver, Sender};
use super::demux::CallIdIndex;
use super::nonces::Nonces;
use super::pacer::Pacer;
use super::plan::{Mode, Plan};
use super::population::Member;
use super::rng::SharedRng;
use super::slot::{self, Slot};
use super::sockets::{BulkSocket, Carriers};
use super::stats::{FailureKind, Stats};
use super::streams::{Sent, StreamEvent};
use super::ticker::{Ticker, TICK};
use crate::core::UnregisterTarget;
use crate::core::{Event, OpKind, Operation, Outcome, RegError, Registration, Transmit};
use crate::net::now;
use crate::sip::{Response, MAX_MESSAGE_SIZE};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::Instant;

/// Datagrams read from one socket (or stream messages taken) before the loop looks at
/// its timers again.
const RECEIVE_BATCH: usize = 256;

/// Told about every outcome as it happens (per-AOR lines, the progress bar).
pub trait Observer {
    fn completed(&mut self, _reg: &Registration, _outcome: &Outcome) {}
    fn failed(&mut self, _reg: &Registration, _op: OpKind, _error: &RegError) {}
    /// Called on every turn of the loop; rate-limit on your side.
    fn tick(&mut self, _stats: &Stats, _in_flight: u32, _now: Instant) {}
    /// The run is over: clear what was drawn.
    fn finish(&mut self) {}
}

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Everything asked was done (or failed).
    Finished,
    /// A second Ctrl-C/SIGTERM while the bindings were being removed.
    InterruptedTwice,
}

/// What became of the AORs, counted at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub population: u64,
    pub succeeded: u64,
    pub failed: u64,
    /// Started but neither succeeded nor failed (interrupted).
    pub unfinished: u64,
    pub not_started: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Main,
    /// Staying mode after Ctrl-C, SIGTERM or `--for`: removing the bindings.
    Removing,
}

#[derive(Debug, Clone, Copy)]
enum Start {
    Main(usize),
    Refresh(usize),
    Remove(usize),
}

pub struct Engine {
    plan: Plan,
    carriers: Carriers,
    slots: Vec<Slot>,
    index: CallIdIndex,
    timers: BinaryHeap<Reverse<(Instant, u32)>>,
    pacer: Pacer,
    phase: Phase,
    /// The next AOR whose main operation has not started.
    next_main: usize,
    /// The next AOR to look at for removal.
    next_removal: usize,
    refresh_queue: VecDeque<u32>,
    /// The latest challenges per AOR domain, to answer pre-emptively.
    nonces: Nonces,
    /// What to send: the index of the registration that sends it, its UDP socket, and
    /// the datagram or message.
    outbox: Vec<(u32, u16, Transmit)>,
    in_flight: u32,
    registered: u32,
    stats: Stats,
    /// Buffers for a batch of datagrams, and the arrays of a batch sent.
    receiver: Receiver,
    /// When the sockets were last read.
    last_read: Instant,
    /// Times the loop slept and woke up again.
    wakeups: u64,
    sender: Sender,
    observer: Box<dyn Observer>,
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
        let rng = SharedRng::from_os();
        let common = slot::PopulationDefaults {
            transport: carriers.transport(),
            expires: plan.expires,
            timers: plan.timers,
            user_agent: &plan.user_agent,
            rng: &rng,
        };
        let mut configs = slot::SharedConfigs::default();
        let mut index = CallIdIndex::with_capacity(members.len());
        let mut slots = Vec::with_capacity(members.len());
        for (i, (member, destination)) in members.into_iter().zip(destinations).enumerate() {
            let socket = i % carriers.len();
            let local = carriers.local(socket);
            // A new registration draws a new Call-ID: retried on the (astronomically
            // rare) clash of two Call-IDs' keys.
            let (reg, credentials) =
                slot::registration(member, *destination, local, &common, &mut configs, |id| {
                    index.insert(id, i as u32)
                });
            slots.push(Slot {
                reg,
                scheduled: None,
                // Only UDP reads it; connections may number more than u16 holds.
                socket: socket as u16,
                flags: 0,
            });
            // Given in place: the registration is not moved again to take them.
            if let (Some(credentials), Some(slot)) = (credentials, slots.last_mut()) {
                slot.reg.set_credentials(credentials);
            }
        }
        Engine {
            pacer: Pacer::new(plan.rate),
            plan,
            carriers,
            slots,
            index,
            timers: BinaryHeap::new(),
            phase: Phase::Main,
            next_main: 0,
            next_removal: 0,
            refresh_queue: VecDeque::new(),
            nonces: Nonces::default(),
            outbox: Vec::new(),
            in_flight: 0,
            registered: 0,
            stats: Stats::default(),
            // A datagram longer than a SIP message may be is flagged, never parsed.
            receiver: Receiver::new(MAX_MESSAGE_SIZE),
            last_read: now(),
            wakeups: 0,
            sender: Sender::default(),
            observer,
        }
    }

    pub fn finish_observer(&mut self) {
        self.observer.finish();
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Times the loop slept and woke up again: once per tick while it paces at
    /// 1000/s or more, once per datagram or deadline otherwise.
    pub fn wakeups(&self) -> u64 {
        self.wakeups
    }

    /// Runs until every AOR is done, or (staying mode) until the bindings were
    /// removed after a signal or `--for`.
    pub async fn run(&mut self) -> End {
        let stays = self.plan.mode.stays();
        let mut stop = super::signals::StopSignals::new(stays);
        let mut stay_over = pin!(match self.plan.mode {
            Mode::Stay { duration: Some(d) } => Some(tokio::time::sleep_until((now() + d).into())),
            _ => None,
        });
        // One timer for the loop's next deadline, moved only when that changes: a new
        // timer on every turn would be put in tokio's timer wheel and taken out again
        // each time.
        let mut alarm = pin!(tokio::time::sleep_until(now().into()));
        let mut armed: Option<Instant> = None;
        let mut ticker = Ticker::new(now());
        loop {
            let at = now();
            self.fire_timers(at);
            self.start_due(at);
            self.flush().await;
            self.observer.tick(&self.stats, self.in_flight, at);
            if self.finished() {
                return End::Finished;
            }
            let ticking = self.choose_ticks(&mut ticker, at);
            let wake = if ticking { None } else { self.next_wake(at) };
            if wake != armed {
                if let Some(w) = wake {
                    alarm.as_mut().reset(w.into());
                }
                armed = wake;
            }
            let removing = self.phase == Phase::Removing;
            // Only staying mode listens for signals; other modes end as any program.
            let mut stop_next = pin!(stays.then(|| stop.next()));
            let woke = {
                let mut waits = Waits {
                    stop: stop_next.as_mut().as_pin_mut(),
                    stay_over: if removing {
                        None
                    } else {
                        stay_over.as_mut().as_pin_mut()
                    },
                    alarm: armed.map(|_| alarm.as_mut()),
                    ticker: ticking.then_some(&mut ticker),
                };
                match &mut self.carriers {
                    // While ticking, the sockets are out of the reactor: every tick
                    // reads them.
                    Carriers::Udp(_) if ticking => {
                        std::future::poll_fn(|cx| waits.poll(cx, |_| Poll::Pending)).await
                    }
                    Carriers::Udp(sockets) => {
                        let sockets = &*sockets;
                        std::future::poll_fn(|cx| waits.poll(cx, |cx| udp_readable(sockets, cx)))
                            .await
                    }
                    Carriers::Streams(streams) => {
                        let mut next = pin!(streams.next_event());
                        std::future::poll_fn(|cx| {
                            waits.poll(cx, |cx| next.as_mut().poll(cx).map(Woke::Stream))
                        })
                        .await
                    }
                }
            };
            self.wakeups += 1;
            match woke {
                Woke::Stop if removing => return End::InterruptedTwice,
                Woke::Stop | Woke::StayOver => self.begin_removal(),
                Woke::Datagrams | Woke::Tick => self.receive(),
                Woke::Stream(event) => self.on_stream_events(event),
                Woke::Alarm => {}
            }
        }
    }

    /// Counts what became of every AOR.
    pub fn tally(&self) -> Tally {
        let mut t = Tally {
            population: self.slots.len() as u64,
            ..Tally::default()
        };
        let stays = self.plan.mode.stays();
        for s in &self.slots {
            let done = s.has(slot::MAIN_DONE) && (!stays || s.has(slot::REMOVED));
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

    fn fire_timers(&mut self, now: Instant) {
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
            } else if self.plan.mode.stays() && self.phase == Phase::Main {
                // A refresh is due: it waits for a pacing slot like any transaction.
                slot.set(slot::QUEUED, true);
                self.refresh_queue.push_back(i as u32);
            }
        }
    }

    /// Runs the loop on the ticker while it paces UDP transactions at 1000/s or more
    /// (the timer could not space them finer anyway), and on readiness otherwise; the
    /// sockets leave the reactor while it ticks. Returns whether it ticks.
    fn choose_ticks(&mut self, ticker: &mut Ticker, now: Instant) -> bool {
        let wanted = self.pacer.interval() <= TICK
            && self.in_flight < self.plan.concurrency
            && self.has_work();
        let Carriers::Udp(sockets) = &mut self.carriers else {
            return false;
        };
        if wanted == ticker.is_running() {
            return wanted;
        }
        let mut watched = Ok(());
        for s in sockets.iter_mut() {
            watched = watched.and(s.socket.set_watched(!wanted));
        }
        if wanted || watched.is_err() {
            // A socket that could not go back in the reactor is read on every tick
            // instead; the next turn tries again.
            ticker.start(now);
            true
        } else {
            ticker.stop();
            false
        }
    }

    fn has_work(&self) -> bool {
        match self.phase {
            Phase::Main => !self.refresh_queue.is_empty() || self.next_main < self.slots.len(),
            Phase::Removing => self.next_removal < self.slots.len(),
        }
    }

    fn take_work(&mut self) -> Option<Start> {
        match self.phase {
            Phase::Main => {
                if let Some(i) = self.refresh_queue.pop_front() {
                    return Some(Start::Refresh(i as usize));
                }
                let i = self.next_main;
                (i < self.slots.len()).then(|| {
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

    fn start_due(&mut self, now: Instant) {
        while self.in_flight < self.plan.concurrency && self.has_work() {
            if !self.pacer.try_take(now) {
                return;
            }
            // A tick starts many transactions; each is timed from when its request is
            // made, not from the start of the tick.
            let now = crate::net::now();
            match self.take_work() {
                Some(Start::Main(i)) => self.start_main(i, now),
                Some(Start::Refresh(i)) => {
                    let slot = &mut self.slots[i];
                    slot.set(slot::QUEUED, false);
                    // Sends the refresh the core has due.
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

    fn start_main(&mut self, i: usize, now: Instant) {
        let slot = &mut self.slots[i];
        slot.set(slot::STARTED, true);
        self.nonces.prime(&mut slot.reg);
        slot.reg.start(self.plan.mode.operation(), now);
        self.stats.record_start(now);
        self.settle(i, now);
    }

    /// After anything happened to registration `i`: take its events and datagrams,
    /// update the counts, and put its next deadline in the heap.
    fn settle(&mut self, i: usize, now: Instant) {
        let main_kind = self.plan.mode.main_kind();
        let slot = &mut self.slots[i];
        while let Some(event) = slot.reg.poll_event() {
            match event {
                Event::Challenged { .. } => self.stats.challenges += 1,
                Event::IntervalTooBrief { .. } => self.stats.interval_too_brief += 1,
                Event::Ignored { .. } => self.stats.ignored += 1,
                Event::Completed(outcome) => {
                    match outcome.op {
                        OpKind::Register => self.stats.registered += 1,
                        OpKind::Refresh => self.stats.refreshed += 1,
                        OpKind::Query => {
                            self.stats.queried += 1;
                            self.stats.bindings += outcome.bindings.len() as u64;
                            if !outcome.bindings.is_empty() {
                                self.stats.aors_with_bindings += 1;
                            }
                        }
                        OpKind::Unregister => self.stats.unregistered += 1,
                    }
                    if outcome.op == main_kind {
                        slot.set(slot::MAIN_DONE, true);
                        self.stats.record_latency(outcome.elapsed, now);
                        self.observer.completed(&slot.reg, &outcome);
                    } else if slot.has(slot::REMOVING) {
                        slot.set(slot::REMOVED, true);
                    }
                }
                Event::Failed { op, error } => {
                    slot.set(slot::FAILED, true);
                    if op == main_kind {
                        self.stats.main_failed += 1;
                        self.stats.last_final = Some(now);
                    }
                    let kind = FailureKind::of(op, &error);
                    *self.stats.failures.entry(kind).or_default() += 1;
                    self.observer.failed(&slot.reg, op, &error);
                }
                Event::Redirected { op, target } => {
                    // Following a 3xx means resolving a new target per AOR; a load
                    // test of one registrar has no use for it, so it ends the AOR.
                    slot.set(slot::FAILED, true);
                    if op == main_kind {
                        self.stats.main_failed += 1;
                        self.stats.last_final = Some(now);
                    }
                    let kind = FailureKind::redirected(op, &target);
                    *self.stats.failures.entry(kind).or_default() += 1;
                }
                // Recovery and keep-alives are not enabled by bulk runs; refreshes,
                // NAT and flow events change nothing that is counted.
                _ => {}
            }
        }
        while let Some(t) = slot.reg.poll_transmit() {
            if t.retransmission {
                self.stats.retransmissions += 1;
            }
            self.outbox.push((i as u32, slot.socket, t));
        }
        let busy = slot.reg.is_busy();
        if busy != slot.has(slot::BUSY) {
            slot.set(slot::BUSY, busy);
            if busy {
                self.in_flight += 1;
            } else {
                self.in_flight -= 1;
            }
        }
        let registered = slot.reg.is_registered();
        if registered != slot.has(slot::REGISTERED) {
            slot.set(slot::REGISTERED, registered);
            if registered {
                self.registered += 1;
            } else {
                self.registered -= 1;
            }
        }
        // Between transactions only staying mode has anything to do (refresh).
        let idle_wakes =
            self.plan.mode.stays() && self.phase == Phase::Main && !slot.has(slot::QUEUED);
        let deadline = if busy || idle_wakes {
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

    /// Reads what the sockets have queued, a batch per system call, up to
    /// `RECEIVE_BATCH` datagrams per socket before the timers get their turn.
    fn receive(&mut self) {
        // What the previous read left is older than it, but no datagram read now is
        // dated before it began: a kernel timestamp that says so comes from a wall
        // clock that was set back or forward meanwhile.
        let floor = std::mem::replace(&mut self.last_read, now());
        for s in 0..self.carriers.len() {
            let mut read = 0;
            while read < RECEIVE_BATCH {
                let Carriers::Udp(sockets) = &self.carriers else {
                    return;
                };
                let n = match self.receiver.receive(&sockets[s].socket) {
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    // An ICMP error surfacing on the socket, say: nothing to read.
                    Err(_) => break,
                };
                // The kernel noted when each datagram arrived: responses that waited
                // for a tick count from then, not from when they were read.
                let (at, wall) = (now(), wall_clock());
                for k in 0..n {
                    let arrival = self.receiver.arrival(k, at, wall, floor);
                    match self.receiver.datagram(k) {
                        Datagram::Whole(bytes) => {
                            // Parsed before the engine is borrowed again.
                            match Response::parse_datagram(bytes) {
                                Ok(response) => self.on_response(response, arrival),
                                Err(_) => self.stats.unreadable += 1,
                            }
                        }
                        Datagram::Oversized => self.stats.unreadable += 1,
                    }
                }
                read += n;
                if n < super::datagrams::BATCH {
                    break; // the queue is empty (and readiness was cleared)
                }
            }
        }
    }

    /// `first` and whatever else the connections' readers have queued, up to a batch.
    fn on_stream_events(&mut self, first: StreamEvent) {
        let mut next = Some(first);
        for _ in 0..RECEIVE_BATCH {
            let Some(event) = next else {
                return;
            };
            match event {
                StreamEvent::Message { bytes, .. } => {
                    // The reader framed it already; a bare CRLF keep-alive never gets here.
                    match Response::parse(&bytes) {
                        Ok(response) => self.on_response(response, now()),
                        Err(_) => self.stats.unreadable += 1,
                    }
                }
                StreamEvent::Closed { connection, reason } => {
                    self.connection_lost(connection as usize, reason);
                }
            }
            next = match &mut self.carriers {
                Carriers::Streams(streams) => streams.try_next_event(),
                Carriers::Udp(_) => None,
            };
        }
    }

    /// Connection `k` is gone: every registration waiting on it fails now (later
    /// requests meant for it fail when they are sent).
    fn connection_lost(&mut self, k: usize, reason: String) {
        let Carriers::Streams(streams) = &mut self.carriers else {
            return;
        };
        streams.close(k, reason.clone());
        let step = streams.len();
        let at = now();
        for i in (k..self.slots.len()).step_by(step) {
            if self.slots[i].reg.is_busy() {
                self.slots[i].reg.transport_failed(at, reason.clone());
                self.settle(i, at);
            }
        }
    }

    /// A response that arrived at `at`.
    fn on_response(&mut self, response: Response, at: Instant) {
        let Some(i) = response.call_id().and_then(|c| self.index.get(c)) else {
            self.stats.ignored += 1;
            return;
        };
        let i = i as usize;
        if matches!(response.status, 401 | 407) {
            let domain = &self.slots[i].reg.config().aor.host;
            self.nonces.learn(domain, &response);
        }
        self.slots[i].reg.handle_response(at, response);
        self.settle(i, at);
    }

    /// Sends the outbox: per socket, as many datagrams per system call as it takes.
    async fn flush(&mut self) {
        let sockets = match &mut self.carriers {
            Carriers::Udp(sockets) => sockets,
            Carriers::Streams(_) => return self.flush_streams().await,
        };
        if self.outbox.is_empty() {
            return;
        }
        if sockets.len() > 1 {
            // Runs of one socket; a stable sort keeps each socket's order.
            self.outbox.sort_by_key(|(_, s, _)| *s);
        }
        let mut batch: Vec<(&[u8], SocketAddr)> = Vec::with_capacity(self.outbox.len());
        let mut from = 0;
        while from < self.outbox.len() {
            let s = self.outbox[from].1;
            let to = from
                + self.outbox[from..]
                    .iter()
                    .take_while(|(_, socket, _)| *socket == s)
                    .count();
            batch.clear();
            batch.extend(
                self.outbox[from..to]
                    .iter()
                    .map(|(_, _, t)| (&t.payload[..], t.destination)),
            );
            let socket = &sockets[usize::from(s)].socket;
            let mut k = 0;
            while k < batch.len() {
                match self.sender.try_send(socket, &batch[k..]) {
                    Ok(n) => k += n.max(1),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        // The send buffer is full: wait until it drains.
                        if socket.writable().await.is_err() {
                            self.stats.send_errors += (batch.len() - k) as u64;
                            break;
                        }
                    }
                    // A lost datagram is what UDP retransmissions are for.
                    Err(_) => {
                        self.stats.send_errors += 1;
                        k += 1;
                    }
                }
            }
            from = to;
        }
        drop(batch);
        self.outbox.clear();
    }

    /// Writes the outbox on the connections. A failed write ends its connection and
    /// everything waiting on it; a request meant for a connection already gone fails
    /// on its own.
    async fn flush_streams(&mut self) {
        let Carriers::Streams(streams) = &mut self.carriers else {
            return;
        };
        let mut gone: Vec<(u32, String)> = Vec::new();
        let mut broken: Vec<(usize, String)> = Vec::new();
        let count = streams.len();
        for (i, _, t) in self.outbox.drain(..) {
            let k = i as usize % count;
            match streams.send(k, &t.payload).await {
                Sent::Ok => {}
                Sent::Gone(reason) => gone.push((i, reason)),
                Sent::Broke(reason) => {
                    self.stats.send_errors += 1;
                    broken.push((k, reason));
                }
            }
        }
        let at = now();
        for (i, reason) in gone {
            let i = i as usize;
            self.slots[i].reg.transport_failed(at, reason);
            self.settle(i, at);
        }
        for (k, reason) in broken {
            self.connection_lost(k, reason);
        }
    }

    fn finished(&self) -> bool {
        if self.in_flight > 0 || self.has_work() {
            return false;
        }
        match self.phase {
            Phase::Main => !self.plan.mode.stays() || self.registered == 0,
            Phase::Removing => true,
        }
    }

    fn begin_removal(&mut self) {
        self.phase = Phase::Removing;
        for i in self.refresh_queue.drain(..) {
            self.slots[i as usize].set(slot::QUEUED, false);
        }
        self.next_removal = 0;
    }

    fn next_wake(&self, now: Instant) -> Option<Instant> {
        let timer = self.timers.peek().map(|Reverse((at, _))| *at);
        let start = (self.has_work() && self.in_flight < self.plan.concurrency)
            .then(|| self.pacer.next_start().unwrap_or(now));
        match (timer, start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// What woke the loop up.
enum Woke {
    /// Ctrl-C or SIGTERM (staying mode).
    Stop,
    /// The time `--for` gave is over.
    StayOver,
    /// Some UDP socket has datagrams to read.
    Datagrams,
    /// A connection's reader has something for us.
    Stream(StreamEvent),
    /// The next deadline (timer or pacing slot) came.
    Alarm,
    /// The loop's tick, while it ticks (`choose_ticks`).
    Tick,
}

/// What the loop waits for besides the network, polled in this order: signals
/// first, so that a run flooded with responses still stops.
struct Waits<'a, S: Future<Output = ()>> {
    stop: Option<Pin<&'a mut S>>,
    stay_over: Option<Pin<&'a mut tokio::time::Sleep>>,
    alarm: Option<Pin<&'a mut tokio::time::Sleep>>,
    ticker: Option<&'a mut Ticker>,
}

impl<S: Future<Output = ()>> Waits<'_, S> {
    fn poll(
        &mut self,
        cx: &mut Context<'_>,
        mut network: impl FnMut(&mut Context<'_>) -> Poll<Woke>,
    ) -> Poll<Woke> {
        if let Some(stop) = &mut self.stop {
            if stop.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Woke::Stop);
            }
        }
        if let Some(stay_over) = &mut self.stay_over {
            if stay_over.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Woke::StayOver);
            }
        }
        if let Poll::Ready(woke) = network(cx) {
            return Poll::Ready(woke);
        }
        if let Some(alarm) = &mut self.alarm {
            if alarm.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Woke::Alarm);
            }
        }
        if let Some(ticker) = &mut self.ticker {
            if ticker.poll_tick(cx, now()).is_ready() {
                return Poll::Ready(Woke::Tick);
            }
        }
        Poll::Pending
    }
}

/// Ready when any of the sockets has something to read.
fn udp_readable(sockets: &[BulkSocket], cx: &mut Context<'_>) -> Poll<Woke> {
    for s in sockets {
        if s.socket.poll_readable(cx).is_ready() {
            return Poll::Ready(Woke::Datagrams);
        }
    }
    Poll::Pending
}
