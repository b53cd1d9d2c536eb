//! What answers the requests that arrive at our contact, without I/O: one server
//! transaction per request (so a retransmission gets the same answer, never a second
//! handling), the answer each method gets, and what is reported.
//!
//! The endpoint decides whether a request's Request-URI names a contact or GRUU of
//! ours and hands it here with that verdict; the driver sends the replies where
//! RFC 3261 §18.2.2 says (the connection it came on, or the Via's received/rport).

use super::transaction::{Retransmitted, ServerKind, ServerTimer, ServerTransaction};
use crate::core::Timers;
use crate::sip::{tag_of, Reply};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Methods this user agent answers, as `Allow` lists them.
pub const ALLOW: &str = "OPTIONS, INVITE, ACK, CANCEL, BYE, MESSAGE, NOTIFY";
/// Bodies it reads: text for MESSAGE, message summaries for NOTIFY. No SDP: it sets up
/// no media and does not pretend to.
pub const ACCEPT: &str = "text/plain, application/simple-message-summary";

/// Live transactions at most; a request beyond them gets 503 and no state, so that a
/// flood costs a bounded table.
pub const MAX_TRANSACTIONS: usize = 1024;

/// Where a request came from, so that its answers go back the same way: the socket or
/// connection (carrier) and, on a datagram transport, the address RFC 3261 §18.2.2
/// names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub carrier: u32,
    pub reply_to: std::net::SocketAddr,
}

impl Default for Origin {
    fn default() -> Origin {
        Origin {
            carrier: 0,
            reply_to: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
        }
    }
}

/// A request as the core needs it: the parser fills this from the message.
#[derive(Debug, Clone, Default)]
pub struct IncomingRequest {
    pub origin: Origin,
    pub method: String,
    /// The Request-URI as written.
    pub uri: String,
    /// Every Via value, top first, the top one already given `received`/`rport` by the
    /// transport layer (§18.2.1, RFC 3581).
    pub vias: Vec<String>,
    /// The top Via's branch, if any.
    pub branch: Option<String>,
    pub from: String,
    pub to: String,
    pub call_id: String,
    /// CSeq number and method.
    pub cseq: (u32, String),
    pub content_type: Option<String>,
    /// The Event header (NOTIFY).
    pub event: Option<String>,
    pub body: Vec<u8>,
}

/// How the user agent answers.
#[derive(Debug, Clone)]
pub struct UasConfig {
    /// The final response to an INVITE (`--answer`).
    pub answer: u16,
    /// How long an INVITE rings (stays proceeding, cancellable) before that answer.
    pub ring: Duration,
    /// Our `Supported` option tags.
    pub supported: String,
    pub user_agent: Option<String>,
    pub timers: Timers,
}

impl Default for UasConfig {
    fn default() -> UasConfig {
        UasConfig {
            answer: 480,
            ring: Duration::ZERO,
            supported: String::new(),
            user_agent: None,
            timers: Timers::default(),
        }
    }
}

/// What happened, for the ladder and the JSON events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UasEvent {
    /// A request was answered (not repeated for retransmissions).
    Answered {
        method: String,
        from: String,
        status: u16,
    },
    IncomingCall {
        from: String,
        to: String,
        call_id: String,
        /// The final status the INVITE got (487 when cancelled).
        answered: u16,
    },
    Message {
        from: String,
        content_type: Option<String>,
        text: String,
    },
    Notify {
        from: String,
        event: Option<String>,
        text: String,
    },
    /// An INVITE's final response was retransmitted to the end of Timer H unacknowledged.
    NoAck { call_id: String },
}

/// Bytes to send in answer to a request; the driver sends them back the way it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub payload: Vec<u8>,
    pub key: TxKey,
    /// Where the request came from: the answer goes back there.
    pub origin: Origin,
}

/// A server transaction's key (RFC 3261 §17.2.3): the top Via branch and the method,
/// with CANCEL and ACK of a non-2xx kept apart from, but finding, their INVITE.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxKey {
    pub branch: String,
    pub invite: bool,
    pub cancel: bool,
}

struct Live {
    tx: ServerTransaction,
    /// What the final answer is built from (INVITE: sent after the ring).
    request: IncomingRequest,
    /// When a ringing INVITE gets its final answer.
    answer_at: Option<Instant>,
    to_tag: String,
}

pub struct Server {
    cfg: UasConfig,
    reliable: bool,
    live: HashMap<TxKey, Live>,
    /// (deadline, key): a small ordered set; entries are checked against `live`.
    deadlines: BTreeSet<(Instant, TxKey)>,
    tag_seed: String,
    tags: u64,
    out: VecDeque<Answer>,
    events: VecDeque<UasEvent>,
}

