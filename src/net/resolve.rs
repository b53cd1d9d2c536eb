use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::sip::SipUri;
use std::net::SocketAddr;

/// Where to send for a registrar or proxy URI: an IP literal as it is, a host name
/// through the system resolver (A/AAAA). The port defaults to 5060, or 5061 for TLS
/// and `sips:` (RFC 3261 §19.1.2).
pub async fn resolve(uri: &SipUri, transport: TransportKind) -> Result<SocketAddr> {
    let secure = uri.sips || matches!(transport, TransportKind::Tls | TransportKind::Wss);
    let port = uri.port.unwrap_or(if secure { 5061 } else { 5060 });
    if let Some(ip) = uri.host.ip() {
        return Ok(SocketAddr::new(ip, port));
    }
    let host = uri.host.to_string();
    let found = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map(|mut addrs| addrs.next());
    match found {
        Ok(Some(addr)) => Ok(addr),
        Ok(None) => Err(Error::Resolve {
            host,
            reason: "no address records".into(),
        }),
        Err(e) => Err(Error::Resolve {
            host,
            reason: e.to_string(),
        }),
    }
}
