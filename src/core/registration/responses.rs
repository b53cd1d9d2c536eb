//! What a final response does to the registration.

use super::keepalive::KeepAlive;
use super::{Attempt, Granted, Pending, Registration};
use crate::auth::challenge::select;
use crate::core::error::RegError;
use crate::core::event::{Binding, Event, OpKind, Outcome, Responder};
use crate::core::nat::{contact_differs, observed_address, reachable_at};
use crate::core::refresh::{refresh_delay, spread};
use crate::sip::{displays_as, RequestContact, Response, SipUri};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many 423 answers one operation follows before giving up (they must each raise
/// the interval, so a well-behaved registrar needs one).
const MAX_INTERVAL_RETRIES: u32 = 3;
/// Challenges answered within one operation; the authenticator refuses repeats per
/// realm, this bounds the total against a registrar that invents new realms.
const MAX_CHALLENGES: u32 = 6;
/// 3xx answers followed in a row before giving up (loops between registrars).
const MAX_REDIRECTS: u32 = 3;

impl Registration {
    /// A response already parsed, e.g. by a caller that demultiplexes many
    /// registrations on one socket by Call-ID.
    pub fn handle_response(&mut self, now: Instant, response: Response) {
        // Only while a probe is out: the header lookup costs every bulk response.
        if let Some(probe) = self.probe_call_id() {
            if response.call_id() == Some(probe) {
                return self.probe_response(now, &response);
            }
        }
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
        if let Some(p) = self.finish_pending() {
            self.last_refusal = (!(200..300).contains(&response.status)).then(|| {
                Box::new((
                    response.status,
                    response.reason.clone(),
                    Responder::of(&response),
                ))
            });
            self.on_final(now, *p, response);
        }
    }

    /// Checks Call-ID, top Via branch and CSeq (RFC 3261 §17.1.3, §8.1.3.3).
    fn matches_us(&self, r: &Response) -> Result<(), String> {
        // Built only when something does not match: this runs on every response.
        let label = || format!("{} {}", r.status, r.reason);
        match r.call_id() {
            Some(id) if id == self.call_id => {}
            Some(id) => return Err(format!("{} with a foreign Call-ID {id:?}", label())),
            None => return Err(format!("{} without a Call-ID", label())),
        }
        let Some(branch) = r.top_via_branch() else {
            return Err(format!("{}: no branch in the top Via", label()));
        };
        let Some(p) = &self.pending else {
            return Err(format!(
                "{} for a finished transaction (branch {branch})",
                label()
            ));
        };
        if branch != p.tx.branch {
            return Err(if self.old_branches.contains(branch) {
                format!(
                    "{}: late answer to an earlier transaction (branch {branch})",
                    label()
                )
            } else {
                format!(
                    "{} with a branch of no transaction of ours ({branch})",
                    label()
                )
            });
        }
        let (cseq, method) = r.cseq().map_err(|e| format!("{}: {e}", label()))?;
        if cseq != p.tx.cseq || !method.eq_ignore_ascii_case("REGISTER") {
            return Err(format!(
                "{} with CSeq {cseq} {method}, expected {} REGISTER",
                label(),
                p.tx.cseq
            ));
        }
        Ok(())
    }

    fn on_final(&mut self, now: Instant, p: Pending, r: Response) {
        let op = p.attempt.op;
        match r.status {
            200..=299 => self.on_success(now, p, r),
            300..=399 => self.on_redirect(now, p, r),
            401 | 407 => self.on_challenge(now, p, r),
            403 => {
                let credentials_sent = carries_credentials(&p.request);
                let warning = r.header("warning").map(str::to_string);
                self.fail(
                    now,
                    op,
                    RegError::Forbidden {
                        status: r.status,
                        reason: r.reason,
                        credentials_sent,
                        warning,
                    },
                )
            }
            423 => self.on_interval_too_brief(now, p, r),
            // ejabberd's mod_sip answers 404 to a query when nothing is bound, and to
            // the removal of a contact that is not bound, where RFC 3261 §10.3 keeps
            // 404 for an AOR that is not valid for the domain. Once the registrar
            // took our credentials (answered a challenge, or sent them pre-emptively
            // on a later request) the AOR is valid: no bindings (and nothing left to
            // remove), reported with the status it sent.
            404 if matches!(op, OpKind::Query | OpKind::Unregister)
                && carries_credentials(&p.request) =>
            {
                self.complete(now, &p, r, Vec::new(), None, false)
            }
            439 if !self.outbound_refused && op != OpKind::Unregister => {
                // The first hop cannot do outbound: register plainly (RFC 5626 §11.2).
                self.outbound_refused = true;
                self.events.push_back(Event::OutboundUnsupported);
                let contact = self.our_contact(None);
                self.send_new(p.attempt, contact, p.expires, now);
            }
            _ => self.on_refused(now, p, r),
        }
    }

    /// Any other non-2xx. In staying mode, a refusal of a refresh or of a request that
    /// was retransmitted may answer a copy that crossed a lost 2xx (Kamailio answers a
    /// late retransmission `400 invalid cseq`), and the binding may well be in place:
    /// one fresh request with a new CSeq goes out at once, and if that fails too, the
    /// usual back-off follows instead of an exit.
    fn on_refused(&mut self, now: Instant, p: Pending, r: Response) {
        let op = p.attempt.op;
        let crossed = matches!(op, OpKind::Register | OpKind::Refresh)
            && (op == OpKind::Refresh || p.tx.retransmissions > 0);
        let error = RegError::Refused {
            status: r.status,
            retry_after: r.retry_after(),
            reason: r.reason,
        };
        if crossed && self.recovery.is_some() && p.attempt.crossed_retries == 0 {
            self.events.push_back(Event::Retrying {
                op,
                error,
                after: Duration::ZERO,
            });
            let mut attempt = p.attempt;
            attempt.crossed_retries += 1;
            let contact = self.our_contact(None);
            return self.send_new(attempt, contact, p.expires, now);
        }
        self.fail_with(now, op, error, crossed);
    }

    fn on_challenge(&mut self, now: Instant, p: Pending, r: Response) {
        let mut attempt = p.attempt;
        attempt.challenges += 1;
        if let Some(domain) = self.credentials_withheld_for.clone() {
            return self.fail(now, attempt.op, RegError::RedirectedAuth { domain });
        }
        let (challenges, _skipped) = r.challenges();
        if let Err(e) = self.auth.on_challenge(&challenges) {
            return self.fail(now, attempt.op, e.into());
        }
        if attempt.challenges > MAX_CHALLENGES {
            return self.fail(now, attempt.op, RegError::ChallengeLoop(attempt.challenges));
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
                now,
                attempt.op,
                RegError::IntervalLoop {
                    tries,
                    min_expires: min,
                },
            ),
        }
    }

    /// 3xx: the registrar names another one in Contact. The driver resolves it and
    /// starts the operation again there; credentials are not offered to a domain
    /// other than the AOR's.
    fn on_redirect(&mut self, now: Instant, p: Pending, r: Response) {
        let op = p.attempt.op;
        let target = r
            .contacts()
            .into_iter()
            .flatten()
            .max_by(|a, b| a.q().unwrap_or(1.0).total_cmp(&b.q().unwrap_or(1.0)))
            .map(|c| c.uri);
        let refused = RegError::Refused {
            status: r.status,
            retry_after: r.retry_after(),
            reason: r.reason.clone(),
        };
        let Some(target) = target.filter(|_| self.redirect_hops < MAX_REDIRECTS) else {
            return self.fail(now, op, refused);
        };
        self.redirect_hops += 1;
        let same_domain = match (&target.host, &self.cfg.aor.host) {
            (crate::sip::Host::Name(a), crate::sip::Host::Name(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        };
        if !same_domain {
            self.credentials_withheld_for = Some(target.host.to_string());
        }
        // Copied on write: the other registrations sharing the config keep theirs.
        Arc::make_mut(&mut self.cfg.shared).request_uri = target.domain_uri();
        self.events.push_back(Event::Redirected { op, target });
    }

    fn on_success(&mut self, now: Instant, p: Pending, r: Response) {
        let op = p.attempt.op;
        let header_expires = r.expires();
        let (bindings, primary, ours_removed) = self.bindings(&r, header_expires, p.expires);
        self.redirect_hops = 0;
        if op == OpKind::Query || op == OpKind::Unregister {
            return self.complete(now, &p, r, bindings, None, false);
        }
        if self.rewrite_for_nat(now, &p, &r) {
            return;
        }
        // A 2xx that grants nothing leaves us unregistered; refreshing at once would
        // loop, so this is a failure of its own.
        let nothing_granted = |r: Response| RegError::NothingGranted {
            status: r.status,
            reason: r.reason,
        };
        if ours_removed {
            // Our contact listed with expires=0: the registrar removed it (§10.3).
            return self.fail(now, op, nothing_granted(r));
        }
        let listed = !bindings.is_empty();
        let ours = primary.map(|i| &bindings[i]);
        if listed && ours.is_none() {
            // The registrar lists bindings but not ours: it lost or dropped it.
            if self.lost_binding_retries == 0 {
                self.lost_binding_retries += 1;
                self.events.push_back(Event::BindingLost);
                let contact = self.our_contact(None);
                return self.send_new(Attempt::new(OpKind::Register, now), contact, p.expires, now);
            }
            return self.fail(
                now,
                op,
                RegError::BindingMissing {
                    status: r.status,
                    reason: r.reason,
                },
            );
        }
        self.lost_binding_retries = 0;
        // The grant is our own Contact's expires, else the Expires header, else what
        // we asked for (RFC 3261 §10.2.4).
        let granted = ours
            .and_then(|b| b.expires)
            .or(header_expires)
            .unwrap_or(p.expires);
        if granted == 0 {
            return self.fail(now, op, nothing_granted(r));
        }
        let delay = refresh_delay(
            Duration::from_secs(u64::from(granted)),
            self.cfg.shared.timers.timeout,
        );
        let fraction = self.random_fraction();
        // Timed from the answer, not the request: after a slow transaction (lost
        // requests retransmitted) the registrar granted from about now, and timing from
        // the first send would make the refresh due at once.
        let refresh_at = now + spread(delay, fraction);
        let lapsed = self.held_until.is_some_and(|t| now >= t);
        self.held_until = Some(now + Duration::from_secs(u64::from(granted)));
        self.granted = Some(Granted {
            refresh_at,
            expires_at: now + Duration::from_secs(u64::from(granted)),
        });
        let flow_timer: Option<u32> = r.header("flow-timer").and_then(|v| v.trim().parse().ok());
        // A Flow-Timer asks for keep-alives at least that often (RFC 5626 §4.4.1),
        // whether or not --keepalive was given.
        if let (None, Some(n @ 1..)) = (&self.keepalive, flow_timer) {
            self.keepalive = Some(KeepAlive::new(Duration::from_secs(u64::from(n))));
        }
        let fraction = self.random_fraction();
        if let Some(k) = &mut self.keepalive {
            k.start(now, flow_timer, fraction);
        }
        self.complete(now, &p, r, bindings, Some((granted, refresh_at)), lapsed);
    }

    /// RFC 3581: the registrar saw another address than our Contact names. With
    /// rewriting on (and not done yet: one rewrite per run, so two addresses cannot
    /// flip-flop), register the observed address and remove the stale binding in the
    /// same request. Returns true when that request was sent.
    fn rewrite_for_nat(&mut self, now: Instant, p: &Pending, r: &Response) -> bool {
        let Some(observed) = r.top_via_view().as_ref().and_then(observed_address) else {
            return false;
        };
        if !contact_differs(&self.cfg.contact, observed) {
            return false;
        }
        if !reachable_at(observed) {
            self.events.push_back(Event::Ignored {
                reason: format!(
                    "the registrar says it saw us at {observed}, which cannot be reached: not believed, our contact is kept"
                ),
            });
            return false;
        }
        let rewriting = self.nat_rewrite && !self.nat_rewritten;
        if self.nat_reported != Some(observed) || rewriting {
            self.nat_reported = Some(observed);
            self.events.push_back(Event::NatDetected {
                public: observed,
                rewriting,
            });
        }
        if !rewriting {
            return false;
        }
        self.nat_rewritten = true;
        let stale = self.cfg.contact.clone();
        let mut public = SipUri::new(observed.ip().into(), Some(observed.port()));
        public.user = stale.user.clone();
        public.params = stale.params.clone();
        self.cfg.contact = public.clone();
        let contact = RequestContact::Replace {
            uri: public,
            params: self.contact_params(),
            stale,
        };
        self.send_new(p.attempt, contact, p.expires, now);
        true
    }

    /// The bindings a 2xx lists, without those it lists with expires=0 (gone, RFC 3261
    /// §10.3); which of them is our (first) Contact, whose grant rules the refresh; and
    /// whether that one was among the removed. Further contacts (`-c` repeated) are
    /// marked ours too, each with its own grant. `asked`: the expiry we asked for, the
    /// ceiling for a binding whose own expires parameter is unreadable.
    fn bindings(
        &mut self,
        r: &Response,
        header_expires: Option<u32>,
        asked: u32,
    ) -> (Vec<Binding>, Option<usize>, bool) {
        let mut bindings = Vec::new();
        let mut primary_at = None;
        let mut ours_removed = false;
        let also = &self.cfg.shared.also_contacts;
        for c in r.contact_parts() {
            // Registrars echo the Contact they stored, so comparing the text first
            // spares parsing our own URI back on every response.
            let ours = match c {
                Ok(c) if displays_as(&self.cfg.contact, c.raw_uri) => Ok((c, true, true)),
                Ok(c) => c.uri().map(|uri| {
                    let primary = uri.equivalent(&self.cfg.contact);
                    let ours = primary || also.iter().any(|a| uri.equivalent(a));
                    (c, primary, ours)
                }),
                Err(e) => Err(e),
            };
            match ours {
                Ok((c, primary, ours)) => {
                    let expires = match c.expires_checked() {
                        Ok(e) => e.or(header_expires),
                        Err(bad) => {
                            // Never read a grant the registrar did not give: no
                            // longer than the Expires header or what we asked.
                            let fallback = header_expires.unwrap_or(asked).min(asked);
                            self.events.push_back(Event::Ignored {
                                reason: format!(
                                    "unreadable expires={} in the Contact of {} {}: taken as {fallback} s",
                                    bad,
                                    r.status,
                                    r.reason
                                ),
                            });
                            Some(fallback)
                        }
                    };
                    if expires == Some(0) {
                        ours_removed |= primary;
                        continue;
                    }
                    if primary && primary_at.is_none() {
                        primary_at = Some(bindings.len());
                    }
                    bindings.push(Binding {
                        ours,
                        expires,
                        q: c.q(),
                        params: c
                            .params
                            .0
                            .into_iter()
                            .filter(|(n, _)| {
                                !n.eq_ignore_ascii_case("expires") && !n.eq_ignore_ascii_case("q")
                            })
                            .collect(),
                        contact: c.raw_uri.to_string(),
                    });
                }
                Err(e) => self.events.push_back(Event::Ignored {
                    reason: format!("unreadable binding in {} {}: {e}", r.status, r.reason),
                }),
            }
        }
        (bindings, primary_at, ours_removed)
    }

    fn complete(
        &mut self,
        now: Instant,
        p: &Pending,
        r: Response,
        bindings: Vec<Binding>,
        grant: Option<(u32, Instant)>,
        lapsed: bool,
    ) {
        let recovered = grant.is_some() && self.failures > 0;
        if grant.is_some() {
            self.failures = 0;
        }
        let gruu = |name: &str| {
            bindings
                .iter()
                .find(|b| b.ours)
                .and_then(|b| b.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
                .and_then(|(_, v)| v.clone())
        };
        let server = Responder::of(&r).server;
        let service_route = r.list("service-route");
        let path = r.list("path");
        let outcome = Outcome {
            reachability: None,
            op: p.attempt.op,
            status: r.status,
            reason: r.reason,
            granted: grant.map(|(g, _)| g),
            refresh_in: grant.map(|(_, at)| at.saturating_duration_since(now)),
            service_route,
            path,
            elapsed: now - p.attempt.first_sent,
            recovered,
            lapsed,
            pub_gruu: gruu("pub-gruu"),
            temp_gruu: gruu("temp-gruu"),
            server,
            bindings,
        };
        self.events.push_back(Event::Completed(outcome));
    }
}

/// Whether our request carried an answer to a challenge. Our own request: ASCII
/// header lines, written by sip::OutgoingRequest.
fn carries_credentials(request: &[u8]) -> bool {
    request.split(|b| *b == b'\n').any(|line| {
        let name = line.split(|b| *b == b':').next().unwrap_or_default();
        name.eq_ignore_ascii_case(b"authorization")
            || name.eq_ignore_ascii_case(b"proxy-authorization")
    })
}
