//! The stream connections a population of registrations shares: one per
//! registration, or N with registration i on connection i % N. Every connection is a
//! `net::connection` (TCP, TLS, WS or WSS) whose reader feeds one bounded channel, so
//! that one loop serves them all; a registrar sending faster than the loop takes its
//! messages meets TCP flow control instead of growing our memory without bound.
//!
//! Why all opened up front, and how fast: a connection per AOR opened lazily would
//! put a TCP (and TLS) handshake inside the first transaction of every AOR and make
//! the latency figures measure connection set-up. Opening them all first keeps the
//! measured transactions comparable with UDP. `--rate` paces transactions, not
//! connections; what protects the registrar (and our own descriptors and CPU) is a
//! bound on the handshakes in flight: at most `--concurrency`, and never more than
//! `MAX_CONNECTS_IN_FLIGHT`. A connection that cannot be opened does not stop the
//! run, unless none can: its AORs fail with the reason.
//!
//! A connection that closes or breaks can be reopened (`reopen`) from a new local
//! port; the endpoint decides whether anyone needs it.
//!
//! A single registration's connection is `lazy`: bound at once, so that the address
//! that goes into Via and Contact is known before anything is sent (and a dry run
//! sends nothing, not even a SYN), and connected when the first message goes out.

use super::connection::{
    bind_socket, open_connection, LinkError, Opening, ReaderTag, StreamEvent, Writer,
};
use super::source::{carrier_address, route_source};
use super::target::Target;
use crate::core::TransportKind;
use crate::error::{Error, Result};
use futures_util::stream::{self, StreamExt};
use std::net::{IpAddr, SocketAddr};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

/// Handshakes in flight at most, whatever `--concurrency` says.
pub const MAX_CONNECTS_IN_FLIGHT: usize = 256;

/// Events the readers may have queued for the loop before they must wait.
pub const EVENT_QUEUE: usize = 4096;

/// One connection as the loop sees it.
pub struct Connection {
    /// None once the connection is gone (or never came up).
    writer: Option<Writer>,
    /// Bound, not yet connected (lazy connections): the next connection leaves from
    /// here.
    bound: Option<tokio::net::TcpSocket>,
    /// Why it is gone: every request meant for it fails with this.
    gone: Option<String>,
    reader: Option<AbortHandle>,
    /// Opened this many times before: tells its close from a predecessor's.
    generation: u32,
    /// Our end of it: Via sent-by and the default Contacts.
    pub local: SocketAddr,
}

/// What became of a write.
pub enum Sent {
    Ok,
    /// The connection was gone already: only this request fails.
    Gone(String),
    /// A lazy connection could not be opened (refused, timed out, no route): the
    /// registrar cannot be reached; only this request fails.
    Unreachable(String),
    /// The write failed: the connection is gone from now on, with all it carried.
    Broke(String),
    /// The registrar's certificate was refused: every target would show the same
    /// one, so the run ends here with the reason.
    Fatal(crate::error::Error),
}

/// How the connections of a run are opened.
pub struct StreamPlan {
    pub transport: TransportKind,
    /// Where each connection goes.
    pub peers: Vec<Target>,
    /// `--local`: the addresses to bind, connection k on address k % n (with a port
    /// P, P + k / n); empty: "any".
    pub local: Vec<SocketAddr>,
    /// TLS configuration, WebSocket path, and the limit of each opening (and of a
    /// write that finds no room: a registrar that stopped reading must not stall
    /// the loop and every other AOR).
    pub opening: Opening,
    pub in_flight: usize,
    /// Bind now, connect on the first send (one registration's connection).
    pub lazy: bool,
}

pub struct Streams {
    pub transport: TransportKind,
    connections: Vec<Connection>,
    events: mpsc::Receiver<StreamEvent>,
    /// For the readers of reopened connections.
    sender: mpsc::Sender<StreamEvent>,
    plan: StreamPlan,
    /// The address advertised when bound to "any": asked of the routing table once.
    source: Option<IpAddr>,
}

