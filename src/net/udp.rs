use super::source::{advertised, any_address_for, route_source};
use crate::error::{Error, Result};
use std::net::SocketAddr;
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
        let bind_addr = local.unwrap_or_else(|| SocketAddr::new(any_address_for(destination), 0));
        let socket = UdpSocket::bind(bind_addr)
            .await
            .map_err(|e| Error::io(format!("cannot bind UDP {bind_addr}"), e))?;
        let bound = socket
            .local_addr()
            .map_err(|e| Error::io("cannot read the local address", e))?;
        Ok(UdpTransport {
            socket,
            local: advertised(bound, || route_source(destination)),
        })
    }

    /// Our address as written in Via and the default Contact.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}
