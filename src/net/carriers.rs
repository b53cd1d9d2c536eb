//! What an endpoint's registrations carry their messages on: a few shared UDP sockets
//! (`--sockets N`, batch reads and writes), or stream connections (`streams`).

use super::datagrams::DatagramSocket;
use super::source::{advertised, carrier_address, route_source};
use super::streams::Streams;
use crate::core::TransportKind;
use crate::error::{Error, Result};
use std::net::SocketAddr;

/// What the registrations of a run send on: UDP sockets, or stream connections.
/// An enum, so that the UDP path stays a direct call on a socket. A driver holds one,
/// so the size of the larger variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
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

/// Binds `count` sockets towards `destination`, spread over the `locals` addresses
/// (none: "any"): socket k on address k % n. Every address gets as many: `count` is
/// rounded up to a multiple of n, so that registration i (on socket i % total)
/// leaves from address i % n. On an address with a port P, its sockets take P, P+1,
/// …; otherwise the system picks each port.
pub async fn bind(
    count: u32,
    locals: &[SocketAddr],
    destination: SocketAddr,
) -> Result<Vec<UdpCarrier>> {
    let total = crate::settings::per_address(count as usize, locals.len());
    let mut sockets = Vec::with_capacity(total);
    for k in 0..total {
        let what = format!("--sockets {count}");
        let addr = carrier_address(locals, k, destination, &what)?;
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

/// How a single registration's carrier is made, the same for every target it moves
/// to: where to bind, TLS, the WebSocket path, and how long connecting may take.
#[derive(Debug, Clone, Default)]
pub struct CarrierSettings {
    /// `--local`: the address (and port) to bind.
    pub local: Option<SocketAddr>,
    pub tls: super::tls::TlsSettings,
    /// The path of the WebSocket URL (`/` unless a `ws://` URL said otherwise).
    pub ws_path: String,
    /// Connecting, TLS and the WebSocket upgrade together (the transaction timeout).
    pub limit: std::time::Duration,
    /// A UDP port to bind first when `--local` names none, so that the default
    /// Contact is the same every run for the same AOR on this host (the system
    /// picks one when it is taken). None: always the system's pick.
    pub home_port: Option<u16>,
    /// `--origin`, sent on the WebSocket upgrade.
    pub origin: Option<String>,
    tls_config: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl CarrierSettings {
    pub fn new(
        local: Option<SocketAddr>,
        tls: super::tls::TlsSettings,
        ws_path: String,
        limit: std::time::Duration,
    ) -> CarrierSettings {
        CarrierSettings {
            local,
            tls,
            ws_path,
            limit,
            home_port: None,
            origin: None,
            tls_config: None,
        }
    }

    /// How to open a connection to `target`. The TLS configuration is built on first
    /// use (reading the system's trust store costs time a UDP run should not pay),
    /// and a host name no certificate can carry is a usage error before anything is
    /// sent.
    pub fn opening(&mut self, target: &super::target::Target) -> Result<super::Opening> {
        let mut server_name = None;
        let tls = if super::target::is_secure(target.transport) {
            let given = self.tls.server_name.as_deref();
            let name = super::tls::server_name(&target.host, given)?;
            server_name = given.is_some().then_some(name);
            if self.tls_config.is_none() {
                self.tls_config = Some(self.tls.client_config()?);
            }
            self.tls_config.clone()
        } else {
            None
        };
        Ok(super::Opening {
            tls,
            server_name,
            ws_path: self.ws_path.clone(),
            origin: self.origin.clone(),
            limit: self.limit,
        })
    }
}
