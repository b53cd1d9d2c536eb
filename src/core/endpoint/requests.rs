//! Requests that arrive at our contacts (issue 12's user-agent server): read, matched
//! to the registration whose contact the Request-URI names, and handed to the one
//! `uas::Server` of the endpoint, whose answers go back the way each request came.

use super::{slot, Dispatch, Endpoint, EndpointEvent, Handle};
use crate::core::uas::{IncomingRequest, Origin, UasConfig};
use crate::core::Transmit;
use crate::sip::{split_list, stamp_source, ReceivedRequest, SipUri};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

impl Endpoint {
    /// Answers requests at our contacts from now on, as `cfg` says; without this they
    /// are counted as ignored.
    pub fn answer_requests(&mut self, cfg: UasConfig, reliable: bool) {
        let mut seed = [0u8; 6];
        rand::RngCore::fill_bytes(&mut self.rng, &mut seed);
        let tag: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        self.uas = Some(crate::core::uas::Server::new(cfg, reliable, tag));
    }

    /// A request that arrived on `carrier` from `source` (unknown: not answerable).
    pub(super) fn handle_request(
        &mut self,
        now: Instant,
        carrier: u32,
        source: Option<SocketAddr>,
        bytes: &[u8],
    ) {
        if self.uas.is_none() {
            self.stats.ignored += 1;
            return;
        }
        let Some(request) = source.and_then(|s| self.incoming(carrier, s, bytes)) else {
            // Nothing to answer with: no Via, Call-ID, From, To or CSeq to echo.
            self.stats.unreadable += 1;
            return;
        };
        if request.cseq.1 != request.method {
            // RFC 3261 §8.2: a request whose CSeq names another method is malformed.
            if let Some(server) = self.uas.as_mut() {
                server.refuse(&request, 400, "Bad Request (CSeq method differs)");
            }
            self.stats.unreadable += 1;
            return self.take_answers();
        }
        let verdict = self.owner_of(&request.uri);
        if let Some(&prober) = self.probes.get(&request.call_id) {
            // One of our reachability probes, routed back to us by the registrar.
            let ours = verdict == Owner::Bound(prober);
            self.slots[prober as usize].reg.probe_arrived(ours);
        }
        let Some(server) = self.uas.as_mut() else {
            return;
        };
        match verdict {
            Owner::Bound(_) | Owner::Nobody => {
                server.handle_request(now, request, verdict != Owner::Nobody)
            }
            // A contact of ours whose binding is gone (or not made yet): no longer
            // an endpoint anyone should reach, so it stays silent.
            Owner::Unbound => self.stats.ignored += 1,
        }
        self.take_answers();
    }

    /// Sends a reachability probe for `h` (see `Registration::start_probe`); what it
    /// finds comes as `Event::Probed`.
    pub fn start_probe(&mut self, h: Handle, now: Instant) {
        let i = h.index();
        let call_id = self.slots[i].reg.start_probe(now);
        self.probes.retain(|_, owner| *owner != h.0);
        self.probes.insert(call_id, h.0);
        self.settle(i, now);
    }

    /// A probe of registration `i` ended: its Call-ID is no longer routed.
    pub(super) fn probe_ended(&mut self, i: usize) {
        if !self.probes.is_empty() && self.slots[i].reg.probe_call_id().is_none() {
            self.probes.retain(|_, owner| *owner as usize != i);
        }
    }

    /// The UAS's timers: retransmitted finals, ring times, ended transactions.
    pub(super) fn fire_uas(&mut self, now: Instant) {
        if let Some(server) = self.uas.as_mut() {
            server.handle_timeout(now);
            self.take_answers();
        }
    }

    pub(super) fn uas_deadline(&self) -> Option<Instant> {
        self.uas.as_ref().and_then(|s| s.poll_timeout())
    }

    /// Moves the UAS's answers to the outbox and its news to the events.
    fn take_answers(&mut self) {
        let Some(server) = self.uas.as_mut() else {
            return;
        };
        while let Some(answer) = server.poll_answer() {
            self.outbox.push(Dispatch {
                handle: None,
                carrier: answer.origin.carrier,
                transmit: Transmit {
                    destination: answer.origin.reply_to,
                    payload: answer.payload,
                    retransmission: false,
                },
            });
        }
        while let Some(event) = server.poll_event() {
            self.events.push_back(EndpointEvent::Incoming(event));
        }
    }

