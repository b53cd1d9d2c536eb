//! The one driver: it runs a `core::Endpoint` — of one registration (`register`,
//! `query`, `unregister`) or of a whole population (`bulk`) — over its carriers, and
//! only moves bytes and time.
//!
//! Each turn: the endpoint's deadlines fire and the transactions whose pacing slot
//! came start; its events are handed to the caller one by one (`next`), except those
//! only the driver can act on — moving a registration to the next RFC 3263 target
//! (`EndpointEvent::Failover`), locating a 3xx's target (`Event::Redirected`, acted
//! on and then handed out), reopening a stream connection (`EndpointEvent::Reconnect`);
//! then what it queued is sent, many datagrams per system call;
//! then the loop sleeps until the network, the endpoint's next deadline or the
//! caller's interrupts (Ctrl-C, `--for`) wake it.
//!
//! While it paces UDP transactions at 1000/s or more, the loop runs on a 1 ms tick
//! (`ticker`) instead of waking for every datagram: each tick reads what arrived,
//! fires the deadlines and starts the transactions due, and the sockets stay out of
//! the reactor meanwhile. Waking up is a good part of the client's CPU per
//! registration on a busy loop; a tick does the work of many datagrams for the price
//! of one wake-up. Responses are timed from the kernel's receive timestamps, so the
//! wait for the tick does not count in the latencies.

use super::carriers::{self, CarrierSettings, Carriers, UdpCarrier};
use super::connection::StreamEvent;
use super::datagrams::{
    self, take_unreachable, wall_clock, Datagram, Receiver, Sender, Unreachable,
};
use super::dns::DnsSettings;
use super::routes::{Locator, Routes};
use super::signals::StopSignals;
use super::streams::{Sent, StreamPlan, Streams};
use super::target::Target;
use super::ticker::{Ticker, TICK};
use crate::core::{
    Dispatch, Endpoint, EndpointEvent, Event, Handle, OpKind, RegError, Transmit, TransportKind,
};
use crate::error::{Error, Result};
use crate::sip::{SipUri, MAX_MESSAGE_SIZE};
use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::Instant;

/// Datagrams read from one socket (or stream messages taken) before the loop looks at
/// its timers again.
const RECEIVE_BATCH: usize = 256;

/// Reopenings of one connection in a row that nothing arrived on before it closed
/// again: the request is sent once more on a new connection, and a second close
/// with nothing in between fails what waits on it.
const MAX_SILENT_REOPENS: u8 = 1;

/// Failed reads of one socket per turn (each takes the socket's pending error, so
/// the next read gets the datagrams behind it).
const MAX_READ_ERRORS: u32 = 4;

/// Observes traffic for the `-v` ladder and `-vv` message dumps.
pub trait Trace {
    /// False: `sent` and `received` are never called (a bulk run).
    fn wants_traffic(&self) -> bool {
        true
    }
    fn sent(&mut self, transmit: &Transmit, hop: Hop);
    fn received(&mut self, from: SocketAddr, hop: Hop, bytes: &[u8]);
    /// The driver moved to another target (`why` says what happened to the old one).
    fn moved(&mut self, _from: &Target, _to: &Target, _why: &str) {}
    /// An ICMP error said a destination we sent to cannot be reached.
    fn unreachable(&mut self, _error: &Unreachable) {}
}

/// Our end of a message's way: the local address of the socket or connection, and
/// whether it is a stream (TCP, TLS, WS, WSS) or UDP.
#[derive(Debug, Clone, Copy)]
pub struct Hop {
    pub local: SocketAddr,
    pub stream: bool,
}

/// A trace that watches nothing.
pub struct NoTrace;

impl Trace for NoTrace {
    fn wants_traffic(&self) -> bool {
        false
    }
    fn sent(&mut self, _transmit: &Transmit, _hop: Hop) {}
    fn received(&mut self, _from: SocketAddr, _hop: Hop, _bytes: &[u8]) {}
}

/// The core's notion of now. Taken from tokio's clock so that tests running with
/// `tokio::time::pause` drive the core in virtual time.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// What the caller waits for besides the network, polled before it: a flooded loop
/// still stops.
#[derive(Default)]
pub struct Interrupts<'a> {
    /// Ctrl-C or SIGTERM.
    pub signals: Option<&'a mut StopSignals>,
    /// `--for` is over.
    pub time_up: Option<Pin<&'a mut tokio::time::Sleep>>,
}

