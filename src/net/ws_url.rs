//! `ws://` and `wss://` URLs where a SIP URI is expected (`--registrar`, `--proxy`):
//! WebSocket servers are usually published as URLs, and the path matters to them.

use crate::error::{Error, Result};
use crate::sip::SipUri;

/// A WebSocket URL read as the SIP URI it stands for, plus the path to request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `sip:host[:port];transport=ws` (or `wss`).
    pub uri: SipUri,
    /// The request path, `/` when the URL has none.
    pub path: String,
}

/// `None` when `text` is not a WebSocket URL (so it is read as a SIP URI);
/// `Some(Err)` when it is one that cannot be used.
pub fn parse_ws_url(option: &str, text: &str) -> Option<Result<WsUrl>> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let (transport, rest) = if lower.starts_with("wss://") {
        ("wss", &t[6..])
    } else if lower.starts_with("ws://") {
        ("ws", &t[5..])
    } else {
        return None;
    };
    let bad = |why: &str| {
        Error::Usage(format!(
            "{option} {text:?}: {why}; write it like ws://pbx.example.com:8080/ws or wss://[2001:db8::1]/sip"
        ))
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    if authority.is_empty() {
        return Some(Err(bad("the host is missing")));
    }
    if authority.contains('@') {
        return Some(Err(bad("credentials in the URL are not supported")));
    }
    let uri = match format!("sip:{authority};transport={transport}").parse::<SipUri>() {
        Ok(u) if u.user.is_none() => u,
        _ => return Some(Err(bad("not a host or host:port"))),
    };
    Some(Ok(WsUrl { uri, path }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> WsUrl {
        parse_ws_url("--registrar", text).unwrap().unwrap()
    }

    #[test]
    fn urls_become_sip_uris_with_a_transport() {
        let u = ok("ws://127.0.0.1:8080/ws");
        assert_eq!(u.uri.to_string(), "sip:127.0.0.1:8080;transport=ws");
        assert_eq!(u.path, "/ws");
        let u = ok("WSS://[2001:db8::1]");
        assert_eq!(u.uri.to_string(), "sip:[2001:db8::1];transport=wss");
        assert_eq!(u.path, "/");
        assert_eq!(ok("wss://pbx.example.com?x=1").path, "/?x=1");
    }

    #[test]
    fn other_text_is_left_alone_and_bad_urls_are_usage_errors() {
        assert!(parse_ws_url("-r", "sip:pbx.example.com").is_none());
        assert!(parse_ws_url("-r", "pbx.example.com").is_none());
        for bad in ["ws://", "ws://user@host/", "wss://bad host/", "ws:///x"] {
            assert!(
                matches!(parse_ws_url("-r", bad), Some(Err(Error::Usage(_)))),
                "{bad}"
            );
        }
    }
}
