//! Keep-alives while registered (RFC 5626 §4.4): on a reliable transport a CRLFCRLF
//! ping answered by a CRLF pong, on UDP a STUN Binding request. An unanswered ping,
//! or a STUN mapped address that changed (the NAT rebound us), means the flow is dead
//! and the registration is made again on a new one.

use super::Registration;
use crate::core::event::Transmit;
use crate::core::stun::{
    binding_request, is_stun, parse_binding_error, parse_binding_success, TransactionId,
};
use rand::RngCore;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long a ping may go unanswered (RFC 5626 §4.4.1: 10 seconds).
pub(super) const PONG_TIMEOUT: Duration = Duration::from_secs(10);

struct Awaiting {
    deadline: Instant,
    stun_id: Option<TransactionId>,
}

pub(super) struct KeepAlive {
    /// From --keepalive (or the first Flow-Timer, when there was no --keepalive).
    configured: Duration,
    /// The interval in use: a Flow-Timer from the registrar takes precedence over
    /// `configured`, for every ping until the next registration says otherwise.
    interval: Duration,
    next_ping: Option<Instant>,
    awaiting: Option<Awaiting>,
    mapped: Option<SocketAddr>,
    /// The last keep-alive was answered with a STUN error: the registrar restarts its
    /// flow timer only on a REGISTER (ejabberd 23.01 does so), so the next ping, which
    /// leads to that REGISTER, must leave it room within the Flow-Timer.
    refused: bool,
}

impl KeepAlive {
    pub(super) fn new(interval: Duration) -> KeepAlive {
        KeepAlive {
            configured: interval,
            interval,
            next_ping: None,
            awaiting: None,
            mapped: None,
            refused: false,
        }
    }

    pub(super) fn stop(&mut self) {
        self.next_ping = None;
        self.awaiting = None;
    }

    /// A registration succeeded: ping from now on. With a Flow-Timer of N seconds the
    /// interval is a random point between 80 % and 100 % of N (RFC 5626 §4.4.1); the
    /// low end after a refused keep-alive, since a ping near 100 % followed by the
    /// refusal and a REGISTER would reach the registrar after its timer has run out.
    pub(super) fn start(&mut self, now: Instant, flow_timer: Option<u32>, fraction: f64) {
        let fraction = if self.refused { 0.0 } else { fraction };
        let interval = match flow_timer {
            Some(n) if n > 0 => Duration::from_secs(u64::from(n)).mul_f64(0.8 + 0.2 * fraction),
            _ => self.configured,
        };
        self.interval = interval.max(Duration::from_secs(1));
        self.awaiting = None;
        self.next_ping = Some(now + self.interval);
    }

    pub(super) fn next_deadline(&self) -> Option<Instant> {
        match &self.awaiting {
            Some(a) => Some(a.deadline),
            None => self.next_ping,
        }
    }
}

impl Registration {
    /// A keep-alive of ours is waiting for its answer.
    pub fn awaits_keepalive_answer(&self) -> bool {
        self.keepalive
            .as_ref()
            .is_some_and(|k| k.awaiting.is_some())
    }

    pub(super) fn keepalive_timer(&mut self, now: Instant) {
        let reliable = self.cfg.shared.transport.is_reliable();
        let Some(k) = &mut self.keepalive else {
            return;
        };
        if k.awaiting.as_ref().is_some_and(|a| now >= a.deadline) {
            let what = if reliable { "CRLF pong" } else { "STUN answer" };
            self.flow_failed(now, format!("no {what} within {}s", PONG_TIMEOUT.as_secs()));
            return;
        }
        if k.awaiting.is_some() || !k.next_ping.is_some_and(|at| now >= at) {
            return;
        }
        let (payload, stun_id) = if reliable {
            (b"\r\n\r\n".to_vec(), None)
        } else {
            let mut id = [0u8; 12];
            self.rng.fill_bytes(&mut id);
            (binding_request(id), Some(id))
        };
        if let Some(k) = &mut self.keepalive {
            k.next_ping = None;
            k.awaiting = Some(Awaiting {
                deadline: now + PONG_TIMEOUT,
                stun_id,
            });
        }
        self.transmits.push_back(Transmit {
            destination: self.cfg.destination,
            payload,
            retransmission: false,
        });
    }

    /// Consumes keep-alive answers; false for anything else (a SIP message).
    pub(super) fn keepalive_input(&mut self, now: Instant, bytes: &[u8]) -> bool {
        let pong = bytes == b"\r\n";
        if !pong && !is_stun(bytes) {
            return false;
        }
        let Some(k) = &mut self.keepalive else {
            return pong;
        };
        let Some(awaiting) = &k.awaiting else {
            return true;
        };
        let mut changed = None;
        if !pong {
            if let Some((id, code)) = parse_binding_error(bytes) {
                // An error response ends the transaction at once (RFC 5389 §7.3.4):
                // the registrar does not keep this flow alive (ejabberd answers so).
                if Some(id) == awaiting.stun_id {
                    k.refused = true;
                    let code = code.map(|c| format!(" {c}")).unwrap_or_default();
                    self.flow_failed(now, format!("STUN error response{code} to a keep-alive"));
                }
                return true;
            }
            let Some(answer) = parse_binding_success(bytes) else {
                return true;
            };
            if Some(answer.id) != awaiting.stun_id {
                return true;
            }
            if let (Some(old), Some(new)) = (k.mapped, answer.mapped) {
                if old != new {
                    changed = Some((old, new));
                }
            }
            k.mapped = answer.mapped.or(k.mapped);
        }
        k.awaiting = None;
        k.refused = false;
        k.next_ping = Some(now + k.interval);
        if let Some((old, new)) = changed {
            self.flow_failed(now, format!("NAT mapping changed from {old} to {new}"));
        }
        true
    }
}
