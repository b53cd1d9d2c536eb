//! SIP and SIPS URIs (RFC 3261 §19.1) as owned values the rest of sipreg works with.

use super::error::ParseError;
use super::params::{percent_decode, ParamList};
use ezk_sip_types::host::Host as EzkHost;
use ezk_sip_types::uri::{SipUri as EzkUri, SipUriUserPart};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    Name(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Host {
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::V4(a) => Some(IpAddr::V4(*a)),
            Host::V6(a) => Some(IpAddr::V6(*a)),
            Host::Name(_) => None,
        }
    }

    /// Host names compare case-insensitively (RFC 3261 §19.1.4); addresses by value.
    fn same_as(&self, other: &Host) -> bool {
        match (self, other) {
            (Host::Name(a), Host::Name(b)) => a.eq_ignore_ascii_case(b),
            _ => self == other,
        }
    }
}

impl From<IpAddr> for Host {
    fn from(ip: IpAddr) -> Host {
        match ip {
            IpAddr::V4(a) => Host::V4(a),
            IpAddr::V6(a) => Host::V6(a),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::V4(a) => f.write_str(ipv4_text(*a).as_str()),
            Host::V6(a) => write!(f, "[{a}]"),
        }
    }
}

/// An IPv4 address in dotted-decimal text, built on the stack. Every request and
/// every response of a bulk run prints our address; the standard `Display` for it
/// goes through the formatting machinery once per octet.
pub struct Ipv4Text {
    buf: [u8; 15],
    len: usize,
}

impl Ipv4Text {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and dots were written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

pub fn ipv4_text(addr: Ipv4Addr) -> Ipv4Text {
    let mut text = Ipv4Text {
        buf: [0; 15],
        len: 0,
    };
    for (i, octet) in addr.octets().into_iter().enumerate() {
        if i > 0 {
            text.buf[text.len] = b'.';
            text.len += 1;
        }
        let digits = [octet / 100, octet / 10 % 10, octet % 10];
        let skip = if octet >= 100 {
            0
        } else if octet >= 10 {
            1
        } else {
            2
        };
        for d in &digits[skip..] {
            text.buf[text.len] = b'0' + d;
            text.len += 1;
        }
    }
    text
}

/// A `sip:` or `sips:` URI. A password in the user part (deprecated by RFC 3261 §19.1.1)
/// is dropped on reading so that it can never be echoed into a request or a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipUri {
    pub sips: bool,
    pub user: Option<String>,
    pub host: Host,
    pub port: Option<u16>,
    pub params: ParamList,
    /// The `?name=value&…` header component as written (percent-encoded), if any.
    pub headers: Option<String>,
}

impl SipUri {
    pub fn new(host: Host, port: Option<u16>) -> SipUri {
        SipUri {
            sips: false,
            user: None,
            host,
            port,
            params: ParamList::default(),
            headers: None,
        }
    }

    /// The URI without its user part and parameters: the Request-URI of a REGISTER
    /// (RFC 3261 §10.2: "the userinfo and @ components … MUST NOT be present").
    pub fn domain_uri(&self) -> SipUri {
        SipUri {
            sips: self.sips,
            user: None,
            host: self.host.clone(),
            port: self.port,
            params: ParamList::default(),
            headers: None,
        }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.value(name)
    }

