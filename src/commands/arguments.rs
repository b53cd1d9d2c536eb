//! The command line's arguments about where to register and as whom, read and
//! checked before anything touches the network. Each argument is read by the
//! `settings` function every command uses.

use crate::cli::Common;
use crate::core::TransportKind;
use crate::error::{Error, Result};
use crate::settings::{parse_contact_arg, parse_next_hop_arg, parse_uri_arg, transport_before_dns};
use crate::sip::SipUri;
use std::net::SocketAddr;

/// The command line's arguments about where and as whom, read and checked before
/// anything touches the network.
pub(super) struct Arguments {
    pub(super) aor: SipUri,
    pub(super) aor_user: String,
    pub(super) registrar: SipUri,
    pub(super) proxy: Option<SipUri>,
    /// The transport before DNS ([`transport_before_dns`]): a dry run takes it, the
    /// real run lets RFC 3263 have the last word.
    pub(super) transport: TransportKind,
    pub(super) local: Option<SocketAddr>,
    pub(super) contact_arg: Option<SipUri>,
    pub(super) username: String,
}

impl Arguments {
    pub(super) fn read(common: &Common, contact: Option<&str>) -> Result<Arguments> {
        let shared = &common.shared;
        let aor = parse_uri_arg("AOR", &common.aor)?;
        let Some(aor_user) = aor.user.clone() else {
            return Err(Error::Usage(format!(
                "AOR {:?} has no user part: write it like sip:alice@example.com",
                common.aor
            )));
        };
        let mut registrar = match &shared.registrar {
            Some(r) => parse_next_hop_arg("--registrar", r)?,
            None => aor.domain_uri(),
        };
        let mut proxy = shared
            .proxy
            .as_deref()
            .map(|p| parse_next_hop_arg("--proxy", p))
            .transpose()?;
        if aor.sips {
            // A sips: AOR asks for TLS on every hop (RFC 3261 §26.2.2): its next hop
            // is located as a sips: one, whatever scheme it was written with.
            registrar.sips = true;
            if let Some(p) = &mut proxy {
                p.sips = true;
            }
        }
        let next_hop = proxy.as_ref().unwrap_or(&registrar);
        let transport = transport_before_dns(shared.transport, Some(next_hop))?;
        if next_hop.sips && !matches!(transport, TransportKind::Tls | TransportKind::Wss) {
            return Err(Error::Usage(format!(
                "{} needs TLS end to end (sips:): use -t tls or -t wss, not {}",
                if aor.sips {
                    &common.aor
                } else {
                    "the next hop"
                },
                crate::net::transport_name(transport)
            )));
        }
        let local = crate::settings::single_local(&shared.local)?;
        let contact_arg = contact.map(parse_contact_arg).transpose()?;
        let username = shared.user.clone().unwrap_or_else(|| aor_user.clone());
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
