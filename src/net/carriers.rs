//! What an endpoint's registrations carry their messages on: a few shared UDP sockets
//! (`--sockets N`, batch reads and writes), or stream connections (`streams`).

use super::datagrams::DatagramSocket;
use super::source::{advertised, carrier_address, route_source};
use super::streams::Streams;
use crate::core::TransportKind;
use crate::error::{Error, Result};
use std::net::SocketAddr;

/// What the registrations of a run send on: UDP sockets, or stream connections.
/// An enum, so that the UDP path stays a direct call on a socket.
pub enum Carriers {
    Udp(Vec<UdpCarrier>),
    Streams(Streams),
}

impl Carriers {
    /// Sockets or connections.
    pub fn len(&self) -> usize {
        match self {
            Carriers::Udp(s) => s.len(),
            Carriers::Streams(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Our address on socket or connection `k`.
    pub fn local(&self, k: usize) -> SocketAddr {
        match self {
            Carriers::Udp(s) => s[k].local,
            Carriers::Streams(s) => s.local(k),
        }
    }

    pub fn transport(&self) -> TransportKind {
        match self {
            Carriers::Udp(_) => TransportKind::Udp,
            Carriers::Streams(s) => s.transport,
        }
    }
}

pub struct UdpCarrier {
    pub socket: DatagramSocket,
    /// The address written in Via and the default Contacts: never 0.0.0.0.
    pub local: SocketAddr,
}

/// Binds `count` sockets towards `destination`. With `local` carrying a port P, they
/// take P, P+1, …; otherwise the system picks each port.
pub async fn bind(
    count: u32,
    local: Option<SocketAddr>,
    destination: SocketAddr,
) -> Result<Vec<UdpCarrier>> {
    let mut sockets = Vec::with_capacity(count as usize);
    for k in 0..count as usize {
        let what = format!("--sockets {count}");
        let addr = carrier_address(local, k, destination, &what)?;
        let socket = DatagramSocket::bind(addr)
            .map_err(|e| Error::io(format!("cannot bind UDP {addr}"), e))?;
        let bound = socket
            .local_addr()
            .map_err(|e| Error::io("cannot read the local address", e))?;
        sockets.push(UdpCarrier {
            socket,
            local: advertised(bound, || route_source(destination)),
        });
    }
    Ok(sockets)
}