    /// `host` or `host:port`, IPv6 in brackets.
    pub fn host_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.to_string(),
        }
    }

    /// URI equality per RFC 3261 §19.1.4: scheme, user (case-sensitive), host
    /// (case-insensitive), port (absent is not 5060), the parameters `user`, `ttl`,
    /// `method`, `maddr` and `transport` when either side has them, and any other
    /// parameter only when both sides have it; a header component must be the same
    /// on both sides.
    pub fn equivalent(&self, other: &SipUri) -> bool {
        if self.sips != other.sips
            || header_set(&self.headers) != header_set(&other.headers)
            || self.user != other.user
            || !self.host.same_as(&other.host)
            || self.port != other.port
        {
            return false;
        }
        const MUST_MATCH: [&str; 5] = ["user", "ttl", "method", "maddr", "transport"];
        for name in MUST_MATCH {
            let a = self.params.get(name);
            let b = other.params.get(name);
            if !param_values_equal(a, b) {
                return false;
            }
        }
        for (name, _) in &self.params.0 {
            if MUST_MATCH.iter().any(|m| m.eq_ignore_ascii_case(name)) {
                continue;
            }
            // A name given twice counts by its first value on both sides, as `get`
            // reads it, so that a URI is always equivalent to itself.
            if let Some(theirs) = other.params.get(name) {
                if !param_values_equal(self.params.get(name), Some(theirs)) {
                    return false;
                }
            }
        }
        true
    }
}

/// The header component as a sorted list of (lower-case name, decoded value): header
/// fields compare regardless of order (RFC 3261 §19.1.4).
fn header_set(headers: &Option<String>) -> Vec<(String, String)> {
    let mut set: Vec<(String, String)> = headers
        .as_deref()
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .filter(|h| !h.is_empty())
        .map(|h| {
            let (n, v) = h.split_once('=').unwrap_or((h, ""));
            (percent_decode(n).to_ascii_lowercase(), percent_decode(v))
        })
        .collect();
    set.sort();
    set
}

fn param_values_equal(a: Option<Option<&str>>, b: Option<Option<&str>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Some(x)), Some(Some(y))) => x.eq_ignore_ascii_case(y),
        (Some(None), Some(None)) => true,
        _ => false,
    }
}

impl FromStr for SipUri {
    type Err = ParseError;

    /// Reads `sip:…`, `sips:…`, also inside `<…>` as a user may paste it from a header.
    fn from_str(s: &str) -> Result<SipUri, ParseError> {
        let trimmed = s.trim();
        let inner = trimmed
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(trimmed);
        // White space and control characters have no place in a URI (RFC 3261 §25.1:
        // they must be escaped); one that ended the parse early would otherwise be
        // kept in the header component and print as something that reads back
        // differently.
        if inner.chars().any(|c| c.is_ascii_control() || c == ' ') {
            return Err(ParseError::Uri(s.to_string()));
        }
        // RFC 3261 §25.1 has no quoted string in a SIP URI (a `"` must be escaped as
        // `%22`); ezk reads one as a parameter value, inside which `;` and `?` would
        // not separate, so the sections cut below would disagree with ezk's reading.
        if inner.contains('"') {
            return Err(ParseError::Uri(s.to_string()));
        }
        let parsed = EzkUri::from_str(inner).map_err(|_| ParseError::Uri(s.to_string()))?;
        let (params, headers) = sections(inner);
        let mut uri = SipUri::from_ezk(&parsed);
        uri.params = ParamList::from_uri_section(params);
        // Keep the header component as written: ezk's printed form of it does not
        // always read back (it does not re-escape a decoded `%`).
        uri.headers = headers.map(str::to_string);
        Ok(uri)
    }
}

/// The parameter section (after the first `;` that follows the host, without it) and
/// the header component (from its `?`) of a URI that ezk has read. The cut is on the
/// text as written, so each escape is decoded exactly once. No `@` can follow the
/// userinfo (it is in neither `paramchar` nor `hvalue`, and quotes were refused), so
/// the host starts after the first `@`; a host or port holds neither `;` nor `?`.
fn sections(inner: &str) -> (&str, Option<&str>) {
    let after_scheme = inner.find(':').map_or(0, |c| c + 1);
    let host_start = inner[after_scheme..]
        .find('@')
        .map_or(after_scheme, |at| after_scheme + at + 1);
    let rest = &inner[host_start..];
    // An IPv6 reference holds `:`s but never `;` or `?`; skip it all the same.
    let host_end = match rest.strip_prefix('[') {
        Some(v6) => v6.find(']').map_or(0, |close| close + 2),
        None => 0,
    };
    let rest = &rest[host_end..];
    let (before_headers, headers) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q..])),
        None => (rest, None),
    };
    let params = before_headers
        .find(';')
        .map_or("", |semi| &before_headers[semi + 1..]);
    // `?` alone is an empty header component: nothing to keep.
    (params, headers.filter(|h| h.len() > 1))
}

