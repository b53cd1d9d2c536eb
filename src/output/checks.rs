//! Expectation results (`--expect-…`): one line on stderr for each check that
//! failed (and with -v for each that held), an `expectations` array in JSON.

use super::{failure_json, human, outcome_json, Output, Verbosity};
use crate::cli::OutputFormat;
use crate::core::{OpKind, Outcome};
use crate::exit::ExitStatus;
use serde_json::{json, Value};

/// The result of one `--expect-…` check.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The name in JSON: `status`, `bindings`, `contact` or `expires_at_least`.
    pub name: &'static str,
    pub expected: Value,
    /// What came back; null when nothing did.
    pub actual: Value,
    /// The expectation in words: `200`, `>=2`, `at least 3600 s`.
    pub expected_text: String,
    /// What came back in words: `403 Forbidden`, `1 binding`.
    pub actual_text: String,
    pub passed: bool,
}

impl Check {
    /// The option the check comes from, as the user typed it.
    pub fn option(&self) -> String {
        format!("--expect-{}", self.name.replace('_', "-"))
    }

    pub(super) fn sentence(&self) -> String {
        format!(
            "{}: expected {}, got {}",
            self.option(),
            self.expected_text,
            self.actual_text
        )
    }

    fn json(&self) -> Value {
        json!({
            "name": self.name,
            "expected": self.expected,
            "actual": self.actual,
            "passed": self.passed,
        })
    }
}

fn checks_json(checks: &[Check]) -> Value {
    Value::Array(checks.iter().map(Check::json).collect())
}

impl Output {
    /// A completed operation and its checks.
    pub fn completed_checked(&self, outcome: &Outcome, our_contact: &str, checks: &[Check]) {
        match self.format {
            OutputFormat::Json => {
                let mut v = outcome_json(&self.aor, outcome, our_contact);
                v["expectations"] = checks_json(checks);
                self.stdout_line(&v.to_string());
            }
            OutputFormat::Human => self.completed(outcome, our_contact),
            OutputFormat::Nagios => {
                self.monitored(outcome, checks, super::Thresholds::default());
                return;
            }
        }
        self.check_lines(checks);
    }

    /// A failed operation that no --expect-status expected: reported as a failure,
    /// its checks only in JSON (the error line already says what came back).
    pub fn failed_checked(
        &self,
        op: Option<OpKind>,
        error: &crate::Error,
        checks: &[Check],
        exit: ExitStatus,
    ) {
        match self.format {
            OutputFormat::Json => {
                let mut v = self.failure_object(op, error);
                v["expectations"] = checks_json(checks);
                v["exit_status"] = json!(exit.code());
                self.stdout_line(&v.to_string());
            }
            OutputFormat::Nagios => return self.monitored_failure(error),
            OutputFormat::Human => {}
        }
        self.error_line(error);
    }

    /// A final response that refused the operation, as --expect-status asked: a
    /// result, not an error (stdout), then the other checks.
    pub fn refusal_expected(
        &self,
        op: OpKind,
        (status, reason): (u16, &str),
        error: &crate::Error,
        checks: &[Check],
        exit: ExitStatus,
    ) {
        match self.format {
            OutputFormat::Json => {
                let mut v = self.failure_object(Some(op), error);
                v["status"] = json!(status);
                v["expectations"] = checks_json(checks);
                v["exit_status"] = json!(exit.code());
                self.stdout_line(&v.to_string());
            }
            OutputFormat::Human => self.stdout_line(&format!(
                "{} answered {status} {reason}, as --expect-status expected",
                super::json::op_name(op)
            )),
            OutputFormat::Nagios => return self.monitored_refusal(op, (status, reason), checks),
        }
        self.check_lines(checks);
    }

    fn check_lines(&self, checks: &[Check]) {
        for c in checks {
            if !c.passed {
                let prefix = human::paint(
                    "sipreg: expectation failed:",
                    console::Style::new().red().bold(),
                    self.color_stderr,
                );
                self.stderr_line(&format!("{prefix} {}", c.sentence()));
            } else if self.verbosity >= Verbosity::Events {
                self.stderr_line(&format!(
                    "expectation held: {}: {}",
                    c.option(),
                    c.actual_text
                ));
            }
        }
    }

    /// The `failed` JSON object, with the reason worded as on stderr.
    /// A failure by repeated challenge carries no status of its own: the last final
    /// response (the 401 or 407) is its status.
    pub(super) fn failure_object(&self, op: Option<OpKind>, error: &crate::Error) -> Value {
        let mut v = failure_json(&self.aor, op, error);
        v["reason"] = json!(self.error_text(error));
        if let Some((status, responder)) = self.refusal_behind(error) {
            if v["status"].is_null() {
                v["status"] = json!(status);
            }
            if let Some(server) = &responder.server {
                v["server"] = json!(server);
            }
            if let Some(warning) = &responder.warning {
                v["warning"] = json!(warning);
            }
        }
        v
    }
}