impl Streams {
    /// Opens every connection of `plan` and starts its reader.
    pub async fn open(plan: StreamPlan) -> Result<Streams> {
        assert!(
            plan.transport.is_reliable(),
            "UDP runs share datagram sockets"
        );
        let count = plan.peers.len();
        let (sender, events) = mpsc::channel(EVENT_QUEUE);
        let source = plan.peers.first().and_then(|p| route_source(p.addr));
        let mut streams = Streams {
            transport: plan.transport,
            connections: Vec::with_capacity(count),
            events,
            sender,
            plan,
            source,
        };
        let addrs = (0..count)
            .map(|k| streams.bind_address(k))
            .collect::<Result<Vec<_>>>()?;
        if streams.plan.lazy {
            for (k, addr) in addrs.into_iter().enumerate() {
                let c = streams.bound(k, addr, 0).map_err(LinkError::into_error)?;
                streams.connections.push(c);
            }
            return Ok(streams);
        }
        let this = &streams;
        let mut opened: Vec<(usize, Connection)> = stream::iter(addrs.into_iter().enumerate())
            .map(|(k, addr)| async move { (k, this.open_one(k, addr, 0).await) })
            .buffer_unordered(this.plan.in_flight.clamp(1, MAX_CONNECTS_IN_FLIGHT))
            .collect()
            .await;
        opened.sort_by_key(|(k, _)| *k);
        streams.connections = opened.into_iter().map(|(_, c)| c).collect();
        if streams.open_count() == 0 {
            let reason = streams
                .connections
                .iter()
                .find_map(|c| c.gone.clone())
                .unwrap_or_else(|| "no connection to open".into());
            return Err(Error::io(
                if count == 1 {
                    "the connection could not be opened".to_string()
                } else {
                    format!("none of the {count} connections could be opened")
                },
                std::io::Error::other(reason),
            ));
        }
        Ok(streams)
    }

    pub fn len(&self) -> usize {
        self.connections.len()
    }

    /// Connections are bound first and connected on their first message.
    pub fn is_lazy(&self) -> bool {
        self.plan.lazy
    }

    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    pub fn local(&self, connection: usize) -> SocketAddr {
        self.connections[connection].local
    }

    /// Connections that are up.
    pub fn open_count(&self) -> usize {
        self.connections
            .iter()
            .filter(|c| c.writer.is_some())
            .count()
    }

