//! A steady tick for the event loop while it paces at 1000 transactions a second or
//! more: the loop wakes once per tick, reads everything that arrived, and starts what
//! is due, instead of waking once per datagram.
//!
//! A few tokio timers leapfrog, one tick apart. Re-arming a timer that has just
//! fired for the tick after the last one still pending puts it *behind* a timer the
//! runtime already sleeps for. A single timer re-armed after it fired would be the
//! runtime's earliest deadline each time, and tokio wakes its own driver for that (a
//! write to an eventfd and one more `epoll_wait` per tick). With `TIMERS` of them, a
//! loop that wakes up to `TIMERS - 2` ticks late still finds one pending. Being tokio
//! timers, they follow `tokio::time::pause` in tests.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::time::Sleep;

/// One tick: the resolution of tokio's timer wheel.
pub const TICK: Duration = Duration::from_millis(1);

/// Timers in the ring.
const TIMERS: usize = 4;

pub struct Ticker {
    timers: [Pin<Box<Sleep>>; TIMERS],
    /// Each timer's deadline while it is armed for a tick not yet taken.
    armed: [Option<Instant>; TIMERS],
}

impl Ticker {
    pub fn new(now: Instant) -> Ticker {
        Ticker {
            // Never polled before `start` arms them.
            timers: std::array::from_fn(|_| Box::pin(tokio::time::sleep_until(now.into()))),
            armed: [None; TIMERS],
        }
    }

    pub fn is_running(&self) -> bool {
        self.armed.iter().any(Option::is_some)
    }

    /// Ticks from `now` on: the first one `TICK` later.
    pub fn start(&mut self, now: Instant) {
        if !self.is_running() {
            self.rearm(now);
        }
    }

    /// The timers stay in tokio's wheel until their deadlines; a wake-up they cause
    /// then finds nothing armed and the loop sleeps on.
    pub fn stop(&mut self) {
        self.armed = [None; TIMERS];
    }

    /// Ready once per tick, however many timers fired since the last call (a late
    /// loop gets one tick, not a burst of them).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>, now: Instant) -> Poll<()> {
        let mut fired = false;
        for (timer, armed) in self.timers.iter_mut().zip(self.armed.iter_mut()) {
            if armed.is_some() && timer.as_mut().poll(cx).is_ready() {
                *armed = None;
                fired = true;
            }
        }
        if !fired {
            return Poll::Pending;
        }
        self.rearm(now);
        Poll::Ready(())
    }

    /// Arms every idle timer for the ticks after the last one still pending (or
    /// after `now`). They register their waker when next polled.
    fn rearm(&mut self, now: Instant) {
        let mut last = self
            .armed
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(now)
            .max(now);
        for (timer, armed) in self.timers.iter_mut().zip(self.armed.iter_mut()) {
            if armed.is_none() {
                last += TICK;
                timer.as_mut().reset(last.into());
                *armed = Some(last);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;

    fn now() -> Instant {
        tokio::time::Instant::now().into_std()
    }

    #[tokio::test(start_paused = true)]
    async fn ticks_once_a_millisecond_while_running() {
        let t0 = now();
        let mut ticker = Ticker::new(t0);
        ticker.start(t0);
        let mut at = Vec::new();
        for _ in 0..10 {
            poll_fn(|cx| ticker.poll_tick(cx, now())).await;
            at.push(now() - t0);
        }
        let expected: Vec<Duration> = (1..=10).map(|k| TICK * k).collect();
        assert_eq!(at, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_loop_gets_one_tick_not_a_burst_of_them() {
        let t0 = now();
        let mut ticker = Ticker::new(t0);
        ticker.start(t0);
        // The loop was busy for 5 ms: both timers fired meanwhile.
        tokio::time::advance(Duration::from_millis(5)).await;
        poll_fn(|cx| ticker.poll_tick(cx, now())).await;
        assert_eq!(now() - t0, Duration::from_millis(5));
        poll_fn(|cx| ticker.poll_tick(cx, now())).await;
        assert_eq!(now() - t0, Duration::from_millis(6));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stopped_ticker_never_fires() {
        let t0 = now();
        let mut ticker = Ticker::new(t0);
        ticker.start(t0);
        ticker.stop();
        assert!(!ticker.is_running());
        let woke = tokio::time::timeout(
            Duration::from_secs(1),
            poll_fn(|cx| ticker.poll_tick(cx, now())),
        )
        .await;
        assert!(woke.is_err(), "no tick after stop");
    }
}
