//! The registration state machine of RFC 3261 §10.2: one Call-ID, one From-tag and a
//! rising CSeq for the whole run; challenges answered; 423 retried with Min-Expires;
//! the binding refreshed before the grant runs out; in staying mode, failures retried
//! with back-off (RFC 5626 §4.5) and the flow watched with keep-alives (§4.4).
//!
//! Response handling is in `registration/responses.rs`, keep-alives in
//! `registration/keepalive.rs`.

mod keepalive;
mod probe;
mod responses;

use super::backoff;
use super::branches::RecentBranches;
use super::config::{Operation, RegistrationConfig, TransportKind, UnregisterTarget};
use super::error::RegError;
use super::event::{Event, OpKind, Transmit};
use super::ids::{push_hex, push_random_hex};
use super::rng::SeededRng;
use super::transaction::{ClientTransaction, TimerOutcome};
use crate::auth::{Authenticator, Challenge, Credentials};
use crate::sip::{ipv4_text, OutgoingRequest, RequestContact, Response, SipUri, ViaSpec};
use keepalive::KeepAlive;
use probe::Probe;
use rand::RngCore;
use std::collections::VecDeque;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The shortest wait a registrar's Retry-After can ask of a staying registration.
pub const RETRY_AFTER_FLOOR: Duration = Duration::from_secs(1);

/// RFC 3261 §8.1.1.7: every branch we create starts with this magic cookie.
const BRANCH_COOKIE: &str = "z9hG4bK";

/// One operation across its requests: challenges and 423 retries belong to it.
#[derive(Debug, Clone, Copy)]
struct Attempt {
    op: OpKind,
    first_sent: Instant,
    interval_retries: u32,
    challenges: u32,
    /// Fresh requests sent after a refusal that may have crossed a lost 2xx.
    crossed_retries: u32,
}

