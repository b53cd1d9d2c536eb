//! Pass/fail thresholds of a load test (`--expect-success-rate 99.9%`,
//! `--expect-p99 50ms`, `--expect-rate 500/s`, …), checked on one run's summary or on
//! the merged summary of its shards; each unmet one is a line and exit status 6, as
//! the single-AOR `--expect-*` options are.

use super::report::Report;
use serde_json::{json, Value};
use std::time::Duration;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thresholds {
    /// Percent of the population that must succeed.
    pub success_rate: Option<f64>,
    pub p50: Option<Duration>,
    pub p90: Option<Duration>,
    pub p99: Option<Duration>,
    pub max: Option<Duration>,
    /// Main operations started per second, at least.
    pub rate: Option<f64>,
}

/// One threshold, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// `success-rate`, `p50`, `p90`, `p99`, `max` or `rate`.
    pub name: &'static str,
    pub met: bool,
    /// What was asked and what was found, as a sentence.
    pub message: String,
}

impl Check {
    pub fn json(&self) -> Value {
        json!({"check": self.name, "met": self.met, "message": self.message})
    }
}

impl Thresholds {
    pub fn is_empty(&self) -> bool {
        *self == Thresholds::default()
    }

    pub fn check(&self, r: &Report) -> Vec<Check> {
        let mut checks = Vec::new();
        if let Some(want) = self.success_rate {
            let check = match r.success_rate() {
                Some(got) => Check {
                    name: "success-rate",
                    met: got >= want,
                    message: format!(
                        "success rate {} % ({} of {} AORs), asked at least {} %",
                        trim(got),
                        r.succeeded,
                        r.population,
                        trim(want)
                    ),
                },
                None => Check {
                    name: "success-rate",
                    met: false,
                    message: "success rate: no AOR in the population".into(),
                },
            };
            checks.push(check);
        }
        let figures = r.latencies.figures();
        let latency = [
            ("p50", self.p50, figures.as_ref().map(|l| l.p50)),
            ("p90", self.p90, figures.as_ref().map(|l| l.p90)),
            ("p99", self.p99, figures.as_ref().map(|l| l.p99)),
            ("max", self.max, figures.as_ref().map(|l| l.max)),
        ];
        for (name, want, got) in latency {
            let Some(want) = want else { continue };
            let want_ms = want.as_secs_f64() * 1000.0;
            checks.push(match got {
                Some(got) => Check {
                    name,
                    met: got <= want_ms,
                    message: format!(
                        "{name} latency {} ms, asked at most {} ms",
                        trim(got),
                        trim(want_ms)
                    ),
                },
                None => Check {
                    name,
                    met: false,
                    message: format!("{name} latency: no operation completed to measure"),
                },
            });
        }
        if let Some(want) = self.rate {
            checks.push(match r.start_rate() {
                Some(got) => Check {
                    name: "rate",
                    met: got >= want,
                    message: format!(
                        "rate {}/s, asked at least {}/s",
                        trim((got * 10.0).round() / 10.0),
                        trim(want)
                    ),
                },
                None => Check {
                    name: "rate",
                    met: false,
                    message: "rate: fewer than two starts, no rate to measure".into(),
                },
            });
        }
        checks
    }
}

/// A figure without trailing zeros: 99.9, 50, 0.25.
fn trim(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `99.9%` or `99.9`: a percentage from 0 to 100.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    let number = s.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{s:?} is not a percentage from 0 to 100, e.g. 99.9%"
        )),
    }
}

/// `500/s` or `500`: operations per second, above zero.
pub fn parse_rate(s: &str) -> Result<f64, String> {
    let number = s.trim().trim_end_matches("/s").trim();
    match number.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("{s:?} is not a rate, e.g. 500/s")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(succeeded: u64, population: u64, samples_ms: &[u64]) -> Report {
        let mut r = Report {
            population,
            succeeded,
            attempted: population,
            first_start_unix: Some(1000.0),
            last_start_unix: Some(1010.0),
            ..Report::default()
        };
        for ms in samples_ms {
            r.latencies.record(Duration::from_millis(*ms));
        }
        r
    }

    #[test]
    fn each_threshold_is_met_or_says_why_not() {
        let r = report(999, 1000, &[10, 20, 30, 40, 100]);
        let t = Thresholds {
            success_rate: Some(99.9),
            p50: Some(Duration::from_millis(31)),
            p99: Some(Duration::from_millis(50)),
            rate: Some(200.0),
            ..Thresholds::default()
        };
        let checks = t.check(&r);
        let met: Vec<(&str, bool)> = checks.iter().map(|c| (c.name, c.met)).collect();
        assert_eq!(
            met,
            [
                ("success-rate", true),
                ("p50", true),
                ("p99", false),
                ("rate", false)
            ]
        );
        assert_eq!(
            checks[0].message,
            "success rate 99.9 % (999 of 1000 AORs), asked at least 99.9 %"
        );
        assert_eq!(
            checks[2].message,
            "p99 latency 100.031 ms, asked at most 50 ms"
        );
        assert_eq!(checks[3].message, "rate 99.9/s, asked at least 200/s");
    }

    #[test]
    fn nothing_measured_is_unmet() {
        let r = report(0, 0, &[]);
        let t = Thresholds {
            success_rate: Some(50.0),
            max: Some(Duration::from_secs(1)),
            ..Thresholds::default()
        };
        assert!(t.check(&r).iter().all(|c| !c.met));
    }

    #[test]
    fn parses_percent_and_rate() {
        assert_eq!(parse_percent("99.9%"), Ok(99.9));
        assert_eq!(parse_percent("100"), Ok(100.0));
        assert!(parse_percent("101%").is_err());
        assert!(parse_percent("lots").is_err());
        assert_eq!(parse_rate("500/s"), Ok(500.0));
        assert_eq!(parse_rate("2.5"), Ok(2.5));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("-3").is_err());
    }
}
