//! When to refresh a binding.
//!
//! The refresh must land before the grant runs out even when it needs a whole
//! transaction timeout (Timer F) and then a challenge round trip. So a long grant is
//! refreshed `timeout + CHALLENGE_ALLOWANCE` before it ends. A short grant, where that
//! margin would be more than half of it, is refreshed at half the grant, which is what
//! RFC 3261 §10.2.4 leaves to the client and most user agents do.

use std::time::Duration;

/// Refreshes are spread over the last part of the computed delay: a client refreshes
/// at a random point between 90 % and 100 % of it, so that clients registered
/// together (a reboot, a bulk run) do not refresh in step. Spreading only ever makes a
/// refresh earlier, never late.
pub const SPREAD: f64 = 0.10;

/// The delay with spread applied; `fraction` is random in [0, 1).
pub fn spread(delay: Duration, fraction: f64) -> Duration {
    delay.mul_f64(1.0 - SPREAD * fraction.clamp(0.0, 1.0))
}

/// Time allowed for answering a challenge after a slow first transaction.
pub const CHALLENGE_ALLOWANCE: Duration = Duration::from_secs(8);

/// Delay from sending the REGISTER that obtained `granted` to sending its refresh.
pub fn refresh_delay(granted: Duration, transaction_timeout: Duration) -> Duration {
    let margin = transaction_timeout + CHALLENGE_ALLOWANCE;
    let half = granted / 2;
    if margin >= half {
        half
    } else {
        granted - margin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: Duration = Duration::from_secs(32);

    fn at(grant: u64) -> u64 {
        refresh_delay(Duration::from_secs(grant), F).as_secs()
    }

    #[test]
    fn long_grants_refresh_a_timeout_and_a_challenge_early() {
        assert_eq!(at(3600), 3600 - 40);
        assert_eq!(at(600), 560);
    }

    #[test]
    fn short_grants_refresh_at_half() {
        assert_eq!(at(10), 5);
        assert_eq!(at(60), 30);
        assert_eq!(at(80), 40);
        assert_eq!(at(1), 0);
    }

    #[test]
    fn spread_only_makes_refreshes_earlier() {
        let d = Duration::from_secs(3560);
        assert_eq!(spread(d, 0.0), d);
        assert_eq!(spread(d, 1.0), Duration::from_secs(3204));
        assert!(spread(d, 0.5) < d);
    }

    #[test]
    fn every_refresh_has_room_for_a_timeout_or_is_at_half() {
        for grant in 1..5000u64 {
            let d = at(grant);
            assert!(d < grant.max(1), "grant {grant} refreshed at {d}");
            assert!(grant - d >= 40 || d == grant / 2, "grant {grant}: {d}");
        }
    }
}