/// What `next` returns. Moved once per event, never stored: boxing the event would
/// cost an allocation per response in a bulk run to save a copy of a few hundred bytes.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Next {
    Event(Handle, Event),
    /// Nothing is in flight or waiting (only when the driver was told to say so).
    Finished,
    /// Ctrl-C or SIGTERM.
    Signal,
    /// `--for` is over.
    TimeUp,
    /// The user-agent server at our contacts answered something worth telling.
    Incoming(crate::core::uas::UasEvent),
}

pub struct Driver {
    carriers: Carriers,
    /// How carriers are made again for another target (one registration's failover
    /// and redirects may change transport and address family).
    settings: CarrierSettings,
    /// Every target of each registration's registrar, best first.
    routes: Routes,
    locator: Locator,
    /// Say `Finished` when the endpoint has nothing left to do (bulk); a single
    /// registration's caller knows when it is done.
    stop_when_finished: bool,
    outbox: Vec<Dispatch>,
    /// Buffers for a batch of datagrams, and the arrays of a batch sent.
    receiver: Receiver,
    sender: Sender,
    /// When the sockets were last read.
    last_read: Instant,
    /// Times the loop slept and woke up again.
    wakeups: u64,
    /// Connections the endpoint asked to reopen.
    reopens: Vec<Reopen>,
    /// Registrations to move to another target (failover, 3xx).
    moves: Vec<Move>,
    /// Per connection: reopened, then closed again with nothing received between.
    silent_reopens: Vec<u8>,
    ticker: Ticker,
    /// One timer for the loop's next deadline, moved only when that changes: a new
    /// timer on every turn would be put in tokio's timer wheel and taken out again.
    alarm: Pin<Box<tokio::time::Sleep>>,
    armed: Option<Instant>,
    /// Deadlines and pacing are due for a look (after every wake-up).
    turn_due: bool,
    /// A single registration's target as it stands (the ladder names it when it
    /// moves).
    current: Option<Target>,
    /// ICMP errors read from a socket's error queue, kept for the next read.
    icmp: Vec<Unreachable>,
}

/// What woke the loop up.
enum Woke {
    Signal,
    TimeUp,
    /// Some UDP socket has datagrams to read.
    Datagrams,
    /// A connection's reader has something for us.
    Stream(StreamEvent),
    /// The next deadline (timer or pacing slot) came.
    Alarm,
    /// The loop's tick, while it ticks (`choose_ticks`).
    Tick,
}

impl Driver {
    /// A driver over `carriers` for a population: every registration's targets in
    /// `routes`, redirects located with `dns`.
    pub fn new(carriers: Carriers, routes: Routes, dns: DnsSettings) -> Driver {
        let silent_reopens = match &carriers {
            Carriers::Streams(s) => vec![0; s.len()],
            Carriers::Udp(_) => Vec::new(),
        };
        Driver {
            carriers,
            settings: CarrierSettings::default(),
            routes,
            locator: Locator::new(dns),
            stop_when_finished: true,
            outbox: Vec::new(),
            // A datagram longer than a SIP message may be is flagged, never parsed.
            receiver: Receiver::new(MAX_MESSAGE_SIZE),
            sender: Sender::default(),
            last_read: now(),
            wakeups: 0,
            reopens: Vec::new(),
            moves: Vec::new(),
            silent_reopens,
            ticker: Ticker::new(now()),
            alarm: Box::pin(tokio::time::sleep_until(now().into())),
            armed: None,
            turn_due: true,
            current: None,
            icmp: Vec::new(),
        }
    }

    /// A driver for one registration and its `targets` (best first, at least one):
    /// a UDP socket, or a stream connection bound now and connected on the first
    /// send, for the first target.
    pub async fn single(
        targets: Vec<Target>,
        mut settings: CarrierSettings,
        dns: DnsSettings,
    ) -> Result<Driver> {
        let Some(first) = targets.first().cloned() else {
            return Err(Error::Usage("no target to send to".into()));
        };
        let carriers = carrier_for(&first, &mut settings).await?;
        let mut driver = Driver::new(carriers, Routes::single(targets), dns);
        driver.settings = settings;
        driver.stop_when_finished = false;
        driver.current = Some(first);
        Ok(driver)
    }