    /// Writes one message on `connection` (connecting a lazy one first).
    pub async fn send(&mut self, connection: usize, bytes: &[u8]) -> Sent {
        let limit = self.plan.opening.limit;
        let unconnected = {
            let c = &self.connections[connection];
            c.writer.is_none() && c.gone.is_none()
        };
        if unconnected && self.plan.lazy {
            if let Err(e) = self.connect(connection).await {
                if e.is_certificate() {
                    return Sent::Fatal(e.into_error());
                }
                if matches!(e, LinkError::Connect { .. }) {
                    return Sent::Unreachable(e.to_string());
                }
                return Sent::Gone(e.to_string());
            }
        }
        let c = &mut self.connections[connection];
        let Some(writer) = &mut c.writer else {
            return Sent::Gone(c.gone.clone().unwrap_or_default());
        };
        match tokio::time::timeout(limit, writer.send(bytes)).await {
            Ok(Ok(())) => Sent::Ok,
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!(
                        "the registrar read nothing for {}",
                        humantime::format_duration(limit)
                    ),
                };
                let reason = format!("cannot send on the connection from {}: {why}", c.local);
                self.close(connection, reason.clone());
                Sent::Broke(reason)
            }
        }
    }

    /// Marks `connection` gone. False when it was gone already.
    pub fn close(&mut self, connection: usize, reason: String) -> bool {
        let c = &mut self.connections[connection];
        if let Some(r) = c.reader.take() {
            r.abort();
        }
        if c.writer.take().is_none() {
            return false;
        }
        c.gone = Some(reason);
        true
    }

    /// Whether a close event is about the connection as it is now, rather than one
    /// it replaced.
    pub fn is_current(&self, connection: usize, generation: u32) -> bool {
        self.connections
            .get(connection)
            .is_some_and(|c| c.generation == generation)
    }

    /// Opens `connection` again, to the same peer, from a new local port (the same
    /// one with a fixed `--local` port); returns our new end of it.
    pub async fn reopen(&mut self, connection: usize) -> std::result::Result<SocketAddr, String> {
        self.close(connection, "reopening".into());
        let addr = self.bind_address(connection).map_err(|e| e.to_string())?;
        let generation = self.connections[connection].generation + 1;
        let c = self.open_one(connection, addr, generation).await;
        let result = match &c.gone {
            None => Ok(c.local),
            Some(reason) => Err(reason.clone()),
        };
        self.connections[connection] = c;
        result
    }

    /// Points `connection` at another peer (failover, a redirect); it is bound again
    /// and, lazy or not, opened as `reopen` does.
    pub async fn retarget(
        &mut self,
        connection: usize,
        peer: Target,
    ) -> std::result::Result<SocketAddr, String> {
        self.plan.peers[connection] = peer;
        self.reopen(connection).await
    }

    /// Where `connection` goes.
    pub fn peer(&self, connection: usize) -> &Target {
        &self.plan.peers[connection]
    }

    /// The next event of any connection; never resolves once every reader has ended
    /// and its events were taken.
    pub async fn next_event(&mut self) -> StreamEvent {
        match self.events.recv().await {
            Some(event) => event,
            None => std::future::pending().await,
        }
    }

    /// An event already waiting, without waiting for one.
    pub fn try_next_event(&mut self) -> Option<StreamEvent> {
        self.events.try_recv().ok()
    }

    /// The address connection `k` binds: a `--local` one (`carrier_address`), else "any".
    fn bind_address(&self, k: usize) -> Result<SocketAddr> {
        let peer = self.plan.peers[k].addr;
        carrier_address(&self.plan.local, k, peer, "one port per connection")
    }

    /// Connection `k` bound to `addr`, not connected.
    fn bound(
        &self,
        k: usize,
        addr: SocketAddr,
        generation: u32,
    ) -> std::result::Result<Connection, LinkError> {
        let peer = self.plan.peers[k].addr;
        let source = self.source;
        let (socket, local) = bind_socket(addr, || source.or_else(|| route_source(peer)))?;
        Ok(Connection {
            writer: None,
            bound: Some(socket),
            gone: None,
            reader: None,
            generation,
            local,
        })
    }

    /// Connects lazy connection `k` from its bound socket (bound anew when a
    /// cancelled attempt took it) and starts its reader.
    async fn connect(&mut self, k: usize) -> std::result::Result<(), LinkError> {
        let generation = self.connections[k].generation;
        let socket = match self.connections[k].bound.take() {
            Some(s) => s,
            None => {
                let addr = self.bind_address(k).map_err(|e| LinkError::Bind {
                    addr: self.connections[k].local,
                    reason: e.to_string(),
                })?;
                let mut c = self.bound(k, addr, generation)?;
                self.connections[k].local = c.local;
                c.bound.take().expect("just bound")
            }
        };
        let tag = ReaderTag {
            connection: k as u32,
            generation,
        };
        let peer = &self.plan.peers[k];
        let opened = open_connection(
            socket,
            peer,
            &self.plan.opening,
            tag,
            self.sender.clone(),
            self.source.or_else(|| route_source(peer.addr)),
        )
        .await?;
        let c = &mut self.connections[k];
        c.local = opened.local;
        c.writer = Some(opened.writer);
        c.reader = Some(opened.reader);
        Ok(())
    }

    /// Binds, connects and starts the reader of connection `k`; a failure is a
    /// connection that is gone with its reason.
    async fn open_one(&self, k: usize, addr: SocketAddr, generation: u32) -> Connection {
        let failed = |local: SocketAddr, reason: String| Connection {
            writer: None,
            bound: None,
            gone: Some(reason),
            reader: None,
            generation,
            local,
        };
        let (socket, local) = match bind_socket(addr, || self.source) {
            Ok(bound) => bound,
            Err(e) => return failed(addr, e.to_string()),
        };
        let tag = ReaderTag {
            connection: k as u32,
            generation,
        };
        let peer = &self.plan.peers[k];
        match open_connection(
            socket,
            peer,
            &self.plan.opening,
            tag,
            self.sender.clone(),
            self.source,
        )
        .await
        {
            Ok(opened) => Connection {
                writer: Some(opened.writer),
                bound: None,
                gone: None,
                reader: Some(opened.reader),
                generation,
                local: opened.local,
            },
            Err(e) => failed(local, describe(&e, peer)),
        }
    }
}

impl Drop for Streams {
    fn drop(&mut self) {
        for c in &self.connections {
            if let Some(r) = &c.reader {
                r.abort();
            }
        }
    }
}

