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

/// The status cut to fit a terminal `columns` wide, with `…` where it was cut. It
/// leaves the last column free: a line that fills it wraps on many terminals, and a
/// wrapped line is not cleared by the next redraw, leaving one line per second behind.
pub fn fit(text: &str, columns: usize) -> String {
    let room = columns.saturating_sub(1);
    if text.chars().count() <= room {
        return text.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let mut cut: String = text.chars().take(room - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_terminal_gets_a_cut_line_that_never_reaches_the_last_column() {
        let text = "registered · expires in 59m 59s · refresh in 59m 19s";
        assert_eq!(fit(text, 80), text);
        assert_eq!(fit(text, text.chars().count() + 1), text);
        let cut = fit(text, 30);
        assert_eq!(cut, "registered · expires in 59m …");
        assert_eq!(cut.chars().count(), 29);
        assert_eq!(fit(text, 2), "…");
        assert_eq!(fit(text, 1), "");
        assert_eq!(fit(text, 0), "");
    }

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