    /// Where a single registration sends now.
    pub fn target(&self) -> Option<&Target> {
        self.current.as_ref()
    }

    /// Every target of each registration's registrar, for failover.
    pub fn set_routes(&mut self, routes: Routes) {
        self.routes = routes;
    }

    /// Where redirect targets are located (`--dns-server`).
    pub fn set_dns(&mut self, dns: DnsSettings) {
        self.locator = Locator::new(dns);
    }

    /// Targets to fail over to after the first.
    pub fn fallbacks(&self) -> usize {
        self.routes.fallbacks(Handle(0))
    }

    /// Our address on carrier 0, as written in Via and the default Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.carriers.local(0)
    }

    /// Times the loop slept and woke up again: once per tick while it paces at
    /// 1000/s or more, once per datagram or deadline otherwise.
    pub fn wakeups(&self) -> u64 {
        self.wakeups
    }

    /// Runs the endpoint until it has something for the caller. Cancel-safe between
    /// sends: a cancelled call loses no received message and no queued event.
    pub async fn next(
        &mut self,
        ep: &mut Endpoint,
        trace: &mut dyn Trace,
        interrupts: &mut Interrupts<'_>,
    ) -> Result<Next> {
        loop {
            if self.turn_due {
                self.turn_due = false;
                let at = now();
                ep.fire_timers(at);
                // A tick starts many transactions; each is timed from when its
                // request is made, not from the start of the tick.
                ep.start_due(at, &mut now);
            }
            // Events first, so that "answering challenge" is reported before the
            // request that answers it goes out.
            while let Some(event) = ep.poll_event() {
                if let Some(next) = self.act_on(ep, event)? {
                    return Ok(next);
                }
            }
            if !self.moves.is_empty() {
                self.carry_out_moves(ep, trace).await?;
                continue;
            }
            if !self.reopens.is_empty() {
                self.reopen(ep).await;
                continue;
            }
            if ep.has_transmits() {
                self.send(ep, trace).await?;
                continue;
            }
            if self.stop_when_finished && ep.is_finished() {
                return Ok(Next::Finished);
            }
            match self.wait(ep, interrupts).await {
                Woke::Signal => return Ok(Next::Signal),
                Woke::TimeUp => return Ok(Next::TimeUp),
                Woke::Datagrams | Woke::Tick => self.receive(ep, trace),
                Woke::Stream(event) => self.on_stream_events(ep, trace, event),
                Woke::Alarm => {}
            }
            self.turn_due = true;
        }
    }

    /// Sleeps until the network, the endpoint's next deadline, the tick or an
    /// interrupt.
    async fn wait(&mut self, ep: &Endpoint, interrupts: &mut Interrupts<'_>) -> Woke {
        let at = now();
        let ticking = self.choose_ticks(ep, at);
        let wake = if ticking { None } else { ep.poll_timeout() };
        if wake != self.armed {
            if let Some(w) = wake {
                self.alarm.as_mut().reset(w.into());
            }
            self.armed = wake;
        }
        let mut signal = pin!(async {
            match interrupts.signals.as_deref_mut() {
                Some(s) => s.next().await,
                None => std::future::pending().await,
            }
        });
        let mut time_up = interrupts.time_up.as_mut().map(|t| t.as_mut());
        let alarm = self.armed.map(|_| self.alarm.as_mut());
        let mut waits = Waits {
            signal: signal.as_mut(),
            time_up: time_up.take(),
            alarm,
            ticker: ticking.then_some(&mut self.ticker),
        };
        let woke = match &mut self.carriers {
            // While ticking, the sockets are out of the reactor: every tick reads
            // them.
            Carriers::Udp(_) if ticking => {
                std::future::poll_fn(|cx| waits.poll(cx, |_| Poll::Pending)).await
            }
            Carriers::Udp(sockets) => {
                let sockets = &*sockets;
                std::future::poll_fn(|cx| waits.poll(cx, |cx| udp_readable(sockets, cx))).await
            }
            Carriers::Streams(streams) => {
                let mut next = pin!(streams.next_event());
                std::future::poll_fn(|cx| {
                    waits.poll(cx, |cx| next.as_mut().poll(cx).map(Woke::Stream))
                })
                .await
            }
        };
        self.wakeups += 1;
        woke
    }

    /// Runs the loop on the ticker while it paces UDP transactions at 1000/s or more
    /// (the timer could not space them finer anyway), and on readiness otherwise; the
    /// sockets leave the reactor while it ticks. Returns whether it ticks.
    fn choose_ticks(&mut self, ep: &Endpoint, now: Instant) -> bool {
        let wanted = ep.pacing_interval() <= TICK && ep.wants_to_start();
        let Carriers::Udp(sockets) = &mut self.carriers else {
            return false;
        };
        if wanted == self.ticker.is_running() {
            return wanted;
        }
        let mut watched = Ok(());
        for s in sockets.iter_mut() {
            watched = watched.and(s.socket.set_watched(!wanted));
        }
        if wanted || watched.is_err() {
            // A socket that could not go back in the reactor is read on every tick
            // instead; the next turn tries again.
            self.ticker.start(now);
            true
        } else {
            self.ticker.stop();
            false
        }
    }

    /// Carries out what the endpoint asks of the network; the events a caller
    /// reports come back (a redirect too, after it was followed).
    fn act_on(&mut self, ep: &mut Endpoint, event: EndpointEvent) -> Result<Option<Next>> {
        match event {
            EndpointEvent::Failover { handle, op, error } => {
                self.fail_over(ep, handle, op, error);
                Ok(None)
            }
            EndpointEvent::Reconnect {
                carrier,
                reason,
                resend,
            } => {
                // Reopened in the loop's next step: connecting takes a while.
                self.reopens.push(Reopen {
                    carrier,
                    reason,
                    resend,
                });
                Ok(None)
            }
            EndpointEvent::Event(h, Event::Redirected { op, target }) => {
                // Located in the loop's next step: it may take a DNS query.
                self.moves.push(Move {
                    h,
                    op,
                    to: Destination::Redirect(target.clone()),
                    why: format!("redirected to {target}"),
                });
                Ok(Some(Next::Event(h, Event::Redirected { op, target })))
            }
            EndpointEvent::Event(h, event) => Ok(Some(Next::Event(h, event))),
            EndpointEvent::Incoming(event) => Ok(Some(Next::Incoming(event))),
        }
    }

    /// Moves `h` to its next target that its carrier can reach (a single
    /// registration's carrier is remade for any target); without one, the operation
    /// fails as the error says.
    fn fail_over(&mut self, ep: &mut Endpoint, h: Handle, op: OpKind, error: RegError) {
        let single = self.is_single();
        let local = self.carriers.local(ep.carrier(h) as usize);
        let udp = matches!(self.carriers, Carriers::Udp(_));
        let fits = |t: &Target| {
            single
                || (udp && t.transport == TransportKind::Udp && t.addr.is_ipv4() == local.is_ipv4())
        };
        match self.routes.next(h, ep.fallbacks(h), fits) {
            Some((to, left)) => self.moves.push(Move {
                h,
                op,
                to: Destination::Target(to, left),
                why: error.to_string(),
            }),
            None => ep.abandon(h, op, error, now()),
        }
    }

    /// One registration whose carrier may be remade for any target.
    fn is_single(&self) -> bool {
        !self.stop_when_finished
    }

    /// Carries out the moves: a target to move to, or a 3xx's target to locate first
    /// (RFC 3263, over the transport in use unless the URI names one). A population
    /// shares its sockets, so there an AOR moves only to a UDP target its socket
    /// reaches, and otherwise fails with the reason.
    async fn carry_out_moves(&mut self, ep: &mut Endpoint, trace: &mut dyn Trace) -> Result<()> {
        for m in std::mem::take(&mut self.moves) {
            let (to, left) = match m.to {
                Destination::Target(to, left) => (to, left),
                Destination::Redirect(uri) => {
                    let in_use = self.transport();
                    let located = self.locator.redirect_targets(&uri, in_use).await;
                    let targets = match (located, self.is_single()) {
                        (Ok(t), _) if !t.is_empty() => t,
                        // One registration: the command fails with the reason.
                        (Err(e), true) => return Err(e),
                        _ => Vec::new(),
                    };
                    let local = self.carriers.local(ep.carrier(m.h) as usize);
                    let usable = targets.iter().position(|t| {
                        self.is_single()
                            || (t.transport == TransportKind::Udp
                                && in_use == TransportKind::Udp
                                && t.addr.is_ipv4() == local.is_ipv4())
                    });
                    let Some(first) = usable else {
                        let error = RegError::Transport(format!(
                            "redirected to {uri}, which this run's sockets cannot reach"
                        ));
                        ep.abandon(m.h, m.op, error, now());
                        continue;
                    };
                    let to = targets[first].clone();
                    let left = if self.is_single() {
                        let left = targets.len() - 1;
                        self.routes.redirect(m.h, targets);
                        left
                    } else {
                        0
                    };
                    (to, left)
                }
            };
            let from = self.target_of(ep, m.h);
            let local = self.carrier_to(ep, m.h, &to).await?;
            trace.moved(&from, &to, &m.why);
            if self.is_single() {
                self.current = Some(to.clone());
            }
            ep.retarget(m.h, to.addr, to.transport, local, left, now());
        }
        Ok(())
    }

    /// The transport of the run (of carrier 0).
    fn transport(&self) -> TransportKind {
        match &self.carriers {
            Carriers::Udp(_) => TransportKind::Udp,
            Carriers::Streams(s) => s.transport,
        }
    }

    /// Where `h` sends now.
    fn target_of(&self, ep: &Endpoint, h: Handle) -> Target {
        if let Some(t) = &self.current {
            return t.clone();
        }
        let k = ep.carrier(h) as usize;
        match &self.carriers {
            Carriers::Streams(s) => s.peer(k).clone(),
            Carriers::Udp(_) => {
                let addr = ep.registration(h).config().destination;
                Target {
                    addr,
                    transport: TransportKind::Udp,
                    host: crate::sip::Host::from(addr.ip()),
                }
            }
        }
    }

    /// Points `h`'s carrier at `to` and says where it leaves from: the same UDP
    /// socket when it can reach `to`; for a single registration otherwise a new
    /// socket or connection.
    async fn carrier_to(&mut self, ep: &Endpoint, h: Handle, to: &Target) -> Result<SocketAddr> {
        let k = ep.carrier(h) as usize;
        let local = self.carriers.local(k);
        let keep = match &self.carriers {
            Carriers::Udp(_) => {
                to.transport == TransportKind::Udp && to.addr.is_ipv4() == local.is_ipv4()
            }
            Carriers::Streams(s) => s.transport == to.transport && self.is_single(),
        };
        if keep {
            if let Carriers::Streams(streams) = &mut self.carriers {
                let reason = streams.retarget(k, to.clone()).await;
                return reason.map_err(|r| Error::io("cannot bind", std::io::Error::other(r)));
            }
            return Ok(local);
        }
        self.carriers = carrier_for(to, &mut self.settings).await?;
        self.silent_reopens = vec![0; self.carriers.len()];
        Ok(self.carriers.local(k))
    }

    /// Reopens the connections the endpoint asked for and tells it where each now
    /// leaves from. A connection that closes again before anything arrived on it is
    /// given up: the registrar refuses it, and what waits on it fails.
    async fn reopen(&mut self, ep: &mut Endpoint) {
        let Carriers::Streams(streams) = &mut self.carriers else {
            self.reopens.clear();
            return;
        };
        for Reopen {
            carrier: k,
            reason,
            resend,
        } in std::mem::take(&mut self.reopens)
        {
            if !resend {
                // After a failed keep-alive: the registrations send again by
                // themselves, from the new connection.
                streams.close(k as usize, reason.clone());
                match streams.reopen(k as usize).await {
                    Ok(local) => ep.relocated(k, local),
                    Err(why) => ep.carrier_failed(k, now(), why),
                }
                continue;
            }
            let silent = &mut self.silent_reopens[k as usize];
            *silent = silent.saturating_add(1);
            let outcome = if *silent > MAX_SILENT_REOPENS {
                Err(format!("{reason}, again right after it was reopened"))
            } else {
                streams.reopen(k as usize).await
            };
            match outcome {
                Ok(local) => ep.reconnected(k, local, &reason, now()),
                Err(why) => {
                    streams.close(k as usize, why.clone());
                    ep.carrier_failed(k, now(), why);
                }
            }
        }
    }

    /// Reads what the sockets have queued, a batch per system call, up to
    /// `RECEIVE_BATCH` datagrams per socket before the timers get their turn.
    fn receive(&mut self, ep: &mut Endpoint, trace: &mut dyn Trace) {
        let Carriers::Udp(sockets) = &self.carriers else {
            return;
        };
        let traced = trace.wants_traffic();
        // What the previous read left is older than it, but no datagram read now is
        // dated before it began: a kernel timestamp that says so comes from a wall
        // clock that was set back or forward meanwhile.
        let floor = std::mem::replace(&mut self.last_read, now());
        let mut unreachable = Vec::new();
        for (s, socket) in sockets.iter().enumerate() {
            let (mut read, mut errors) = (0, 0);
            while read < RECEIVE_BATCH {
                let n = match self.receiver.receive(&socket.socket) {
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    // The socket's pending error (an ICMP error, read below): it is
                    // cleared now, so the datagrams behind it are read next.
                    Err(_) if errors < MAX_READ_ERRORS => {
                        errors += 1;
                        continue;
                    }
                    Err(_) => break,
                };
                // The kernel noted when each datagram arrived: responses that waited
                // for a tick count from then, not from when they were read.
                let (at, wall) = (now(), wall_clock());
                for k in 0..n {
                    let arrival = self.receiver.arrival(k, at, wall, floor);
                    match self.receiver.datagram(k) {
                        Datagram::Whole(bytes) => {
                            let source = self.receiver.source(k);
                            if traced {
                                let hop = Hop {
                                    local: socket.local,
                                    stream: false,
                                };
                                trace.received(source.unwrap_or(socket.local), hop, bytes);
                            }
                            ep.handle_input_from(arrival, s as u32, source, bytes);
                        }
                        Datagram::Oversized => ep.count_unreadable(),
                    }
                }
                read += n;
                if n < datagrams::BATCH {
                    break; // the queue is empty (and readiness was cleared)
                }
            }
            // Every read, not only one that failed: a send may have taken the
            // socket's pending error, leaving only the queue to tell.
            self.icmp.clear();
            take_unreachable(&socket.socket, &mut self.icmp);
            for u in self.icmp.drain(..) {
                if traced {
                    trace.unreachable(&u);
                }
                unreachable.push((s as u32, u));
            }
        }
        tell_unreachable(ep, unreachable);
    }

    /// `first` and whatever else the connections' readers have queued, up to a batch.
    fn on_stream_events(&mut self, ep: &mut Endpoint, trace: &mut dyn Trace, first: StreamEvent) {
        let mut next = Some(first);
        for _ in 0..RECEIVE_BATCH {
            let Some(event) = next else {
                break;
            };
            let Carriers::Streams(streams) = &mut self.carriers else {
                return;
            };
            match event {
                StreamEvent::Message { connection, bytes } => {
                    let k = connection as usize;
                    if let Some(n) = self.silent_reopens.get_mut(k) {
                        *n = 0;
                    }
                    let source = (k < streams.len()).then(|| streams.peer(k).addr);
                    if let (true, Some(from)) = (trace.wants_traffic(), source) {
                        let hop = Hop {
                            local: streams.local(k),
                            stream: true,
                        };
                        trace.received(from, hop, &bytes);
                    }
                    ep.handle_input_from(now(), connection, source, &bytes);
                }
                StreamEvent::Closed {
                    connection,
                    generation,
                    reason,
                } => {
                    // A close of a connection already replaced is old news.
                    let k = connection as usize;
                    if streams.is_current(k, generation) {
                        let reason = format!("{}: {reason}", streams.peer(k));
                        streams.close(k, reason.clone());
                        ep.connection_closed(connection, now(), reason);
                    }
                }
            }
            next = streams.try_next_event();
        }
    }

    /// Sends what the endpoint queued: datagrams per socket, as many per system call
    /// as it takes; messages on their connections, a failed write reported to the
    /// endpoint.
    async fn send(&mut self, ep: &mut Endpoint, trace: &mut dyn Trace) -> Result<()> {
        self.outbox.extend(ep.drain_transmits());
        if trace.wants_traffic() {
            let stream = matches!(self.carriers, Carriers::Streams(_));
            for o in &self.outbox {
                let local = self.carriers.local(o.carrier as usize);
                trace.sent(&o.transmit, Hop { local, stream });
            }
        }
        let result = match &mut self.carriers {
            Carriers::Udp(sockets) => {
                send_datagrams(sockets, &mut self.sender, &self.outbox, ep).await;
                Ok(())
            }
            Carriers::Streams(streams) => send_messages(streams, &self.outbox, ep).await,
        };
        self.outbox.clear();
        result
    }
}

