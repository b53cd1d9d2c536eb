//! The registration state machine of RFC 3261 §10.2: one Call-ID, one From-tag and a
//! rising CSeq for the whole run; challenges answered; 423 retried with Min-Expires;
//! the binding refreshed before the grant runs out.

use super::config::{Operation, RegistrationConfig, UnregisterTarget};
use super::error::RegError;
use super::event::{Binding, Event, OpKind, Outcome, Transmit};
use super::ids::random_hex;
use super::refresh::refresh_delay;
use super::transaction::{ClientTransaction, TimerOutcome};
use crate::auth::challenge::select;
use crate::auth::{Authenticator, Challenge, Credentials};
use crate::sip::{frame_datagram, RegisterRequest, RequestContact, Response, ViaSpec};
use rand::RngCore;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How many 423 answers one operation follows before giving up (they must each raise
/// the interval, so a well-behaved registrar needs one).
const MAX_INTERVAL_RETRIES: u32 = 3;
/// Challenges answered within one operation; the authenticator refuses repeats per
/// realm, this bounds the total against a registrar that invents new realms.
const MAX_CHALLENGES: u32 = 6;
/// Branches of finished transactions remembered to tell a late retransmitted response
/// from a stranger's.
const REMEMBERED_BRANCHES: usize = 8;

/// One operation across its requests: challenges and 423 retries belong to it.
#[derive(Debug, Clone, Copy)]
struct Attempt {
    op: OpKind,
    first_sent: Instant,
    interval_retries: u32,
    challenges: u32,
}

impl Attempt {
    fn new(op: OpKind, now: Instant) -> Attempt {
        Attempt {
            op,
            first_sent: now,
            interval_retries: 0,
            challenges: 0,
        }
    }
}

struct Pending {
    attempt: Attempt,
    contact: RequestContact,
    expires: u32,
    tx: ClientTransaction,
    request: Vec<u8>,
}

struct Granted {
    refresh_at: Instant,
}

pub struct Registration {
    cfg: RegistrationConfig,
    call_id: String,
    from_tag: String,
    next_cseq: u32,
    /// The expiry we ask for; raised by a 423.
    expires: u32,
    auth: Authenticator,
    rng: Box<dyn RngCore + Send>,
    pending: Option<Pending>,
    granted: Option<Granted>,
    old_branches: VecDeque<String>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

impl Registration {
    pub fn new(
        cfg: RegistrationConfig,
        credentials: Option<Credentials>,
        realm: Option<String>,
        mut rng: Box<dyn RngCore + Send>,
    ) -> Registration {
        let call_id = random_hex(rng.as_mut(), 16);
        let from_tag = random_hex(rng.as_mut(), 8);
        // A random start leaves room below 2**31 (§8.1.1.5) and makes a CSeq from an
        // earlier run of the same Call-ID unlikely to collide.
        let next_cseq = 1 + (rng.next_u32() % 0x0fff_ffff);
        Registration {
            expires: cfg.expires,
            cfg,
            call_id,
            from_tag,
            next_cseq,
            auth: Authenticator::new(credentials, realm),
            rng,
            pending: None,
            granted: None,
            old_branches: VecDeque::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    pub fn config(&self) -> &RegistrationConfig {
        &self.cfg
    }

    /// True while a request is waiting for its final response.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Moves the registration to another target (RFC 3263 failover, a reopened flow):
    /// later requests go to `destination` over `transport`, with `local` as Via
    /// sent-by. Call-ID, tags, CSeq and nonce state are kept. A request in flight is
    /// not resent: start the operation again.
    pub fn set_destination(
        &mut self,
        destination: std::net::SocketAddr,
        transport: super::config::TransportKind,
        local: std::net::SocketAddr,
    ) {
        self.cfg.destination = destination;
        self.cfg.transport = transport;
        self.cfg.local = local;
    }

    /// Challenges learnt elsewhere (another registration to the same registrar): the
    /// next request answers them pre-emptively, saving the 401 round trip where the
    /// registrar accepts the nonce. A registrar that does not is answered as usual.
    pub fn prime_challenges(&mut self, challenges: &[Challenge]) -> Result<(), RegError> {
        self.auth.on_challenge(challenges).map_err(RegError::from)
    }

    /// Credentials obtained after the start (a password typed at a prompt).
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.auth.set_credentials(credentials);
    }

    pub fn is_registered(&self) -> bool {
        self.granted.is_some()
    }

    /// Begins an operation. A request still in flight is abandoned: its transaction
    /// stops retransmitting and a late answer to it is ignored.
    pub fn start(&mut self, op: Operation, now: Instant) {
        self.auth.begin_attempt();
        let (kind, contact, expires) = match op {
            Operation::Register => (OpKind::Register, self.our_contact(None), self.expires),
            Operation::Query => (OpKind::Query, RequestContact::None, self.expires),
            Operation::Unregister(target) => {
                self.granted = None;
                let contact = match target {
                    UnregisterTarget::Ours => self.our_contact(Some(0)),
                    UnregisterTarget::All => RequestContact::Star,
                    UnregisterTarget::Contact(uri) => RequestContact::Uri {
                        uri,
                        params: vec!["expires=0".into()],
                    },
                };
                (OpKind::Unregister, contact, 0)
            }
        };
        self.send_new(Attempt::new(kind, now), contact, expires, now);
    }

    fn our_contact(&self, expires: Option<u32>) -> RequestContact {
        let mut params = self.cfg.contact_params.clone();
        if let Some(e) = expires {
            params.push(format!("expires={e}"));
        }
        RequestContact::Uri {
            uri: self.cfg.contact.clone(),
            params,
        }
    }

    fn send_new(&mut self, attempt: Attempt, contact: RequestContact, expires: u32, now: Instant) {
        self.finish_pending();
        let cseq = self.next_cseq;
        self.next_cseq = self.next_cseq.wrapping_add(1);
        let branch = format!("z9hG4bK{}", random_hex(self.rng.as_mut(), 12));
        let request_uri = self.cfg.request_uri.to_string();
        let mut extra = self
            .auth
            .authorize("REGISTER", &request_uri, b"", self.rng.as_mut());
        extra.extend(self.cfg.extra_headers.iter().cloned());
        let request = RegisterRequest {
            request_uri: &self.cfg.request_uri,
            via: ViaSpec {
                transport: self.cfg.transport.via_token(),
                sent_by: format_sent_by(self.cfg.local),
                branch: branch.clone(),
            },
            aor: &self.cfg.aor,
            from_tag: &self.from_tag,
            call_id: &self.call_id,
            cseq,
            contact: &contact,
            expires: match contact {
                RequestContact::None => None,
                _ => Some(expires),
            },
            route: self.cfg.proxy.as_ref(),
            user_agent: self.cfg.user_agent.as_deref(),
            extra_headers: &extra,
        }
        .encode();
        let tx = ClientTransaction::new(
            branch,
            cseq,
            now,
            self.cfg.timers,
            self.cfg.transport.is_reliable(),
        );
        self.transmits.push_back(Transmit {
            destination: self.cfg.destination,
            payload: request.clone(),
            retransmission: false,
        });
        self.pending = Some(Pending {
            attempt,
            contact,
            expires,
            tx,
            request,
        });
    }

    fn remember_branch(&mut self, branch: String) {
        if self.old_branches.len() == REMEMBERED_BRANCHES {
            self.old_branches.pop_front();
        }
        self.old_branches.push_back(branch);
    }

    /// The earliest instant at which `handle_timeout` has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.pending {
            Some(p) => p.tx.next_deadline(),
            None => self.granted.as_ref().map(|g| g.refresh_at),
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(p) = &mut self.pending {
            match p.tx.on_timer(now) {
                Some(TimerOutcome::Retransmit) => self.transmits.push_back(Transmit {
                    destination: self.cfg.destination,
                    payload: p.request.clone(),
                    retransmission: true,
                }),
                Some(TimerOutcome::TimedOut) => {
                    let op = p.attempt.op;
                    let after = now - p.tx.started;
                    self.finish_pending();
                    if matches!(op, OpKind::Register | OpKind::Refresh) {
                        self.granted = None;
                    }
                    self.events.push_back(Event::Failed {
                        op,
                        error: RegError::Timeout {
                            destination: self.cfg.destination,
                            after,
                        },
                    });
                }
                None => {}
            }
            return;
        }
        if self.granted.as_ref().is_some_and(|g| now >= g.refresh_at) {
            self.auth.begin_attempt();
            let contact = self.our_contact(None);
            self.send_new(
                Attempt::new(OpKind::Refresh, now),
                contact,
                self.expires,
                now,
            );
        }
    }

    fn finish_pending(&mut self) -> Option<Pending> {
        let p = self.pending.take()?;
        self.remember_branch(p.tx.branch.clone());
        Some(p)
    }

    fn ignore(&mut self, reason: String) {
        self.events.push_back(Event::Ignored { reason });
    }

    /// One datagram or stream message from the network.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        match frame_datagram(bytes).and_then(Response::parse) {
            Ok(response) => self.handle_response(now, response),
            Err(e) => self.ignore(format!("unreadable message ({} bytes): {e}", bytes.len())),
        }
    }

    /// A response already parsed, e.g. by a caller that demultiplexes many
    /// registrations on one socket by Call-ID.
    pub fn handle_response(&mut self, now: Instant, response: Response) {
        if let Err(reason) = self.matches_us(&response) {
            return self.ignore(reason);
        }
        let Some(p) = self.pending.as_mut() else {
            return self.ignore(format!(
                "{} {} arrived with no request outstanding",
                response.status, response.reason
            ));
        };
        if !p.tx.on_response(response.status) {
            return; // provisional: keep waiting
        }
        let Some(p) = self.finish_pending() else {
            return;
        };
        self.on_final(now, p, response);
    }

    /// Checks Call-ID, top Via branch and CSeq (RFC 3261 §17.1.3, §8.1.3.3).
    fn matches_us(&self, r: &Response) -> Result<(), String> {
        let label = format!("{} {}", r.status, r.reason);
        if r.call_id() != Some(self.call_id.as_str()) {
            return Err(format!(
                "{label} with a foreign Call-ID {:?}",
                r.call_id().unwrap_or("")
            ));
        }
        let via = r.top_via().map_err(|e| format!("{label}: {e}"))?;
        let branch = via.branch().unwrap_or("");
        let Some(p) = &self.pending else {
            return Err(format!(
                "{label} for a finished transaction (branch {branch})"
            ));
        };
        if branch != p.tx.branch {
            return Err(if self.old_branches.iter().any(|b| b == branch) {
                format!("{label}: late answer to an earlier transaction (branch {branch})")
            } else {
                format!("{label} with a branch of no transaction of ours ({branch})")
            });
        }
        let (cseq, method) = r.cseq().map_err(|e| format!("{label}: {e}"))?;
        if cseq != p.tx.cseq || !method.eq_ignore_ascii_case("REGISTER") {
            return Err(format!(
                "{label} with CSeq {cseq} {method}, expected {} REGISTER",
                p.tx.cseq
            ));
        }
        Ok(())
    }

    fn on_final(&mut self, now: Instant, p: Pending, r: Response) {
        match r.status {
            200..=299 => self.on_success(now, p, r),
            401 | 407 => self.on_challenge(now, p, r),
            403 => self.fail(
                p.attempt.op,
                RegError::Forbidden {
                    status: r.status,
                    reason: r.reason,
                },
            ),
            423 => self.on_interval_too_brief(now, p, r),
            _ => self.fail(
                p.attempt.op,
                RegError::Refused {
                    status: r.status,
                    retry_after: r.retry_after(),
                    reason: r.reason,
                },
            ),
        }
    }

    fn fail(&mut self, op: OpKind, error: RegError) {
        if matches!(op, OpKind::Register | OpKind::Refresh) {
            self.granted = None;
        }
        self.events.push_back(Event::Failed { op, error });
    }

    fn on_challenge(&mut self, now: Instant, p: Pending, r: Response) {
        let mut attempt = p.attempt;
        attempt.challenges += 1;
        let (challenges, _skipped) = r.challenges();
        if let Err(e) = self.auth.on_challenge(&challenges) {
            return self.fail(attempt.op, e.into());
        }
        if attempt.challenges > MAX_CHALLENGES {
            return self.fail(attempt.op, RegError::ChallengeLoop(attempt.challenges));
        }
        for chosen in select(&challenges, |_| true).chosen {
            self.events.push_back(Event::Challenged {
                kind: chosen.challenge.kind.clone(),
                realm: chosen.challenge.realm.clone(),
                algorithm: chosen.algorithm.as_str().to_string(),
                stale: chosen.challenge.stale,
            });
        }
        self.send_new(attempt, p.contact, p.expires, now);
    }

    fn on_interval_too_brief(&mut self, now: Instant, p: Pending, r: Response) {
        let min = r.min_expires();
        let mut attempt = p.attempt;
        attempt.interval_retries += 1;
        let tries = attempt.interval_retries;
        match min {
            Some(m)
                if m > p.expires
                    && tries <= MAX_INTERVAL_RETRIES
                    && attempt.op != OpKind::Unregister =>
            {
                self.expires = m;
                self.events
                    .push_back(Event::IntervalTooBrief { min_expires: m });
                self.send_new(attempt, p.contact, m, now);
            }
            _ => self.fail(
                attempt.op,
                RegError::IntervalLoop {
                    tries,
                    min_expires: min,
                },
            ),
        }
    }

    fn on_success(&mut self, now: Instant, p: Pending, r: Response) {
        let header_expires = r.expires();
        let bindings: Vec<Binding> = r
            .contacts()
            .into_iter()
            .filter_map(|c| match c {
                Ok(c) => Some(c),
                Err(e) => {
                    self.events.push_back(Event::Ignored {
                        reason: format!("unreadable binding in {} {}: {e}", r.status, r.reason),
                    });
                    None
                }
            })
            .map(|c| Binding {
                ours: c.uri.equivalent(&self.cfg.contact),
                expires: c.expires().or(header_expires),
                q: c.q(),
                params: c
                    .params
                    .0
                    .iter()
                    .filter(|(n, _)| {
                        !n.eq_ignore_ascii_case("expires") && !n.eq_ignore_ascii_case("q")
                    })
                    .cloned()
                    .collect(),
                contact: c.raw_uri,
            })
            .collect();
        let op = p.attempt.op;
        let mut granted = None;
        let mut refresh_in = None;
        if matches!(op, OpKind::Register | OpKind::Refresh) {
            // The grant is our own Contact's expires, else the Expires header, else
            // what we asked for (RFC 3261 §10.2.4).
            let g = bindings
                .iter()
                .find(|b| b.ours)
                .and_then(|b| b.expires)
                .or(header_expires)
                .unwrap_or(p.expires);
            if g == 0 {
                // A 2xx that grants nothing leaves us unregistered; refreshing at
                // once would loop, so this is a failure of its own.
                return self.fail(
                    op,
                    RegError::NothingGranted {
                        status: r.status,
                        reason: r.reason,
                    },
                );
            }
            let delay = refresh_delay(Duration::from_secs(u64::from(g)), self.cfg.timers.timeout);
            let refresh_at = p.tx.started + delay;
            granted = Some(g);
            refresh_in = Some(refresh_at.saturating_duration_since(now));
            self.granted = Some(Granted { refresh_at });
        }
        self.events.push_back(Event::Completed(Outcome {
            op,
            status: r.status,
            service_route: r.list("service-route"),
            path: r.list("path"),
            reason: r.reason,
            bindings,
            granted,
            refresh_in,
            elapsed: now - p.attempt.first_sent,
        }));
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

/// Via sent-by: `host:port`, IPv6 in brackets.
fn format_sent_by(addr: std::net::SocketAddr) -> String {
    match addr {
        std::net::SocketAddr::V4(a) => a.to_string(),
        std::net::SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}
