//! `--dry-run`: where the first request would go and from which address, found
//! without touching the network. Host names are not resolved (that would send DNS
//! queries); the only socket is an unsent UDP one that asks the kernel's routing
//! table for the source address, as a real run does.

use crate::core::TransportKind;
use crate::net::default_port;
use crate::net::route_source;
use crate::sip::SipUri;
use std::net::{Ipv4Addr, SocketAddr};

pub struct Addresses {
    /// Where the request would go; the unspecified address for an unresolved name.
    pub destination: SocketAddr,
    /// The destination as shown to the user: `IP:PORT` or `HOST:PORT`.
    pub shown_destination: String,
    /// Our address for Via and the default Contact.
    pub local: SocketAddr,
    /// What differs from a real run, for the user.
    pub notes: Vec<String>,
}

pub fn addresses(
    target: &SipUri,
    transport: TransportKind,
    local: Option<SocketAddr>,
) -> Addresses {
    // The port a real run takes when the URI names none; RFC 3263 SRV records may
    // name another, but finding them is a DNS query.
    let port = target.port.unwrap_or(default_port(transport));
    let mut notes = Vec::new();
    let destination = match target.host.ip() {
        Some(ip) => SocketAddr::new(ip, port),
        None => {
            notes.push(format!(
                "{} is not resolved in a dry run: the local address is shown as {}",
                target.host,
                Ipv4Addr::UNSPECIFIED
            ));
            SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)
        }
    };
    let shown_destination = match target.host.ip() {
        Some(_) => destination.to_string(),
        None => format!("{}:{port}", target.host),
    };
    let ip = match local {
        Some(l) if !l.ip().is_unspecified() => l.ip(),
        _ if destination.ip().is_unspecified() => destination.ip(),
        _ => route_source(destination).unwrap_or(destination.ip()),
    };
    let local_port = local.map_or(0, |l| l.port());
    if local_port == 0 {
        notes.push(
            "the local port (0 here) is chosen when the socket is opened; give --local ADDR:PORT to fix it"
                .to_string(),
        );
    }
    Addresses {
        destination,
        shown_destination,
        local: SocketAddr::new(ip, local_port),
        notes,
    }
}
