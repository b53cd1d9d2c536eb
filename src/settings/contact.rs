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

/// The first and last UDP port a default Contact may take. Below Linux's ephemeral
/// range (32768–60999), so the system's own picks never collide with it, and above
/// the ports SIP servers and most RTP ranges sit on.
const HOME_PORTS: (u16, u16) = (20480, 32767);

/// The UDP port the default Contact of `aor` takes when it is free: derived from
/// the AOR, so that `register` and a later `unregister` with the same arguments name
/// the same contact, and a second `register --once` replaces the first binding
/// instead of adding one (RFC 3261 §10.3 matches bindings by Contact URI).
pub fn home_port(aor: &SipUri) -> u16 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(aor.to_string().to_ascii_lowercase().as_bytes());
    let n = u16::from_be_bytes([digest[0], digest[1]]);
    HOME_PORTS.0 + n % (HOME_PORTS.1 - HOME_PORTS.0 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_home_port_is_stable_per_aor_and_in_its_range() {
        let alice: SipUri = "sip:alice@example.com".parse().unwrap();
        let again: SipUri = "sip:Alice@EXAMPLE.com".parse().unwrap();
        let bob: SipUri = "sip:bob@example.com".parse().unwrap();
        let p = home_port(&alice);
        assert_eq!(p, home_port(&again), "the same AOR, however it is cased");
        assert_ne!(p, home_port(&bob));
        assert!((HOME_PORTS.0..=HOME_PORTS.1).contains(&p), "{p}");
    }

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
