//! Reads `--ramp FROM..TO/s over DURATION` (e.g. `0..5000/s over 60s`,
//! `100..2000/s over 2m`); the schedule itself is `core::endpoint::ramp`.
//!
//! The form follows how load-test tools write a ramp (k6's stages, Locust's spawn
//! rate): two rates and how long the change takes. `/s` may be left out; the rates
//! are new transactions per second, as `--rate`'s.

use super::error::BulkError;
use crate::core::endpoint::ramp::Ramp;

const FORM: &str = "write FROM..TO/s over DURATION, e.g. 0..5000/s over 60s";

/// `--ramp`'s text as a ramp.
pub fn parse(text: &str) -> Result<Ramp, BulkError> {
    let bad = |why: String| BulkError::Ramp {
        text: text.to_string(),
        why,
    };
    let (rates, duration) = text
        .split_once(" over ")
        .ok_or_else(|| bad(format!("no duration: {FORM}")))?;
    let rates = rates.trim();
    let rates = rates.strip_suffix("/s").unwrap_or(rates);
    let (from, to) = rates
        .split_once("..")
        .ok_or_else(|| bad(format!("two rates are needed: {FORM}")))?;
    let number = |s: &str| s.trim().parse::<f64>().ok();
    let (Some(from), Some(to)) = (number(from), number(to)) else {
        return Err(bad(format!("the rates must be numbers: {FORM}")));
    };
    let over =
        crate::cli::parse_duration(duration).map_err(|e| bad(format!("the duration: {e}")))?;
    Ramp::new(from, to, over).map_err(|e| bad(format!("{e}: {FORM}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn reads_the_usual_forms() {
        let r = parse("0..5000/s over 60s").unwrap();
        assert_eq!(
            (r.from(), r.to(), r.over()),
            (0.0, 5000.0, Duration::from_secs(60))
        );
        let r = parse(" 100 .. 2000 /s over 2m").unwrap();
        assert_eq!(
            (r.from(), r.to(), r.over()),
            (100.0, 2000.0, Duration::from_secs(120))
        );
        let r = parse("0.5..20 over 90").unwrap();
        assert_eq!(
            (r.from(), r.to(), r.over()),
            (0.5, 20.0, Duration::from_secs(90))
        );
        let r = parse("10..1000/s over 1m 30s").unwrap();
        assert_eq!(r.over(), Duration::from_secs(90));
    }

    #[test]
    fn says_what_to_fix() {
        for (text, says) in [
            ("0..5000/s", "no duration"),
            ("5000/s over 60s", "two rates"),
            ("a..5000/s over 60s", "must be numbers"),
            ("0..5000/s over soon", "the duration"),
            ("0..0/s over 60s", "end rate must be a number above 0"),
            ("-5..100/s over 60s", "start rate must be"),
            ("0..100/s over 0s", "longer than 0 s"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--ramp {text:?}: ")), "{e}");
            assert!(e.contains(says), "{text}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
