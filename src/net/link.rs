//! One link to one target, whatever the transport: a UDP socket, or a stream
//! connection (TCP, TLS, WS, WSS) opened when the first request goes out and opened
//! again for the next request after the peer closed it.
//!
//! A stream link binds its socket before connecting, so the local address that goes
//! into Via and Contact is known before anything is sent (and a dry run sends
//! nothing, not even a SYN).

use super::connection::{self, LinkError, Opening, ReaderTag, StreamEvent, Writer};
use super::source::{any_address_for, route_source};
use super::target::{is_secure, Target};
use super::tls::{server_name, TlsSettings};
use super::udp::UdpTransport;
use crate::core::TransportKind;
use crate::error::Result;
use crate::sip::MAX_MESSAGE_SIZE;
use rustls::ClientConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// What a link hands the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// One SIP message (or a keep-alive answer: `\r\n` on a stream, STUN on UDP).
    Message(Vec<u8>),
    /// The connection is gone; the text says why.
    Closed(String),
}

/// How links are made, the same for every target of a run.
#[derive(Debug, Clone, Default)]
pub struct LinkSettings {
    /// `--local`: the address (and port) to bind.
    pub local: Option<SocketAddr>,
    pub tls: TlsSettings,
    /// The path of the WebSocket URL (`/` unless a `ws://` URL said otherwise).
    pub ws_path: String,
    tls_config: Option<Arc<ClientConfig>>,
}

impl LinkSettings {
    pub fn new(local: Option<SocketAddr>, tls: TlsSettings, ws_path: String) -> LinkSettings {
        LinkSettings {
            local,
            tls,
            ws_path,
            tls_config: None,
        }
    }

    /// Built once, on first use: reading the system's trust store costs time a UDP
    /// run should not pay.
    fn tls_config(&mut self) -> Result<Arc<ClientConfig>> {
        if let Some(c) = &self.tls_config {
            return Ok(c.clone());
        }
        let config = self.tls.client_config()?;
        self.tls_config = Some(config.clone());
        Ok(config)
    }
}

/// Messages a link's reader may have queued before it waits for the driver.
const LINK_QUEUE: usize = 64;

/// An open stream connection of a link: where to write, and what its reader read.
struct Connected {
    writer: Writer,
    events: mpsc::Receiver<StreamEvent>,
    reader: AbortHandle,
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

enum Carrier {
    Udp(UdpTransport),
    Stream {
        /// Bound, not yet connected: the next connection leaves from here.
        bound: Option<TcpSocket>,
        connection: Option<Connected>,
        tls: Option<Arc<ClientConfig>>,
        ws_path: String,
        bind: Option<SocketAddr>,
    },
}

pub struct Link {
    target: Target,
    local: SocketAddr,
    carrier: Carrier,
}

impl Link {
    /// A link to `target`; binds, connects nothing.
    pub async fn open(target: &Target, settings: &mut LinkSettings) -> Result<Link> {
        if target.transport == TransportKind::Udp {
            let udp = UdpTransport::bind(settings.local, target.addr).await?;
            return Ok(Link {
                target: target.clone(),
                local: udp.local_addr(),
                carrier: Carrier::Udp(udp),
            });
        }
        let tls = if is_secure(target.transport) {
            // Checked now, so that a name no certificate can carry is a usage error.
            server_name(&target.host)?;
            Some(settings.tls_config()?)
        } else {
            None
        };
        let (socket, local) =
            bind_for(settings.local, target.addr).map_err(LinkError::into_error)?;
        Ok(Link {
            target: target.clone(),
            local,
            carrier: Carrier::Stream {
                bound: Some(socket),
                connection: None,
                tls,
                ws_path: settings.ws_path.clone(),
                bind: settings.local,
            },
        })
    }

