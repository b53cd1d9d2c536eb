//! Which local address to bind and to advertise. A socket bound to "any" must not
//! write 0.0.0.0 into Via and Contact: the address the kernel routes from towards
//! the registrar is the one it will see.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The wildcard address of `destination`'s family, to bind when no `--local` is given.
pub fn any_address_for(destination: SocketAddr) -> IpAddr {
    match destination {
        SocketAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        SocketAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    }
}

/// The source address the kernel picks towards `destination`. Connecting a UDP socket
/// sends nothing; it only asks the routing table.
pub fn route_source(destination: SocketAddr) -> Option<IpAddr> {
    let probe = std::net::UdpSocket::bind(SocketAddr::new(any_address_for(destination), 0)).ok()?;
    probe.connect(destination).ok()?;
    probe.local_addr().ok().map(|a| a.ip())
}

/// The address to advertise for a socket bound at `bound`: its own address, or,
/// when that is "any", the one `source` (else the routing table) gives.
pub fn advertised(bound: SocketAddr, source: impl FnOnce() -> Option<IpAddr>) -> SocketAddr {
    let ip = if bound.ip().is_unspecified() {
        source().unwrap_or(bound.ip())
    } else {
        bound.ip()
    };
    SocketAddr::new(ip, bound.port())
}

/// The address carrier `k` of a run binds: with n `--local` addresses, address
/// k % n, its port (if it has one, P) plus k / n (P, P+1, … on each address); with
/// none, "any" towards `peer` (the system picks each port). `what` names the option
/// that makes several carriers, for the error.
pub fn carrier_address(
    locals: &[std::net::SocketAddr],
    k: usize,
    peer: std::net::SocketAddr,
    what: &str,
) -> crate::error::Result<std::net::SocketAddr> {
    if locals.is_empty() {
        return Ok(std::net::SocketAddr::new(any_address_for(peer), 0));
    }
    let mut addr = locals[k % locals.len()];
    let k = k / locals.len();
    if addr.port() != 0 {
        let port = u16::try_from(usize::from(addr.port()) + k).map_err(|_| {
            crate::error::Error::Usage(format!(
                "--local port {} plus {what} goes past port 65535; leave the port out",
                addr.port()
            ))
        })?;
        addr.set_port(port);
    }
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_is_never_advertised_towards_loopback() {
        let to: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        assert_eq!(any_address_for(to), IpAddr::from(Ipv4Addr::UNSPECIFIED));
        let bound: SocketAddr = "0.0.0.0:40000".parse().unwrap();
        assert_eq!(
            advertised(bound, || route_source(to)),
            "127.0.0.1:40000".parse().unwrap()
        );
        let fixed: SocketAddr = "127.0.0.9:40001".parse().unwrap();
        assert_eq!(advertised(fixed, || panic!("not asked")), fixed);
        let v6: SocketAddr = "[::1]:5060".parse().unwrap();
        assert_eq!(any_address_for(v6), IpAddr::from(Ipv6Addr::UNSPECIFIED));
    }
}