/// A failed opening, as the summary groups it.
fn describe(e: &LinkError, peer: &Target) -> String {
    match e {
        LinkError::Connect { reason, .. } => format!(
            "cannot connect to {} over {}: {reason}",
            peer.addr,
            peer.transport.via_token().to_ascii_lowercase()
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::Host;
    use std::time::Duration;
    use tokio::io::AsyncReadExt;

    fn plan(peer: SocketAddr, limit: Duration) -> StreamPlan {
        StreamPlan {
            transport: TransportKind::Tcp,
            peers: vec![Target {
                addr: peer,
                transport: TransportKind::Tcp,
                host: Host::from(peer.ip()),
            }],
            local: Vec::new(),
            opening: Opening {
                tls: None,
                server_name: None,
                ws_path: "/".into(),
                origin: None,
                limit,
            },
            in_flight: 1,
            lazy: false,
        }
    }

    #[test]
    fn a_fixed_local_port_counts_up_per_connection() {
        let peer: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let what = "one port per connection";
        assert_eq!(
            carrier_address(&[local], 3, peer, what).unwrap(),
            "127.0.0.1:40003".parse().unwrap()
        );
        let high: SocketAddr = "127.0.0.1:65535".parse().unwrap();
        assert!(matches!(
            carrier_address(&[high], 1, peer, what),
            Err(Error::Usage(_))
        ));
        assert_eq!(
            carrier_address(&[], 9, peer, what).unwrap(),
            "0.0.0.0:0".parse().unwrap()
        );
    }

    #[test]
    fn several_local_addresses_take_turns_and_count_their_ports_up_each() {
        let peer: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        let locals: Vec<SocketAddr> = ["127.0.0.2:0", "127.0.0.3:41000", "127.0.0.4:0"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        let bound: Vec<SocketAddr> = (0..7)
            .map(|k| carrier_address(&locals, k, peer, "what").unwrap())
            .collect();
        let expected: Vec<SocketAddr> = [
            "127.0.0.2:0",
            "127.0.0.3:41000",
            "127.0.0.4:0",
            "127.0.0.2:0",
            "127.0.0.3:41001",
            "127.0.0.4:0",
            "127.0.0.2:0",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        assert_eq!(bound, expected);
    }

    /// Virtual time: the write blocks for real (the peer never reads), the clock
    /// jumps to the limit as soon as nothing else can run.
    #[tokio::test(start_paused = true)]
    async fn a_registrar_that_stops_reading_breaks_its_connection_instead_of_stalling() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = listener.local_addr().unwrap();
        let accept = tokio::spawn(async move { listener.accept().await.unwrap() });
        let mut streams = Streams::open(plan(peer, Duration::from_secs(32)))
            .await
            .unwrap();
        let _theirs_never_read = accept.await.unwrap();
        // Far more than the socket buffers of both ends hold.
        let too_much = vec![b'x'; 32 << 20];
        match streams.send(0, &too_much).await {
            Sent::Broke(reason) => assert!(reason.contains("read nothing for 32s"), "{reason}"),
            _ => panic!("a write that finds no room must break the connection"),
        }
        assert_eq!(streams.open_count(), 0);
        assert!(matches!(streams.send(0, b"x").await, Sent::Gone(_)));
    }

    #[tokio::test]
    async fn a_connection_closed_by_the_peer_is_reopened_from_a_new_port() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let peer = listener.local_addr().unwrap();
        let mut streams = Streams::open(plan(peer, Duration::from_secs(5)))
            .await
            .unwrap();
        let (first, _) = listener.accept().await.unwrap();
        let old_local = streams.local(0);
        drop(first);
        let closed = streams.next_event().await;
        let StreamEvent::Closed {
            connection,
            generation,
            ..
        } = closed
        else {
            panic!("expected a close, got {closed:?}");
        };
        assert_eq!(connection, 0);
        assert!(streams.is_current(0, generation));
        streams.close(0, "closed by the peer".into());
        let new_local = streams.reopen(0).await.unwrap();
        assert_ne!(new_local.port(), old_local.port());
        assert!(
            !streams.is_current(0, generation),
            "the old close is stale now"
        );
        let (mut second, _) = listener.accept().await.unwrap();
        assert!(matches!(streams.send(0, b"OPTIONS").await, Sent::Ok));
        let mut got = [0u8; 7];
        second.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"OPTIONS");
    }
}
