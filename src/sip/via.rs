//! The top Via of a response: how we match it to our transaction (branch) and what the
//! registrar saw of our address (RFC 3581 `received` and `rport`).

use super::error::ParseError;
use super::params::ParamList;
use super::uri::Host;
use bytes::Bytes;
use ezk_sip_types::header::typed::Via as EzkVia;
use ezk_sip_types::header::HeaderParse;
use ezk_sip_types::host::Host as EzkHost;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub transport: String,
    pub host: Host,
    pub port: Option<u16>,
    pub params: ParamList,
}

impl Via {
    pub fn parse(value: &str) -> Result<Via, ParseError> {
        let bad = || ParseError::Header {
            header: "Via",
            value: value.to_string(),
        };
        let src = Bytes::copy_from_slice(value.trim().as_bytes());
        let text = std::str::from_utf8(&src).map_err(|_| bad())?;
        let (rest, via) = EzkVia::parse(&src, text).map_err(|_| bad())?;
        if !rest.trim().is_empty() {
            return Err(bad());
        }
        let host = match &via.sent_by.host {
            EzkHost::IP4(a) => Host::V4(*a),
            EzkHost::IP6(a) => Host::V6(*a),
            EzkHost::Name(n) => Host::Name(n.to_string()),
        };
        Ok(Via {
            transport: via.transport.to_string(),
            host,
            port: via.sent_by.port,
            params: ParamList::from_ezk(&via.params),
        })
    }

    pub fn branch(&self) -> Option<&str> {
        self.params.value("branch")
    }

    pub fn received(&self) -> Option<&str> {
        self.params.value("received")
    }

    /// The port the registrar saw, when it filled in `rport=` (RFC 3581 §4).
    pub fn rport(&self) -> Option<u16> {
        self.params.value("rport").and_then(|p| p.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_branch_received_rport() {
        let v = Via::parse(
            "SIP/2.0/UDP 10.0.14.250:5060;branch=z9hG4bK5433d84ee;received=192.0.2.7;rport=40000",
        )
        .unwrap();
        assert_eq!(v.transport, "UDP");
        assert_eq!(v.port, Some(5060));
        assert_eq!(v.branch(), Some("z9hG4bK5433d84ee"));
        assert_eq!(v.received(), Some("192.0.2.7"));
        assert_eq!(v.rport(), Some(40000));
    }

    #[test]
    fn ipv6_sent_by() {
        let v = Via::parse("SIP/2.0/TCP [2001:db8::10]:5070;branch=z9hG4bKx;rport").unwrap();
        assert_eq!(v.host, Host::V6("2001:db8::10".parse().unwrap()));
        assert_eq!(v.rport(), None);
        assert!(v.params.contains("rport"));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Via::parse("nonsense").is_err());
        assert!(Via::parse("SIP/2.0/UDP").is_err());
    }
}
