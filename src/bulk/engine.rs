//! The loop of a bulk run: it drives one `core::Endpoint` of every AOR over the run's
//! carriers (a few shared UDP sockets, or stream connections), and only moves bytes
//! and time. The endpoint routes responses by Call-ID, keeps the deadlines, paces the
//! transactions and counts outcomes; the loop carries out what it asks of the
//! network: failover to the next RFC 3263 target and 3xx redirects (over UDP), and
//! reopening a stream connection in staying mode.
//!
//! While it paces UDP transactions at 1000/s or more, the loop runs on a 1 ms tick
//! (`net::ticker`) instead of waking for every datagram: each tick reads what
//! arrived, fires the deadlines and starts the transactions due, and the sockets stay
//! out of the reactor meanwhile. Waking up is a good part of the client's CPU per
//! registration on a busy loop; a tick does the work of many datagrams for the price
//! of one wake-up. Responses are timed from the kernel's receive timestamps, so the
//! wait for the tick does not count in the latencies.

use super::configs::{self, RunDefaults, SharedConfigs};
use super::plan::{Mode, Plan};
use super::population::Member;
use crate::core::endpoint::stats::Stats;
use crate::core::{
    Dispatch, Endpoint, EndpointConfig, EndpointEvent, Event, Handle, OpKind, Outcome, RegError,
    Registration, TransportKind,
};
use crate::net::carriers::{Carriers, UdpCarrier};
use crate::net::datagrams::{self, wall_clock, Datagram, Receiver, Sender};
use crate::net::streams::Sent;
use crate::net::ticker::{Ticker, TICK};
use crate::net::StreamEvent;
use crate::net::{now, DnsSettings, Locator, Routes, Target};
use crate::sip::{SipUri, MAX_MESSAGE_SIZE};
use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};
use std::time::Instant;

pub use crate::core::Tally;

/// Datagrams read from one socket (or stream messages taken) before the loop looks at
/// its timers again.
const RECEIVE_BATCH: usize = 256;

/// Reopenings of one connection in a row that nothing arrived on before it closed
/// again; the next close fails what waits on it.
const MAX_SILENT_REOPENS: u8 = 2;

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

