//! URI and address arguments: `sip:` may be left out wherever a SIP URI is asked for,
//! on the command line, in a profile and in a bulk population alike.

use crate::cli::SharedArgs;
use crate::error::{Error, Result};
use crate::net::parse_ws_url;
use crate::sip::SipUri;
use std::net::{IpAddr, SocketAddr};

/// Length of the `sip:`/`sips:` scheme at the start of `t` (any case), 0 if none.
pub fn scheme_len(t: &str) -> usize {
    ["sip:", "sips:"]
        .iter()
        .find(|scheme| {
            t.get(..scheme.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
        })
        .map_or(0, |scheme| scheme.len())
}

/// A SIP URI written with or without its `sip:` scheme (`alice@example.com`,
/// `pbx.example.com:5070`), or None when it is not one. Callers word the error: an
/// option name on the command line, a line number in a population file.
pub fn uri_with_optional_scheme(text: &str) -> Option<SipUri> {
    let t = text.trim();
    // Checked in place: a bulk population of millions would otherwise copy every
    // AOR once more before parsing it.
    let parsed = if scheme_len(t) > 0 {
        t.parse()
    } else {
        format!("sip:{t}").parse()
    };
    parsed.ok()
}

/// Reads a URI argument. `sip:` may be left out (`alice@example.com`, `pbx.example.com:5070`).
pub fn parse_uri_arg(option: &str, text: &str) -> Result<SipUri> {
    let uri = uri_with_optional_scheme(text).ok_or_else(|| {
        Error::Usage(match bad_port(text) {
            Some(port) => format!("{option} {text:?}: port {port} is out of range: ports go from 1 to 65535"),
            None => format!(
                "{option} {text:?} is not a SIP URI: write it like sip:alice@example.com or sip:pbx.example.com:5060"
            ),
        })
    })?;
    if uri.port == Some(0) {
        return Err(Error::Usage(format!(
            "{option} {text:?}: port 0 is not a port to send to: ports go from 1 to 65535 (or leave it out)"
        )));
    }
    Ok(uri)
}

/// Reads `-c/--contact`: a SIP URI whose host is plainly a host: an address, a
/// dotted name, `localhost`, or any name with a port or a user part. A bare word
/// (`-c garbage`) would otherwise bind `sip:garbage`, which nothing can reach.
pub fn parse_contact_arg(text: &str) -> Result<SipUri> {
    let uri = parse_uri_arg("--contact", text)?;
    let plainly_a_host = match &uri.host {
        crate::sip::Host::Name(name) => {
            name.contains('.')
                || name.eq_ignore_ascii_case("localhost")
                || uri.port.is_some()
                || uri.user.is_some()
        }
        _ => true,
    };
    if !plainly_a_host {
        return Err(Error::Usage(format!(
            "--contact {text:?} names no host: write it like sip:alice@192.0.2.10:5062"
        )));
    }
    Ok(uri)
}

/// The digits after the host's `:` when they are a number too large for a port.
fn bad_port(text: &str) -> Option<String> {
    let rest = &text[scheme_len(text.trim())..];
    let host_port = rest.rsplit('@').next()?.split([';', '?']).next()?;
    let (_, port) = host_port.rsplit_once(':')?;
    let big = port.len() > 5 || port.parse::<u32>().is_ok_and(|p| p > 65535);
    (big && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then(|| port.to_string())
}

/// Reads `--local`: an IP address (any port) or IP:PORT.
pub fn parse_local(text: &str) -> Result<SocketAddr> {
    let t = text.trim();
    if let Ok(addr) = t.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let ip_text = t.trim_start_matches('[').trim_end_matches(']');
    ip_text
        .parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 0))
        .map_err(|_| Error::Usage(format!("--local {text:?} is not an IP address or IP:PORT (e.g. 192.0.2.10, 192.0.2.10:5062, [::1]:5062)")))
}

/// Reads `--registrar` or `--proxy`: a SIP URI, or a `ws://` / `wss://` URL (read as
/// `sip:host:port;transport=ws`, its path kept for the WebSocket request).
pub fn parse_next_hop_arg(option: &str, text: &str) -> Result<SipUri> {
    match parse_ws_url(option, text) {
        Some(url) => Ok(url?.uri),
        None => parse_uri_arg(option, text),
    }
}

/// The WebSocket path of the next hop: the path of a `ws://` URL, else `/`.
pub fn ws_path(shared: &SharedArgs) -> String {
    shared
        .proxy
        .as_deref()
        .or(shared.registrar.as_deref())
        .and_then(|text| parse_ws_url("", text))
        .and_then(|url| url.ok())
        .map_or_else(|| "/".to_string(), |url| url.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_may_be_left_out_in_any_case() {
        let plain = uri_with_optional_scheme("alice@example.com").unwrap();
        assert_eq!(plain.to_string(), "sip:alice@example.com");
        let upper = uri_with_optional_scheme(" SIP:alice@example.com ").unwrap();
        assert_eq!(upper.user.as_deref(), Some("alice"));
        let sips = uri_with_optional_scheme("sips:pbx.example.com:5061").unwrap();
        assert!(sips.sips);
        let host_port = uri_with_optional_scheme("pbx.example.com:5070").unwrap();
        assert_eq!(host_port.port, Some(5070));
        assert!(uri_with_optional_scheme("not a uri").is_none());
    }

    #[test]
    fn a_bad_uri_argument_names_its_option() {
        let e = parse_uri_arg("--proxy", "a b").unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
        assert!(e.to_string().contains("--proxy \"a b\""), "{e}");
    }

    #[test]
    fn a_contact_needs_a_host() {
        let e = parse_contact_arg("garbage").unwrap_err();
        assert!(e.to_string().contains("names no host"), "{e}");
        for ok in [
            "sip:alice@pbx",
            "sip:192.0.2.10:5062",
            "pbx.example.com",
            "sip:localhost",
            "sip:pbx:5070",
            "sip:[::1]",
        ] {
            assert!(parse_contact_arg(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn local_addresses_with_or_without_a_port() {
        assert_eq!(
            parse_local("192.0.2.10").unwrap(),
            "192.0.2.10:0".parse().unwrap()
        );
        assert_eq!(
            parse_local("[::1]:5062").unwrap(),
            "[::1]:5062".parse().unwrap()
        );
        assert_eq!(parse_local("[::1]").unwrap(), "[::1]:0".parse().unwrap());
        assert!(parse_local("host.example").is_err());
    }

    #[test]
    fn next_hops_may_be_websocket_urls() {
        let uri = parse_next_hop_arg("--registrar", "ws://pbx.example.com:8080/sip").unwrap();
        assert_eq!(uri.param("transport"), Some("ws"));
        assert_eq!(uri.port, Some(8080));
        assert!(parse_next_hop_arg("--registrar", "pbx.example.com").is_ok());
    }
}
