//! Expectation options (`--expect-…`) of `register --once` and `query`: checks of
//! the final response a script can rely on (exit status 6 when one fails).

use crate::cli::ExpectArgs;
use crate::core::{Binding, OpKind, Outcome};
use crate::error::{Error, Result};
use crate::output::Check;
use crate::settings::parse_uri_arg;
use crate::sip::SipUri;
use serde_json::{json, Value};
use std::time::Duration;

/// `--expect-bindings N`, `>=N` or `<=N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountCheck {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

impl CountCheck {
    pub fn parse(text: &str) -> Result<CountCheck> {
        let t = text.trim();
        let (make, digits): (fn(usize) -> CountCheck, &str) = if let Some(n) = t.strip_prefix(">=")
        {
            (CountCheck::AtLeast, n)
        } else if let Some(n) = t.strip_prefix("<=") {
            (CountCheck::AtMost, n)
        } else {
            (CountCheck::Exactly, t)
        };
        digits.trim().parse::<usize>().map(make).map_err(|_| {
            Error::Usage(format!(
                "--expect-bindings {text:?}: give a number of bindings as N, >=N or <=N (e.g. 1, >=2, <=0)"
            ))
        })
    }

    pub fn holds(self, count: usize) -> bool {
        match self {
            CountCheck::Exactly(n) => count == n,
            CountCheck::AtLeast(n) => count >= n,
            CountCheck::AtMost(n) => count <= n,
        }
    }
}

impl std::fmt::Display for CountCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CountCheck::Exactly(n) => write!(f, "{n}"),
            CountCheck::AtLeast(n) => write!(f, ">={n}"),
            CountCheck::AtMost(n) => write!(f, "<={n}"),
        }
    }
}

/// What came back from the registrar, for checking.
pub enum Answer<'a> {
    /// A 2xx: the completed operation.
    Completed(&'a Outcome),
    /// The operation failed: with the final status and reason, when one came.
    Failed { status: Option<(u16, String)> },
}

/// The expectations of one command, read and checked before anything is sent.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    pub status: Option<u16>,
    bindings: Option<CountCheck>,
    contact: Option<(String, SipUri)>,
    expires_at_least: Option<Duration>,
    /// `--expect-reachable`: probe after registering (`Outcome::reachability`).
    pub reachable: bool,
}