impl Attempt {
    fn new(op: OpKind, now: Instant) -> Attempt {
        Attempt {
            op,
            first_sent: now,
            interval_retries: 0,
            challenges: 0,
            crossed_retries: 0,
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
    /// When the registrar drops the binding if no refresh arrives.
    expires_at: Instant,
}

/// Where a staying registration stands, for a status display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A request is out.
    Busy,
    /// Registered until `expires_at`; the refresh goes out at `refresh_at`.
    Registered {
        expires_at: Instant,
        refresh_at: Instant,
    },
    /// Failed; the next attempt is at `retry_at`.
    Waiting { retry_at: Instant },
    /// Nothing registered and nothing planned.
    Idle,
}

/// The operation started last, in one byte: a registration of a bulk run holds one.
#[derive(Debug, Clone, Copy)]
enum LastOp {
    Register,
    Query,
    UnregisterOurs,
    UnregisterAll,
    /// The Contact is in `Registration::last_unregister_contact`.
    UnregisterContact,
}

/// The largest SIP message a UDP datagram carries over IPv4 (65 535 less the IP and
/// UDP headers). A request beyond it cannot be sent at all; one past the 1 300 bytes
/// of RFC 3261 §18.1.1 is sent anyway, fragmented, as other user agents do.
pub const MAX_DATAGRAM: usize = 65_507;

/// What staying mode does after a failure.
#[derive(Debug, Clone, Copy)]
struct Recovery {
    retry_auth: bool,
}

pub struct Registration {
    cfg: RegistrationConfig,
    call_id: String,
    from_tag: String,
    next_cseq: u32,
    /// The expiry we ask for; raised by a 423.
    expires: u32,
    auth: Authenticator,
    rng: SeededRng,
    /// The operation started last, to start again elsewhere (failover, redirect).
    last_op: LastOp,
    /// The Contact of the last `Unregister(Contact(…))`, the one operation whose
    /// target `last_op` cannot hold.
    last_unregister_contact: Option<Box<SipUri>>,
    /// The status line of the latest final response that was not a 2xx, for
    /// `--expect-status` and reports of authentication failures (which carry no
    /// status of their own). Boxed and dropped on success: an idle registration of a
    /// bulk run pays one pointer for it.
    last_refusal: Option<Box<(u16, String, super::event::Responder)>>,
    /// Boxed: a bulk run keeps thousands of idle registrations, most with nothing
    /// pending, so the space is paid only while a request is out.
    pending: Option<Box<Pending>>,
    granted: Option<Granted>,
    /// Until when the registrar holds our binding by the last grant: kept through
    /// failures (which drop `granted`), so that a success after it shows a lapse.
    held_until: Option<Instant>,
    old_branches: RecentBranches,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    /// Staying mode: retry failed registrations instead of giving up.
    recovery: Option<Recovery>,
    /// Consecutive failed attempts, for the back-off.
    failures: u32,
    retry_at: Option<Instant>,
    /// Immediate re-registrations after a 2xx that did not list us.
    lost_binding_retries: u32,
    /// The Contact is our own address (we chose it, or it names our socket): it
    /// moves with the local address when a flow is reopened from another port.
    contact_follows_local: bool,
    /// Our Contact before the flow moved to another port: the next REGISTER removes
    /// its binding while it adds the new one.
    stale_contact: Option<Box<SipUri>>,
    /// Rewrite the Contact to what the registrar saw (RFC 3581), at most once.
    nat_rewrite: bool,
    nat_rewritten: bool,
    nat_reported: Option<SocketAddr>,
    /// After a 439: register without outbound (RFC 5626 §11.2).
    outbound_refused: bool,
    redirect_hops: u32,
    /// Redirected to another domain: credentials are not sent there.
    credentials_withheld_for: Option<String>,
    keepalive: Option<KeepAlive>,
    /// A reachability probe out (boxed: rare, and a bulk run has many idle ones).
    probe: Option<Box<Probe>>,
}

impl Registration {
    pub fn new(
        cfg: RegistrationConfig,
        credentials: Option<Credentials>,
        realm: Option<String>,
        rng_seed: [u8; 32],
    ) -> Registration {
        let mut rng = SeededRng::from_seed(rng_seed);
        // One draw for the three: 16 bytes of Call-ID, 8 of From-tag, 4 of CSeq.
        let mut ids = [0u8; 28];
        rng.fill_bytes(&mut ids);
        let mut call_id = String::with_capacity(32);
        push_hex(&mut call_id, &ids[..16]);
        let mut from_tag = String::with_capacity(16);
        push_hex(&mut from_tag, &ids[16..24]);
        // A random start leaves room below 2**31 (§8.1.1.5) and makes a CSeq from an
        // earlier run of the same Call-ID unlikely to collide.
        let cseq_bits = u32::from_le_bytes([ids[24], ids[25], ids[26], ids[27]]);
        let next_cseq = 1 + (cseq_bits % 0x0fff_ffff);
        let contact_follows_local = cfg.contact.host == crate::sip::Host::from(cfg.local.ip())
            && cfg.contact.port == Some(cfg.local.port());
        Registration {
            contact_follows_local,
            stale_contact: None,
            expires: cfg.shared.expires,
            cfg,
            call_id,
            from_tag,
            next_cseq,
            auth: Authenticator::new(credentials, realm),
            rng,
            last_op: LastOp::Register,
            last_unregister_contact: None,
            last_refusal: None,
            pending: None,
            granted: None,
            held_until: None,
            old_branches: RecentBranches::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            recovery: None,
            failures: 0,
            retry_at: None,
            lost_binding_retries: 0,
            nat_rewrite: false,
            nat_rewritten: false,
            nat_reported: None,
            outbound_refused: false,
            redirect_hops: 0,
            credentials_withheld_for: None,
            keepalive: None,
            probe: None,
        }
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    pub fn config(&self) -> &RegistrationConfig {
        &self.cfg
    }

    /// Our Contact as it stands (a NAT rewrite changes it).
    pub fn contact(&self) -> &SipUri {
        &self.cfg.contact
    }

    /// True while a request is waiting for its final response.
    pub fn is_busy(&self) -> bool {
        self.pending.is_some()
    }

    /// True while our binding is being removed: the grant is dropped when the
    /// removal starts, but the contact stays bound until the registrar says so.
    pub fn is_unregistering(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| p.attempt.op == OpKind::Unregister)
    }

    pub fn is_registered(&self) -> bool {
        self.granted.is_some()
    }

    /// No binding, and a new attempt planned after a back-off (staying mode).
    pub fn is_retrying(&self) -> bool {
        self.pending.is_none() && self.granted.is_none() && self.retry_at.is_some()
    }

