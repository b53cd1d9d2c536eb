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
    /// Further contacts bound with ours (`-c` given more than once).
    pub also_contacts: Vec<SipUri>,
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
            headers: shared.headers.clone(),
            display_name: shared.display_name.clone(),
            also_contacts: shape.also_contacts,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_shared_flags_reach_the_core() {
        let place = Place {
            aor: "sip:alice@example.com".parse().unwrap(),
            proxy: Some("sip:edge.example.com;lr".parse().unwrap()),
            destination: "192.0.2.1:5060".parse().unwrap(),
            transport: TransportKind::Tcp,
            local: "192.0.2.10:5062".parse().unwrap(),
            contact: "sip:alice@192.0.2.10:5062;transport=tcp".parse().unwrap(),
        };
        let shape = RequestShape {
            contact_params: vec!["q=0.5".into()],
            also_contacts: Vec::new(),
            expires: 600,
        };
        let shared = super::super::shared_args(&["--timeout", "5s", "--user-agent", "probe/1"]);
        let cfg = registration_config(&shared, place, shape);
        assert_eq!(cfg.shared.request_uri.to_string(), "sip:example.com");
        assert_eq!(cfg.shared.user_agent.as_deref(), Some("probe/1"));
        assert_eq!(cfg.shared.timers.timeout, Duration::from_secs(5));
        assert_eq!(cfg.shared.expires, 600);
        assert_eq!(cfg.shared.contact_params, ["q=0.5"]);
        assert_eq!(cfg.shared.transport, TransportKind::Tcp);
        assert!(cfg.shared.proxy.is_some());
        assert_eq!(cfg.destination, "192.0.2.1:5060".parse().unwrap());

        let defaults = super::super::shared_args(&[]);
        let place = Place {
            aor: "sip:alice@example.com".parse().unwrap(),
            proxy: None,
            destination: "192.0.2.1:5060".parse().unwrap(),
            transport: TransportKind::Udp,
            local: "192.0.2.10:5062".parse().unwrap(),
            contact: "sip:alice@192.0.2.10:5062".parse().unwrap(),
        };
        let cfg = registration_config(&defaults, place, RequestShape::default());
        assert_eq!(
            cfg.shared.user_agent,
            Some(crate::settings::default_user_agent())
        );
        assert_eq!(cfg.shared.timers, crate::core::Timers::default());
    }
}