impl Expectations {
    pub fn from_args(args: &ExpectArgs) -> Result<Expectations> {
        if let Some(code) = args.expect_status {
            if !(100..=699).contains(&code) {
                return Err(Error::Usage(format!(
                    "--expect-status {code}: a SIP status code is from 100 to 699 (e.g. 200, 403)"
                )));
            }
        }
        Ok(Expectations {
            status: args.expect_status,
            bindings: args
                .expect_bindings
                .as_deref()
                .map(CountCheck::parse)
                .transpose()?,
            contact: args
                .expect_contact
                .as_deref()
                .map(|c| parse_uri_arg("--expect-contact", c).map(|uri| (c.to_string(), uri)))
                .transpose()?,
            expires_at_least: args.expect_expires_at_least,
            reachable: args.expect_reachable,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.bindings.is_none()
            && self.contact.is_none()
            && self.expires_at_least.is_none()
            && !self.reachable
    }

    /// Every expectation checked against the answer, in the order of the options.
    pub fn check(&self, answer: &Answer<'_>) -> Vec<Check> {
        let bindings: &[Binding] = match answer {
            Answer::Completed(o) => &o.bindings,
            Answer::Failed { .. } => &[],
        };
        let mut checks = Vec::new();
        if let Some(code) = self.status {
            checks.push(status_check(code, answer));
        }
        if let Some(count) = self.bindings {
            checks.push(bindings_check(count, bindings));
        }
        let matching = self
            .contact
            .as_ref()
            .map(|(_, uri)| bindings.iter().find(|b| same_contact(b, uri)));
        if let Some((text, _)) = &self.contact {
            checks.push(contact_check(text, bindings, matching.flatten()));
        }
        if let Some(least) = self.expires_at_least {
            checks.push(expires_check(least, answer, bindings, matching));
        }
        if self.reachable {
            checks.push(reachable_check(answer));
        }
        checks
    }
}

/// Whether `binding` is `wanted` by RFC 3261 §19.1.4 URI comparison.
pub(super) fn same_contact(binding: &Binding, wanted: &SipUri) -> bool {
    binding
        .contact
        .parse::<SipUri>()
        .is_ok_and(|uri| uri.equivalent(wanted))
}

fn status_check(code: u16, answer: &Answer<'_>) -> Check {
    let got = match answer {
        Answer::Completed(o) => Some((o.status, o.reason.clone())),
        Answer::Failed { status } => status.clone(),
    };
    Check {
        name: "status",
        expected: json!(code),
        expected_text: code.to_string(),
        actual: got.as_ref().map_or(Value::Null, |(s, _)| json!(s)),
        actual_text: got.as_ref().map_or_else(
            || "no final response".to_string(),
            |(s, r)| format!("{s} {r}"),
        ),
        passed: got.is_some_and(|(s, _)| s == code),
    }
}

fn reachable_check(answer: &Answer<'_>) -> Check {
    let found = match answer {
        Answer::Completed(o) => o.reachability.as_ref(),
        Answer::Failed { .. } => None,
    };
    Check {
        name: "reachable",
        expected: json!(true),
        expected_text: "a request for the AOR to reach this contact".into(),
        actual: found.map_or(Value::Null, |r| json!(r.reachable)),
        actual_text: found.map_or_else(|| "not registered".into(), |r| r.detail.clone()),
        passed: found.is_some_and(|r| r.reachable),
    }
}

fn bindings_check(count: CountCheck, bindings: &[Binding]) -> Check {
    let n = bindings.len();
    Check {
        name: "bindings",
        expected: json!(count.to_string()),
        expected_text: count.to_string(),
        actual: json!(n),
        actual_text: plural(n, "binding"),
        passed: count.holds(n),
    }
}

fn contact_check(wanted: &str, bindings: &[Binding], matching: Option<&Binding>) -> Check {
    let listed: Vec<&str> = bindings.iter().map(|b| b.contact.as_str()).collect();
    Check {
        name: "contact",
        expected: json!(wanted),
        expected_text: format!("a binding for {wanted}"),
        actual: json!(listed),
        actual_text: if listed.is_empty() {
            "no bindings".to_string()
        } else {
            listed.join(", ")
        },
        passed: matching.is_some(),
    }
}

/// The binding whose expiry counts: register, our grant; query, the binding of
/// --expect-contact if given, else the shortest of all (every binding must last).
fn expires_check(
    least: Duration,
    answer: &Answer<'_>,
    bindings: &[Binding],
    matching: Option<Option<&Binding>>,
) -> Check {
    let (got, what): (Option<u32>, String) = match (answer, matching) {
        (Answer::Failed { .. }, _) => (None, "no binding".into()),
        (Answer::Completed(o), _) if matches!(o.op, OpKind::Register | OpKind::Refresh) => {
            (o.granted, "granted".into())
        }
        (Answer::Completed(_), Some(found)) => match found {
            Some(b) => (b.expires, format!("{} expires in", b.contact)),
            None => (None, "no binding for that contact".into()),
        },
        (Answer::Completed(_), None) => match bindings.iter().map(|b| b.expires).min() {
            Some(shortest) if bindings.len() > 1 => (
                shortest,
                format!("the shortest of {} bindings expires in", bindings.len()),
            ),
            Some(only) => (only, "expires in".into()),
            None => (None, "no bindings".into()),
        },
    };
    let least_s = least.as_secs();
    Check {
        name: "expires_at_least",
        expected: json!(least_s),
        expected_text: format!("at least {least_s} s"),
        actual: got.map_or(Value::Null, |s| json!(s)),
        actual_text: match got {
            Some(s) => format!("{what} {s} s"),
            None if what.starts_with("no ") => what,
            None => format!("{what} no stated time"),
        },
        passed: got.is_some_and(|s| u64::from(s) >= least_s),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_and_hold() {
        assert_eq!(CountCheck::parse("2").unwrap(), CountCheck::Exactly(2));
        assert_eq!(CountCheck::parse(" >= 1").unwrap(), CountCheck::AtLeast(1));
        assert_eq!(CountCheck::parse("<=0").unwrap(), CountCheck::AtMost(0));
        for bad in ["", ">=", "=2", "2+", "-1", ">2"] {
            assert!(CountCheck::parse(bad).is_err(), "{bad:?}");
        }
        assert!(CountCheck::AtLeast(2).holds(3) && !CountCheck::AtLeast(2).holds(1));
        assert!(CountCheck::AtMost(2).holds(2) && !CountCheck::AtMost(2).holds(3));
        assert!(CountCheck::Exactly(0).holds(0) && !CountCheck::Exactly(0).holds(1));
        assert_eq!(CountCheck::AtMost(3).to_string(), "<=3");
    }

    #[test]
    fn a_failure_without_a_response_fails_every_check() {
        let args = ExpectArgs {
            expect_status: Some(200),
            expect_bindings: Some("<=5".into()),
            expect_contact: Some("sip:a@b".into()),
            expect_expires_at_least: Some(Duration::from_secs(1)),
            expect_reachable: true,
            warning_time: None,
            critical_time: None,
        };
        let checks = Expectations::from_args(&args)
            .unwrap()
            .check(&Answer::Failed { status: None });
        let passed: Vec<bool> = checks.iter().map(|c| c.passed).collect();
        // No bindings is still at most five; not registered is not reachable.
        assert_eq!(passed, [false, true, false, false, false]);
        assert_eq!(checks[0].actual_text, "no final response");
    }
}
