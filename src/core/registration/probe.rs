//! Does a request for our AOR reach us? An OPTIONS whose Request-URI is the AOR,
//! sent to the registrar (through the outbound proxy) with a Call-ID of its own: the
//! registrar routes it to the contacts bound there, and the probe succeeds when it
//! arrives at ours and our answer comes back through the registrar.

use super::{format_sent_by, Registration};
use crate::core::event::{Event, Reachability, Transmit};
use crate::core::ids::push_random_hex;
use crate::core::transaction::{ClientTransaction, TimerOutcome};
use crate::sip::{OutgoingRequest, RequestContact, Response};
use std::time::Instant;

pub(super) struct Probe {
    call_id: String,
    tx: ClientTransaction,
    request: Vec<u8>,
    /// Where the OPTIONS was seen arriving, if it arrived at a contact of this
    /// endpoint: `None` not yet, `Some(true)` ours, `Some(false)` another's.
    arrived: Option<bool>,
}

impl Registration {
    /// Sends a probe (any earlier one is forgotten). Returns its Call-ID, by which
    /// the endpoint recognises the probe where it arrives and its answer.
    pub fn start_probe(&mut self, now: Instant) -> String {
        let mut call_id = String::with_capacity(40);
        call_id.push_str("probe-");
        push_random_hex(&mut call_id, &mut self.rng, 12);
        let branch = self.new_branch();
        let sent_by = format_sent_by(self.cfg.local);
        let request = OutgoingRequest {
            method: "OPTIONS",
            request_uri: &self.cfg.aor,
            via: self.via(&sent_by, &branch),
            aor: &self.cfg.aor,
            from_tag: &self.from_tag,
            call_id: &call_id,
            cseq: 1,
            contact: &RequestContact::None,
            expires: None,
            route: self.cfg.shared.proxy.as_ref(),
            user_agent: self.cfg.shared.user_agent.as_deref(),
            extra_headers: &[],
            custom_headers: &self.cfg.shared.headers,
            display_name: self.cfg.shared.display_name.as_deref(),
        }
        .encode();
        let reliable = self.cfg.shared.transport.is_reliable();
        let tx = ClientTransaction::new(branch, 1, now, self.cfg.shared.timers, reliable);
        self.transmits.push_back(Transmit {
            destination: self.cfg.destination,
            payload: request.clone(),
            retransmission: false,
        });
        self.probe = Some(Box::new(Probe {
            call_id: call_id.clone(),
            tx,
            request,
            arrived: None,
        }));
        call_id
    }

    /// The Call-ID of the probe out, if any.
    pub fn probe_call_id(&self) -> Option<&str> {
        self.probe.as_deref().map(|p| p.call_id.as_str())
    }

    /// The probe arrived at a contact of this endpoint: ours, or another's.
    pub fn probe_arrived(&mut self, ours: bool) {
        if let Some(p) = &mut self.probe {
            // Forked to several contacts: ours counts once seen.
            p.arrived = Some(ours || p.arrived == Some(true));
        }
    }

    /// A response to the probe (the endpoint matched its Call-ID).
    pub fn probe_response(&mut self, now: Instant, response: &Response) {
        let Some(p) = &mut self.probe else {
            return;
        };
        if response.top_via_branch() != Some(p.tx.branch.as_str()) {
            return;
        }
        if !p.tx.on_response(response.status) {
            return; // provisional
        }
        let rtt = now.saturating_duration_since(p.tx.started);
        let status = response.status;
        let result = match (status, p.arrived) {
            (200..=299, Some(true)) => Reachability {
                reachable: true,
                rtt: Some(rtt),
                status: Some(status),
                detail: format!("reached our contact and answered {status}"),
            },
            (200..=299, _) => Reachability {
                reachable: false,
                rtt: Some(rtt),
                status: Some(status),
                detail: format!(
                    "arrived at another contact: {status} {} came back, our contact saw nothing",
                    response.reason
                ),
            },
            _ => Reachability {
                reachable: false,
                rtt: Some(rtt),
                status: Some(status),
                detail: format!("{status} {} from the registrar", response.reason),
            },
        };
        self.probe = None;
        self.events.push_back(Event::Probed(result));
    }

    /// The probe's retransmission or timeout, if due now. True when it was: the
    /// caller settles the registration (something to send, a new deadline).
    pub fn handle_probe_timeout(&mut self, now: Instant) -> bool {
        if !self.probe_deadline().is_some_and(|at| now >= at) {
            return false;
        }
        self.probe_timer(now);
        true
    }

    fn probe_timer(&mut self, now: Instant) {
        let Some(p) = &mut self.probe else {
            return;
        };
        match p.tx.on_timer(now) {
            Some(TimerOutcome::Retransmit) => self.transmits.push_back(Transmit {
                destination: self.cfg.destination,
                payload: p.request.clone(),
                retransmission: true,
            }),
            Some(TimerOutcome::TimedOut) => {
                let limit = self.cfg.shared.timers.timeout;
                let detail = match p.arrived {
                    Some(true) => format!(
                        "the request reached our contact, but our answer did not come back \
                         within {}",
                        humantime::format_duration(limit)
                    ),
                    Some(false) => "arrived at another contact, and no answer came back".into(),
                    None => format!(
                        "no request arrived within --timeout {}",
                        humantime::format_duration(limit)
                    ),
                };
                self.probe = None;
                self.events.push_back(Event::Probed(Reachability {
                    reachable: false,
                    rtt: None,
                    status: None,
                    detail,
                }));
            }
            None => {}
        }
    }

    pub(super) fn probe_deadline(&self) -> Option<Instant> {
        self.probe.as_deref().and_then(|p| p.tx.next_deadline())
    }
}
