//! The server transactions of RFC 3261 §17.2, without I/O: the INVITE server
//! transaction (§17.2.1) and the non-INVITE one (§17.2.2). Each keeps the last
//! response it sent, so that a retransmitted request is answered with the same bytes
//! instead of being handled a second time, and says when it next needs the clock.

use crate::core::Timers;
use std::time::{Duration, Instant};

/// Timer T4 (RFC 3261 §17.1.2.2, table 4): how long the network may hold a message.
/// Timer I of a confirmed INVITE transaction waits this long on UDP for straggling ACKs.
pub const T4: Duration = Duration::from_secs(5);

/// Which of the two state machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    Invite,
    NonInvite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The request arrived; no final response yet (a provisional one may have gone).
    Proceeding,
    /// A final response went out; a retransmitted request gets it again. For an INVITE,
    /// a non-2xx final is retransmitted on Timer G until the ACK (or Timer H).
    Completed,
    /// INVITE only: the ACK arrived; later ACKs are absorbed until Timer I.
    Confirmed,
    Terminated,
}

/// What a timer asks of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTimer {
    /// Timer G: send the final response again (its bytes are `last_response`).
    Resend,
    /// Timer H: the ACK never came; the transaction is over.
    NoAck,
    /// Timer I or J ran out: the transaction is over, and forgotten.
    Ended,
}

/// What to do with a request that matched a live transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retransmitted {
    /// Send `last_response` again.
    Resend,
    /// Nothing to send (no response yet, or an ACK after the ACK).
    Absorb,
}

#[derive(Debug, Clone)]
pub struct ServerTransaction {
    kind: ServerKind,
    reliable: bool,
    timers: Timers,
    state: State,
    last_response: Option<Vec<u8>>,
    /// Timer G's next firing and its current interval (INVITE, unreliable, Completed).
    resend_at: Option<Instant>,
    interval: Duration,
    /// Timer H, I or J: when the current state ends.
    ends_at: Option<Instant>,
    pub retransmissions: u32,
}