impl SipUri {
    /// Scheme, user (ezk decodes it once; it is printed escaped again) and host-port;
    /// the parameters and headers are read from the text, see `sections`.
    fn from_ezk(uri: &EzkUri) -> SipUri {
        let user = match &uri.user_part {
            SipUriUserPart::Empty => None,
            SipUriUserPart::User(u) => Some(u.to_string()),
            SipUriUserPart::UserPw(up) => Some(up.user.to_string()),
        };
        let host = match &uri.host_port.host {
            EzkHost::IP4(a) => Host::V4(a.to_owned()),
            EzkHost::IP6(a) => Host::V6(a.to_owned()),
            EzkHost::Name(n) => Host::Name(n.to_string()),
        };
        SipUri {
            sips: uri.sips,
            user,
            host,
            port: uri.host_port.port,
            params: ParamList::default(),
            headers: None,
        }
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.sips { "sips:" } else { "sip:" })?;
        if let Some(user) = &self.user {
            write_escaped(f, user, is_user_char)?;
            f.write_str("@")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        for (name, value) in &self.params.0 {
            f.write_str(";")?;
            write_escaped(f, name, is_param_char)?;
            if let Some(v) = value {
                f.write_str("=")?;
                write_escaped(f, v, is_param_char)?;
            }
        }
        if let Some(h) = &self.headers {
            f.write_str(h)?;
        }
        Ok(())
    }
}

/// RFC 3261 §25.1 `unreserved` plus `user-unreserved`.
fn is_user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()&=+$,;?/".contains(c)
}

/// RFC 3261 §25.1 `paramchar`.
fn is_param_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()[]/:&+$".contains(c)
}

/// Writes `s`, percent-encoding what `keep` refuses; runs of kept characters are
/// written as one slice, as nearly every URI is nothing but kept characters.
fn write_escaped(f: &mut fmt::Formatter<'_>, s: &str, keep: fn(char) -> bool) -> fmt::Result {
    let mut run_start = 0;
    for (i, c) in s.char_indices() {
        if keep(c) {
            continue;
        }
        f.write_str(&s[run_start..i])?;
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            write!(f, "%{b:02X}")?;
        }
        run_start = i + c.len_utf8();
    }
    f.write_str(&s[run_start..])
}

