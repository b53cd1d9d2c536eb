//! Opening the TCP or TLS connections of a bulk run, all of them before the first
//! request.
//!
//! Why up front, and how fast: a connection per AOR opened lazily would put a TCP
//! (and TLS) handshake inside the first transaction of every AOR and make the
//! latency figures measure connection set-up. Opening them all first keeps the
//! measured transactions comparable with UDP. `--rate` paces transactions, not
//! connections, so it does not apply here; what protects the registrar (and our
//! own descriptors and CPU, for TLS) is a bound on the handshakes in flight: at
//! most `--concurrency`, and never more than `MAX_CONNECTS_IN_FLIGHT`.
//!
//! A connection that cannot be opened does not stop the run, unless none can: its
//! AORs fail with the reason (counted in the summary, exit status 5).

use super::streams::{
    read_messages, read_tcp_messages, Connection, StreamEvent, Streams, Writer, EVENT_QUEUE,
};
use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::net::{advertised, any_address_for, explain_handshake_error, route_source, server_name};
use crate::sip::Host;
use futures_util::stream::{self, StreamExt};
use rustls::ClientConfig;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// Handshakes in flight at most, whatever `--concurrency` says.
pub const MAX_CONNECTS_IN_FLIGHT: usize = 256;

/// Where one connection goes.
#[derive(Debug, Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    /// The host the user named: the TLS certificate must be valid for it (and SNI).
    pub host: Host,
}

pub struct Opening {
    pub transport: TransportKind,
    /// One entry per connection.
    pub peers: Vec<Peer>,
    /// `--local`: the address to bind (with a port P, connection k takes P + k).
    pub local: Option<SocketAddr>,
    /// For TLS.
    pub tls: Option<Arc<ClientConfig>>,
    /// For the TCP connect and the TLS handshake together.
    pub timeout: Duration,
    pub in_flight: usize,
}

/// Opens every connection and starts its reader.
pub async fn open(opening: Opening) -> Result<Streams> {
    assert!(matches!(
        opening.transport,
        TransportKind::Tcp | TransportKind::Tls
    ));
    let count = opening.peers.len();
    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    // The address to advertise when bound to "any": the same for every connection
    // of the run, so the routing table is asked once.
    let source = opening.peers.first().and_then(|p| route_source(p.addr));
    let mut opened: Vec<(usize, Opened)> = stream::iter(0..count)
        .map(|k| {
            let events = events_tx.clone();
            let opening = &opening;
            async move {
                let local = bind_address(opening.local, k, opening.peers[k].addr)?;
                Ok::<_, Error>((k, open_one(opening, k, local, source, events).await))
            }
        })
        .buffer_unordered(opening.in_flight.clamp(1, MAX_CONNECTS_IN_FLIGHT))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    opened.sort_by_key(|(k, _)| *k);
    let mut connections = Vec::with_capacity(count);
    let mut readers = Vec::with_capacity(count);
    let mut first_failure = None;
    for (_, o) in opened {
        match o {
            Opened::Up { connection, reader } => {
                connections.push(connection);
                readers.push(reader);
            }
            Opened::Failed { connection, reason } => {
                first_failure.get_or_insert(reason);
                connections.push(connection);
            }
        }
    }
    if readers.is_empty() {
        let reason = first_failure.unwrap_or_else(|| "no connection to open".into());
        return Err(Error::io(
            if count == 1 {
                "the connection could not be opened".to_string()
            } else {
                format!("none of the {count} connections could be opened")
            },
            std::io::Error::other(reason),
        ));
    }
    Ok(Streams::new(
        opening.transport,
        connections,
        events,
        readers,
        opening.timeout,
    ))
}

enum Opened {
    Up {
        connection: Connection,
        reader: AbortHandle,
    },
    Failed {
        connection: Connection,
        reason: String,
    },
}

