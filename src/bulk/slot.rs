//! One AOR of a running bulk job: its registration and what the loop knows about it.

use super::population::Member;
use super::rng::SharedRng;
use crate::auth::Credentials;
use crate::core::{Registration, RegistrationConfig, SharedConfig, Timers, TransportKind};
use crate::settings::default_contact;
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
pub struct PopulationDefaults<'a> {
    pub transport: TransportKind,
    pub expires: u32,
    pub timers: Timers,
    pub user_agent: &'a str,
    pub rng: &'a SharedRng,
}

/// One `SharedConfig` per registrar domain (scheme, host, port of the Request-URI):
/// every AOR of a domain points at the same one instead of holding a copy.
#[derive(Default)]
pub struct SharedConfigs {
    by_domain: HashMap<Domain, Arc<SharedConfig>>,
    /// The domain asked for last: a population is nearly always one domain, or runs
    /// of one, so most AORs find theirs here without hashing or copying a host name.
    last: Option<(Domain, Arc<SharedConfig>)>,
}

/// Scheme (sips or not), host and port of an AOR.
type Domain = (bool, Host, Option<u16>);

impl SharedConfigs {
    fn for_aor(&mut self, aor: &SipUri, common: &PopulationDefaults<'_>) -> Arc<SharedConfig> {
        if let Some(((sips, host, port), shared)) = &self.last {
            if *sips == aor.sips && *host == aor.host && *port == aor.port {
                return Arc::clone(shared);
            }
        }
        let key = (aor.sips, aor.host.clone(), aor.port);
        let shared = Arc::clone(self.by_domain.entry(key.clone()).or_insert_with(|| {
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
        }));
        self.last = Some((key, Arc::clone(&shared)));
        shared
    }
}

/// A registration for `member`, sending to `destination` from the socket at `local`,
/// and apart from it the member's credentials, for `Registration::set_credentials`.
/// `claim` is asked to take its Call-ID and may refuse it (an index where the
/// Call-ID's key is taken): the registration then starts over with a new Call-ID.
///
/// The member moves into the registration instead of being copied, so a refused
/// Call-ID (astronomically rare) is drawn again from the registration's config alone,
/// which is why the credentials stay out until the end. The caller hands them over
/// once the registration sits in its slot: a registration is large, and every move
/// of it on the way there is a copy.
#[inline]
pub fn registration(
    member: Member,
    destination: SocketAddr,
    local: SocketAddr,
    common: &PopulationDefaults<'_>,
    configs: &mut SharedConfigs,
    mut claim: impl FnMut(&str) -> bool,
) -> (Registration, Option<Credentials>) {
    let Member {
        aor,
        user,
        password,
        contact,
    } = member;
    let contact =
        contact.unwrap_or_else(|| default_contact(aor.user.as_deref(), local, common.transport));
    let cfg = RegistrationConfig {
        shared: configs.for_aor(&aor, common),
        aor,
        destination,
        local,
        contact,
    };
    let mut reg = Registration::new(cfg, None, None, Box::new(common.rng.clone()));
    if !claim(reg.call_id()) {
        reg = redraw(&reg, common, claim);
    }
    (
        reg,
        password.map(|secret| Credentials {
            username: user,
            secret,
        }),
    )
}

/// A registration like `refused` with a Call-ID that `claim` takes.
#[cold]
fn redraw(
    refused: &Registration,
    common: &PopulationDefaults<'_>,
    mut claim: impl FnMut(&str) -> bool,
) -> Registration {
    loop {
        let reg = Registration::new(
            refused.config().clone(),
            None,
            None,
            Box::new(common.rng.clone()),
        );
        if claim(reg.call_id()) {
            return reg;
        }
    }
}
