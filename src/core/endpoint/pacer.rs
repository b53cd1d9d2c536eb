//! `--rate N`: new transactions evenly spaced, 1/N apart, rather than in bursts.
//!
//! The event loop asks `try_take` whenever it runs and sleeps until `next_start`
//! otherwise. Its timer has a resolution of one millisecond, so at rates above 1000/s
//! a wake-up starts the few transactions whose slots fell within that millisecond.
//! When the loop falls further behind than `slack` (it was busy, or the concurrency
//! cap held starts back), the missed slots are dropped instead of being made up in a
//! burst; the achieved rate in the summary then shows the shortfall.

use std::time::{Duration, Instant};

/// The longest lag that is still made up; beyond it, slots are dropped. The loop's
/// timer wakes it up to a millisecond or two late, and a batch of responses can take
/// as long again: a smaller slack would lose slots at high rates.
const MIN_SLACK: Duration = Duration::from_millis(5);

#[derive(Debug, Clone)]
pub struct Pacer {
    interval: Duration,
    slack: Duration,
    next: Option<Instant>,
}

impl Pacer {
    /// `rate` transactions per second; must be positive (checked by the caller).
    pub fn new(rate: f64) -> Pacer {
        let interval = Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::ZERO);
        Pacer {
            interval,
            slack: interval.max(MIN_SLACK),
            next: None,
        }
    }

    /// Takes the slot of one new transaction if one is due at `now`.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let due = self.next.unwrap_or(now);
        if now < due {
            return false;
        }
        let from = if now.duration_since(due) > self.slack {
            now - self.slack
        } else {
            due
        };
        self.next = Some(from + self.interval);
        true
    }

    /// The time between two starts.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// When the next slot opens (None: now).
    pub fn next_start(&self) -> Option<Instant> {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts taken over `total`, asking every `step`, always wanting more.
    fn starts(rate: f64, step: Duration, total: Duration) -> Vec<Duration> {
        let t0 = Instant::now();
        let mut p = Pacer::new(rate);
        let mut taken = Vec::new();
        let mut now = t0;
        while now < t0 + total {
            while p.try_take(now) {
                taken.push(now - t0);
            }
            now += step;
        }
        taken
    }

    #[test]
    fn evenly_spaced_when_asked_often() {
        let s = starts(100.0, Duration::from_millis(1), Duration::from_secs(1));
        assert_eq!(s.len(), 100);
        for pair in s.windows(2) {
            assert_eq!(pair[1] - pair[0], Duration::from_millis(10));
        }
    }

    #[test]
    fn high_rates_keep_their_average_at_millisecond_wakeups() {
        let s = starts(8000.0, Duration::from_millis(1), Duration::from_secs(1));
        assert!((7990..=8010).contains(&s.len()), "{}", s.len());
        // no wake-up starts more than the slots of one millisecond and the slack
        let mut per_wakeup = std::collections::BTreeMap::new();
        for t in &s {
            *per_wakeup.entry(*t).or_insert(0) += 1;
        }
        assert!(per_wakeup.values().all(|&n| n <= 9), "{per_wakeup:?}");
    }

    #[test]
    fn a_long_stall_is_not_made_up_in_a_burst() {
        let t0 = Instant::now();
        let mut p = Pacer::new(1000.0);
        assert!(p.try_take(t0));
        let later = t0 + Duration::from_secs(1);
        let mut burst = 0;
        while p.try_take(later) {
            burst += 1;
        }
        assert_eq!(burst, 6, "only the slack (5 ms) is made up");
    }
}