    /// The last grant ran out at `now` and none followed: the registrar holds no
    /// binding of ours (a lapse, as a load test counts them).
    pub fn has_lapsed(&self, now: Instant) -> bool {
        self.granted.is_none() && self.held_until.is_some_and(|t| now >= t)
    }

    pub fn standing(&self) -> Standing {
        match (&self.pending, &self.granted, self.retry_at) {
            (Some(_), _, _) => Standing::Busy,
            (None, Some(g), _) => Standing::Registered {
                expires_at: g.expires_at,
                refresh_at: g.refresh_at,
            },
            (None, None, Some(retry_at)) => Standing::Waiting { retry_at },
            (None, None, None) => Standing::Idle,
        }
    }

    /// Staying mode: after a failed registration or refresh, try again with back-off
    /// (or when Retry-After says) instead of reporting a final failure. Credentials
    /// that were rejected end the run anyway, unless `retry_auth`.
    pub fn enable_recovery(&mut self, retry_auth: bool) {
        self.recovery = Some(Recovery { retry_auth });
    }

    /// Re-register with the address the registrar saw when it differs from our Contact.
    pub fn enable_nat_rewrite(&mut self, enabled: bool) {
        self.nat_rewrite = enabled;
    }

    /// Keep-alives every `interval` while registered: a CRLF ping on a reliable
    /// transport, a STUN Binding request on UDP (RFC 5626 §4.4).
    pub fn enable_keepalive(&mut self, interval: Duration) {
        self.keepalive = Some(KeepAlive::new(interval));
    }

    /// Moves the registration to another target (RFC 3263 failover, a reopened flow,
    /// a redirect): later requests go to `destination` over `transport`, with `local`
    /// as Via sent-by, and as our Contact's address too when the Contact is our own
    /// (a reopened connection leaves from a new port: the registrar must reach that
    /// one). Call-ID, tags, CSeq and nonce state are kept. A request in flight is not
    /// resent: start the operation again (`restart`).
    pub fn set_destination(
        &mut self,
        destination: SocketAddr,
        transport: TransportKind,
        local: SocketAddr,
    ) {
        self.cfg.destination = destination;
        if self.cfg.shared.transport != transport {
            // Copied on write: the other registrations sharing the config keep theirs.
            Arc::make_mut(&mut self.cfg.shared).transport = transport;
        }
        if local != self.cfg.local && self.contact_follows_local && !self.nat_rewritten {
            let old = self.cfg.contact.clone();
            self.cfg.contact.host = crate::sip::Host::from(local.ip());
            self.cfg.contact.port = Some(local.port());
            if self.granted.is_some() || self.pending.is_some() {
                // Bound (or maybe bound) at the old address, which is dead now.
                self.stale_contact.get_or_insert_with(|| Box::new(old));
            }
        }
        self.cfg.local = local;
    }

    /// Starts again, from its first request, the operation started last: after
    /// `set_destination` moved the registration to the next target or a redirect's.
    pub fn restart(&mut self, now: Instant) {
        let op = match self.last_op {
            LastOp::Register => Operation::Register,
            LastOp::Query => Operation::Query,
            LastOp::UnregisterOurs => Operation::Unregister(UnregisterTarget::Ours),
            LastOp::UnregisterAll => Operation::Unregister(UnregisterTarget::All),
            LastOp::UnregisterContact => match &self.last_unregister_contact {
                Some(uri) => Operation::Unregister(UnregisterTarget::Contact((**uri).clone())),
                None => Operation::Unregister(UnregisterTarget::Ours),
            },
        };
        self.start(op, now);
    }

    /// The status code and reason phrase of the latest final response received,
    /// when it was not a 2xx.
    pub fn last_refusal(&self) -> Option<(u16, &str)> {
        self.last_refusal
            .as_deref()
            .map(|(c, r, _)| (*c, r.as_str()))
    }

    /// Who sent the latest final response that was not a 2xx, and its Warning.
    pub fn last_refuser(&self) -> Option<&super::event::Responder> {
        self.last_refusal.as_deref().map(|(_, _, who)| who)
    }

    /// Challenges learnt elsewhere (another registration to the same registrar): the
    /// next request answers them pre-emptively, saving the 401 round trip where the
    /// registrar accepts the nonce. A registrar that does not is answered as usual.
    pub fn prime_challenges(
        &mut self,
        challenges: &[Challenge],
        nonce_uses: u32,
    ) -> Result<(), RegError> {
        self.auth
            .prime(challenges, nonce_uses)
            .map_err(RegError::from)
    }

