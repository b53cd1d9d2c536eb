//! One endpoint for one registration or a hundred thousand, sans-IO like the
//! registrations it owns.
//!
//! Where an input enters and who decides what:
//! - a received message (`handle_input`, `handle_response`) goes to the registration
//!   its Call-ID names (`index`); that registration checks branch and CSeq itself. A
//!   keep-alive answer, which has no Call-ID, goes to the one registration of its
//!   carrier. 401/407 challenges are remembered per domain (`nonces`) so that later
//!   registrations of the domain answer them pre-emptively;
//! - time (`handle_timeout`): the deadlines of every registration wait in one heap;
//!   a due transaction timer fires at once, a due refresh (or retry, or keep-alive)
//!   waits for a pacing slot like any new transaction (`pacer`, `--rate`,
//!   `--concurrency`);
//! - commands: `start` (one registration), `start_all` (the population, in order,
//!   paced), `begin_removal` (the end of a staying run);
//! - the network's own news: `connection_closed`, `carrier_failed`, `reconnected`,
//!   `transport_failed`.
//!
//! Out come datagrams and messages to send (`drain_transmits`), the next instant it
//! has work (`poll_timeout`), and `EndpointEvent`s: the registrations' events, and
//! what only the driver can do — fail over to the next RFC 3263 target (`Failover`),
//! follow a 3xx (`Event::Redirected`), reopen a connection (`Reconnect`). The driver
//! answers them with `retarget`, `abandon`, `reconnected` or `relocated`, the same
//! way whatever the number of registrations. A request arriving at a contact goes to
//! the endpoint's user-agent server (`requests`, `uas`), when `answer_requests` asked
//! for one, and its answers go out like any transmit. Counting outcomes (`stats`, `tally`) happens here
//! too, so a driver only moves bytes and time.

mod index;
pub mod latency;
mod nonces;
pub mod pacer;
pub mod ramp;
mod requests;
mod schedule;
mod settle;
mod slot;
pub mod stats;

use super::stun::TransactionId;
use super::TransportKind;
use super::{Event, OpKind, Operation, RegError, Registration, RegistrationConfig, Transmit};
use crate::auth::Credentials;
use crate::sip::Response;
use index::CallIdIndex;
use nonces::Nonces;
use pacer::Pacer;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use slot::Slot;
use stats::{FailureKind, Stats};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

/// A registration of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(pub u32);

impl Handle {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How an endpoint schedules its transactions.
#[derive(Debug, Clone, Copy)]
pub struct EndpointConfig {
    /// New transactions per second, paced evenly; `f64::INFINITY`: no pacing.
    pub rate: f64,
    /// `--ramp`: the rate rises (or falls) along this from the first start on, and
    /// `rate` is not used; its end rate is the rate after it.
    pub ramp: Option<ramp::Ramp>,
    /// Transactions in flight at most.
    pub concurrency: u32,
    /// Keep registrations refreshed, retried and kept alive between transactions
    /// (a staying run); otherwise a deadline between transactions is left alone.
    pub stays: bool,
    /// Sockets or connections the registrations are spread over: registration i
    /// sends on carrier i % carriers.
    pub carriers: u32,
    /// A stream connection that closes under a request or a staying binding is
    /// reopened (RFC 5626 §4.4.1 flow recovery); otherwise what waits on it fails at
    /// once. A load test that only registers once wants to see the registrar drop
    /// connections, not have them hidden by reconnects.
    pub reopen_flows: bool,
}

impl EndpointConfig {
    /// One registration, unpaced: the single-AOR commands.
    pub fn single(stays: bool) -> EndpointConfig {
        EndpointConfig {
            rate: f64::INFINITY,
            ramp: None,
            concurrency: 1,
            stays,
            carriers: 1,
            reopen_flows: true,
        }
    }
}

/// Bytes to send for a registration, and the carrier to send them on.
#[derive(Debug)]
pub struct Dispatch {
    /// The registration that sends it; None for an answer of the user-agent server,
    /// whose failure to go out costs no transaction.
    pub handle: Option<Handle>,
    pub carrier: u32,
    pub transmit: Transmit,
}

/// What the endpoint tells its driver.
#[derive(Debug)]
pub enum EndpointEvent {
    /// Something happened to a registration. `Event::Redirected` asks the driver to
    /// locate the target and `retarget` there (or `abandon`).
    Event(Handle, Event),
    /// The registration's target failed in a way the next RFC 3263 target may not
    /// (timeout, transport error, 503) and the driver said it has another: it moves
    /// the registration there with `retarget`, which starts the operation again.
    Failover {
        handle: Handle,
        op: OpKind,
        error: RegError,
    },
    /// A stream connection that registrations depend on is gone (closed, broken, or
    /// a keep-alive on it went unanswered): reopen it and call `reconnected` — or,
    /// when `resend` is false because the registrations send again by themselves,
    /// `relocated` (`carrier_failed` when it cannot be reopened).
    Reconnect {
        carrier: u32,
        reason: String,
        resend: bool,
    },
    /// What the user-agent server at our contacts did (a call refused, a message).
    Incoming(crate::core::uas::UasEvent),
}

/// What became of the registrations, counted at the end.
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
    /// A staying run is over: removing the bindings.
    Removing,
}

