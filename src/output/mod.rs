//! What the user sees: human lines or JSON objects on stdout, the `-v` ladder and
//! `-vv` messages on stderr, errors on stderr. `-q` silences all of it.

mod human;
mod json;
mod ladder;

pub use json::{binding_json, failure_json, outcome_json};

use crate::cli::{Common, OutputFormat};
use crate::core::{Event, OpKind, Outcome, Transmit};
use crate::net::Trace;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    /// `-v`: events and a message ladder.
    Events,
    /// `-vv`: whole messages.
    Messages,
}

pub struct Output {
    pub format: OutputFormat,
    pub verbosity: Verbosity,
    color_stdout: bool,
    color_stderr: bool,
    start: Instant,
    aor: String,
}

impl Output {
    pub fn new(common: &Common, aor: String) -> Output {
        let verbosity = match (common.quiet, common.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Events,
            (false, _) => Verbosity::Messages,
        };
        let format = if common.json {
            OutputFormat::Json
        } else {
            common.output
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Output {
            format,
            verbosity,
            color_stdout: !no_color && console::Term::stdout().features().is_attended(),
            color_stderr: !no_color && console::Term::stderr().features().is_attended(),
            start: Instant::now(),
            aor,
        }
    }

    pub fn aor(&self) -> &str {
        &self.aor
    }

    fn stdout_line(&self, line: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let mut out = std::io::stdout().lock();
        // A closed pipe (sipreg … | head) is not worth failing over.
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn stderr_line(&self, line: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    /// A completed operation: one JSON object or human lines on stdout.
    pub fn completed(&self, outcome: &Outcome, our_contact: &str) {
        match self.format {
            OutputFormat::Json => {
                self.stdout_line(&outcome_json(&self.aor, outcome, our_contact).to_string())
            }
            OutputFormat::Human => {
                for line in human::outcome_lines(&self.aor, outcome, our_contact, self.color_stdout)
                {
                    self.stdout_line(&line);
                }
            }
        }
    }

    /// A failed operation: a `failed` JSON object on stdout (JSON mode) and always a
    /// one-line error on stderr.
    pub fn failed(&self, op: Option<OpKind>, error: &crate::Error) {
        if self.format == OutputFormat::Json {
            self.stdout_line(&failure_json(&self.aor, op, error).to_string());
        }
        let prefix = human::paint(
            "sipreg: error:",
            console::Style::new().red().bold(),
            self.color_stderr,
        );
        self.stderr_line(&format!("{prefix} {error}"));
    }

    pub fn warn(&self, message: &str) {
        let prefix = human::paint(
            "sipreg: warning:",
            console::Style::new().yellow().bold(),
            self.color_stderr,
        );
        self.stderr_line(&format!("{prefix} {message}"));
    }

    /// Progress events other than completion: shown on stderr with -v (strays with -vv).
    pub fn event(&self, event: &Event) {
        let line = match event {
            Event::Challenged {
                kind,
                realm,
                algorithm,
                stale,
            } => {
                if self.verbosity < Verbosity::Events {
                    return;
                }
                let which = match kind {
                    crate::auth::ChallengeKind::Www => "401",
                    crate::auth::ChallengeKind::Proxy => "407",
                };
                let stale = if *stale { ", stale nonce" } else { "" };
                format!("answering {which} challenge for realm \"{realm}\" ({algorithm}{stale})")
            }
            Event::IntervalTooBrief { min_expires } => {
                if self.verbosity < Verbosity::Events {
                    return;
                }
                format!("423 Interval Too Brief: retrying with expires {min_expires}")
            }
            Event::Ignored { reason } => {
                if self.verbosity < Verbosity::Messages {
                    return;
                }
                format!("ignored: {reason}")
            }
            Event::Completed(_) | Event::Failed { .. } => return,
        };
        self.stderr_line(&format!("{:>9}  {line}", ladder::stamp(self.start)));
    }
}

impl Trace for Output {
    fn sent(&mut self, transmit: &Transmit) {
        if self.verbosity >= Verbosity::Events {
            self.stderr_line(&ladder::sent_line(self.start, transmit));
        }
        if self.verbosity >= Verbosity::Messages {
            self.stderr_line(&ladder::message_text(&transmit.payload));
        }
    }

    fn received(&mut self, from: SocketAddr, bytes: &[u8]) {
        if self.verbosity >= Verbosity::Events {
            self.stderr_line(&ladder::received_line(self.start, from, bytes));
        }
        if self.verbosity >= Verbosity::Messages {
            self.stderr_line(&ladder::message_text(bytes));
        }
    }
}
