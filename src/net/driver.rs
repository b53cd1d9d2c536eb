//! The loop between the sans-IO core and a socket: send what the core queued, wait for
//! a datagram or the core's next deadline, feed it in, hand events out.

use super::udp::UdpTransport;
use crate::core::{Event, Registration, Transmit};
use crate::error::{Error, Result};
use crate::sip::MAX_MESSAGE_SIZE;
use std::net::SocketAddr;
use std::time::Instant;

/// Observes traffic for the `-v` ladder and `-vv` message dumps.
pub trait Trace {
    fn sent(&mut self, transmit: &Transmit);
    fn received(&mut self, from: SocketAddr, bytes: &[u8]);
}

/// The core's notion of now. Taken from tokio's clock so that tests running with
/// `tokio::time::pause` drive the core in virtual time.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

pub struct Driver {
    transport: UdpTransport,
    buf: Vec<u8>,
}

impl Driver {
    pub fn new(transport: UdpTransport) -> Driver {
        Driver {
            transport,
            // One byte more than we accept, so an oversized datagram is seen as such.
            buf: vec![0; MAX_MESSAGE_SIZE + 1],
        }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.transport.local_addr()
    }

    /// Sends whatever the core has queued, without waiting for anything else.
    pub async fn flush(&mut self, reg: &mut Registration, trace: &mut dyn Trace) -> Result<()> {
        while let Some(t) = reg.poll_transmit() {
            trace.sent(&t);
            self.transport
                .socket
                .send_to(&t.payload, t.destination)
                .await
                .map_err(|e| Error::io(format!("cannot send to {}", t.destination), e))?;
        }
        Ok(())
    }

    /// Runs the core until it has an event to report. Cancel-safe between sends: a
    /// cancelled call loses no received datagram and no queued transmit.
    pub async fn next_event(
        &mut self,
        reg: &mut Registration,
        trace: &mut dyn Trace,
    ) -> Result<Event> {
        loop {
            // Events first, so that "answering challenge" is reported before the
            // request that answers it goes out.
            if let Some(event) = reg.poll_event() {
                return Ok(event);
            }
            self.flush(reg, trace).await?;
            let deadline = reg.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                received = self.transport.socket.recv_from(&mut self.buf) => {
                    let (n, from) = received
                        .map_err(|e| Error::io("cannot receive", e))?;
                    let bytes = &self.buf[..n];
                    trace.received(from, bytes);
                    reg.handle_input(now(), bytes);
                }
                () = sleep => reg.handle_timeout(now()),
            }
        }
    }
}
