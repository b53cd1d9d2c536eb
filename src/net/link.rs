//! One link to one target, whatever the transport: a UDP socket, or a stream
//! connection (TCP, TLS, WS, WSS) opened when the first request goes out and opened
//! again for the next request after the peer closed it.
//!
//! A stream link binds its socket before connecting, so the local address that goes
//! into Via and Contact is known before anything is sent (and a dry run sends
//! nothing, not even a SYN).

use super::source::{advertised, any_address_for, route_source};
use super::stream::{BoxedStream, StreamLink};
use super::target::{is_secure, Target};
use super::tls::{explain_handshake_error, server_name, TlsSettings};
use super::udp::UdpTransport;
use super::ws::WsLink;
use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::sip::MAX_MESSAGE_SIZE;
use rustls::ClientConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::net::TcpSocket;

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

/// Why a request could not be carried.
#[derive(Debug, Error)]
pub enum LinkError {
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("TLS handshake with {target} failed: {reason}")]
    Tls {
        target: String,
        reason: String,
        /// The certificate was refused, rather than the network failing.
        certificate: bool,
    },
    #[error("{0}")]
    WebSocket(String),
    #[error("cannot send to {target}: {source}")]
    Send {
        target: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

impl LinkError {
    /// A verification failure: the same certificate is behind every target, so
    /// failing over would only repeat it; it ends the run with its reason.
    pub fn is_certificate(&self) -> bool {
        matches!(
            self,
            LinkError::Tls {
                certificate: true,
                ..
            }
        )
    }

    pub fn into_error(self) -> Error {
        match self {
            LinkError::Bind { addr, source } => Error::io(format!("cannot bind {addr}"), source),
            LinkError::Send { target, source } => {
                Error::io(format!("cannot send to {target}"), source)
            }
            LinkError::Tls { target, reason, .. } => Error::io(
                format!("TLS handshake with {target} failed"),
                std::io::Error::other(reason),
            ),
            LinkError::Connect { target, reason } => Error::io(
                format!("cannot connect to {target}"),
                std::io::Error::other(reason),
            ),
            LinkError::WebSocket(reason) => Error::io("WebSocket", std::io::Error::other(reason)),
        }
    }
}

enum Connection {
    Stream(StreamLink),
    Ws(Box<WsLink>),
}

enum Carrier {
    Udp(UdpTransport),
    Stream {
        /// Bound, not yet connected: the next connection leaves from here.
        bound: Option<TcpSocket>,
        connection: Option<Connection>,
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
            bind_tcp(settings.local, target.addr).map_err(LinkError::into_error)?;
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
                let incoming = match connection {
                    Some(Connection::Stream(s)) => s.recv().await,
                    Some(Connection::Ws(w)) => w.recv().await,
                    None => std::future::pending().await,
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
    pub fn reset(&mut self) -> Result<(), Error> {
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
            let (socket, local) = bind_tcp(*bind, dest)?;
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
                connection: Some(Connection::Stream(s)),
                ..
            } => s.send(payload).await,
            Carrier::Stream {
                connection: Some(Connection::Ws(w)),
                ..
            } => w.send(payload).await,
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
                let (s, local) = bind_tcp(*bind, target.addr)?;
                self.local = local;
                s
            }
        };
        let deadline = Deadline {
            at: tokio::time::Instant::now() + limit,
            limit,
        };
        let opened = open_connection(socket, &target, tls.clone(), ws_path, deadline).await?;
        self.local = opened.local;
        *connection = Some(opened.connection);
        Ok(())
    }
}

struct Opened {
    connection: Connection,
    local: SocketAddr,
}

/// When opening a connection must be done, and the limit that set it.
#[derive(Clone, Copy)]
struct Deadline {
    at: tokio::time::Instant,
    limit: Duration,
}