    /// The same link pointed at another target: a UDP socket is kept when the
    /// address family allows, so the Contact's port stays true; anything else is
    /// opened anew.
    pub async fn retarget(&mut self, target: &Target, settings: &mut LinkSettings) -> Result<()> {
        let keep_socket = match &self.carrier {
            Carrier::Udp(udp) => {
                target.transport == TransportKind::Udp
                    && udp.local_addr().is_ipv4() == target.addr.is_ipv4()
            }
            Carrier::Stream { .. } => false,
        };
        if keep_socket {
            self.target = target.clone();
        } else {
            *self = Link::open(target, settings).await?;
        }
        Ok(())
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Our address as written in Via and the default Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub fn is_stream(&self) -> bool {
        matches!(self.carrier, Carrier::Stream { .. })
    }

    /// Sends one message (or keep-alive), connecting first when needed. On a stream
    /// whose connection turns out dead, the message goes out once more on a new one.
    /// `limit` bounds connecting and handshakes (the transaction timeout).
    pub async fn send(
        &mut self,
        payload: &[u8],
        destination: SocketAddr,
        limit: Duration,
    ) -> Result<(), LinkError> {
        if let Carrier::Udp(udp) = &self.carrier {
            return udp
                .socket
                .send_to(payload, destination)
                .await
                .map(drop)
                .map_err(|source| LinkError::Send {
                    target: destination.to_string(),
                    source,
                });
        }
        let fresh = !self.is_connected();
        if fresh {
            self.connect(limit).await?;
        }
        match self.write(payload).await {
            Ok(()) => Ok(()),
            Err(_) if !fresh => {
                self.rebind()?;
                self.connect(limit).await?;
                self.write(payload).await.map_err(|source| LinkError::Send {
                    target: self.target.to_string(),
                    source,
                })
            }
            Err(source) => Err(LinkError::Send {
                target: self.target.to_string(),
                source,
            }),
        }
    }

    /// The next thing that arrives, and where from. Cancel-safe. A stream link with
    /// no connection waits for ever (the driver's timers still run).
    pub async fn recv(&mut self, buf: &mut [u8]) -> (SocketAddr, Incoming) {
        let peer = self.target.addr;
        match &mut self.carrier {
            Carrier::Udp(udp) => match udp.socket.recv_from(buf).await {
                Ok((n, from)) => (from, Incoming::Message(buf[..n].to_vec())),
                Err(e) => (peer, Incoming::Closed(format!("cannot receive: {e}"))),
            },
            Carrier::Stream { connection, .. } => {
                let event = match connection {
                    Some(c) => c.events.recv().await,
                    None => std::future::pending().await,
                };
                let incoming = match event {
                    Some(StreamEvent::Message { bytes, .. }) => Incoming::Message(bytes),
                    Some(StreamEvent::Closed { reason, .. }) => Incoming::Closed(reason),
                    None => Incoming::Closed("connection closed".into()),
                };
                if matches!(incoming, Incoming::Closed(_)) {
                    *connection = None;
                }
                (peer, incoming)
            }
        }
    }

    /// Drops the connection, if any, and binds the socket the next one will leave
    /// from; the local address changes (the core must be told).
    pub fn reset(&mut self) -> Result<(), crate::error::Error> {
        self.rebind().map_err(LinkError::into_error)
    }

    fn rebind(&mut self) -> Result<(), LinkError> {
        let dest = self.target.addr;
        if let Carrier::Stream {
            bound,
            connection,
            bind,
            ..
        } = &mut self.carrier
        {
            if connection.is_none() && bound.is_some() {
                return Ok(());
            }
            *connection = None;
            let (socket, local) = bind_for(*bind, dest)?;
            *bound = Some(socket);
            self.local = local;
        }
        Ok(())
    }

    fn is_connected(&self) -> bool {
        matches!(
            self.carrier,
            Carrier::Stream {
                connection: Some(_),
                ..
            }
        )
    }

    async fn write(&mut self, payload: &[u8]) -> std::io::Result<()> {
        match &mut self.carrier {
            Carrier::Stream {
                connection: Some(c),
                ..
            } => c.writer.send(payload).await,
            _ => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    async fn connect(&mut self, limit: Duration) -> Result<(), LinkError> {
        let target = self.target.clone();
        let Carrier::Stream {
            bound,
            connection,
            tls,
            ws_path,
            bind,
        } = &mut self.carrier
        else {
            return Ok(());
        };
        // A socket lost to a cancelled connect is replaced by a fresh one.
        let socket = match bound.take() {
            Some(s) => s,
            None => {
                let (s, local) = bind_for(*bind, target.addr)?;
                self.local = local;
                s
            }
        };
        let opening = Opening {
            tls: tls.clone(),
            ws_path: ws_path.clone(),
            limit,
        };
        let (events_tx, events) = mpsc::channel(LINK_QUEUE);
        let source = route_source(target.addr);
        let opened = connection::open_connection(
            socket,
            &target,
            &opening,
            ReaderTag::default(),
            events_tx,
            source,
        )
        .await?;
        self.local = opened.local;
        *connection = Some(Connected {
            writer: opened.writer,
            events,
            reader: opened.reader,
        });
        Ok(())
    }
}

/// A TCP socket bound for a connection to `destination`: `--local`, else "any".
fn bind_for(
    local: Option<SocketAddr>,
    destination: SocketAddr,
) -> Result<(TcpSocket, SocketAddr), LinkError> {
    let addr = local.unwrap_or_else(|| SocketAddr::new(any_address_for(destination), 0));
    connection::bind_socket(addr, || route_source(destination))
}

/// Big enough for any datagram we accept, plus one byte to see an oversized one.
pub fn receive_buffer() -> Vec<u8> {
    vec![0; MAX_MESSAGE_SIZE + 1]
}
