//! `--rate N`: new transactions evenly spaced, 1/N apart, rather than in bursts.
//!
//! The event loop asks `try_take` whenever it runs and sleeps until `next_start`
//! otherwise. Its timer has a resolution of one millisecond, so at rates above 1000/s
//! a wake-up starts the few transactions whose slots fell within that millisecond.
//! When the loop falls further behind than `slack` (it was busy, or the concurrency
//! cap held starts back), the missed slots are dropped instead of being made up in a
//! burst; the achieved rate in the summary then shows the shortfall.
//!
//! `--ramp`: the slots follow the ramp's schedule (`ramp`) from the first start on,
//! counted by their position in it, and the same slack applies (a lagging loop skips
//! to where the schedule is, rather than starting the missed slots at once). Once the
//! ramp is over, its end rate is an even rate like any other.

use super::ramp::Ramp;
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
    /// A ramp still under way; None once it is over (or without one).
    ramping: Option<Ramping>,
}

#[derive(Debug, Clone)]
struct Ramping {
    ramp: Ramp,
    /// The first start: the ramp's time 0.
    origin: Option<Instant>,
    /// The position in the ramp's schedule of the next slot (fractional after
    /// skipping).
    position: f64,
}

impl Pacer {
    /// `rate` transactions per second; must be positive (checked by the caller).
    pub fn new(rate: f64) -> Pacer {
        let interval = Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::ZERO);
        Pacer {
            interval,
            slack: interval.max(MIN_SLACK),
            next: None,
            ramping: None,
        }
    }

    /// Slots on `ramp`'s schedule from the first start on, then evenly at its end rate.
    pub fn ramp(ramp: Ramp) -> Pacer {
        Pacer {
            ramping: Some(Ramping {
                ramp,
                origin: None,
                position: 0.0,
            }),
            ..Pacer::new(ramp.to())
        }
    }

    /// Takes the slot of one new transaction if one is due at `now`.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let due = self.next.unwrap_or(now);
        if now < due {
            return false;
        }
        if let Some(r) = &mut self.ramping {
            let origin = *r.origin.get_or_insert(now);
            let at = |position: f64| later(origin, r.ramp.time_of(position));
            // As with an even rate, a lag of up to one slot (or MIN_SLACK) is made up.
            let slack = at(r.position + 1.0)
                .saturating_duration_since(at(r.position))
                .max(MIN_SLACK);
            if now.duration_since(due) > slack {
                let from = (now - slack).saturating_duration_since(origin);
                r.position = r.ramp.starts_by(from.as_secs_f64());
            }
            r.position += 1.0;
            let next = at(r.position);
            self.next = Some(next);
            if next >= later(origin, r.ramp.over().as_secs_f64()) {
                // From the first slot after the ramp on: the end rate, evenly.
                self.ramping = None;
            }
            return true;
        }
        let from = if now.duration_since(due) > self.slack {
            now - self.slack
        } else {
            due
        };
        self.next = Some(from + self.interval);
        true
    }

    /// The time between two starts (on a ramp: between the next two).
    pub fn interval(&self) -> Duration {
        match &self.ramping {
            Some(r) => secs(r.ramp.time_of(r.position + 1.0) - r.ramp.time_of(r.position)),
            None => self.interval,
        }
    }

    /// When the next slot opens (None: now).
    pub fn next_start(&self) -> Option<Instant> {
        self.next
    }
}