/// A connection to reopen, as the endpoint asked.
struct Reopen {
    carrier: u32,
    reason: String,
    /// The registrations on it send again once it is open (`reconnected`); else they
    /// do by themselves, and only learn where it leaves from (`relocated`).
    resend: bool,
}

/// Where a registration moves.
enum Destination {
    /// The next target, with how many are left after it.
    Target(Target, usize),
    /// A 3xx's target, still to be located.
    Redirect(SipUri),
}

struct Move {
    h: Handle,
    op: OpKind,
    to: Destination,
    /// What happened to the old target, for the ladder.
    why: String,
}

/// Sends `outbox` on the UDP sockets, many datagrams per system call. A datagram
/// lost here is what retransmissions are for; it is counted. One that cannot reach
/// its destination (no route) fails its transaction at once.
async fn send_datagrams(
    sockets: &mut [UdpCarrier],
    sender: &mut Sender,
    outbox: &[Dispatch],
    ep: &mut Endpoint,
) {
    let mut order: Vec<usize> = (0..outbox.len()).collect();
    if sockets.len() > 1 {
        // Runs of one socket; a stable sort keeps each socket's order.
        order.sort_by_key(|&i| outbox[i].carrier);
    }
    let mut batch: Vec<(&[u8], SocketAddr)> = Vec::with_capacity(outbox.len());
    let mut unreachable = Vec::new();
    let mut failed = Vec::new();
    let mut from = 0;
    while from < order.len() {
        let s = outbox[order[from]].carrier;
        let to = from
            + order[from..]
                .iter()
                .take_while(|&&i| outbox[i].carrier == s)
                .count();
        batch.clear();
        batch.extend(order[from..to].iter().map(|&i| {
            let t = &outbox[i].transmit;
            (&t.payload[..], t.destination)
        }));
        let socket = &sockets[s as usize].socket;
        let mut k = 0;
        // The datagram already sent once more after an error.
        let mut retried = None;
        while k < batch.len() {
            match sender.try_send(socket, &batch[k..]) {
                Ok(n) => k += n.max(1),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    // The send buffer is full: wait until it drains.
                    if socket.writable().await.is_err() {
                        ep.count_send_errors((batch.len() - k) as u64);
                        break;
                    }
                }
                Err(e) => {
                    // Perhaps the socket's pending error, an ICMP message about an
                    // earlier datagram, which the kernel reports on the next send and
                    // then clears: its queue says what it was; this one goes again.
                    let mut queued = Vec::new();
                    take_unreachable(socket, &mut queued);
                    unreachable.extend(queued.into_iter().map(|u| (s, u)));
                    if retried != Some(k) {
                        retried = Some(k);
                        continue;
                    }
                    let o = &outbox[order[from + k]];
                    if is_unreachable(&e) {
                        // No route, say: no retransmission will fare better.
                        let reason = format!("{}: {e}", o.transmit.destination);
                        failed.push((o.handle, reason));
                    } else {
                        ep.count_send_errors(1);
                    }
                    k += 1;
                }
            }
        }
        from = to;
    }
    tell_unreachable(ep, unreachable);
    let at = now();
    for (h, reason) in failed {
        if let Some(h) = h {
            ep.cannot_reach(h, at, reason);
        }
    }
}

