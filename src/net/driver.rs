//! The loop between a sans-IO endpoint of one registration and the network: send
//! what the endpoint queued, wait for a message or its next deadline, feed it in,
//! hand events out.
//!
//! The endpoint decides; the driver carries out what only it can: moving to the next
//! RFC 3263 target (`EndpointEvent::Failover`), locating a 3xx's target
//! (`Event::Redirected`), and reopening the connection of a stream transport
//! (`EndpointEvent::Reconnect`, `Event::FlowFailed`).

use super::dns::DnsSettings;
use super::link::{receive_buffer, Incoming, Link, LinkSettings};
use super::routes::{Locator, Routes};
use super::target::Target;
use crate::core::{Endpoint, EndpointEvent, Event, Handle, Transmit};
use crate::error::{Error, Result};
use crate::sip::SipUri;
use std::net::SocketAddr;
use std::time::Instant;

/// Observes traffic for the `-v` ladder and `-vv` message dumps.
pub trait Trace {
    fn sent(&mut self, transmit: &Transmit);
    fn received(&mut self, from: SocketAddr, bytes: &[u8]);
    /// The driver moved to another target (`why` says what happened to the old one).
    fn moved(&mut self, _from: &Target, _to: &Target, _why: &str) {}
}

/// The core's notion of now. Taken from tokio's clock so that tests running with
/// `tokio::time::pause` drive the core in virtual time.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// The single link carries every registration of a single-AOR endpoint.
const CARRIER: u32 = 0;

pub struct Driver {
    /// Every target of the registrar (or of the registrar a 3xx named).
    routes: Routes,
    locator: Locator,
    settings: LinkSettings,
    link: Link,
    buf: Vec<u8>,
    /// Connections that closed in a row with no message in between: the second
    /// one fails the request instead of sending it once more.
    silent_closes: u32,
}

impl Driver {
    /// A driver for `targets` (best first, at least one), bound for the first.
    pub async fn open(
        targets: Vec<Target>,
        mut settings: LinkSettings,
        dns: DnsSettings,
    ) -> Result<Driver> {
        let Some(first) = targets.first() else {
            return Err(Error::Usage("no target to send to".into()));
        };
        let link = Link::open(first, &mut settings).await?;
        Ok(Driver {
            routes: Routes::single(targets),
            locator: Locator::new(dns),
            settings,
            link,
            buf: receive_buffer(),
            silent_closes: 0,
        })
    }

    /// Where requests go now.
    pub fn target(&self) -> &Target {
        self.link.target()
    }

    /// Targets to fail over to after the first.
    pub fn fallbacks(&self) -> usize {
        self.routes.fallbacks(Handle(0))
    }