pub struct Engine {
    plan: Plan,
    carriers: Carriers,
    endpoint: Endpoint,
    /// Every target of each AOR's registrar, best first (RFC 3263), for failover.
    routes: Routes,
    /// 3xx answers waiting for their target to be located.
    redirects: Vec<(Handle, OpKind, SipUri)>,
    /// Connections the endpoint asked to reopen, and why they closed.
    reopens: Vec<(u32, String)>,
    /// Per connection: reopened, then closed again with nothing received between.
    silent_reopens: Vec<u8>,
    locator: Locator,
    /// What to send, taken from the endpoint and grouped by socket.
    outbox: Vec<Dispatch>,
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
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
        let stays = plan.mode.stays();
        let mut endpoint = Endpoint::new(
            EndpointConfig {
                rate: plan.rate,
                concurrency: plan.concurrency,
                stays,
                carriers: carriers.len() as u32,
                reopen_flows: stays,
            },
            seed,
        );
        endpoint.reserve(members.len());
        let defaults = RunDefaults {
            transport: carriers.transport(),
            expires: plan.expires,
            timers: plan.timers,
            user_agent: &plan.user_agent,
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
        endpoint.start_all(plan.mode.operation(), now());
        let silent_reopens = match &carriers {
            Carriers::Streams(s) => vec![0; s.len()],
            Carriers::Udp(_) => Vec::new(),
        };
        Engine {
            plan,
            carriers,
            endpoint,
            routes: Routes::default(),
            redirects: Vec::new(),
            reopens: Vec::new(),
            silent_reopens,
            locator: Locator::default(),
            outbox: Vec::new(),
            // A datagram longer than a SIP message may be is flagged, never parsed.
            receiver: Receiver::new(MAX_MESSAGE_SIZE),
            last_read: now(),
            wakeups: 0,
            sender: Sender::default(),
            observer,
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
        self.routes = routes;
    }

    /// Where redirect targets are located (`--dns-server`).
    pub fn set_dns(&mut self, dns: DnsSettings) {
        self.locator = Locator::new(dns);
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
            self.endpoint.fire_timers(at);
            // A tick starts many transactions; each is timed from when its request is
            // made, not from the start of the tick.
            self.endpoint.start_due(at, &mut now);
            self.take_events();
            if !self.redirects.is_empty() {
                self.follow_redirects().await;
            }
            if !self.reopens.is_empty() {
                self.reopen().await;
            }
            self.flush().await;
            self.observer
                .tick(self.endpoint.stats(), self.endpoint.in_flight(), at);
            if self.endpoint.is_finished() {
                return End::Finished;
            }
            let ticking = self.choose_ticks(&mut ticker, at);
            let wake = if ticking {
                None
            } else {
                self.endpoint.poll_timeout()
            };
            if wake != armed {
                if let Some(w) = wake {
                    alarm.as_mut().reset(w.into());
                }
                armed = wake;
            }
            let removing = self.endpoint.is_removing();
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
                Woke::Stop | Woke::StayOver => self.endpoint.begin_removal(now()),
                Woke::Datagrams | Woke::Tick => self.receive(),
                Woke::Stream(event) => self.on_stream_events(event),
                Woke::Alarm => {}
            }
        }
    }

    /// Counts what became of every AOR.
    pub fn tally(&self) -> Tally {
        self.endpoint.tally()
    }

    /// Runs the loop on the ticker while it paces UDP transactions at 1000/s or more
    /// (the timer could not space them finer anyway), and on readiness otherwise; the
    /// sockets leave the reactor while it ticks. Returns whether it ticks.
    fn choose_ticks(&mut self, ticker: &mut Ticker, now: Instant) -> bool {
        let wanted = self.endpoint.pacing_interval() <= TICK && self.endpoint.wants_to_start();
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

    /// Hands the endpoint's events to the observer, and acts on what only the
    /// driver can do.
    fn take_events(&mut self) {
        let main_kind = self.plan.mode.main_kind();
        while let Some(event) = self.endpoint.poll_event() {
            match event {
                EndpointEvent::Event(h, Event::Completed(outcome)) => {
                    if outcome.op == main_kind {
                        self.observer
                            .completed(self.endpoint.registration(h), &outcome);
                    }
                }
                EndpointEvent::Event(h, Event::Failed { op, error }) => {
                    self.observer
                        .failed(self.endpoint.registration(h), op, &error);
                }
                EndpointEvent::Event(h, Event::Redirected { op, target }) => {
                    if matches!(self.carriers, Carriers::Udp(_)) {
                        // Located in the loop's next turn: it may take a DNS query.
                        self.redirects.push((h, op, target));
                    } else {
                        // A connection shared by many AORs cannot follow one of them.
                        let error = RegError::Transport(format!(
                            "redirected to {target}, which bulk mode follows over udp only"
                        ));
                        self.endpoint.abandon(h, op, error, now());
                    }
                }
                EndpointEvent::Reconnect { carrier, reason } => {
                    // Reopened in the loop's next turn: connecting takes a while.
                    self.reopens.push((carrier, reason));
                }
                EndpointEvent::Failover { handle, op, error } => match self.next_target(handle) {
                    Some((addr, local, fallbacks)) => {
                        self.endpoint.retarget(
                            handle,
                            addr,
                            TransportKind::Udp,
                            local,
                            fallbacks,
                            now(),
                        );
                    }
                    None => self.endpoint.abandon(handle, op, error, now()),
                },
                EndpointEvent::Event(_, _) => {}
            }
        }
    }

    /// The next target of `h`'s registrar that its socket can reach, with its
    /// socket's address and the targets left after it. Over UDP only: a stream
    /// connection shared by many AORs stays where it is.
    fn next_target(&self, h: Handle) -> Option<(SocketAddr, SocketAddr, usize)> {
        let Carriers::Udp(sockets) = &self.carriers else {
            return None;
        };
        let local = sockets[self.endpoint.carrier(h) as usize].local;
        let fits =
            |t: &Target| t.transport == TransportKind::Udp && t.addr.is_ipv4() == local.is_ipv4();
        let (next, left) = self.routes.next(h, self.endpoint.fallbacks(h), fits)?;
        Some((next.addr, local, left))
    }

    /// Locates the targets of the 3xx answers received (RFC 3263 over UDP, unless the
    /// URI names another transport, which bulk mode cannot follow) and starts each
    /// operation again there. A target that cannot be located fails its AOR.
    async fn follow_redirects(&mut self) {
        for (h, op, uri) in std::mem::take(&mut self.redirects) {
            let Carriers::Udp(sockets) = &self.carriers else {
                return;
            };
            let local = sockets[self.endpoint.carrier(h) as usize].local;
            let targets = self
                .locator
                .redirect_targets(&uri, TransportKind::Udp)
                .await
                .unwrap_or_default();
            let fits = |t: &&Target| {
                t.transport == TransportKind::Udp && t.addr.is_ipv4() == local.is_ipv4()
            };
            let at = now();
            match targets.iter().find(fits) {
                Some(t) => {
                    self.endpoint
                        .retarget(h, t.addr, TransportKind::Udp, local, 0, at);
                }
                None => {
                    let error = RegError::Transport(format!(
                        "redirected to {uri}, which could not be located over udp"
                    ));
                    self.endpoint.abandon(h, op, error, at);
                }
            }
        }
        self.take_events();
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
                            self.endpoint.handle_input(arrival, s as u32, bytes);
                        }
                        Datagram::Oversized => self.endpoint.count_unreadable(),
                    }
                }
                read += n;
                if n < datagrams::BATCH {
                    break; // the queue is empty (and readiness was cleared)
                }
            }
        }
        self.take_events();
    }

    /// `first` and whatever else the connections' readers have queued, up to a batch.
    fn on_stream_events(&mut self, first: StreamEvent) {
        let mut next = Some(first);
        for _ in 0..RECEIVE_BATCH {
            let Some(event) = next else {
                break;
            };
            match event {
                StreamEvent::Message { connection, bytes } => {
                    if let Some(n) = self.silent_reopens.get_mut(connection as usize) {
                        *n = 0;
                    }
                    self.endpoint.handle_input(now(), connection, &bytes);
                }
                StreamEvent::Closed {
                    connection,
                    generation,
                    reason,
                } => {
                    let current = match &self.carriers {
                        Carriers::Streams(s) => s.is_current(connection as usize, generation),
                        Carriers::Udp(_) => false,
                    };
                    // A close of a connection already replaced is old news.
                    if current {
                        self.connection_lost(connection, reason);
                    }
                }
            }
            next = match &mut self.carriers {
                Carriers::Streams(streams) => streams.try_next_event(),
                Carriers::Udp(_) => None,
            };
        }
        self.take_events();
    }

    /// Connection `k` is gone: the endpoint decides who needed it.
    fn connection_lost(&mut self, k: u32, reason: String) {
        let Carriers::Streams(streams) = &mut self.carriers else {
            return;
        };
        streams.close(k as usize, reason.clone());
        self.endpoint.connection_closed(k, now(), reason);
    }

    /// Reopens the connections the endpoint asked for and tells it where each now
    /// leaves from. A connection that closes again before anything arrived on it is
    /// given up: the registrar refuses it, and what waits on it fails.
    async fn reopen(&mut self) {
        let Carriers::Streams(streams) = &mut self.carriers else {
            return;
        };
        for (k, reason) in std::mem::take(&mut self.reopens) {
            let silent = &mut self.silent_reopens[k as usize];
            *silent = silent.saturating_add(1);
            let outcome = if *silent > MAX_SILENT_REOPENS {
                Err(format!("{reason}, again right after it was reopened"))
            } else {
                streams.reopen(k as usize).await
            };
            match outcome {
                Ok(local) => self.endpoint.reconnected(k, local, &reason, now()),
                Err(why) => {
                    streams.close(k as usize, why.clone());
                    self.endpoint.carrier_failed(k, now(), why);
                }
            }
        }
        self.take_events();
    }

    /// Sends the outbox: per socket, as many datagrams per system call as it takes.
    async fn flush(&mut self) {
        self.outbox.extend(self.endpoint.drain_transmits());
        let sockets = match &mut self.carriers {
            Carriers::Udp(sockets) => sockets,
            Carriers::Streams(_) => return self.flush_streams().await,
        };
        if self.outbox.is_empty() {
            return;
        }
        if sockets.len() > 1 {
            // Runs of one socket; a stable sort keeps each socket's order.
            self.outbox.sort_by_key(|o| o.carrier);
        }
        let mut batch: Vec<(&[u8], SocketAddr)> = Vec::with_capacity(self.outbox.len());
        let mut from = 0;
        while from < self.outbox.len() {
            let s = self.outbox[from].carrier;
            let to = from
                + self.outbox[from..]
                    .iter()
                    .take_while(|o| o.carrier == s)
                    .count();
            batch.clear();
            batch.extend(
                self.outbox[from..to]
                    .iter()
                    .map(|o| (&o.transmit.payload[..], o.transmit.destination)),
            );
            let socket = &sockets[s as usize].socket;
            let mut k = 0;
            while k < batch.len() {
                match self.sender.try_send(socket, &batch[k..]) {
                    Ok(n) => k += n.max(1),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        // The send buffer is full: wait until it drains.
                        if socket.writable().await.is_err() {
                            self.endpoint.count_send_errors((batch.len() - k) as u64);
                            break;
                        }
                    }
                    // A lost datagram is what UDP retransmissions are for.
                    Err(_) => {
                        self.endpoint.count_send_errors(1);
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
        let mut gone: Vec<(Handle, String)> = Vec::new();
        let mut broken: Vec<(u32, String)> = Vec::new();
        for o in self.outbox.drain(..) {
            match streams.send(o.carrier as usize, &o.transmit.payload).await {
                Sent::Ok => {}
                Sent::Gone(reason) => gone.push((o.handle, reason)),
                Sent::Broke(reason) => {
                    self.endpoint.count_send_errors(1);
                    broken.push((o.carrier, reason));
                }
            }
        }
        let at = now();
        for (h, reason) in gone {
            self.endpoint.transport_failed(h, at, reason);
        }
        for (k, reason) in broken {
            self.endpoint.connection_closed(k, at, reason);
        }
        self.take_events();
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
fn udp_readable(sockets: &[UdpCarrier], cx: &mut Context<'_>) -> Poll<Woke> {
    for s in sockets {
        if s.socket.poll_readable(cx).is_ready() {
            return Poll::Ready(Woke::Datagrams);
        }
    }
    Poll::Pending
}