enum Start {
    Direct(u32, Operation),
    Main(usize),
    Due(usize),
    Remove(usize),
}

pub struct Endpoint {
    cfg: EndpointConfig,
    slots: Vec<Slot>,
    index: CallIdIndex,
    timers: BinaryHeap<Reverse<(Instant, u32)>>,
    pacer: Pacer,
    rng: StdRng,
    nonces: Nonces,
    phase: Phase,
    /// The operation every registration is to run, in order (`start_all`).
    main: Option<Operation>,
    /// The kind of operation outcomes are counted for (latencies, successes).
    main_kind: Option<OpKind>,
    next_main: usize,
    next_removal: usize,
    /// Registrations whose deadline came between transactions, waiting to start.
    due: VecDeque<u32>,
    /// Operations started by `start`, waiting for a pacing slot.
    direct: VecDeque<(u32, Operation)>,
    outbox: Vec<Dispatch>,
    events: VecDeque<EndpointEvent>,
    in_flight: u32,
    registered: u32,
    /// Registrations waiting out a back-off before they try again.
    retrying: u32,
    stats: Stats,
    /// The latest instant an input brought: when a transaction waiting for its first
    /// pacing slot may start.
    now: Option<Instant>,
    /// STUN keep-alives out, by transaction ID: an answer on a socket many
    /// registrations share goes to the one that asked.
    stun_pings: HashMap<TransactionId, u32>,
    /// The one STUN keep-alive each registration has out.
    stun_ping_of: HashMap<u32, TransactionId>,
    /// Per shared connection: the registrations whose CRLF pings are out, oldest first.
    pong_queues: HashMap<u32, VecDeque<u32>>,
    /// Inside `reconnected`: the flow failures it causes need no reconnect of their own.
    reconnecting: bool,
    /// What answers requests at our contacts, once `answer_requests` asked for it.
    uas: Option<crate::core::uas::Server>,
    /// Registrations by the user part of their contact, made at the first request.
    contact_users: Option<HashMap<String, Vec<u32>>>,
    /// Reachability probes out, by Call-ID: the registration that sent each.
    probes: HashMap<String, u32>,
    /// GRUUs assigned to our contacts (as `SipUri` prints them): whose each is, and
    /// each registration's, to forget the oldest.
    gruus: HashMap<String, u32>,
    gruus_of: HashMap<u32, Vec<String>>,
}