/// The address connection `k` binds: `--local` (its port plus k), else "any".
fn bind_address(local: Option<SocketAddr>, k: usize, peer: SocketAddr) -> Result<SocketAddr> {
    let Some(mut addr) = local else {
        return Ok(SocketAddr::new(any_address_for(peer), 0));
    };
    if addr.port() != 0 {
        let port = u16::try_from(usize::from(addr.port()) + k).map_err(|_| {
            Error::Usage(format!(
                "--local port {} plus one port per connection goes past port 65535; leave the port out",
                addr.port()
            ))
        })?;
        addr.set_port(port);
    }
    Ok(addr)
}

async fn open_one(
    opening: &Opening,
    k: usize,
    bind: SocketAddr,
    source: Option<IpAddr>,
    events: mpsc::Sender<StreamEvent>,
) -> Opened {
    let peer = &opening.peers[k];
    let transport = opening.transport.via_token().to_ascii_lowercase();
    // Until the socket is bound, our end is only what we asked for.
    let mut local = bind;
    let failed = |local: SocketAddr, reason: String| Opened::Failed {
        connection: Connection::failed(local, reason.clone()),
        reason,
    };
    let socket = match bound_socket(bind) {
        Ok((socket, bound)) => {
            local = advertised(bound, || source);
            socket
        }
        Err(e) => return failed(local, format!("cannot bind {bind}: {}", hint(&e))),
    };
    let work = async {
        let tcp = socket.connect(peer.addr).await.map_err(|e| {
            format!(
                "cannot connect to {} over {transport}: {}",
                peer.addr,
                hint(&e)
            )
        })?;
        // Requests are small and latency matters more than packet count.
        let _ = tcp.set_nodelay(true);
        let connected = tcp
            .local_addr()
            .map_err(|e| format!("cannot read the local address: {e}"))?;
        let local = advertised(connected, || source);
        let connection = k as u32;
        match &opening.tls {
            None => {
                let (read, write) = tcp.into_split();
                let reader = tokio::spawn(read_tcp_messages(read, connection, events));
                Ok((Connection::open(Writer::Tcp(write), local), reader))
            }
            Some(config) => {
                let name = server_name(&peer.host).map_err(|e| e.to_string())?;
                let tls = tokio_rustls::TlsConnector::from(config.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| {
                        let (why, _) = explain_handshake_error(&e, &peer.host);
                        format!("TLS handshake with {} failed: {why}", peer.addr)
                    })?;
                let (read, write) = tokio::io::split(tls);
                let reader = tokio::spawn(read_messages(read, connection, events));
                Ok((Connection::open(Writer::Tls(write), local), reader))
            }
        }
    };
    match tokio::time::timeout(opening.timeout, work).await {
        Ok(Ok((connection, reader))) => Opened::Up {
            connection,
            reader: reader.abort_handle(),
        },
        Ok(Err(reason)) => failed(local, reason),
        Err(_) => failed(
            local,
            format!(
                "no {} with {} within {}",
                if opening.tls.is_some() {
                    "TLS connection"
                } else {
                    "TCP connection"
                },
                peer.addr,
                humantime::format_duration(opening.timeout)
            ),
        ),
    }
}

fn bound_socket(addr: SocketAddr) -> std::io::Result<(TcpSocket, SocketAddr)> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }?;
    if addr.port() != 0 {
        // A fixed --local port may still be in TIME_WAIT from the previous run.
        socket.set_reuseaddr(true)?;
    }
    socket.bind(addr)?;
    let bound = socket.local_addr()?;
    Ok((socket, bound))
}

/// The error, with what to do about running out of descriptors.
fn hint(e: &std::io::Error) -> String {
    #[cfg(unix)]
    if matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
        return format!("{e}; share fewer connections with --connections N");
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_local_port_counts_up_per_connection() {
        let peer: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        assert_eq!(
            bind_address(Some(local), 3, peer).unwrap(),
            "127.0.0.1:40003".parse().unwrap()
        );
        let high: SocketAddr = "127.0.0.1:65535".parse().unwrap();
        assert!(matches!(
            bind_address(Some(high), 1, peer),
            Err(Error::Usage(_))
        ));
        assert_eq!(
            bind_address(None, 9, peer).unwrap(),
            "0.0.0.0:0".parse().unwrap()
        );
    }
}