/// True when `value` prints exactly as `text`, found without building the string.
pub fn displays_as(value: &impl fmt::Display, text: &str) -> bool {
    struct Compare<'a> {
        rest: &'a str,
    }
    impl fmt::Write for Compare<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            match self.rest.strip_prefix(s) {
                Some(rest) => {
                    self.rest = rest;
                    Ok(())
                }
                None => Err(fmt::Error),
            }
        }
    }
    let mut compare = Compare { rest: text };
    fmt::write(&mut compare, format_args!("{value}")).is_ok() && compare.rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by tests/fuzz_like.rs past its default iteration count.
    #[test]
    fn a_raw_line_break_is_no_uri_and_a_repeated_parameter_still_equals_itself() {
        assert!("<sip:24001@10.0.13.244:5060;user=phon?\n>"
            .parse::<SipUri>()
            .is_err());
        assert!("sip:alice@atlanta.com ;lr".parse::<SipUri>().is_err());
        let u = uri("sips:%61lice@atlanta.com;maddr=192.0.2.1;tt;l=15;l");
        assert!(u.equivalent(&u));
        assert!(u.equivalent(&uri("sips:alice@atlanta.com;maddr=192.0.2.1;l=15")));
        assert!(!u.equivalent(&uri("sips:alice@atlanta.com;maddr=192.0.2.1;l=16")));
    }

    fn uri(s: &str) -> SipUri {
        s.parse().unwrap()
    }

    #[test]
    fn user_with_dot_is_kept() {
        let u = uri("sip:john.doe@example.com");
        assert_eq!(u.user.as_deref(), Some("john.doe"));
        assert_eq!(u.host, Host::Name("example.com".into()));
        assert_eq!(u.to_string(), "sip:john.doe@example.com");
    }

    #[test]
    fn ipv6_host_in_and_out() {
        let u = uri("sip:alice@[2001:db8::10]:5060;transport=udp");
        assert_eq!(u.host, Host::V6("2001:db8::10".parse().unwrap()));
        assert_eq!(u.port, Some(5060));
        assert_eq!(u.param("transport"), Some("udp"));
        assert_eq!(u.to_string(), "sip:alice@[2001:db8::10]:5060;transport=udp");
        assert_eq!(uri("sip:[::1]").host_port(), "[::1]");
    }

    #[test]
    fn password_in_uri_is_dropped() {
        let u = uri("sip:alice:hunter2@example.com");
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert!(!u.to_string().contains("hunter2"));
    }

    #[test]
    fn rejects_what_is_not_a_sip_uri() {
        for bad in [
            "",
            "alice@example.com",
            "http://x",
            "sip:",
            "sip:a@",
            "sip:a@b c",
        ] {
            assert!(bad.parse::<SipUri>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn equivalence_follows_rfc3261_19_1_4() {
        assert!(uri("sip:alice@EXAMPLE.com").equivalent(&uri("sip:alice@example.com")));
        assert!(!uri("sip:Alice@example.com").equivalent(&uri("sip:alice@example.com")));
        assert!(!uri("sip:a@x.com").equivalent(&uri("sip:a@x.com:5060")));
        assert!(!uri("sip:a@x.com;transport=tcp").equivalent(&uri("sip:a@x.com")));
        assert!(uri("sip:a@x.com;transport=TCP").equivalent(&uri("sip:a@x.com;transport=tcp")));
        // A parameter on only one side that is not in the must-match set is ignored.
        assert!(uri("sip:a@x.com;ob").equivalent(&uri("sip:a@x.com")));
        assert!(!uri("sip:a@x.com;foo=1").equivalent(&uri("sip:a@x.com;foo=2")));
        assert!(!uri("sips:a@x.com").equivalent(&uri("sip:a@x.com")));
    }

    #[test]
    fn domain_uri_drops_user_and_params() {
        let u = uri("sip:alice@example.com:5070;transport=tcp");
        assert_eq!(u.domain_uri().to_string(), "sip:example.com:5070");
    }

    #[test]
    fn displays_as_compares_the_printed_form() {
        let u = uri("sip:j%20d@[2001:db8::10]:5060;transport=udp");
        assert!(displays_as(
            &u,
            "sip:j%20d@[2001:db8::10]:5060;transport=udp"
        ));
        assert!(!displays_as(&u, "sip:j%20d@[2001:db8::10]:5060"));
        assert!(!displays_as(
            &u,
            "sip:j%20d@[2001:db8::10]:5060;transport=udpx"
        ));
        assert!(!displays_as(
            &u,
            "sips:j%20d@[2001:db8::10]:5060;transport=udp"
        ));
    }

    #[test]
    fn ipv4_text_matches_the_standard_form() {
        for a in [
            [0, 0, 0, 0],
            [127, 0, 0, 1],
            [10, 99, 100, 255],
            [255, 255, 255, 255],
            [1, 20, 9, 200],
        ] {
            let ip = Ipv4Addr::from(a);
            assert_eq!(ipv4_text(ip).as_str(), ip.to_string());
        }
    }
}
