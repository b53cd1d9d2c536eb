//! Each member of a bulk population as the configuration of its registration.

use super::population::Member;
use crate::auth::Credentials;
use crate::core::{RegistrationConfig, SharedConfig, Timers, TransportKind};
use crate::settings::default_contact;
use crate::sip::{Host, SipUri};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every registration of the run has in common.
pub struct RunDefaults<'a> {
    pub transport: TransportKind,
    pub expires: u32,
    pub timers: Timers,
    pub user_agent: &'a str,
    /// `-H` lines and `--display-name` (quoted), as every AOR sends them.
    pub headers: &'a [String],
    pub display_name: Option<&'a str>,
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
    fn for_aor(&mut self, aor: &SipUri, defaults: &RunDefaults<'_>) -> Arc<SharedConfig> {
        if let Some(((sips, host, port), shared)) = &self.last {
            if *sips == aor.sips && *host == aor.host && *port == aor.port {
                return Arc::clone(shared);
            }
        }
        let key = (aor.sips, aor.host.clone(), aor.port);
        let shared = Arc::clone(self.by_domain.entry(key.clone()).or_insert_with(|| {
            Arc::new(SharedConfig {
                request_uri: aor.domain_uri(),
                transport: defaults.transport,
                contact_params: Vec::new(),
                headers: defaults.headers.to_vec(),
                display_name: defaults.display_name.map(str::to_string),
                also_contacts: Vec::new(),
                expires: defaults.expires,
                proxy: None,
                user_agent: Some(defaults.user_agent.to_string()),
                timers: defaults.timers,
            })
        }));
        self.last = Some((key, Arc::clone(&shared)));
        shared
    }
}

/// The configuration of `member`'s registration, sending to `destination` from the
/// carrier at `local`, and apart from it the member's credentials. The member moves
/// in instead of being copied.
#[inline]
pub fn registration_config(
    member: Member,
    destination: SocketAddr,
    local: SocketAddr,
    defaults: &RunDefaults<'_>,
    configs: &mut SharedConfigs,
) -> (RegistrationConfig, Option<Credentials>) {
    let Member {
        aor,
        user,
        password,
        contact,
    } = member;
    let contact =
        contact.unwrap_or_else(|| default_contact(aor.user.as_deref(), local, defaults.transport));
    let cfg = RegistrationConfig {
        shared: configs.for_aor(&aor, defaults),
        aor,
        destination,
        local,
        contact,
    };
    let credentials = password.map(|secret| Credentials {
        username: user,
        secret,
    });
    (cfg, credentials)
}