    /// Credentials obtained after the start (a password typed at a prompt).
    pub fn set_credentials(&mut self, credentials: Credentials) {
        self.auth.set_credentials(credentials);
    }

    /// Begins an operation. A request still in flight is abandoned: its transaction
    /// stops retransmitting and a late answer to it is ignored.
    pub fn start(&mut self, op: Operation, now: Instant) {
        self.last_op = match &op {
            Operation::Register => LastOp::Register,
            Operation::Query => LastOp::Query,
            Operation::Unregister(UnregisterTarget::Ours) => LastOp::UnregisterOurs,
            Operation::Unregister(UnregisterTarget::All) => LastOp::UnregisterAll,
            Operation::Unregister(UnregisterTarget::Contact(uri)) => {
                self.last_unregister_contact = Some(Box::new(uri.clone()));
                LastOp::UnregisterContact
            }
        };
        self.auth.begin_attempt();
        self.retry_at = None;
        let (kind, contact, expires) = match op {
            Operation::Register => (OpKind::Register, self.our_contact(None), self.expires),
            Operation::Query => (OpKind::Query, RequestContact::None, self.expires),
            Operation::Unregister(target) => {
                self.granted = None;
                self.held_until = None;
                self.recovery = None;
                if let Some(k) = &mut self.keepalive {
                    k.stop();
                }
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

    /// The transport could not carry our request (connection refused or reset, send
    /// failed). Treated like a transaction timeout: it fails the operation, which
    /// staying mode retries with back-off.
    pub fn transport_failed(&mut self, now: Instant, reason: String) {
        if let Some(p) = self.finish_pending() {
            self.fail(now, p.attempt.op, RegError::Transport(reason));
        }
    }

    /// The registrar cannot be reached (ICMP unreachable, no route, a connection
    /// refused or timed out): fails the operation as `transport_failed` does.
    pub fn unreachable(&mut self, now: Instant, reason: String) {
        if let Some(p) = self.finish_pending() {
            self.fail(now, p.attempt.op, RegError::Unreachable(reason));
        }
    }

    /// The flow under an established registration died (a TCP or TLS connection
    /// closed, a keep-alive unanswered): register again at once on a new flow
    /// (RFC 5626 §4.4.1 flow recovery). A request in flight is sent again.
    pub fn flow_failed(&mut self, now: Instant, reason: String) {
        self.events.push_back(Event::FlowFailed { reason });
        if let Some(k) = &mut self.keepalive {
            k.stop();
        }
        let op = match self.finish_pending() {
            Some(p) => p.attempt.op,
            None if self.granted.is_some() || self.retry_at.is_some() => OpKind::Register,
            None => return,
        };
        match op {
            OpKind::Register | OpKind::Refresh => self.register_again(now, OpKind::Register),
            OpKind::Query => self.start(Operation::Query, now),
            OpKind::Unregister => {
                // Re-sending an unregistration that may have arrived is harmless.
                let contact = self.our_contact(Some(0));
                self.send_new(Attempt::new(OpKind::Unregister, now), contact, 0, now);
            }
        }
    }

    fn register_again(&mut self, now: Instant, op: OpKind) {
        self.auth.begin_attempt();
        self.retry_at = None;
        let contact = self.our_contact(None);
        self.send_new(Attempt::new(op, now), contact, self.expires, now);
    }

    /// Contact parameters in force: outbound's `reg-id` is dropped after a 439.
    fn contact_params(&self) -> Vec<String> {
        self.cfg
            .shared
            .contact_params
            .iter()
            .filter(|p| !(self.outbound_refused && p.starts_with("reg-id=")))
            .cloned()
            .collect()
    }

    fn our_contact(&mut self, expires: Option<u32>) -> RequestContact {
        let mut params = self.contact_params();
        if let Some(e) = expires {
            params.push(format!("expires={e}"));
        }
        let uri = self.cfg.contact.clone();
        let also = &self.cfg.shared.also_contacts;
        match self.stale_contact.take() {
            Some(stale) if expires.is_none() && *stale != uri => RequestContact::Replace {
                uri,
                params,
                stale: *stale,
            },
            _ if !also.is_empty() => RequestContact::Many {
                uris: std::iter::once(uri).chain(also.iter().cloned()).collect(),
                params,
            },
            _ => RequestContact::Uri { uri, params },
        }
    }

    /// `Supported` for our options: GRUU (RFC 5627) and Path with an instance ID,
    /// outbound too with a reg-id (RFC 5626 §4.2.1).
    fn supported(&self) -> Option<String> {
        let params = self.contact_params();
        let instance = params.iter().any(|p| p.starts_with("+sip.instance="));
        let reg_id = params.iter().any(|p| p.starts_with("reg-id="));
        match (instance, reg_id) {
            (_, true) => Some("outbound, path, gruu".into()),
            (true, false) => Some("path, gruu".into()),
            _ => None,
        }
    }

    fn send_new(&mut self, attempt: Attempt, contact: RequestContact, expires: u32, now: Instant) {
        self.finish_pending();
        let cseq = self.next_cseq;
        self.next_cseq = self.next_cseq.wrapping_add(1);
        let branch = self.new_branch();
        let sent_by = format_sent_by(self.cfg.local);
        let request_uri = self.cfg.shared.request_uri.to_string();
        let mut extra = if self.credentials_withheld_for.is_some() {
            Vec::new()
        } else {
            self.auth
                .authorize("REGISTER", &request_uri, b"", &mut self.rng)
        };
        if let Some(s) = self.supported() {
            extra.push(("Supported", s));
        }
        let request = OutgoingRequest {
            method: "REGISTER",
            request_uri: &self.cfg.shared.request_uri,
            via: self.via(&sent_by, &branch),
            aor: &self.cfg.aor,
            from_tag: &self.from_tag,
            call_id: &self.call_id,
            cseq,
            contact: &contact,
            expires: match contact {
                RequestContact::None => None,
                _ => Some(expires),
            },
            route: self.cfg.shared.proxy.as_ref(),
            user_agent: self.cfg.shared.user_agent.as_deref(),
            extra_headers: &extra,
            custom_headers: &self.cfg.shared.headers,
            display_name: self.cfg.shared.display_name.as_deref(),
        }
        .encode();
        if !self.cfg.shared.transport.is_reliable() && request.len() > MAX_DATAGRAM {
            // Nothing shrinks it on a retry: this ends the operation, whatever the mode.
            let error = RegError::TooLarge {
                bytes: request.len(),
                limit: MAX_DATAGRAM,
            };
            return self.fail(now, attempt.op, error);
        }
        let tx = ClientTransaction::new(
            branch,
            cseq,
            now,
            self.cfg.shared.timers,
            self.cfg.shared.transport.is_reliable(),
        );
        self.transmits.push_back(Transmit {
            destination: self.cfg.destination,
            payload: request.clone(),
            retransmission: false,
        });
        self.pending = Some(Box::new(Pending {
            attempt,
            contact,
            expires,
            tx,
            request,
        }));
    }

    fn finish_pending(&mut self) -> Option<Box<Pending>> {
        let p = self.pending.take()?;
        self.old_branches.remember(&p.tx.branch);
        Some(p)
    }

    /// A random fraction in [0, 1) from the injected source.
    fn random_fraction(&mut self) -> f64 {
        f64::from(self.rng.next_u32()) / (f64::from(u32::MAX) + 1.0)
    }

    /// Ends an operation without success: a retry later in staying mode when the
    /// failure is one that may pass, a final `Failed` otherwise.
    fn fail(&mut self, now: Instant, op: OpKind, error: RegError) {
        self.fail_with(now, op, error, false);
    }

    /// `crossed`: the failure may answer a request that crossed a lost 2xx, so it is
    /// transient in staying mode whatever its status.
    fn fail_with(&mut self, now: Instant, op: OpKind, error: RegError, crossed: bool) {
        let registering = matches!(op, OpKind::Register | OpKind::Refresh);
        if registering {
            self.granted = None;
            if let Some(k) = &mut self.keepalive {
                k.stop();
            }
        }
        let retry = self
            .recovery
            .filter(|r| registering && (crossed || error.is_transient(r.retry_auth)));
        if retry.is_none() {
            self.events.push_back(Event::Failed { op, error });
            return;
        }
        self.failures = self.failures.saturating_add(1);
        // Retry-After is honoured (RFC 3261 §21.5.4, §20.33)…; otherwise the
        // RFC 5626 back-off with its random spread.
        let after = match error.retry_after() {
            // …with a floor: `Retry-After: 0` must not make a retry loop.
            Some(seconds) => Duration::from_secs(u64::from(seconds)).max(RETRY_AFTER_FLOOR),
            None => {
                let fraction = 0.5 + self.random_fraction() / 2.0;
                backoff::wait(self.failures, fraction)
            }
        };
        self.retry_at = Some(now + after);
        self.events.push_back(Event::Retrying { op, error, after });
    }

    /// The earliest instant at which `handle_timeout` has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let own = match &self.pending {
            Some(p) => p.tx.next_deadline(),
            None => [
                self.granted.as_ref().map(|g| g.refresh_at),
                self.retry_at,
                self.keepalive.as_ref().and_then(KeepAlive::next_deadline),
            ]
            .into_iter()
            .flatten()
            .min(),
        };
        [own, self.probe_deadline()].into_iter().flatten().min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        self.handle_probe_timeout(now);
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
                    let destination = self.cfg.destination;
                    self.finish_pending();
                    self.fail(now, op, RegError::Timeout { destination, after });
                }
                None => {}
            }
            return;
        }
        if self.retry_at.is_some_and(|at| now >= at) {
            return self.register_again(now, OpKind::Register);
        }
        if self.granted.as_ref().is_some_and(|g| now >= g.refresh_at) {
            self.events.push_back(Event::Refreshing);
            return self.register_again(now, OpKind::Refresh);
        }
        self.keepalive_timer(now);
    }

    /// One datagram or stream message from the network: a SIP response, or on UDP a
    /// STUN answer to our keep-alive.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        if self.keepalive_input(now, bytes) {
            return;
        }
        match Response::parse_datagram(bytes) {
            Ok(response) => self.handle_response(now, response),
            Err(e) => self.handle_unreadable(now, bytes, &e.to_string()),
        }
    }

    /// A message that could not be read. One that carries the branch of our request
    /// outstanding is the answer to it, malformed: the request fails at once (exit 1)
    /// rather than waiting for Timer F as if nothing had come (exit 4). Anything else
    /// is ignored.
    pub fn handle_unreadable(&mut self, now: Instant, bytes: &[u8], error: &str) {
        let ours = self.pending.as_ref().is_some_and(|p| {
            let branch = p.tx.branch.as_bytes();
            bytes.windows(branch.len()).any(|w| w == branch)
        });
        if !ours {
            return self.ignore(format!(
                "unreadable message ({} bytes): {error}",
                bytes.len()
            ));
        }
        if let Some(p) = self.finish_pending() {
            self.fail(now, p.attempt.op, RegError::Malformed(error.to_string()));
        }
    }

    fn ignore(&mut self, reason: String) {
        self.events.push_back(Event::Ignored { reason });
    }

    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let next = self.transmits.pop_front();
        if next.is_none() && self.transmits.capacity() > 0 {
            // Drained: give the buffer back, idle registrations should cost little.
            self.transmits = VecDeque::new();
        }
        next
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        let next = self.events.pop_front();
        if next.is_none() && self.events.capacity() > 0 {
            self.events = VecDeque::new();
        }
        next
    }
}

/// Via sent-by: `host:port`, IPv6 in brackets.
impl Registration {
    /// A branch of our own for a new transaction (RFC 3261 §8.1.1.7).
    fn new_branch(&mut self) -> String {
        let mut branch = String::with_capacity(BRANCH_COOKIE.len() + 24);
        branch.push_str(BRANCH_COOKIE);
        push_random_hex(&mut branch, &mut self.rng, 12);
        branch
    }

    /// Our Via for a request we send.
    fn via<'a>(&self, sent_by: &'a str, branch: &'a str) -> ViaSpec<'a> {
        ViaSpec {
            transport: self.cfg.shared.transport.via_token(),
            sent_by,
            branch,
        }
    }
}

fn format_sent_by(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => {
            let mut out = String::with_capacity(21);
            out.push_str(ipv4_text(*a.ip()).as_str());
            out.push(':');
            // Writing to a String cannot fail.
            let _ = write!(out, "{}", a.port());
            out
        }
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}