/// Failures after which the next target may do better (RFC 3263 §4.3; a 503 is how
/// a server says so, RFC 3261 §21.5.4).
fn worth_another_target(error: &RegError) -> bool {
    matches!(
        error,
        RegError::Timeout { .. }
            | RegError::Transport(_)
            | RegError::Unreachable(_)
            | RegError::Refused { status: 503, .. }
    )
}

impl Endpoint {
    /// An endpoint with no registrations yet. Each registration's random source is
    /// seeded from the endpoint's, which is seeded from `rng_seed`.
    pub fn new(cfg: EndpointConfig, rng_seed: [u8; 32]) -> Endpoint {
        Endpoint {
            pacer: match cfg.ramp {
                Some(ramp) => Pacer::ramp(ramp),
                None => Pacer::new(cfg.rate),
            },
            cfg: EndpointConfig {
                concurrency: cfg.concurrency.max(1),
                carriers: cfg.carriers.max(1),
                ..cfg
            },
            slots: Vec::new(),
            index: CallIdIndex::with_capacity(0),
            timers: BinaryHeap::new(),
            rng: StdRng::from_seed(rng_seed),
            nonces: Nonces::default(),
            phase: Phase::Main,
            main: None,
            main_kind: None,
            next_main: 0,
            next_removal: 0,
            due: VecDeque::new(),
            direct: VecDeque::new(),
            outbox: Vec::new(),
            events: VecDeque::new(),
            in_flight: 0,
            registered: 0,
            retrying: 0,
            stats: Stats::default(),
            now: None,
            stun_pings: HashMap::new(),
            stun_ping_of: HashMap::new(),
            pong_queues: HashMap::new(),
            reconnecting: false,
            uas: None,
            contact_users: None,
            probes: HashMap::new(),
            gruus: HashMap::new(),
            gruus_of: HashMap::new(),
        }
    }

    /// Room for `n` registrations, allocated once.
    pub fn reserve(&mut self, n: usize) {
        self.slots.reserve_exact(n);
        self.index.reserve(n);
    }

