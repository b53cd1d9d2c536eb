//! One AOR of a running bulk job: its registration and what the loop knows about it.

use super::population::Member;
use super::rng::SharedRng;
use crate::auth::Credentials;
use crate::core::{Registration, RegistrationConfig, SharedConfig, Timers, TransportKind};
use crate::net::transport_name;
use crate::sip::{Host, SipUri};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// The main operation was started.
pub const STARTED: u8 = 1;
/// Counted among the transactions in flight.
pub const BUSY: u8 = 1 << 1;
/// Counted among the registered AORs.
pub const REGISTERED: u8 = 1 << 2;
/// The main operation completed.
pub const MAIN_DONE: u8 = 1 << 3;
/// Some operation of this AOR failed.
pub const FAILED: u8 = 1 << 4;
/// Waiting in the refresh queue for a pacing slot.
pub const QUEUED: u8 = 1 << 5;
/// Its removal (staying mode, at the end) was started.
pub const REMOVING: u8 = 1 << 6;
/// Its removal completed.
pub const REMOVED: u8 = 1 << 7;

pub struct Slot {
    pub reg: Registration,
    /// The deadline this slot has in the timer heap; entries that differ are stale.
    pub scheduled: Option<Instant>,
    /// Index of its socket.
    pub socket: u16,
    pub flags: u8,
}

impl Slot {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}

/// What every registration of the run shares.
pub struct Common<'a> {
    pub transport: TransportKind,
    pub expires: u32,
    pub timers: Timers,
    pub user_agent: &'a str,
    pub rng: &'a SharedRng,
}

/// One `SharedConfig` per registrar domain (scheme, host, port of the Request-URI):
/// every AOR of a domain points at the same one instead of holding a copy.
#[derive(Default)]
pub struct SharedConfigs(HashMap<(bool, Host, Option<u16>), Arc<SharedConfig>>);

impl SharedConfigs {
    fn for_aor(&mut self, aor: &SipUri, common: &Common<'_>) -> Arc<SharedConfig> {
        let key = (aor.sips, aor.host.clone(), aor.port);
        self.0
            .entry(key)
            .or_insert_with(|| {
                Arc::new(SharedConfig {
                    request_uri: aor.domain_uri(),
                    transport: common.transport,
                    contact_params: Vec::new(),
                    extra_headers: Vec::new(),
                    expires: common.expires,
                    proxy: None,
                    user_agent: Some(common.user_agent.to_string()),
                    timers: common.timers,
                })
            })
            .clone()
    }
}

/// A registration for `member` (a new Call-ID each time), sending to `destination` from the socket at `local`.
pub fn registration(
    member: &Member,
    destination: SocketAddr,
    local: SocketAddr,
    common: &Common<'_>,
    configs: &mut SharedConfigs,
) -> Registration {
    let contact = member.contact.clone().unwrap_or_else(|| {
        let mut c = SipUri::new(Host::from(local.ip()), Some(local.port()));
        c.user = member.aor.user.clone();
        if common.transport != TransportKind::Udp {
            // As single mode does: the registrar reaches us back over the same transport.
            let name = transport_name(common.transport);
            c.params.0.push(("transport".into(), Some(name.into())));
        }
        c
    });
    let cfg = RegistrationConfig {
        shared: configs.for_aor(&member.aor, common),
        aor: member.aor.clone(),
        destination,
        local,
        contact,
    };
    let credentials = member.password.as_ref().map(|secret| Credentials {
        username: member.user.clone(),
        secret: secret.clone(),
    });
    Registration::new(cfg, credentials, None, Box::new(common.rng.clone()))
}