impl Deadline {
    /// Runs one stage of opening a connection; `stage` names it when time runs out.
    async fn run<T>(
        self,
        stage: &str,
        work: impl std::future::Future<Output = Result<T, LinkError>>,
        late: impl FnOnce(String) -> LinkError,
    ) -> Result<T, LinkError> {
        match tokio::time::timeout_at(self.at, work).await {
            Ok(result) => result,
            Err(_) => Err(late(format!(
                "no {stage} within {}",
                humantime::format_duration(self.limit)
            ))),
        }
    }
}

/// TCP connect, then TLS and the WebSocket upgrade as the transport asks, all
/// within the transaction timeout.
async fn open_connection(
    socket: TcpSocket,
    target: &Target,
    tls: Option<Arc<ClientConfig>>,
    ws_path: &str,
    deadline: Deadline,
) -> Result<Opened, LinkError> {
    let connect_failed = |reason: String| LinkError::Connect {
        target: target.to_string(),
        reason,
    };
    let connect = async {
        socket
            .connect(target.addr)
            .await
            .map_err(|e| connect_failed(e.to_string()))
    };
    let tcp = deadline.run("connection", connect, connect_failed).await?;
    // Requests are small and latency matters more than packet count.
    let _ = tcp.set_nodelay(true);
    let local = tcp
        .local_addr()
        .map_err(|e| connect_failed(e.to_string()))?;
    let stream: BoxedStream = match tls {
        Some(config) => {
            let tls_failed = |reason: String, certificate: bool| LinkError::Tls {
                target: target.to_string(),
                reason,
                certificate,
            };
            let name = server_name(&target.host).map_err(|e| tls_failed(e.to_string(), true))?;
            let handshake = async {
                tokio_rustls::TlsConnector::from(config)
                    .connect(name, tcp)
                    .await
                    .map_err(|e| {
                        let (reason, certificate) = explain_handshake_error(&e, &target.host);
                        tls_failed(reason, certificate)
                    })
            };
            let tls = deadline
                .run("TLS handshake", handshake, |reason| {
                    tls_failed(reason, false)
                })
                .await?;
            Box::new(tls)
        }
        None => Box::new(tcp),
    };
    let connection = match target.transport {
        TransportKind::Ws | TransportKind::Wss => {
            let scheme = if target.transport == TransportKind::Wss {
                "wss"
            } else {
                "ws"
            };
            let url = format!("{scheme}://{}:{}{ws_path}", target.host, target.addr.port());
            let upgrade = async {
                WsLink::handshake(stream, &url)
                    .await
                    .map_err(LinkError::WebSocket)
            };
            let ws = deadline
                .run("answer to the WebSocket upgrade", upgrade, |reason| {
                    LinkError::WebSocket(format!("{url}: {reason}"))
                })
                .await?;
            Connection::Ws(Box::new(ws))
        }
        _ => Connection::Stream(StreamLink::new(stream)),
    };
    Ok(Opened { connection, local })
}

/// A TCP socket bound for a connection to `destination`, and the address to
/// advertise for it: the bound port, and the address the kernel would route from
/// when bound to "any".
fn bind_tcp(
    local: Option<SocketAddr>,
    destination: SocketAddr,
) -> Result<(TcpSocket, SocketAddr), LinkError> {
    let addr = local.unwrap_or_else(|| SocketAddr::new(any_address_for(destination), 0));
    let failed = |source| LinkError::Bind { addr, source };
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(failed)?;
    if addr.port() != 0 {
        // A fixed --local port must be reusable for the reconnection that follows
        // a closed connection.
        socket.set_reuseaddr(true).map_err(failed)?;
    }
    socket.bind(addr).map_err(failed)?;
    let bound = socket.local_addr().map_err(failed)?;
    Ok((socket, advertised(bound, || route_source(destination))))
}

/// Big enough for any datagram we accept, plus one byte to see an oversized one.
pub fn receive_buffer() -> Vec<u8> {
    vec![0; MAX_MESSAGE_SIZE + 1]
}
