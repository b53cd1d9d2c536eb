//! The challenges each registrar domain has sent, kept for the AORs that start later:
//! they answer pre-emptively with the newest nonce instead of waiting for a 401 each.
//!
//! The whole population then sends requests with one nonce, so the nonce count goes
//! on rising across it (RFC 7616 §3.4: nc counts the requests sent with a nonce). A
//! registrar that checks nc sees it rise; one that refuses a shared or late nonce
//! challenges that AOR anew, and the AOR answers as it always would.

use crate::auth::Challenge;
use crate::core::Registration;
use crate::sip::{Host, Response};

#[derive(Default)]
pub struct Nonces {
    /// Few domains per run: a list compared without allocating beats a map.
    known: Vec<Known>,
}

struct Known {
    domain: Host,
    challenges: Vec<Challenge>,
    /// Requests the population has sent with these nonces so far.
    uses: u32,
}

impl Nonces {
    /// Primes `reg` with what its domain's registrar last challenged, if anything.
    pub fn prime(&mut self, reg: &mut Registration) {
        let domain = &reg.config().aor.host;
        let Some(known) = self.known.iter_mut().find(|k| same_host(&k.domain, domain)) else {
            return;
        };
        // An error (no credentials) leaves the registration as it was; the
        // registrar's own challenge then says what is wrong.
        if reg.prime_challenges(&known.challenges, known.uses).is_ok() {
            known.uses = known.uses.saturating_add(1);
        }
    }

    /// Keeps the challenges of a 401/407 that `domain`'s registrar sent. The AOR it
    /// was sent to answers it first (nc 1); the others continue from there.
    pub fn learn(&mut self, domain: &Host, response: &Response) {
        let (challenges, _) = response.challenges();
        if challenges.is_empty() {
            return;
        }
        match self.known.iter_mut().find(|k| same_host(&k.domain, domain)) {
            Some(known) if same_nonces(&known.challenges, &challenges) => {}
            Some(known) => {
                known.challenges = challenges;
                known.uses = 1;
            }
            None => self.known.push(Known {
                domain: domain.clone(),
                challenges,
                uses: 1,
            }),
        }
    }
}

fn same_nonces(a: &[Challenge], b: &[Challenge]) -> bool {
    a.iter().map(|c| &c.nonce).eq(b.iter().map(|c| &c.nonce))
}

/// Host names compare case-insensitively (RFC 3261 §19.1.4), addresses by value.
fn same_host(a: &Host, b: &Host) -> bool {
    match (a, b) {
        (Host::Name(a), Host::Name(b)) => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}