/// A send error that says the destination cannot be reached from here.
fn is_unreachable(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::NetworkUnreachable
            | ErrorKind::HostUnreachable
            | ErrorKind::ConnectionRefused
            | ErrorKind::PermissionDenied
    )
}

/// Writes `outbox` on the connections. A failed write ends its connection and
/// everything waiting on it; a request meant for a connection already gone fails on
/// its own; a refused certificate ends the command.
async fn send_messages(
    streams: &mut Streams,
    outbox: &[Dispatch],
    ep: &mut Endpoint,
) -> Result<()> {
    let at = now();
    for o in outbox {
        match streams.send(o.carrier as usize, &o.transmit.payload).await {
            Sent::Ok => {}
            Sent::Unreachable(reason) => {
                if let Ok(local) = streams.reopen(o.carrier as usize).await {
                    ep.relocated(o.carrier, local);
                }
                if let Some(h) = o.handle {
                    ep.cannot_reach(h, at, reason);
                }
            }
            Sent::Gone(reason) => {
                if streams.is_lazy() {
                    // One registration: the next attempt leaves from a new socket.
                    if let Ok(local) = streams.reopen(o.carrier as usize).await {
                        ep.relocated(o.carrier, local);
                    }
                }
                match o.handle {
                    Some(h) => ep.transport_failed(h, at, reason),
                    None => ep.count_send_errors(1),
                }
            }
            Sent::Broke(reason) => {
                ep.count_send_errors(1);
                ep.connection_closed(o.carrier, at, reason);
            }
            Sent::Fatal(error) => return Err(error),
        }
    }
    Ok(())
}