    /// The parts of a request the UAS needs, its top Via stamped with where it came
    /// from. None when it cannot be answered at all.
    fn incoming(&self, carrier: u32, source: SocketAddr, bytes: &[u8]) -> Option<IncomingRequest> {
        let r = ReceivedRequest::parse_datagram(bytes).ok()?;
        let mut vias: Vec<String> = r
            .all("via")
            .flat_map(split_list)
            .map(str::to_string)
            .collect();
        let (top, reply_to) = stamp_source(vias.first()?, source)?;
        vias[0] = top;
        let (number, method) = r.cseq().ok()?;
        let cseq = (number, method.to_string());
        Some(IncomingRequest {
            origin: Origin { carrier, reply_to },
            method: r.method.clone(),
            uri: r.uri.clone(),
            branch: r.top_via_branch().map(str::to_string),
            vias,
            from: r.header("from")?.to_string(),
            to: r.header("to")?.to_string(),
            call_id: r.call_id()?.to_string(),
            cseq,
            content_type: r.header("content-type").map(str::to_string),
            event: r.header("event").map(str::to_string),
            body: r.body.clone(),
        })
    }

    /// The GRUUs (RFC 5627) a registration's latest 2xx assigned to its contact: a
    /// request may name one instead of the contact. The public one and the latest
    /// few temporary ones are kept (each refresh brings a new temporary one).
    pub(super) fn note_gruus(&mut self, i: usize, outcome: &crate::core::Outcome) {
        let fresh: Vec<String> = [&outcome.pub_gruu, &outcome.temp_gruu]
            .into_iter()
            .flatten()
            .filter_map(|g| normal_uri(g.trim_matches('"')))
            .collect();
        if fresh.is_empty() {
            return;
        }
        let kept = self.gruus_of.entry(i as u32).or_default();
        for g in fresh {
            if !kept.contains(&g) {
                kept.push(g.clone());
                self.gruus.insert(g, i as u32);
            }
        }
        // The public GRUU first, then the temporary ones, oldest first.
        while kept.len() > MAX_GRUUS {
            let old = kept.remove(1);
            self.gruus.remove(&old);
        }
    }

    /// Whose contact a Request-URI names: user part, host and port must be a current
    /// contact's (a registrar's `lookup` writes the contact there as it was bound),
    /// or the URI one of the GRUUs assigned to it.
    fn owner_of(&mut self, uri: &str) -> Owner {
        let Ok(uri) = uri.parse::<SipUri>() else {
            return Owner::Nobody;
        };
        if let Some(&i) = self.gruus.get(&uri.to_string()) {
            let slot = &self.slots[i as usize];
            return match slot.reg.is_registered()
                || slot.reg.is_unregistering()
                || slot.has(slot::REMOVING)
            {
                true => Owner::Bound(i),
                false => Owner::Unbound,
            };
        }
        let Some(user) = uri.user.as_deref() else {
            return Owner::Nobody;
        };
        let users = self.contact_users.get_or_insert_with(|| {
            let mut by_user: HashMap<String, Vec<u32>> = HashMap::new();
            for (i, slot) in self.slots.iter().enumerate() {
                if let Some(u) = slot.reg.contact().user.as_deref() {
                    by_user.entry(u.to_string()).or_default().push(i as u32);
                }
            }
            by_user
        });
        let Some(candidates) = users.get(user) else {
            return Owner::Nobody;
        };
        let port = |u: &SipUri| u.port.unwrap_or(if u.sips { 5061 } else { 5060 });
        let mut unbound = false;
        for &i in candidates {
            let slot = &self.slots[i as usize];
            let contact = slot.reg.contact();
            if contact.host != uri.host || port(contact) != port(&uri) {
                continue;
            }
            // Bound now, or being removed at the end of the run (RFC 3261 keeps it
            // reachable until the registrar has let it go).
            if slot.reg.is_registered() || slot.reg.is_unregistering() || slot.has(slot::REMOVING) {
                return Owner::Bound(i);
            }
            unbound = true;
        }
        if unbound {
            Owner::Unbound
        } else {
            Owner::Nobody
        }
    }
}

/// GRUUs kept per registration: the public one and three temporary ones.
const MAX_GRUUS: usize = 4;

/// A URI as `SipUri` prints it, so that two spellings of one GRUU meet.
fn normal_uri(text: &str) -> Option<String> {
    text.parse::<SipUri>().ok().map(|u| u.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// The contact of this registration, which has a binding.
    Bound(u32),
    /// A contact of ours without one.
    Unbound,
    /// Not ours: 404.
    Nobody,
}
