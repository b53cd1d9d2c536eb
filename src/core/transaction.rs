//! The non-INVITE client transaction of RFC 3261 §17.1.2, without I/O: it is told the
//! time and what arrived, and says what to send and when it next needs the clock.

use std::time::{Duration, Instant};

/// RFC 3261 timer values. `timeout` is Timer F: 64·T1 unless the user chose otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    pub t1: Duration,
    pub t2: Duration,
    pub timeout: Duration,
}

impl Default for Timers {
    fn default() -> Timers {
        let t1 = Duration::from_millis(500);
        Timers {
            t1,
            t2: Duration::from_secs(4),
            timeout: t1 * 64,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Sent, nothing heard: retransmit on Timer E (doubling up to T2).
    Trying,
    /// A provisional response arrived: retransmit every T2 (§17.1.2.2).
    Proceeding,
    /// A final response arrived or Timer F fired: nothing more to do.
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerOutcome {
    /// Send the request again.
    Retransmit,
    /// Timer F fired before a final response.
    TimedOut,
}

#[derive(Debug, Clone)]
pub struct ClientTransaction {
    pub branch: String,
    pub cseq: u32,
    pub started: Instant,
    timers: Timers,
    state: State,
    interval: Duration,
    next_retransmit: Option<Instant>,
    deadline: Instant,
    pub retransmissions: u32,
}

impl ClientTransaction {
    pub fn new(
        branch: String,
        cseq: u32,
        now: Instant,
        timers: Timers,
        reliable: bool,
    ) -> ClientTransaction {
        // Reliable transports (TCP, TLS, WS) never retransmit: Timer E is UDP only
        // (§17.1.2.2); Timer F applies to all.
        ClientTransaction {
            branch,
            cseq,
            started: now,
            timers,
            state: State::Trying,
            interval: timers.t1,
            next_retransmit: (!reliable).then(|| now + timers.t1),
            deadline: now + timers.timeout,
            retransmissions: 0,
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The next instant this transaction needs to be woken, if any.
    pub fn next_deadline(&self) -> Option<Instant> {
        match self.state {
            State::Done => None,
            _ => Some(match self.next_retransmit {
                Some(r) => r.min(self.deadline),
                None => self.deadline,
            }),
        }
    }

    pub fn on_timer(&mut self, now: Instant) -> Option<TimerOutcome> {
        if self.state == State::Done {
            return None;
        }
        if now >= self.deadline {
            self.state = State::Done;
            self.next_retransmit = None;
            return Some(TimerOutcome::TimedOut);
        }
        match self.next_retransmit {
            Some(at) if now >= at => {
                self.interval = match self.state {
                    State::Proceeding => self.timers.t2,
                    _ => (self.interval * 2).min(self.timers.t2),
                };
                self.next_retransmit = Some(now + self.interval);
                self.retransmissions += 1;
                Some(TimerOutcome::Retransmit)
            }
            _ => None,
        }
    }

    /// A response matched this transaction. Returns true when it is the final one.
    pub fn on_response(&mut self, status: u16) -> bool {
        if self.state == State::Done {
            return false;
        }
        if status >= 200 {
            self.state = State::Done;
            self.next_retransmit = None;
            return true;
        }
        // Timer E keeps its current schedule; from its next firing on it is reset
        // to T2 instead of doubling (§17.1.2.2).
        if self.state == State::Trying {
            self.state = State::Proceeding;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives the transaction to its end, returning the offsets (ms) of every
    /// retransmission and of the timeout.
    fn run(mut tx: ClientTransaction, start: Instant) -> (Vec<u128>, Option<u128>) {
        let mut sends = Vec::new();
        while let Some(at) = tx.next_deadline() {
            match tx.on_timer(at) {
                Some(TimerOutcome::Retransmit) => sends.push((at - start).as_millis()),
                Some(TimerOutcome::TimedOut) => return (sends, Some((at - start).as_millis())),
                None => {}
            }
        }
        (sends, None)
    }

    #[test]
    fn timer_e_doubles_to_t2_and_timer_f_ends_at_64_t1() {
        let start = Instant::now();
        let tx = ClientTransaction::new("b".into(), 1, start, Timers::default(), false);
        let (sends, timeout) = run(tx, start);
        assert_eq!(
            sends,
            vec![500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
        );
        assert_eq!(timeout, Some(32_000));
    }

    #[test]
    fn reliable_transport_never_retransmits() {
        let start = Instant::now();
        let tx = ClientTransaction::new("b".into(), 1, start, Timers::default(), true);
        assert_eq!(run(tx, start), (vec![], Some(32_000)));
    }

    #[test]
    fn custom_timeout_overrides_timer_f() {
        let start = Instant::now();
        let timers = Timers {
            timeout: Duration::from_secs(2),
            ..Timers::default()
        };
        let tx = ClientTransaction::new("b".into(), 1, start, timers, false);
        assert_eq!(run(tx, start), (vec![500, 1500], Some(2000)));
    }

    #[test]
    fn provisional_switches_to_t2_and_final_stops() {
        let start = Instant::now();
        let mut tx = ClientTransaction::new("b".into(), 1, start, Timers::default(), false);
        assert!(!tx.on_response(100));
        let first = start + Duration::from_millis(500);
        assert_eq!(tx.next_deadline(), Some(first));
        assert_eq!(tx.on_timer(first), Some(TimerOutcome::Retransmit));
        assert_eq!(tx.next_deadline(), Some(first + Duration::from_secs(4)));
        assert!(tx.on_response(200));
        assert!(tx.is_done());
        assert_eq!(tx.next_deadline(), None);
        assert!(
            !tx.on_response(200),
            "a retransmitted final is not final again"
        );
    }
}
