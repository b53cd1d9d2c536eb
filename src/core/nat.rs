//! NAT detection from the top Via of a response (RFC 3581): the registrar writes the
//! source address it saw into `received` and `rport`.

use crate::sip::{SipUri, ViaView};
use std::net::{IpAddr, SocketAddr};

/// The address the registrar saw us at, when it told us (both parts needed: an
/// address alone cannot be registered without knowing the port the NAT chose).
pub fn observed_address(via: &ViaView<'_>) -> Option<SocketAddr> {
    Some(SocketAddr::new(via.source_ip()?, via.rport()?))
}

/// Whether an address the registrar says it saw us at could be one: not port 0, not
/// unspecified, broadcast or multicast. A hostile or broken registrar must not make us
/// register such an address and drop the binding that works.
pub fn reachable_at(observed: SocketAddr) -> bool {
    let ip = observed.ip();
    let broadcast = matches!(ip, IpAddr::V4(v4) if v4.is_broadcast());
    observed.port() != 0 && !ip.is_unspecified() && !ip.is_multicast() && !broadcast
}

/// True when `contact` names a different address than `observed`. A contact with a
/// host name is never judged: we cannot tell what it resolves to.
pub fn contact_differs(contact: &SipUri, observed: SocketAddr) -> bool {
    match contact.host.ip() {
        Some(ip) => ip != observed.ip() || contact.port.unwrap_or(5060) != observed.port(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn via(v: &str) -> ViaView<'_> {
        ViaView::new(v).unwrap()
    }

    #[test]
    fn nonsense_addresses_are_not_reachable() {
        for bad in [
            "255.255.255.255:5060",
            "0.0.0.0:5060",
            "224.0.0.1:5060",
            "127.0.0.1:0",
            "[::]:5060",
            "[ff02::1]:5060",
        ] {
            assert!(!reachable_at(bad.parse().unwrap()), "{bad}");
        }
        assert!(reachable_at("203.0.113.9:40001".parse().unwrap()));
    }

    #[test]
    fn observed_needs_rport() {
        let v = via("SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx;received=203.0.113.9;rport=40001");
        assert_eq!(
            observed_address(&v),
            Some("203.0.113.9:40001".parse().unwrap())
        );
        let v = via("SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx;received=203.0.113.9");
        assert_eq!(observed_address(&v), None);
        let v = via("SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx;rport=5062");
        assert_eq!(observed_address(&v), Some("10.0.0.2:5062".parse().unwrap()));
    }

    #[test]
    fn differs_compares_address_and_port() {
        let c: SipUri = "sip:a@10.0.0.2:5060".parse().unwrap();
        assert!(!contact_differs(&c, "10.0.0.2:5060".parse().unwrap()));
        assert!(contact_differs(&c, "10.0.0.2:5061".parse().unwrap()));
        assert!(contact_differs(&c, "203.0.113.9:5060".parse().unwrap()));
        let named: SipUri = "sip:a@host.example".parse().unwrap();
        assert!(!contact_differs(
            &named,
            "203.0.113.9:5060".parse().unwrap()
        ));
    }
}
