//! The loop between the sans-IO core and the network: send what the core queued,
//! wait for a message or the core's next deadline, feed it in, hand events out.
//!
//! The driver also owns what the core cannot know about: the list of targets that
//! RFC 3263 found (failing over to the next on a timeout, a transport error or a 503),
//! and the connection of a stream transport (reopened after the peer closed it).

use super::dns::DnsSettings;
use super::link::{receive_buffer, Incoming, Link, LinkSettings};
use super::locate::locate;
use super::target::Target;
use crate::core::{Event, Operation, RegError, Registration, Transmit};
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

pub struct Driver {
    targets: Vec<Target>,
    current: usize,
    settings: LinkSettings,
    dns: DnsSettings,
    link: Link,
    buf: Vec<u8>,
    /// Connections that closed in a row with no message in between: the second
    /// one fails the request instead of sending it once more.
    silent_closes: u32,
}

/// Failures after which the next target may do better (RFC 3263 §4.3; a 503 is
/// how a server says so, RFC 3261 §21.5.4).
fn worth_another_target(error: &RegError) -> bool {
    matches!(
        error,
        RegError::Timeout { .. } | RegError::Transport(_) | RegError::Refused { status: 503, .. }
    )
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
            targets,
            current: 0,
            settings,
            dns,
            link,
            buf: receive_buffer(),
            silent_closes: 0,
        })
    }

    /// Where requests go now.
    pub fn target(&self) -> &Target {
        self.link.target()
    }

    /// Targets still to fail over to after the current one.
    pub fn remaining_targets(&self) -> &[Target] {
        &self.targets[self.current + 1..]
    }

    /// Our address as written in Via and the default Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.link.local_addr()
    }

    /// Sends whatever the core has queued, without waiting for anything else.
    pub async fn flush(&mut self, reg: &mut Registration, trace: &mut dyn Trace) -> Result<()> {
        self.send_queued(reg, trace).await.map(drop)
    }

    /// Runs the core until it has an event to report. `retry` is the operation to
    /// start again on another target. Cancel-safe between sends: a cancelled call
    /// loses no received message and no queued transmit.
    pub async fn next_event(
        &mut self,
        reg: &mut Registration,
        trace: &mut dyn Trace,
        retry: &Operation,
    ) -> Result<Event> {
        loop {
            // Events first, so that "answering challenge" is reported before the
            // request that answers it goes out.
            if let Some(event) = reg.poll_event() {
                match self.on_event(reg, trace, retry, event).await? {
                    Some(event) => return Ok(event),
                    None => continue,
                }
            }
            if self.send_queued(reg, trace).await? {
                continue; // the core has been told of a failure: it has an event
            }
            let deadline = reg.poll_timeout();
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
                        reg.handle_input(now(), &bytes);
                    }
                    Incoming::Closed(reason) => self.on_closed(reg, reason)?,
                },
                () = sleep => reg.handle_timeout(now()),
            }
        }
    }

    /// Follows a 3xx (`Event::Redirected`): locates `target` as RFC 3263 says (with
    /// the transport in use unless the URI names one), moves there and starts
    /// `retry` again.
    pub async fn redirect(
        &mut self,
        reg: &mut Registration,
        trace: &mut dyn Trace,
        target: &SipUri,
        retry: &Operation,
    ) -> Result<()> {
        let transport = if target.param("transport").is_some() || target.sips {
            None
        } else {
            Some(self.target().transport)
        };
        let targets = locate(target, transport, &self.dns).await?;
        let why = format!("redirected to {target}");
        self.retarget(reg, trace, targets, retry, &why).await
    }

    /// Moves to a new list of targets and starts `retry` there.
    pub async fn retarget(
        &mut self,
        reg: &mut Registration,
        trace: &mut dyn Trace,
        targets: Vec<Target>,
        retry: &Operation,
        why: &str,
    ) -> Result<()> {
        if targets.is_empty() {
            return Err(Error::Usage("no target to send to".into()));
        }
        self.targets = targets;
        self.current = 0;
        self.switch(reg, trace, why).await?;
        reg.start(retry.clone(), now());
        Ok(())
    }

    /// Returns true when a failed send was reported to the core.
    async fn send_queued(&mut self, reg: &mut Registration, trace: &mut dyn Trace) -> Result<bool> {
        while let Some(t) = reg.poll_transmit() {
            trace.sent(&t);
            let local = self.link.local_addr();
            let limit = reg.config().shared.timers.timeout;
            match self.link.send(&t.payload, t.destination, limit).await {
                Ok(()) => {
                    if self.link.local_addr() != local {
                        self.tell_local(reg);
                    }
                }
                Err(e) if e.is_certificate() => return Err(e.into_error()),
                Err(e) => {
                    self.link.reset()?;
                    self.tell_local(reg);
                    if reg.is_busy() {
                        reg.transport_failed(now(), e.to_string());
                    } else if reg.is_registered() {
                        reg.flow_failed(now(), e.to_string());
                    }
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The connection went away (closed by the peer, reset, or dropped by us after
    /// a message that could not be framed). The next request opens a new one; a
    /// request in flight is sent again on it, once.
    fn on_closed(&mut self, reg: &mut Registration, reason: String) -> Result<()> {
        if !self.link.is_stream() {
            return Err(Error::io("cannot receive", std::io::Error::other(reason)));
        }
        let reason = format!("{}: {reason}", self.target());
        self.link.reset()?;
        self.tell_local(reg);
        if reg.is_busy() {
            self.silent_closes += 1;
            if self.silent_closes > 1 {
                reg.transport_failed(now(), reason);
                return Ok(());
            }
        }
        if reg.is_busy() || reg.is_registered() {
            reg.flow_failed(now(), reason);
        }
        Ok(())
    }

    /// Events the driver acts on before (or instead of) reporting them.
    async fn on_event(
        &mut self,
        reg: &mut Registration,
        trace: &mut dyn Trace,
        retry: &Operation,
        event: Event,
    ) -> Result<Option<Event>> {
        match &event {
            Event::Failed { error, .. } | Event::Retrying { error, .. }
                if worth_another_target(error) && !self.remaining_targets().is_empty() =>
            {
                self.current += 1;
                self.switch(reg, trace, &error.to_string()).await?;
                reg.start(retry.clone(), now());
                Ok(None)
            }
            Event::FlowFailed { .. } => {
                self.link.reset()?;
                self.tell_local(reg);
                Ok(Some(event))
            }
            _ => Ok(Some(event)),
        }
    }

    /// Points the link and the core at `targets[current]`.
    async fn switch(
        &mut self,
        reg: &mut Registration,
        trace: &mut dyn Trace,
        why: &str,
    ) -> Result<()> {
        let from = self.link.target().clone();
        let to = self.targets[self.current].clone();
        self.link.retarget(&to, &mut self.settings).await?;
        self.silent_closes = 0;
        self.tell_local(reg);
        trace.moved(&from, &to, why);
        Ok(())
    }

    fn tell_local(&self, reg: &mut Registration) {
        let target = self.link.target();
        reg.set_destination(target.addr, target.transport, self.link.local_addr());
    }
}
