//! The core's configuration of one single-AOR registration.

use super::{timers, user_agent};
use crate::cli::SharedArgs;
use crate::core::{RegistrationConfig, SharedConfig, TransportKind};
use crate::sip::SipUri;
use std::net::SocketAddr;
use std::sync::Arc;

/// Where a registration goes and what it binds, as found by a real or a dry run.
pub struct Place {
    pub aor: SipUri,
    pub proxy: Option<SipUri>,
    pub destination: SocketAddr,
    pub transport: TransportKind,
    pub local: SocketAddr,
    pub contact: SipUri,
}

/// What a command adds to every request it sends.
#[derive(Default)]
pub struct RequestShape {
    /// Contact parameters (`q=`, `+sip.instance=`, `reg-id=`).
    pub contact_params: Vec<String>,
    pub extra_headers: Vec<(&'static str, String)>,
    pub expires: u32,
}

/// The core's configuration for the command line: one place builds it, so a dry run
/// shows exactly what a real run sends.
pub fn registration_config(
    shared: &SharedArgs,
    place: Place,
    shape: RequestShape,
) -> RegistrationConfig {
    RegistrationConfig {
        shared: Arc::new(SharedConfig {
            request_uri: place.aor.domain_uri(),
            transport: place.transport,
            contact_params: shape.contact_params,
            extra_headers: shape.extra_headers,
            expires: shape.expires,
            proxy: place.proxy,
            user_agent: Some(user_agent(shared.user_agent.as_deref())),
            timers: timers(shared.timeout),
        }),
        aor: place.aor,
        destination: place.destination,
        local: place.local,
        contact: place.contact,
    }
}
