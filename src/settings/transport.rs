//! The transport before any DNS look-up, for single-AOR and bulk runs alike.

use crate::cli::TransportArg;
use crate::core::TransportKind;
use crate::error::Result;
use crate::net::{fallback_transport, uri_transport};
use crate::sip::SipUri;

/// `-t`, when given: it fixes the transport, so RFC 3263 skips NAPTR.
pub fn chosen_transport(flag: Option<TransportArg>) -> Option<TransportKind> {
    flag.map(|t| match t {
        TransportArg::Udp => TransportKind::Udp,
        TransportArg::Tcp => TransportKind::Tcp,
        TransportArg::Tls => TransportKind::Tls,
        TransportArg::Ws => TransportKind::Ws,
        TransportArg::Wss => TransportKind::Wss,
    })
}

/// The transport before any DNS look-up: `-t`, else the next hop's `;transport=`,
/// TLS for a `sips:` one, else UDP (also when there is no next hop yet, as in a bulk
/// run without `-r`). For a single AOR, DNS may still choose another one when nothing
/// chose it here (RFC 3263 NAPTR): the real run asks `locate`, a dry run takes this.
/// Bulk mode takes it as it is: a load test says what it measures.
pub fn transport_before_dns(
    flag: Option<TransportArg>,
    next_hop: Option<&SipUri>,
) -> Result<TransportKind> {
    if let Some(kind) = chosen_transport(flag) {
        return Ok(kind);
    }
    let Some(uri) = next_hop else {
        return Ok(TransportKind::Udp);
    };
    Ok(uri_transport(uri)?.unwrap_or_else(|| fallback_transport(uri)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> SipUri {
        text.parse().unwrap()
    }

    #[test]
    fn the_flag_wins_then_the_uri_then_the_scheme() {
        let tcp = uri("sip:pbx.example.com;transport=tcp");
        assert_eq!(
            transport_before_dns(Some(TransportArg::Ws), Some(&tcp)).unwrap(),
            TransportKind::Ws
        );
        assert_eq!(
            transport_before_dns(None, Some(&tcp)).unwrap(),
            TransportKind::Tcp
        );
        assert_eq!(
            transport_before_dns(None, Some(&uri("sips:pbx.example.com"))).unwrap(),
            TransportKind::Tls
        );
        assert_eq!(
            transport_before_dns(None, Some(&uri("sip:pbx.example.com"))).unwrap(),
            TransportKind::Udp
        );
        assert_eq!(
            transport_before_dns(None, None).unwrap(),
            TransportKind::Udp
        );
    }

    #[test]
    fn an_unknown_uri_transport_is_a_usage_error() {
        let e = transport_before_dns(None, Some(&uri("sip:pbx.example.com;transport=sctp")))
            .unwrap_err();
        assert!(matches!(e, crate::Error::Usage(_)), "{e}");
        assert!(e.to_string().contains("transport=sctp"), "{e}");
    }
}
