//! The one-line live status of a staying registration on a terminal.

use crate::core::Standing;
use std::time::{Duration, Instant};

fn short(d: Duration) -> String {
    // Whole seconds: the line is redrawn every second, sub-second noise only flickers.
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

/// `registered · expires in 59m 20s · refresh in 58m 40s`, and the like.
pub fn status_text(standing: Standing, now: Instant) -> String {
    match standing {
        Standing::Busy => "registering…".into(),
        Standing::Registered {
            expires_at,
            refresh_at,
        } => format!(
            "registered · expires in {} · refresh in {}",
            short(expires_at.saturating_duration_since(now)),
            short(refresh_at.saturating_duration_since(now))
        ),
        Standing::Waiting { retry_at } => format!(
            "not registered · next attempt in {}",
            short(retry_at.saturating_duration_since(now))
        ),
        Standing::Idle => "not registered".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_sentence() {
        let now = Instant::now();
        let s = status_text(
            Standing::Registered {
                expires_at: now + Duration::from_millis(3_599_400),
                refresh_at: now + Duration::from_secs(3559),
            },
            now,
        );
        assert_eq!(s, "registered · expires in 59m 59s · refresh in 59m 19s");
        let w = status_text(
            Standing::Waiting {
                retry_at: now + Duration::from_secs(45),
            },
            now,
        );
        assert_eq!(w, "not registered · next attempt in 45s");
    }
}