    /// Our address as written in Via and the default Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.link.local_addr()
    }

    /// Sends whatever the endpoint has queued, without waiting for anything else.
    pub async fn flush(&mut self, ep: &mut Endpoint, trace: &mut dyn Trace) -> Result<()> {
        self.send_queued(ep, trace).await
    }

    /// Runs the endpoint until it has an event to report. Cancel-safe between sends:
    /// a cancelled call loses no received message and no queued transmit.
    pub async fn next_event(
        &mut self,
        ep: &mut Endpoint,
        trace: &mut dyn Trace,
    ) -> Result<(Handle, Event)> {
        loop {
            // Events first, so that "answering challenge" is reported before the
            // request that answers it goes out.
            if let Some(event) = ep.poll_event() {
                match self.act_on(ep, trace, event).await? {
                    Some(event) => return Ok(event),
                    None => continue,
                }
            }
            self.send_queued(ep, trace).await?;
            if ep.has_transmits() {
                continue;
            }
            if let Some(event) = ep.poll_event() {
                // A failed send was reported to the endpoint.
                match self.act_on(ep, trace, event).await? {
                    Some(event) => return Ok(event),
                    None => continue,
                }
            }
            let deadline = ep.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                (from, incoming) = self.link.recv(&mut self.buf) => match incoming {
                    Incoming::Message(bytes) => {
                        self.silent_closes = 0;
                        trace.received(from, &bytes);
                        ep.handle_input(now(), CARRIER, &bytes);
                    }
                    Incoming::Closed(reason) => self.on_closed(ep, reason)?,
                },
                () = sleep => ep.handle_timeout(now()),
            }
        }
    }

    /// Carries out what the endpoint asks of the network; the events a command
    /// reports come back (a redirect too, after it was followed).
    async fn act_on(
        &mut self,
        ep: &mut Endpoint,
        trace: &mut dyn Trace,
        event: EndpointEvent,
    ) -> Result<Option<(Handle, Event)>> {
        match event {
            EndpointEvent::Failover { handle, op, error } => {
                let Some((next, left)) = self.routes.next(handle, ep.fallbacks(handle), |_| true)
                else {
                    ep.abandon(handle, op, error, now());
                    return Ok(None);
                };
                self.switch(ep, trace, handle, next, left, &error.to_string())
                    .await?;
                Ok(None)
            }
            EndpointEvent::Reconnect { reason, .. } => {
                self.link.reset()?;
                ep.reconnected(CARRIER, self.link.local_addr(), &reason, now());
                Ok(None)
            }
            EndpointEvent::Event(h, Event::Redirected { op, target }) => {
                self.redirect(ep, trace, h, &target).await?;
                Ok(Some((h, Event::Redirected { op, target })))
            }
            EndpointEvent::Event(h, event @ Event::FlowFailed { .. }) => {
                // The registration sends again by itself; it must leave from the
                // new connection's address.
                self.link.reset()?;
                ep.relocated(CARRIER, self.link.local_addr());
                Ok(Some((h, event)))
            }
            EndpointEvent::Event(h, event) => Ok(Some((h, event))),
        }
    }

    /// Follows a 3xx: locates `target` as RFC 3263 says (with the transport in use
    /// unless the URI names one), moves there and starts the operation again.
    async fn redirect(
        &mut self,
        ep: &mut Endpoint,
        trace: &mut dyn Trace,
        h: Handle,
        target: &SipUri,
    ) -> Result<()> {
        let in_use = self.target().transport;
        let targets = self.locator.redirect_targets(target, in_use).await?;
        let Some(first) = targets.first().cloned() else {
            return Err(Error::Usage("no target to send to".into()));
        };
        let left = targets.len() - 1;
        self.routes.redirect(h, targets);
        self.switch(
            ep,
            trace,
            h,
            first,
            left,
            &format!("redirected to {target}"),
        )
        .await
    }

    /// Sends the endpoint's queue; a send that fails is reported to the endpoint.
    async fn send_queued(&mut self, ep: &mut Endpoint, trace: &mut dyn Trace) -> Result<()> {
        let queued: Vec<_> = ep.drain_transmits().collect();
        for o in queued {
            let t = o.transmit;
            trace.sent(&t);
            let local = self.link.local_addr();
            let limit = ep.registration(o.handle).config().shared.timers.timeout;
            match self.link.send(&t.payload, t.destination, limit).await {
                Ok(()) => {
                    if self.link.local_addr() != local {
                        ep.relocated(CARRIER, self.link.local_addr());
                    }
                }
                Err(e) if e.is_certificate() => return Err(e.into_error()),
                Err(e) => {
                    self.link.reset()?;
                    ep.relocated(CARRIER, self.link.local_addr());
                    // What else was queued went to the failed flow: the endpoint
                    // sends again what it still needs.
                    ep.transport_failed(o.handle, now(), e.to_string());
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The connection went away (closed by the peer, reset, or dropped by us after
    /// a message that could not be framed). The next request opens a new one; a
    /// request in flight is sent again on it, once.
    fn on_closed(&mut self, ep: &mut Endpoint, reason: String) -> Result<()> {
        if !self.link.is_stream() {
            return Err(Error::io("cannot receive", std::io::Error::other(reason)));
        }
        let reason = format!("{}: {reason}", self.target());
        self.link.reset()?;
        ep.relocated(CARRIER, self.link.local_addr());
        if ep.in_flight() > 0 {
            self.silent_closes += 1;
            if self.silent_closes > 1 {
                ep.carrier_failed(CARRIER, now(), reason);
                return Ok(());
            }
        }
        ep.connection_closed(CARRIER, now(), reason);
        Ok(())
    }

    /// Points the link at `to` and starts `h`'s operation there, with `fallbacks`
    /// targets left after it.
    async fn switch(
        &mut self,
        ep: &mut Endpoint,
        trace: &mut dyn Trace,
        h: Handle,
        to: Target,
        fallbacks: usize,
        why: &str,
    ) -> Result<()> {
        let from = self.link.target().clone();
        self.link.retarget(&to, &mut self.settings).await?;
        self.silent_closes = 0;
        trace.moved(&from, &to, why);
        ep.retarget(
            h,
            to.addr,
            to.transport,
            self.link.local_addr(),
            fallbacks,
            now(),
        );
        Ok(())
    }
}
