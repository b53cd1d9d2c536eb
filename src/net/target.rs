//! A place to send requests to: an address, the transport to reach it with, and the
//! host name the user asked for (for TLS name checking and the WebSocket `Host`).

use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::sip::{Host, SipUri};
use std::fmt;
use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub addr: SocketAddr,
    pub transport: TransportKind,
    /// The host of the URI the user gave, not the SRV target: RFC 5922 §4 checks the
    /// certificate against the domain the user meant to reach.
    pub host: Host,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} over {}",
            self.addr,
            self.transport.via_token().to_ascii_lowercase()
        )?;
        if self.host.ip() != Some(self.addr.ip()) {
            write!(f, " ({})", self.host)?;
        }
        Ok(())
    }
}

/// The port when neither the URI nor DNS gives one: 5060 and 5061 (RFC 3261
/// §19.1.2), and the web's 80 and 443 for WebSocket (RFC 6455 §3).
pub fn default_port(transport: TransportKind) -> u16 {
    match transport {
        TransportKind::Udp | TransportKind::Tcp => 5060,
        TransportKind::Tls => 5061,
        TransportKind::Ws => 80,
        TransportKind::Wss => 443,
    }
}

/// TLS underneath: TLS itself and secure WebSocket.
pub fn is_secure(transport: TransportKind) -> bool {
    matches!(transport, TransportKind::Tls | TransportKind::Wss)
}

/// The lower-case name used in `;transport=` parameters and on the command line.
pub fn transport_name(transport: TransportKind) -> &'static str {
    match transport {
        TransportKind::Udp => "udp",
        TransportKind::Tcp => "tcp",
        TransportKind::Tls => "tls",
        TransportKind::Ws => "ws",
        TransportKind::Wss => "wss",
    }
}

/// Reads a `;transport=` value.
pub fn parse_transport_name(name: &str) -> Option<TransportKind> {
    match name.to_ascii_lowercase().as_str() {
        "udp" => Some(TransportKind::Udp),
        "tcp" => Some(TransportKind::Tcp),
        "tls" => Some(TransportKind::Tls),
        "ws" => Some(TransportKind::Ws),
        "wss" => Some(TransportKind::Wss),
        _ => None,
    }
}

/// The transport a URI names with `;transport=`, if any; one sipreg cannot speak is a
/// usage error.
pub fn uri_transport(uri: &SipUri) -> Result<Option<TransportKind>> {
    let Some(name) = uri.param("transport") else {
        return Ok(None);
    };
    parse_transport_name(name).map(Some).ok_or_else(|| {
        Error::Usage(format!(
            "{uri}: transport={name} is not supported; use udp, tcp, tls, ws or wss"
        ))
    })
}

/// What an address literal, a host with a port, or a domain without NAPTR or SRV
/// records is reached with when nothing chose the transport (RFC 3263 §4.1).
pub fn fallback_transport(uri: &SipUri) -> TransportKind {
    if uri.sips {
        TransportKind::Tls
    } else {
        TransportKind::Udp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_brackets_ipv6_and_names_the_host_when_it_is_a_name() {
        let t = Target {
            addr: "[::1]:5061".parse().unwrap(),
            transport: TransportKind::Tls,
            host: Host::Name("pbx.example.com".into()),
        };
        assert_eq!(t.to_string(), "[::1]:5061 over tls (pbx.example.com)");
        let t = Target {
            addr: "192.0.2.1:5060".parse().unwrap(),
            transport: TransportKind::Udp,
            host: Host::V4("192.0.2.1".parse().unwrap()),
        };
        assert_eq!(t.to_string(), "192.0.2.1:5060 over udp");
    }

    #[test]
    fn transport_names_round_trip() {
        for kind in [
            TransportKind::Udp,
            TransportKind::Tcp,
            TransportKind::Tls,
            TransportKind::Ws,
            TransportKind::Wss,
        ] {
            assert_eq!(parse_transport_name(transport_name(kind)), Some(kind));
        }
        assert_eq!(parse_transport_name("SCTP"), None);
    }
}
