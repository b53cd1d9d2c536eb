//! The top Via of a response: how we match it to our transaction (branch) and what the
//! registrar saw of our address (RFC 3581 `received` and `rport`).

use super::error::ParseError;
use super::lexer::{find_outside_quotes, param};
use super::params::ParamList;
use super::uri::Host;
use bytes::Bytes;
use ezk_sip_types::header::typed::Via as EzkVia;
use ezk_sip_types::header::HeaderParse;
use ezk_sip_types::host::Host as EzkHost;
use std::net::{IpAddr, SocketAddr};

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
        let value = value.trim();
        // ezk reads the protocol and sent-by only: it percent-decodes parameter values,
        // which a header parameter never is (see params.rs), and so refused a token
        // such as `branch=z9hG4bK%e5` that is not UTF-8 once decoded, a branch the view
        // reads. The parameters are read as written, by the view's own splitter, so
        // that both readers give the same branch.
        let (head, params) = match find_outside_quotes(value, ';') {
            Some(semi) => (&value[..semi], &value[semi + 1..]),
            None => (value, ""),
        };
        if !each_param(params).all(|p| param(p).is_some()) {
            return Err(bad());
        }
        let head = head.trim_end();
        let src = Bytes::copy_from_slice(head.as_bytes());
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
        let view = ViaView::new(value).ok_or_else(bad)?;
        Ok(Via {
            transport: via.transport.to_string(),
            host,
            port: via.sent_by.port,
            params: view.params(),
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

/// One Via value split into sent-by and parameters without a full parse: what every
/// response needs from its top Via (branch, `received`, `rport`), read cheaply.
#[derive(Debug, Clone, Copy)]
pub struct ViaView<'a> {
    sent_by: &'a str,
    params: &'a str,
}

impl<'a> ViaView<'a> {
    /// `SIP/2.0/UDP host:port;a=b;c` (one element of a Via list). None when there is
    /// no sent-by after the protocol.
    pub fn new(value: &'a str) -> Option<ViaView<'a>> {
        let (head, params) = match find_outside_quotes(value, ';') {
            Some(semi) => (&value[..semi], &value[semi + 1..]),
            None => (value, ""),
        };
        // The protocol may carry white space around its slashes (RFC 3261 §25.1 LWS);
        // the sent-by is what follows the transport token.
        let after_transport = head.rfind('/')?;
        let sent_by = head[after_transport + 1..].split_whitespace().nth(1)?;
        Some(ViaView { sent_by, params })
    }

    /// `Some(value)` for `name=value`, `Some(None)` for a bare `name`, None if absent.
    /// Values are as written: not percent-decoded (a Via parameter is a token, a host
    /// or a quoted string, RFC 3261 §25.1 `via-params`), a quoted one with its quotes.
    pub fn param(&self, name: &str) -> Option<Option<&'a str>> {
        each_param(self.params)
            .map(name_value)
            .find_map(|(n, v)| n.eq_ignore_ascii_case(name).then_some(v))
    }

    /// Every parameter in order, read as [`ViaView::param`] reads one.
    pub fn params(&self) -> ParamList {
        ParamList(
            each_param(self.params)
                .map(name_value)
                .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
                .collect(),
        )
    }

    pub fn branch(&self) -> Option<&'a str> {
        self.param("branch").flatten()
    }

    /// The port the registrar saw, when it filled in `rport=` (RFC 3581 §4).
    pub fn rport(&self) -> Option<u16> {
        self.param("rport").flatten().and_then(|p| p.parse().ok())
    }

    /// The address the registrar saw: `received`, else sent-by when it is an address.
    pub fn source_ip(&self) -> Option<IpAddr> {
        if let Some(received) = self.param("received").flatten() {
            return received.trim_matches(|c| c == '[' || c == ']').parse().ok();
        }
        let host = match self.sent_by.strip_prefix('[') {
            Some(v6) => v6.split(']').next()?,
            None => self.sent_by.split(':').next()?,
        };
        host.parse().ok()
    }
}

