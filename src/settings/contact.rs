//! The Contact a registration binds when none is given.

use crate::core::TransportKind;
use crate::net::transport_name;
use crate::sip::{Host, SipUri};
use std::net::SocketAddr;

/// `sip:USER@ADDRESS:PORT` of the socket the registration sends from, with
/// `;transport=` when that is not UDP (RFC 3261 §19.1.1), so that the registrar
/// reaches us back over the transport we registered on.
#[inline]
pub fn default_contact(user: Option<&str>, local: SocketAddr, transport: TransportKind) -> SipUri {
    let mut c = SipUri::new(Host::from(local.ip()), Some(local.port()));
    c.user = user.map(str::to_string);
    if transport != TransportKind::Udp {
        c.params
            .0
            .push(("transport".into(), Some(transport_name(transport).into())));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_contacts_carry_no_transport_parameter() {
        let local = "192.0.2.10:5062".parse().unwrap();
        let c = default_contact(Some("alice"), local, TransportKind::Udp);
        assert_eq!(c.to_string(), "sip:alice@192.0.2.10:5062");
        let c = default_contact(Some("alice"), local, TransportKind::Tls);
        assert_eq!(c.to_string(), "sip:alice@192.0.2.10:5062;transport=tls");
        let v6 = "[2001:db8::1]:5060".parse().unwrap();
        let c = default_contact(None, v6, TransportKind::Tcp);
        assert_eq!(c.to_string(), "sip:[2001:db8::1]:5060;transport=tcp");
    }
}
