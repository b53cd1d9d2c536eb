use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use tokio::net::UdpSocket;

/// One UDP socket for the whole run: every request, retransmission and refresh leaves
/// from it, so the registrar sees one stable source address and port.
pub struct UdpTransport {
    pub(crate) socket: UdpSocket,
    local: SocketAddr,
}

impl UdpTransport {
    /// Binds `local` (an IP, or IP:port; default: any address of the destination's
    /// family, any port). The address advertised in Via and Contact is the one the
    /// kernel would route from towards `destination`, never 0.0.0.0.
    pub async fn bind(local: Option<SocketAddr>, destination: SocketAddr) -> Result<UdpTransport> {
        let bind_addr = local.unwrap_or_else(|| {
            let any: IpAddr = match destination {
                SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
                SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
            };
            SocketAddr::new(any, 0)
        });
        let socket = UdpSocket::bind(bind_addr)
            .await
            .map_err(|e| Error::io(format!("cannot bind UDP {bind_addr}"), e))?;
        let bound = socket
            .local_addr()
            .map_err(|e| Error::io("cannot read the local address", e))?;
        let ip = if bound.ip().is_unspecified() {
            route_source(destination).unwrap_or(bound.ip())
        } else {
            bound.ip()
        };
        Ok(UdpTransport {
            socket,
            local: SocketAddr::new(ip, bound.port()),
        })
    }

    /// Our address as written in Via and the default Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

/// The source address the kernel picks towards `destination`. Connecting a UDP socket
/// sends nothing; it only asks the routing table.
pub(super) fn route_source(destination: SocketAddr) -> Option<IpAddr> {
    let any: SocketAddr = match destination {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let probe = std::net::UdpSocket::bind(any).ok()?;
    probe.connect(destination).ok()?;
    probe.local_addr().ok().map(|a| a.ip())
}