/// A received request's top Via as our transport stamps it (RFC 3261 §18.2.1, RFC 3581
/// §4): `received` with the source address when the sent-by is not that address (and
/// always when `rport` asks), `rport` filled in with the source port; and the address
/// replies on a datagram transport go to (§18.2.2): the source when `rport` asked,
/// else the source address at the sent-by port (5060 when none). None for a value
/// that is not a Via.
pub fn stamp_source(value: &str, source: SocketAddr) -> Option<(String, SocketAddr)> {
    let value = value.trim();
    let view = ViaView::new(value)?;
    let (head, params) = match find_outside_quotes(value, ';') {
        Some(semi) => (&value[..semi], &value[semi + 1..]),
        None => (value, ""),
    };
    let wants_rport = view.param("rport").is_some();
    let (sent_host, sent_port) = split_sent_by(view.sent_by);
    let mut out = head.trim_end().to_string();
    for p in each_param(params) {
        let (name, _) = name_value(p);
        if name.eq_ignore_ascii_case("received") || name.eq_ignore_ascii_case("rport") {
            continue;
        }
        out.push(';');
        out.push_str(p.trim());
    }
    if wants_rport || sent_host.parse::<IpAddr>().ok() != Some(source.ip()) {
        out.push_str(&format!(";received={}", source.ip()));
    }
    let reply_to = if wants_rport {
        out.push_str(&format!(";rport={}", source.port()));
        source
    } else {
        SocketAddr::new(source.ip(), sent_port.unwrap_or(5060))
    };
    Some((out, reply_to))
}

/// Host (brackets removed) and port of a sent-by.
fn split_sent_by(sent_by: &str) -> (&str, Option<u16>) {
    if let Some(v6) = sent_by.strip_prefix('[') {
        let (host, rest) = v6.split_once(']').unwrap_or((v6, ""));
        return (host, rest.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match sent_by.split_once(':') {
        Some((host, port)) => (host, port.parse().ok()),
        None => (sent_by, None),
    }
}

/// `name=value` or a bare `name`, both trimmed.
fn name_value(param: &str) -> (&str, Option<&str>) {
    match param.split_once('=') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (param.trim(), None),
    }
}

/// The `;`-separated parameters of `rest`, a `;` inside a quoted value not counting.
fn each_param(mut rest: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (param, tail) = match find_outside_quotes(rest, ';') {
            Some(semi) => (&rest[..semi], &rest[semi + 1..]),
            None => (rest, ""),
        };
        rest = tail;
        Some(param)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_received_via_is_stamped_and_says_where_replies_go() {
        let src: SocketAddr = "192.0.2.9:40000".parse().unwrap();
        let (v, to) =
            stamp_source("SIP/2.0/UDP proxy.test:5080;branch=z9hG4bK1;rport", src).unwrap();
        assert_eq!(
            v,
            "SIP/2.0/UDP proxy.test:5080;branch=z9hG4bK1;received=192.0.2.9;rport=40000"
        );
        assert_eq!(to, src);
        // No rport: the sent-by port, at the address it came from.
        let (v, to) = stamp_source("SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK2", src).unwrap();
        assert_eq!(v, "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK2");
        assert_eq!(to, "192.0.2.9:5060".parse().unwrap());
        // A received= that was already there is replaced, not repeated.
        let (v, _) = stamp_source(
            "SIP/2.0/UDP [2001:db8::1]:5062;received=10.0.0.1;branch=z9hG4bK3",
            src,
        )
        .unwrap();
        assert_eq!(
            v,
            "SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK3;received=192.0.2.9"
        );
        assert!(stamp_source("garbage", src).is_none());
    }

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

    #[test]
    fn view_reads_what_a_response_needs() {
        let v = ViaView::new(
            "SIP/2.0/UDP 10.0.14.250:5060;BRANCH=z9hG4bK5;received=192.0.2.7;rport=40000",
        )
        .unwrap();
        assert_eq!(v.branch(), Some("z9hG4bK5"));
        assert_eq!(v.rport(), Some(40000));
        assert_eq!(v.source_ip(), Some("192.0.2.7".parse().unwrap()));
        let v = ViaView::new("SIP / 2.0 / TCP [2001:db8::10]:5070;rport").unwrap();
        assert_eq!(v.param("rport"), Some(None));
        assert_eq!(v.rport(), None);
        assert_eq!(v.source_ip(), Some("2001:db8::10".parse().unwrap()));
        let named = ViaView::new("SIP/2.0/UDP pc33.example.com;rport=1").unwrap();
        assert_eq!(named.source_ip(), None, "a host name is not an address");
        assert!(ViaView::new("SIP/2.0/UDP").is_none());
        assert!(ViaView::new("garbage").is_none());
        let quoted = ViaView::new(r#"SIP/2.0/UDP a;x="b;rport=9";rport=2"#).unwrap();
        assert_eq!(quoted.param("x"), Some(Some(r#""b;rport=9""#)));
        assert_eq!(quoted.rport(), Some(2));
    }
}