/// Seconds as a Duration; never panics (a negative rounding error is 0).
fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// `s` seconds after `origin`; a slot beyond what an Instant holds (a rate of nearly
/// nothing) is a century away instead of a panic.
fn later(origin: Instant, s: f64) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 86_400);
    origin
        .checked_add(secs(s))
        .unwrap_or_else(|| origin + CENTURY)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts taken at `rate` over `total`, asking every `step`, always wanting more.
    fn starts(rate: f64, step: Duration, total: Duration) -> Vec<Duration> {
        starts_on(Pacer::new(rate), step, total)
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

    /// Starts taken on `pacer` over `total`, asking every `step`, always wanting more.
    fn starts_on(mut p: Pacer, step: Duration, total: Duration) -> Vec<Duration> {
        let t0 = Instant::now();
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

    /// Starts taken when the loop wakes exactly at each slot, as it does below 1000/s.
    fn starts_at_slots(mut p: Pacer, total: Duration) -> Vec<Duration> {
        let t0 = Instant::now();
        let mut taken = Vec::new();
        let mut now = t0;
        while now < t0 + total {
            assert!(p.try_take(now), "the slot of {:?} was due", now - t0);
            taken.push(now - t0);
            now = p.next_start().expect("a next slot");
        }
        taken
    }

    fn ramp(from: f64, to: f64, secs: u64) -> Ramp {
        Ramp::new(from, to, Duration::from_secs(secs)).unwrap()
    }

    /// Starts in each whole second [s, s+1) of the first `seconds`.
    fn per_second(starts: &[Duration], seconds: u64) -> Vec<usize> {
        (0..seconds)
            .map(|s| {
                let window = Duration::from_secs(s)..Duration::from_secs(s + 1);
                starts.iter().filter(|t| window.contains(t)).count()
            })
            .collect()
    }

    #[test]
    fn a_ramp_from_zero_follows_the_integral_each_second_then_holds_its_end_rate() {
        let r = ramp(0.0, 1000.0, 10);
        let s = starts_at_slots(Pacer::ramp(r), Duration::from_secs(13));
        // The first start does not wait for the rate to rise: it is at 0.
        assert_eq!(s[0], Duration::ZERO);
        // At 100/s² the second comes when 50·t² reaches 1.
        let second = s[1].as_secs_f64();
        assert!((second - (1.0f64 / 50.0).sqrt()).abs() < 1e-6, "{second}");
        let counts = per_second(&s, 13);
        for (sec, &n) in counts.iter().enumerate() {
            let sec = sec as f64;
            let expected = r.starts_by(sec + 1.0) - r.starts_by(sec);
            assert!(
                (n as f64 - expected).abs() <= 1.0,
                "second {sec}: {n} starts, the integral says {expected}; all: {counts:?}"
            );
        }
        // 5000 during the ramp (the one at 0 included: the 5001st is at 10 s), then
        // 1000 a second.
        assert_eq!(counts[..10].iter().sum::<usize>(), 5000);
        assert_eq!(&counts[10..], &[1000, 1000, 1000]);
        // After the ramp: exactly 1 ms apart.
        let after: Vec<&Duration> = s.iter().filter(|t| **t > Duration::from_secs(10)).collect();
        for pair in after.windows(2) {
            assert_eq!(*pair[1] - *pair[0], Duration::from_millis(1));
        }
        // Gaps shrink all through the ramp: the rate only rises.
        let during: Vec<&Duration> = s
            .iter()
            .filter(|t| **t <= Duration::from_secs(10))
            .collect();
        for w in during.windows(3) {
            assert!(*w[2] - *w[1] <= *w[1] - *w[0], "{w:?}");
        }
    }

    #[test]
    fn a_ramp_keeps_to_its_integral_at_millisecond_wakeups() {
        // The loop ticks every millisecond above 1000/s: several slots per wake-up.
        let r = ramp(100.0, 5000.0, 4);
        let s = starts_on(
            Pacer::ramp(r),
            Duration::from_millis(1),
            Duration::from_secs(6),
        );
        let counts = per_second(&s, 6);
        for (sec, &n) in counts.iter().enumerate() {
            // A slot is taken at the first wake-up at or after it: those of the
            // millisecond before each second's start are counted in it.
            let sec = sec as f64 - 0.001;
            let expected = r.starts_by(sec + 1.0) - r.starts_by(sec);
            assert!(
                (n as f64 - expected).abs() <= 1.0,
                "second {sec}: {n} starts, the integral says {expected}; all: {counts:?}"
            );
        }
    }

    #[test]
    fn a_ramp_reports_its_current_interval() {
        let mut p = Pacer::ramp(ramp(0.0, 2000.0, 2));
        let t0 = Instant::now();
        // Before the first start: the gap to the second, 1/sqrt(500) s.
        assert!(p.interval() > Duration::from_millis(40));
        assert!(p.try_take(t0));
        let mut now = t0;
        while now < t0 + Duration::from_secs(3) {
            now = p.next_start().unwrap();
            assert!(p.try_take(now));
        }
        // At the end rate, below the loop's 1 ms tick.
        assert_eq!(p.interval(), Duration::from_micros(500));
    }

    #[test]
    fn a_stall_during_a_ramp_is_not_made_up_in_a_burst() {
        let t0 = Instant::now();
        let mut p = Pacer::ramp(ramp(1000.0, 1000.0, 60));
        assert!(p.try_take(t0));
        let later = t0 + Duration::from_secs(1);
        let mut burst = 0;
        while p.try_take(later) {
            burst += 1;
        }
        assert_eq!(burst, 6, "only the slack (5 ms) is made up");
        // And the schedule goes on from where the ramp is now.
        let next = p.next_start().unwrap() - t0;
        assert!(next > Duration::from_secs(1), "{next:?}");
        assert!(next <= Duration::from_millis(1001), "{next:?}");
    }
}