/// Tells the endpoint which destinations ICMP errors said cannot be reached, once
/// per socket and destination however many errors came for it.
fn tell_unreachable(ep: &mut Endpoint, mut errors: Vec<(u32, Unreachable)>) {
    if errors.is_empty() {
        return;
    }
    errors.sort_by_key(|(s, u)| (*s, u.destination));
    errors.dedup_by_key(|(s, u)| (*s, u.destination));
    let at = now();
    for (s, u) in errors {
        ep.unreachable(s, u.destination, at, &u.why);
    }
}

/// Ready when any of the sockets has something to read.
fn udp_readable(sockets: &[UdpCarrier], cx: &mut Context<'_>) -> Poll<Woke> {
    for s in sockets {
        if s.socket.poll_readable(cx).is_ready() {
            return Poll::Ready(Woke::Datagrams);
        }
    }
    Poll::Pending
}

/// What the loop waits for besides the network, polled in this order: interrupts
/// first, so that a run flooded with responses still stops.
struct Waits<'a, S: Future<Output = ()>> {
    signal: Pin<&'a mut S>,
    time_up: Option<Pin<&'a mut tokio::time::Sleep>>,
    alarm: Option<Pin<&'a mut tokio::time::Sleep>>,
    ticker: Option<&'a mut Ticker>,
}

