//! How long to wait before trying again after a failure (RFC 5626 §4.5).
//!
//! wait = min(max, base · 2^failures), then a random point between 50 % and 100 % of
//! it, so that many clients that failed together do not come back together. With one
//! flow and nothing working the RFC's base is 30 s and its cap 1800 s.

use std::time::Duration;

pub const BASE: Duration = Duration::from_secs(30);
pub const CAP: Duration = Duration::from_secs(1800);

/// The upper bound of the wait after `failures` consecutive failures (1 or more).
pub fn ceiling(failures: u32) -> Duration {
    let factor = 1u64 << failures.clamp(1, 16);
    (BASE * u32::try_from(factor).unwrap_or(u32::MAX)).min(CAP)
}

/// The wait itself: `ceiling` scaled by `fraction`, a random number in [0.5, 1.0].
pub fn wait(failures: u32, fraction: f64) -> Duration {
    ceiling(failures).mul_f64(fraction.clamp(0.5, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_60_and_caps_at_1800() {
        let secs: Vec<u64> = (1..=8).map(|n| ceiling(n).as_secs()).collect();
        assert_eq!(secs, [60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(ceiling(1000), CAP, "no overflow on long outages");
    }

    #[test]
    fn spread_is_between_half_and_all() {
        assert_eq!(wait(1, 0.0), Duration::from_secs(30));
        assert_eq!(wait(1, 0.75), Duration::from_secs(45));
        assert_eq!(wait(1, 1.0), Duration::from_secs(60));
    }
}
