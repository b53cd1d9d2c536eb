//! Driving a `Registration` by hand in virtual time: the test owns the clock and the
//! network, the core sees only what the test hands it.

use super::Req;
use sipreg::auth::{Credentials, Secret};
use sipreg::core::{
    Event, Outcome, RegError, Registration, RegistrationConfig, SharedConfig, Timers, TransportKind,
};
use std::sync::Arc;
use std::time::Instant;

pub fn config(expires: u32) -> RegistrationConfig {
    RegistrationConfig {
        aor: "sip:alice@sipreg.test".parse().unwrap(),
        destination: "127.0.0.1:5060".parse().unwrap(),
        local: "127.0.0.1:40000".parse().unwrap(),
        contact: "sip:alice@127.0.0.1:40000".parse().unwrap(),
        shared: Arc::new(SharedConfig {
            request_uri: "sip:sipreg.test".parse().unwrap(),
            transport: TransportKind::Udp,
            contact_params: vec![],
            headers: vec![],
            display_name: None,
            also_contacts: vec![],
            expires,
            proxy: None,
            user_agent: Some("sipreg-test".into()),
            timers: Timers::default(),
        }),
    }
}

pub fn alice() -> Option<Credentials> {
    Some(Credentials {
        username: "alice".into(),
        secret: Secret::Password("secret-alice".into()),
    })
}

pub fn registration(cfg: RegistrationConfig) -> Registration {
    Registration::new(cfg, alice(), None, [7; 32])
}

pub fn new_reg(expires: u32) -> Registration {
    registration(config(expires))
}

/// Everything the core wants sent right now, as parsed requests.
pub fn sent(reg: &mut Registration) -> Vec<Req> {
    std::iter::from_fn(|| reg.poll_transmit())
        .map(|t| Req::parse(&t.payload))
        .collect()
}

pub fn one_sent(reg: &mut Registration) -> Req {
    let mut s = sent(reg);
    assert_eq!(s.len(), 1, "expected exactly one request, got {}", s.len());
    s.remove(0)
}

pub fn events(reg: &mut Registration) -> Vec<Event> {
    std::iter::from_fn(|| reg.poll_event()).collect()
}

pub fn completed(reg: &mut Registration) -> Outcome {
    events(reg)
        .into_iter()
        .find_map(|e| match e {
            Event::Completed(o) => Some(o),
            _ => None,
        })
        .expect("a Completed event")
}

pub fn failed(reg: &mut Registration) -> RegError {
    events(reg)
        .into_iter()
        .find_map(|e| match e {
            Event::Failed { error, .. } => Some(error),
            _ => None,
        })
        .expect("a Failed event")
}

/// Advances virtual time to the core's next deadline, returning it.
pub fn fire(reg: &mut Registration) -> Instant {
    let at = reg.poll_timeout().expect("a deadline");
    reg.handle_timeout(at);
    at
}