impl Server {
    /// `tag_seed`: random text that makes our To tags unique to this run.
    pub fn new(cfg: UasConfig, reliable: bool, tag_seed: String) -> Server {
        Server {
            cfg,
            reliable,
            live: HashMap::new(),
            deadlines: BTreeSet::new(),
            tag_seed,
            tags: 0,
            out: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// A request arrived. `ours`: its Request-URI names one of our contacts or GRUUs.
    pub fn handle_request(&mut self, now: Instant, req: IncomingRequest, ours: bool) {
        let method = req.method.to_ascii_uppercase();
        let key = key_of(&req, &method);
        if method == "ACK" {
            // An ACK is never answered (§17.1.1.3): it confirms its INVITE's non-2xx or
            // is dropped.
            let invite = TxKey {
                invite: true,
                cancel: false,
                ..key
            };
            if let Some(live) = self.live.get_mut(&invite) {
                if live.tx.ack(now) {
                    self.schedule(now, &invite);
                }
            }
            return;
        }
        if let Some(live) = self.live.get_mut(&key) {
            if live.tx.retransmitted() == Retransmitted::Resend {
                if let Some(bytes) = live.tx.last_response() {
                    self.out.push_back(Answer {
                        payload: bytes.to_vec(),
                        key,
                        origin: live.request.origin,
                    });
                }
            }
            return;
        }
        if self.live.len() >= MAX_TRANSACTIONS {
            let bytes = self.reply(&req, 503, "Service Unavailable", "", &[]);
            self.out.push_back(Answer {
                payload: bytes,
                key,
                origin: req.origin,
            });
            return;
        }
        let kind = if key.invite {
            ServerKind::Invite
        } else {
            ServerKind::NonInvite
        };
        self.tags += 1;
        let to_tag = format!("{}{:x}", self.tag_seed, self.tags);
        let mut live = Live {
            tx: ServerTransaction::new(kind, self.reliable, self.cfg.timers),
            request: req,
            answer_at: None,
            to_tag,
        };
        // Read once, here; the transaction that stays for retransmissions keeps only
        // what its answers are built from.
        let body = std::mem::take(&mut live.request.body);
        let (status, reason) = if !ours {
            (404, "Not Found")
        } else {
            match method.as_str() {
                "OPTIONS" => (200, "OK"),
                "INVITE" => {
                    let trying = self.reply(&live.request, 100, "Trying", "", &[]);
                    live.tx.respond(now, 100, trying.clone());
                    self.out.push_back(Answer {
                        payload: trying,
                        key: key.clone(),
                        origin: live.request.origin,
                    });
                    live.answer_at = Some(now + self.cfg.ring);
                    self.live.insert(key.clone(), live);
                    self.schedule(now, &key);
                    self.fire(now);
                    return;
                }
                "CANCEL" => {
                    let cancelled = self.cancel(&key);
                    let status = if cancelled.is_some() {
                        (200, "OK")
                    } else {
                        (481, "Call/Transaction Does Not Exist")
                    };
                    // One To tag for both answers (§9.2).
                    if let Some(Some((_, ringing))) = &cancelled {
                        live.to_tag.clone_from(&ringing.to_tag);
                    }
                    // The CANCEL's own 200 first, then the INVITE's 487.
                    self.finish(now, key, live, status.0, status.1);
                    if let Some(Some((invite, ringing))) = cancelled {
                        self.finish(now, invite, ringing, 487, "Request Terminated");
                    }
                    return;
                }
                "MESSAGE" => {
                    self.events.push_back(UasEvent::Message {
                        from: live.request.from.clone(),
                        content_type: live.request.content_type.clone(),
                        text: String::from_utf8_lossy(&body).into_owned(),
                    });
                    (200, "OK")
                }
                "NOTIFY" => {
                    self.events.push_back(UasEvent::Notify {
                        from: live.request.from.clone(),
                        event: live.request.event.clone(),
                        text: String::from_utf8_lossy(&body).into_owned(),
                    });
                    (200, "OK")
                }
                // No dialogs here, so a BYE matches none.
                "BYE" => (481, "Call/Transaction Does Not Exist"),
                _ => (405, "Method Not Allowed"),
            }
        };
        self.finish(now, key, live, status, reason);
    }

    /// A request that cannot be handled as it stands (its CSeq names another method):
    /// answered `status` once, with no transaction kept. An ACK is never answered.
    pub fn refuse(&mut self, req: &IncomingRequest, status: u16, reason: &str) {
        let method = req.method.to_ascii_uppercase();
        if method == "ACK" {
            return;
        }
        let bytes = self.reply(req, status, reason, "", &[]);
        self.out.push_back(Answer {
            payload: bytes,
            key: key_of(req, &method),
            origin: req.origin,
        });
    }

    /// The INVITE a CANCEL names. `None`: there is none (the CANCEL gets 481).
    /// `Some((key, live))` of a still ringing INVITE is taken out for its 487; one
    /// answered already stays, and the CANCEL gets 200 without effect (§9.2), shown
    /// by an outer `Some` around nothing to finish.
    fn cancel(&mut self, key: &TxKey) -> Option<Option<(TxKey, Live)>> {
        let invite = TxKey {
            invite: true,
            cancel: false,
            ..key.clone()
        };
        let mut live = self.live.remove(&invite)?;
        if live.tx.is_proceeding() {
            live.answer_at = None;
            Some(Some((invite, live)))
        } else {
            self.live.insert(invite, live);
            Some(None)
        }
    }

    /// Sends a final answer and keeps the transaction for retransmissions.
    fn finish(&mut self, now: Instant, key: TxKey, mut live: Live, status: u16, reason: &str) {
        let extra = self.headers_for(status, &live.request.method);
        let bytes = self.reply(&live.request, status, reason, &live.to_tag, &extra);
        live.tx.respond(now, status, bytes.clone());
        self.out.push_back(Answer {
            payload: bytes,
            key: key.clone(),
            origin: live.request.origin,
        });
        let r = &live.request;
        if key.invite {
            self.events.push_back(UasEvent::IncomingCall {
                from: r.from.clone(),
                to: r.to.clone(),
                call_id: r.call_id.clone(),
                answered: status,
            });
        } else {
            self.events.push_back(UasEvent::Answered {
                method: r.method.clone(),
                from: r.from.clone(),
                status,
            });
        }
        self.live.insert(key.clone(), live);
        self.schedule(now, &key);
    }

    fn headers_for(&self, status: u16, method: &str) -> Vec<(&'static str, String)> {
        let mut h = Vec::new();
        if status == 405 || method.eq_ignore_ascii_case("OPTIONS") {
            h.push(("Allow", ALLOW.to_string()));
        }
        if method.eq_ignore_ascii_case("OPTIONS") && status == 200 {
            h.push(("Accept", ACCEPT.to_string()));
            h.push(("Supported", self.cfg.supported.clone()));
        }
        if let Some(ua) = &self.cfg.user_agent {
            h.push(("Server", ua.clone()));
        }
        h
    }

    fn reply(
        &self,
        req: &IncomingRequest,
        status: u16,
        reason: &str,
        to_tag: &str,
        headers: &[(&'static str, String)],
    ) -> Vec<u8> {
        let cseq = format!("{} {}", req.cseq.0, req.cseq.1);
        Reply {
            status,
            reason,
            vias: &req.vias,
            from: &req.from,
            to: &req.to,
            to_tag,
            call_id: &req.call_id,
            cseq: &cseq,
            headers,
            body: None,
        }
        .encode()
    }

    fn schedule(&mut self, _now: Instant, key: &TxKey) {
        if let Some(live) = self.live.get(key) {
            let at = match (live.answer_at, live.tx.next_deadline()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(at) = at {
                self.deadlines.insert((at, key.clone()));
            }
        }
    }

    /// The earliest instant `handle_timeout` has work.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.fire(now);
    }

    fn fire(&mut self, now: Instant) {
        while let Some((at, key)) = self.deadlines.first().cloned() {
            if at > now {
                break;
            }
            self.deadlines.pop_first();
            let Some(mut live) = self.live.remove(&key) else {
                continue;
            };
            if live.answer_at.is_some_and(|a| a <= now) {
                live.answer_at = None;
                let status = self.cfg.answer;
                self.finish(now, key, live, status, reason_of(status));
                continue;
            }
            match live.tx.on_timer(now) {
                Some(ServerTimer::Resend) => {
                    if let Some(bytes) = live.tx.last_response() {
                        self.out.push_back(Answer {
                            payload: bytes.to_vec(),
                            key: key.clone(),
                            origin: live.request.origin,
                        });
                    }
                }
                Some(ServerTimer::NoAck) => {
                    self.events.push_back(UasEvent::NoAck {
                        call_id: live.request.call_id.clone(),
                    });
                    continue;
                }
                Some(ServerTimer::Ended) => continue,
                None => {}
            }
            if !live.tx.is_terminated() {
                self.live.insert(key.clone(), live);
                self.schedule(now, &key);
            }
        }
    }

    /// Replies to send, oldest first.
    pub fn poll_answer(&mut self) -> Option<Answer> {
        self.out.pop_front()
    }

    pub fn poll_event(&mut self) -> Option<UasEvent> {
        self.events.pop_front()
    }

    /// Live transactions (bounded by `MAX_TRANSACTIONS`).
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }
}

fn key_of(req: &IncomingRequest, method: &str) -> TxKey {
    // RFC 2543 peers send branches without the magic cookie; their transactions are
    // told apart by Call-ID, CSeq number and From tag instead (§17.2.3).
    let branch = match &req.branch {
        Some(b) if b.starts_with("z9hG4bK") => b.clone(),
        _ => format!(
            "{}|{}|{}",
            req.call_id,
            req.cseq.0,
            tag_of(&req.from).unwrap_or("")
        ),
    };
    TxKey {
        branch,
        invite: method == "INVITE" || method == "ACK",
        cancel: method == "CANCEL",
    }
}

/// The reason phrase of the statuses `--answer` takes.
pub fn reason_of(status: u16) -> &'static str {
    match status {
        404 => "Not Found",
        480 => "Temporarily Unavailable",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        500 => "Server Internal Error",
        503 => "Service Unavailable",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        _ => "Unavailable",
    }
}
