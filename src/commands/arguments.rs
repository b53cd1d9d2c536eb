//! The command line's arguments about where to register and as whom, read and
//! checked before anything touches the network.

use crate::cli::{Common, TransportArg};
use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::net::{parse_ws_url, transport_name};
use crate::sip::{Host, SipUri};
use std::net::{IpAddr, SocketAddr};

/// The command line's arguments about where and as whom, read and checked before
/// anything touches the network.
pub(super) struct Arguments {
    pub(super) aor: SipUri,
    pub(super) aor_user: String,
    pub(super) registrar: SipUri,
    pub(super) proxy: Option<SipUri>,
    pub(super) transport: TransportKind,
    pub(super) local: Option<SocketAddr>,
    pub(super) contact_arg: Option<SipUri>,
    pub(super) username: String,
}

impl Arguments {
    pub(super) fn read(common: &Common, contact: Option<&str>) -> Result<Arguments> {
        let aor = parse_uri_arg("AOR", &common.aor)?;
        let Some(aor_user) = aor.user.clone() else {
            return Err(Error::Usage(format!(
                "AOR {:?} has no user part: write it like sip:alice@example.com",
                common.aor
            )));
        };
        let registrar = match &common.registrar {
            Some(r) => parse_next_hop_arg("--registrar", r)?,
            None => aor.domain_uri(),
        };
        let proxy = common
            .proxy
            .as_deref()
            .map(|p| parse_next_hop_arg("--proxy", p))
            .transpose()?;
        let transport = transport(common, &registrar)?;
        let local = common.local.as_deref().map(parse_local).transpose()?;
        let contact_arg = contact.map(|c| parse_uri_arg("--contact", c)).transpose()?;
        let username = common.user.clone().unwrap_or_else(|| aor_user.clone());
        Ok(Arguments {
            aor,
            aor_user,
            registrar,
            proxy,
            transport,
            local,
            contact_arg,
            username,
        })
    }
}

/// The Contact when none is given: `sip:USER@ADDRESS:PORT` of our socket, with
/// `;transport=` when that is not UDP (RFC 3261 §19.1.1), as connect() writes it.
pub(super) fn default_contact(user: &str, local: SocketAddr, transport: TransportKind) -> SipUri {
    let mut c = SipUri::new(Host::from(local.ip()), Some(local.port()));
    c.user = Some(user.to_string());
    if transport != TransportKind::Udp {
        c.params
            .0
            .push(("transport".into(), Some(transport_name(transport).into())));
    }
    c
}

/// Reads a URI argument. `sip:` may be left out (`alice@example.com`, `pbx.example.com:5070`).
pub fn parse_uri_arg(option: &str, text: &str) -> Result<SipUri> {
    let t = text.trim();
    let with_scheme = if t.contains(':')
        && (t.to_ascii_lowercase().starts_with("sip:")
            || t.to_ascii_lowercase().starts_with("sips:"))
    {
        t.to_string()
    } else {
        format!("sip:{t}")
    };
    with_scheme.parse().map_err(|_| {
        Error::Usage(format!(
            "{option} {text:?} is not a SIP URI: write it like sip:alice@example.com or sip:pbx.example.com:5060"
        ))
    })
}

pub(super) fn parse_local(text: &str) -> Result<SocketAddr> {
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
pub(super) fn parse_next_hop_arg(option: &str, text: &str) -> Result<SipUri> {
    match parse_ws_url(option, text) {
        Some(url) => Ok(url?.uri),
        None => parse_uri_arg(option, text),
    }
}

/// The WebSocket path of the next hop: the path of a `ws://` URL, else `/`.
pub(super) fn ws_path(common: &Common) -> String {
    common
        .proxy
        .as_deref()
        .or(common.registrar.as_deref())
        .and_then(|text| parse_ws_url("", text))
        .and_then(|url| url.ok())
        .map_or_else(|| "/".to_string(), |url| url.path)
}

/// `-t`, when given: it fixes the transport, so RFC 3263 skips NAPTR.
pub(super) fn chosen_transport(common: &Common) -> Option<TransportKind> {
    common.transport.map(|t| match t {
        TransportArg::Udp => TransportKind::Udp,
        TransportArg::Tcp => TransportKind::Tcp,
        TransportArg::Tls => TransportKind::Tls,
        TransportArg::Ws => TransportKind::Ws,
        TransportArg::Wss => TransportKind::Wss,
    })
}

/// The transport before any DNS look-up: `-t`, the URI's `;transport=`, TLS for
/// `sips:`, else UDP. DNS may still choose another one when nothing chose it here
/// (RFC 3263 NAPTR); the real run asks [`locate`], a dry run takes this.
pub(super) fn transport(common: &Common, registrar: &SipUri) -> Result<TransportKind> {
    if let Some(kind) = chosen_transport(common) {
        return Ok(kind);
    }
    match registrar.param("transport") {
        Some(name) => crate::net::parse_transport_name(name).ok_or_else(|| {
            Error::Usage(format!(
                "{registrar}: transport={name} is not supported; use udp, tcp, tls, ws or wss"
            ))
        }),
        None if registrar.sips => Ok(TransportKind::Tls),
        None => Ok(TransportKind::Udp),
    }
}