    /// Adds a registration on carrier `len % carriers`. A Call-ID that clashes with
    /// another registration's (astronomically rare) is drawn again.
    pub fn add(
        &mut self,
        cfg: RegistrationConfig,
        credentials: Option<Credentials>,
        realm: Option<String>,
    ) -> Handle {
        let i = self.slots.len() as u32;
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let mut reg = Registration::new(cfg, None, realm.clone(), seed);
        while !self.index.insert(reg.call_id(), i) {
            self.rng.fill_bytes(&mut seed);
            reg = Registration::new(reg.config().clone(), None, realm.clone(), seed);
        }
        self.slots.push(Slot {
            reg,
            scheduled: None,
            carrier: i % self.cfg.carriers,
            fallbacks: 0,
            flags: 0,
        });
        // Given in place: a registration is large, and each move of it is a copy.
        if let (Some(c), Some(slot)) = (credentials, self.slots.last_mut()) {
            slot.reg.set_credentials(c);
        }
        Handle(i)
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn registration(&self, h: Handle) -> &Registration {
        &self.slots[h.index()].reg
    }

    /// For configuring a registration (recovery, NAT rewriting, keep-alives,
    /// credentials). Anything that makes it send must go through the endpoint.
    pub fn registration_mut(&mut self, h: Handle) -> &mut Registration {
        &mut self.slots[h.index()].reg
    }

    /// The carrier registration `h` sends on.
    pub fn carrier(&self, h: Handle) -> u32 {
        self.slots[h.index()].carrier
    }

    /// How many more targets the driver can move `h` to when its target fails.
    pub fn fallbacks(&self, h: Handle) -> usize {
        usize::from(self.slots[h.index()].fallbacks)
    }

    /// Sets how many more targets the driver can move `h` to.
    pub fn set_fallbacks(&mut self, h: Handle, fallbacks: usize) {
        self.slots[h.index()].fallbacks = u8::try_from(fallbacks).unwrap_or(u8::MAX);
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The latencies of main operations and of refreshes recorded since the last
    /// call (one `--interval`'s worth).
    pub fn take_interval_latencies(&mut self) -> (latency::Latencies, latency::Latencies) {
        (
            self.stats.interval_latencies.take(),
            self.stats.interval_refresh_latencies.take(),
        )
    }

    /// A datagram too long to be a SIP message arrived.
    pub fn count_unreadable(&mut self) {
        self.stats.unreadable += 1;
    }

    /// Messages the carriers could not send.
    pub fn count_send_errors(&mut self, n: u64) {
        self.stats.send_errors += n;
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }

    /// Registrations that hold a binding now.
    pub fn registered(&self) -> u32 {
        self.registered
    }

    /// The interval between two new transactions.
    pub fn pacing_interval(&self) -> std::time::Duration {
        self.pacer.interval()
    }

    /// One datagram or stream message that arrived at `now` on `carrier`, from an
    /// unknown source: a request is answered at its top Via's sent-by.
    pub fn handle_input(&mut self, now: Instant, carrier: u32, bytes: &[u8]) {
        self.handle_input_from(now, carrier, None, bytes);
    }

    /// One datagram or stream message that arrived at `now` on `carrier` from
    /// `source` (the datagram's sender, or the connection's peer).
    pub fn handle_input_from(
        &mut self,
        now: Instant,
        carrier: u32,
        source: Option<SocketAddr>,
        bytes: &[u8],
    ) {
        if crate::sip::is_request(bytes) {
            return self.handle_request(now, carrier, source, bytes);
        }
        let keepalive_answer = bytes == b"\r\n" || super::stun::is_stun(bytes);
        if let Some(i) = self
            .sole_user(carrier)
            .filter(|_| keepalive_answer || self.slots.len() == 1)
        {
            // No Call-ID to route by: the registration alone on its carrier takes it
            // (and a lone registration reports what it could not read).
            self.slots[i].reg.handle_input(now, bytes);
            return self.settle(i, now);
        }
        if let Some(id) = super::stun::transaction_id(bytes) {
            // A socket shared by several: the answer goes to the one that asked.
            match self.stun_pings.remove(&id) {
                Some(i) => {
                    self.stun_ping_of.remove(&i);
                    self.slots[i as usize].reg.handle_input(now, bytes);
                    self.settle(i as usize, now);
                }
                None => self.stats.ignored += 1,
            }
            return;
        }
        if keepalive_answer {
            // A connection shared by several answers their pings in order: the pong
            // goes to the oldest ping still waiting (one that gave up is skipped).
            let waiting = self.pong_queues.get_mut(&carrier);
            let next = waiting.and_then(|q| {
                std::iter::from_fn(|| q.pop_front())
                    .find(|i| self.slots[*i as usize].reg.awaits_keepalive_answer())
            });
            match next {
                Some(i) => {
                    self.slots[i as usize].reg.handle_input(now, bytes);
                    self.settle(i as usize, now);
                }
                None => self.stats.ignored += 1,
            }
            return;
        }
        match Response::parse_datagram(bytes) {
            Ok(response) => self.handle_response(now, response),
            Err(e) => {
                self.stats.unreadable += 1;
                // Routed by a loosely read Call-ID: the registration checks that it
                // carries its branch before taking it as a malformed answer.
                if let Some(i) = loose_call_id(bytes).and_then(|c| self.index.get(c)) {
                    self.slots[i as usize]
                        .reg
                        .handle_unreadable(now, bytes, &e.to_string());
                    self.settle(i as usize, now);
                }
            }
        }
    }

    /// A response, parsed already, that arrived at `now`.
    pub fn handle_response(&mut self, now: Instant, response: Response) {
        let slot = response
            .call_id()
            .and_then(|c| self.index.get(c).or_else(|| self.probes.get(c).copied()));
        let Some(i) = slot else {
            self.stats.ignored += 1;
            return;
        };
        let i = i as usize;
        if matches!(response.status, 401 | 407) {
            let domain = &self.slots[i].reg.config().aor.host;
            self.nonces.learn(domain, &response);
        }
        self.slots[i].reg.handle_response(now, response);
        self.settle(i, now);
    }

    /// A message for `h` could not be sent (connection refused, send failed).
    pub fn transport_failed(&mut self, h: Handle, now: Instant, reason: String) {
        self.send_failed(h, now, reason, false);
    }

    /// A request of `h` did not go out: its transaction fails (as unreachable, or
    /// as a transport error); a staying binding's flow is taken as failed.
    fn send_failed(&mut self, h: Handle, now: Instant, reason: String, unreachable: bool) {
        let i = h.index();
        let reg = &mut self.slots[i].reg;
        match (reg.is_busy(), unreachable) {
            (true, true) => reg.unreachable(now, reason),
            (true, false) => reg.transport_failed(now, reason),
            (false, _) if reg.is_registered() => reg.flow_failed(now, reason),
            (false, _) => {}
        }
        self.settle(i, now);
    }

    /// An ICMP error says `destination` cannot be reached from `carrier` (port or
    /// host unreachable): the transactions on it that send there fail at once with a
    /// transport error, which moves them to the next target or ends them (RFC 3261
    /// §18.4, RFC 3263 §4.3), instead of waiting out Timer F. The error cannot be
    /// tied to one request, so every registration waiting on that destination hears
    /// it; registrations sending elsewhere on the same socket carry on.
    pub fn unreachable(&mut self, carrier: u32, destination: SocketAddr, now: Instant, why: &str) {
        let waiting: Vec<usize> = self
            .on_carrier(carrier)
            .filter(|&i| {
                let reg = &self.slots[i].reg;
                reg.is_busy() && reg.config().destination == destination
            })
            .collect();
        for i in waiting {
            let reason = format!("{destination}: {why}");
            self.slots[i].reg.unreachable(now, reason);
            self.settle(i, now);
        }
    }

    /// `h`'s registrar cannot be reached (no route, connection refused or timed
    /// out): as `transport_failed`, but the operation fails as unreachable.
    pub fn cannot_reach(&mut self, h: Handle, now: Instant, reason: String) {
        self.send_failed(h, now, reason, true);
    }

    /// The stream connection `carrier` closed or broke. When a registration needs it
    /// (a request is out, or a staying binding depends on it), the driver is asked to
    /// reopen it; without `reopen_flows`, the requests waiting on it fail instead.
    pub fn connection_closed(&mut self, carrier: u32, now: Instant, reason: String) {
        if !self.cfg.reopen_flows {
            return self.carrier_failed(carrier, now, reason);
        }
        let needed = self.on_carrier(carrier).any(|i| {
            let reg = &self.slots[i].reg;
            reg.is_busy() || (self.cfg.stays && reg.is_registered())
        });
        if needed {
            self.stats.reconnects += 1;
            self.events.push_back(EndpointEvent::Reconnect {
                carrier,
                reason,
                resend: true,
            });
        }
    }

    /// The driver reopened `carrier` (after a `Reconnect` that asks to resend), leaving
    /// now from `local`: every registration on it says so in Via (and Contact, when
    /// it is our own), and the ones that were using the old connection send again on
    /// the new one (RFC 5626 §4.4.1 flow recovery).
    pub fn reconnected(&mut self, carrier: u32, local: SocketAddr, reason: &str, now: Instant) {
        let users: Vec<usize> = self.on_carrier(carrier).collect();
        self.reconnecting = true;
        for i in users {
            let reg = &mut self.slots[i].reg;
            let (destination, transport) = (reg.config().destination, transport_of(reg));
            reg.set_destination(destination, transport, local);
            if reg.is_busy() || (self.cfg.stays && reg.is_registered()) {
                reg.flow_failed(now, reason.to_string());
            }
            self.settle(i, now);
        }
        self.reconnecting = false;
    }

    /// The driver moved `carrier` to another local address without anything lost
    /// (a connection reopened after a keep-alive failure the registrations handle
    /// themselves, a lazy connection bound again after a failed connect).
    pub fn relocated(&mut self, carrier: u32, local: SocketAddr) {
        let users: Vec<usize> = self.on_carrier(carrier).collect();
        for i in users {
            let reg = &mut self.slots[i].reg;
            let (destination, transport) = (reg.config().destination, transport_of(reg));
            reg.set_destination(destination, transport, local);
        }
    }

    /// `carrier` cannot be reopened: what waits on it fails with `reason`.
    pub fn carrier_failed(&mut self, carrier: u32, now: Instant, reason: String) {
        let users: Vec<usize> = self.on_carrier(carrier).collect();
        for i in users {
            if self.slots[i].reg.is_busy() {
                self.slots[i].reg.transport_failed(now, reason.clone());
                self.settle(i, now);
            }
        }
    }

    /// Moves `h` to another target (after `Failover`, or a redirect the driver
    /// located) and starts its last operation again there.
    pub fn retarget(
        &mut self,
        h: Handle,
        destination: SocketAddr,
        transport: TransportKind,
        local: SocketAddr,
        fallbacks: usize,
        now: Instant,
    ) {
        let i = h.index();
        self.set_fallbacks(h, fallbacks);
        let reg = &mut self.slots[i].reg;
        reg.set_destination(destination, transport, local);
        reg.restart(now);
        self.settle(i, now);
    }

    /// Starts `h`'s last operation again where it is (new credentials were typed).
    pub fn restart(&mut self, h: Handle, now: Instant) {
        let i = h.index();
        self.slots[i].reg.restart(now);
        self.settle(i, now);
    }

    /// The driver cannot follow what `h` asked (a redirect it cannot locate, say):
    /// the operation fails with `error`.
    pub fn abandon(&mut self, h: Handle, op: OpKind, error: RegError, now: Instant) {
        let i = h.index();
        self.count_failure(i, op, FailureKind::of(op, &error), now);
        self.events
            .push_back(EndpointEvent::Event(h, Event::Failed { op, error }));
    }

    /// Bytes to send, in the order they were made.
    pub fn drain_transmits(&mut self) -> std::vec::Drain<'_, Dispatch> {
        self.outbox.drain(..)
    }

    pub fn has_transmits(&self) -> bool {
        !self.outbox.is_empty()
    }

    pub fn poll_event(&mut self) -> Option<EndpointEvent> {
        self.events.pop_front()
    }

    /// The registrations on `carrier`.
    fn on_carrier(&self, carrier: u32) -> impl Iterator<Item = usize> {
        let step = self.cfg.carriers as usize;
        (carrier as usize..self.slots.len()).step_by(step)
    }

    /// The one registration on `carrier`, when it is alone there.
    fn sole_user(&self, carrier: u32) -> Option<usize> {
        let mut users = self.on_carrier(carrier);
        let first = users.next()?;
        users.next().is_none().then_some(first)
    }
}

fn kind_of(op: &Operation) -> OpKind {
    match op {
        Operation::Register => OpKind::Register,
        Operation::Query => OpKind::Query,
        Operation::Unregister(_) => OpKind::Unregister,
    }
}

fn transport_of(reg: &Registration) -> TransportKind {
    reg.config().shared.transport
}

/// The Call-ID of a message the parser refused, read line by line (`Call-ID:` or
/// the compact `i:`), for routing it to the registration it may answer.
fn loose_call_id(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        let (name, value) = l.split_once(':')?;
        let name = name.trim();
        (name.eq_ignore_ascii_case("call-id") || name.eq_ignore_ascii_case("i"))
            .then(|| value.trim())
    })
}