impl<S: Future<Output = ()>> Waits<'_, S> {
    fn poll(
        &mut self,
        cx: &mut Context<'_>,
        mut network: impl FnMut(&mut Context<'_>) -> Poll<Woke>,
    ) -> Poll<Woke> {
        if self.signal.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Woke::Signal);
        }
        if let Some(t) = &mut self.time_up {
            if t.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Woke::TimeUp);
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

/// Where to bind first for `destination`: the home port at `--local`'s address (or
/// "any") when `--local` names no port.
fn home_address(settings: &CarrierSettings, destination: SocketAddr) -> Option<SocketAddr> {
    let port = settings.home_port?;
    match settings.local {
        Some(local) if local.port() != 0 => None,
        Some(local) => Some(SocketAddr::new(local.ip(), port)),
        None => Some(SocketAddr::new(
            super::source::any_address_for(destination),
            port,
        )),
    }
}

/// The carrier of a single registration for `target`: a UDP socket, or a stream
/// connection bound now and connected on the first send.
async fn carrier_for(target: &Target, settings: &mut CarrierSettings) -> Result<Carriers> {
    if target.transport == TransportKind::Udp {
        if let Some(home) = home_address(settings, target.addr) {
            // Taken (another run for this AOR stays registered there): any port will do.
            if let Ok(socket) = carriers::bind(1, &[home], target.addr).await {
                return Ok(Carriers::Udp(socket));
            }
        }
        return Ok(Carriers::Udp(
            carriers::bind(1, settings.local.as_slice(), target.addr).await?,
        ));
    }
    let plan = StreamPlan {
        transport: target.transport,
        peers: vec![target.clone()],
        local: settings.local.into_iter().collect(),
        opening: settings.opening(target)?,
        in_flight: 1,
        lazy: true,
    };
    Ok(Carriers::Streams(Streams::open(plan).await?))
}