impl ServerTransaction {
    pub fn new(kind: ServerKind, reliable: bool, timers: Timers) -> ServerTransaction {
        ServerTransaction {
            kind,
            reliable,
            timers,
            state: State::Proceeding,
            last_response: None,
            resend_at: None,
            interval: timers.t1,
            ends_at: None,
            retransmissions: 0,
        }
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// Whether no final response has gone out yet (a CANCEL can still end it).
    pub fn is_proceeding(&self) -> bool {
        self.state == State::Proceeding
    }

    pub fn is_terminated(&self) -> bool {
        self.state == State::Terminated
    }

    /// The bytes of the last response sent, for a retransmission.
    pub fn last_response(&self) -> Option<&[u8]> {
        self.last_response.as_deref()
    }

    /// Records a response the caller sends now. A provisional one only replaces what
    /// a retransmitted request gets; a final one completes the transaction. A response
    /// after the final one is refused (returns false): the caller must not send it.
    pub fn respond(&mut self, now: Instant, status: u16, bytes: Vec<u8>) -> bool {
        if self.state != State::Proceeding {
            return false;
        }
        self.last_response = Some(bytes);
        if status < 200 {
            return true;
        }
        let t1_64 = self.timers.t1 * 64;
        match self.kind {
            // This core never sends a 2xx to an INVITE (it sets up no sessions), so
            // every final takes the non-2xx path of §17.2.1: Timer G on UDP, Timer H.
            ServerKind::Invite => {
                self.state = State::Completed;
                self.resend_at = (!self.reliable).then(|| now + self.timers.t1);
                self.ends_at = Some(now + t1_64);
            }
            // Timer J: 64·T1 on UDP to absorb retransmissions, zero on a stream.
            ServerKind::NonInvite => {
                self.state = State::Completed;
                self.ends_at = Some(if self.reliable { now } else { now + t1_64 });
            }
        }
        true
    }

    /// The same request arrived again (same branch, same method).
    pub fn retransmitted(&mut self) -> Retransmitted {
        match (self.state, &self.last_response) {
            (State::Proceeding | State::Completed, Some(_)) => Retransmitted::Resend,
            _ => Retransmitted::Absorb,
        }
    }

    /// An ACK for this INVITE transaction's final response. Returns whether it was
    /// the one that confirms it (later ones are absorbed).
    pub fn ack(&mut self, now: Instant) -> bool {
        if self.kind != ServerKind::Invite || self.state != State::Completed {
            return false;
        }
        self.state = State::Confirmed;
        self.resend_at = None;
        self.ends_at = Some(if self.reliable { now } else { now + T4 });
        true
    }

    /// The next instant this transaction needs the clock, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        match (self.resend_at, self.ends_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn on_timer(&mut self, now: Instant) -> Option<ServerTimer> {
        if self.ends_at.is_some_and(|at| now >= at) {
            let gave_up = self.state == State::Completed && self.kind == ServerKind::Invite;
            self.state = State::Terminated;
            self.resend_at = None;
            self.ends_at = None;
            return Some(if gave_up {
                ServerTimer::NoAck
            } else {
                ServerTimer::Ended
            });
        }
        match self.resend_at {
            Some(at) if now >= at => {
                // Timer G doubles up to T2 (§17.2.1).
                self.interval = (self.interval * 2).min(self.timers.t2);
                self.resend_at = Some(now + self.interval);
                self.retransmissions += 1;
                Some(ServerTimer::Resend)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(start: Instant, at: Instant) -> u128 {
        (at - start).as_millis()
    }

    /// Drives the transaction's timers to the end: (offsets of resends, how and when it ended).
    fn run(tx: &mut ServerTransaction, start: Instant) -> (Vec<u128>, Option<(ServerTimer, u128)>) {
        let mut resends = Vec::new();
        while let Some(at) = tx.next_deadline() {
            match tx.on_timer(at) {
                Some(ServerTimer::Resend) => resends.push(ms(start, at)),
                Some(end) => return (resends, Some((end, ms(start, at)))),
                None => {}
            }
        }
        (resends, None)
    }

    #[test]
    fn invite_final_is_resent_on_timer_g_until_timer_h() {
        let start = Instant::now();
        let mut tx = ServerTransaction::new(ServerKind::Invite, false, Timers::default());
        assert!(tx.respond(start, 100, b"100".to_vec()));
        assert_eq!(tx.next_deadline(), None, "a provisional starts no timer");
        assert!(tx.respond(start, 480, b"480".to_vec()));
        let (resends, end) = run(&mut tx, start);
        assert_eq!(
            resends,
            vec![500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
        );
        assert_eq!(end, Some((ServerTimer::NoAck, 32_000)));
        assert_eq!(tx.retransmissions, 10);
        assert!(tx.is_terminated());
    }

    #[test]
    fn ack_stops_timer_g_and_timer_i_absorbs_later_acks() {
        let start = Instant::now();
        let mut tx = ServerTransaction::new(ServerKind::Invite, false, Timers::default());
        tx.respond(start, 486, b"486".to_vec());
        let first = tx.next_deadline().unwrap();
        assert_eq!(tx.on_timer(first), Some(ServerTimer::Resend));
        assert!(tx.ack(first));
        assert!(!tx.ack(first), "a second ACK only is absorbed");
        assert_eq!(tx.retransmitted(), Retransmitted::Absorb);
        assert_eq!(tx.next_deadline(), Some(first + T4));
        assert_eq!(
            run(&mut tx, start),
            (vec![], Some((ServerTimer::Ended, 5_500)))
        );
    }

    #[test]
    fn reliable_invite_never_resends_and_ends_at_the_ack() {
        let start = Instant::now();
        let mut tx = ServerTransaction::new(ServerKind::Invite, true, Timers::default());
        tx.respond(start, 603, b"603".to_vec());
        assert_eq!(tx.next_deadline(), Some(start + Duration::from_secs(32)));
        assert!(tx.ack(start + Duration::from_millis(10)));
        assert_eq!(
            run(&mut tx, start),
            (vec![], Some((ServerTimer::Ended, 10)))
        );
    }

    #[test]
    fn a_retransmitted_request_gets_the_same_response_and_nothing_after_the_final() {
        let start = Instant::now();
        let mut tx = ServerTransaction::new(ServerKind::NonInvite, false, Timers::default());
        assert_eq!(
            tx.retransmitted(),
            Retransmitted::Absorb,
            "nothing sent yet"
        );
        assert!(tx.respond(start, 200, b"200 OK".to_vec()));
        assert_eq!(tx.retransmitted(), Retransmitted::Resend);
        assert_eq!(tx.last_response(), Some(&b"200 OK"[..]));
        assert!(!tx.respond(start, 500, b"500".to_vec()), "one final only");
        assert_eq!(tx.last_response(), Some(&b"200 OK"[..]));
        // Timer J: 64·T1 on UDP, then forgotten.
        assert_eq!(
            run(&mut tx, start),
            (vec![], Some((ServerTimer::Ended, 32_000)))
        );
        assert_eq!(tx.retransmitted(), Retransmitted::Absorb);
    }

    #[test]
    fn non_invite_on_a_stream_ends_with_its_final() {
        let start = Instant::now();
        let mut tx = ServerTransaction::new(ServerKind::NonInvite, true, Timers::default());
        tx.respond(start, 200, b"200".to_vec());
        assert_eq!(run(&mut tx, start), (vec![], Some((ServerTimer::Ended, 0))));
    }

    #[test]
    fn cancel_window_is_while_proceeding() {
        let start = Instant::now();
        let mut tx = ServerTransaction::new(ServerKind::Invite, false, Timers::default());
        tx.respond(start, 100, b"100".to_vec());
        assert!(tx.is_proceeding());
        assert_eq!(tx.retransmitted(), Retransmitted::Resend, "the 100 again");
        tx.respond(start, 487, b"487".to_vec());
        assert!(!tx.is_proceeding());
        assert_eq!(tx.retransmitted(), Retransmitted::Resend);
        assert_eq!(
            tx.last_response(),
            Some(&b"487"[..]),
            "the 487 replaces the 100"
        );
        assert!(tx.ack(start));
    }
}
