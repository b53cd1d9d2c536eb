//! What the user sees: human lines or JSON objects on stdout, the `-v` ladder and
//! `-vv` messages on stderr, errors on stderr. `-q` silences all of it. Also what
//! other programs read: the monitoring-plugin line of `-o nagios` (`monitoring`),
//! the metrics of `--metrics` (`metrics`), and the captures of `--pcap` and `--hep`
//! (`capture`, `hep`).

mod capture;
mod checks;
mod dry_run;
mod hep;
mod human;
mod incoming;
mod json;
mod ladder;
mod metrics;
mod monitoring;
mod progress;
mod safe;
mod status;

pub use capture::Capture;
pub use checks::Check;
pub use dry_run::DryRun;
pub use json::{binding_json, failure_json, outcome_json};
pub use metrics::Metrics;
pub use monitoring::Thresholds;
pub use safe::terminal_safe;

use crate::cli::{Common, OutputFormat};
use crate::core::{Event, OpKind, Outcome, RegError, Responder, Transmit};
use crate::net::Trace;
use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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
    /// `--max-time`, to word a failure it caused.
    max_time: Option<Duration>,
    /// --max-time ran out between requests (a staying registration).
    max_time_idle: bool,
    /// The status of the latest final response that refused, and what it said about
    /// its sender: for a failure's JSON status and server, and its Warning text.
    refusal: Option<(u16, Responder)>,
    /// The live status line as drawn on the terminal (no newline after it), so that
    /// any other line clears it first and draws it again below.
    status_shown: std::cell::RefCell<Option<String>>,
    /// `--pcap`: where every message goes too.
    capture: Option<Capture>,
}

impl Output {
    pub fn new(common: &Common, aor: String) -> Output {
        let verbosity = match (common.shared.quiet, common.shared.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Events,
            (false, _) => Verbosity::Messages,
        };
        let format = crate::settings::output_format(&common.shared);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Output {
            format,
            verbosity,
            color_stdout: !no_color && console::Term::stdout().features().is_attended(),
            color_stderr: !no_color && console::Term::stderr().features().is_attended(),
            start: Instant::now(),
            aor,
            max_time: common.max_time,
            max_time_idle: false,
            refusal: None,
            status_shown: std::cell::RefCell::new(None),
            capture: None,
        }
    }

    /// Writes every message sent and received to `capture` too (`--pcap`).
    pub fn capture_to(&mut self, capture: Capture) {
        self.capture = Some(capture);
    }

    pub fn aor(&self) -> &str {
        &self.aor
    }

    /// The AOR a profile stood for (`@work` → `sip:alice@example.com`).
    pub fn set_aor(&mut self, aor: String) {
        self.aor = aor;
    }

    /// --max-time ran out while no request was waiting for its answer.
    pub fn max_time_ended_idle(&mut self) {
        self.max_time_idle = true;
    }

    /// The latest refusing final response, as the registration keeps it
    /// ([`crate::core::Registration::last_refusal`]); the session passes it on after
    /// every event.
    pub fn note_refusal(&mut self, refusal: Option<(u16, Responder)>) {
        self.refusal = refusal;
    }

    /// The refusal a failure came from: the one noted, when the error is a refusal
    /// (a timeout after an earlier 401 was not caused by that 401).
    pub(super) fn refusal_behind(&self, error: &crate::Error) -> Option<&(u16, Responder)> {
        let crate::Error::Registration(e) = error else {
            return None;
        };
        let caused = match e {
            RegError::Auth(_) | RegError::ChallengeLoop(_) => true,
            other => other.status().is_some(),
        };
        self.refusal.as_ref().filter(|_| caused)
    }

    /// An error as the user reads it; a timeout that --max-time caused says so; a
    /// refusal carries the registrar's Warning text (a 403's own text has it already).
    fn error_text(&self, error: &crate::Error) -> String {
        let text = self.error_text_alone(error);
        let warning = match error {
            crate::Error::Registration(RegError::Forbidden { .. }) => None,
            _ => self
                .refusal_behind(error)
                .and_then(|(_, r)| r.warning.as_deref()),
        };
        match warning {
            Some(warning) => format!("{text} (Warning: {warning})"),
            None => text,
        }
    }

    fn error_text_alone(&self, error: &crate::Error) -> String {
        match error {
            crate::Error::Registration(RegError::Timeout { destination, after })
                if Some(*after) == self.max_time =>
            {
                let limit = humantime::format_duration(*after);
                if self.max_time_idle {
                    format!(
                        "--max-time {limit} ran out; the binding was left in place \
                         (--for DURATION stays registered for a while and then unregisters)"
                    )
                } else if destination.ip().is_unspecified() {
                    format!("--max-time {limit} ran out before a request could be sent")
                } else {
                    format!("no final response from {destination} within --max-time {limit}")
                }
            }
            other => other.to_string(),
        }
    }

    fn error_line(&self, error: &crate::Error) {
        let prefix = human::paint(
            "sipreg: error:",
            console::Style::new().red().bold(),
            self.color_stderr,
        );
        let text = self.error_text(error);
        self.stderr_line(&format!("{prefix} {}", terminal_safe(&text)));
    }

    fn stdout_line(&self, line: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        self.around_status(|| {
            let mut out = std::io::stdout().lock();
            // A closed pipe (sipreg … | head) is not worth failing over.
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        });
    }

    fn stderr_line(&self, line: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        self.around_status(|| {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        });
    }

    /// Writes a whole line with the live status line out of its way: cleared first
    /// (stdout and stderr share the terminal, so a ladder line would otherwise start
    /// after `registering…`), drawn again below it afterwards.
    fn around_status(&self, write: impl FnOnce()) {
        let shown = self.status_shown.borrow().clone();
        let Some(status) = shown else {
            write();
            return;
        };
        let term = console::Term::stdout();
        let _ = term.clear_line();
        write();
        let _ = term.write_str(&status);
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
            OutputFormat::Nagios => {
                self.monitored(outcome, &[], Thresholds::default());
            }
        }
    }

    /// A failed operation: a `failed` JSON object on stdout (JSON mode) and always a
    /// one-line error on stderr.
    pub fn failed(&self, op: Option<OpKind>, error: &crate::Error) {
        match self.format {
            OutputFormat::Json => self.stdout_line(&self.failure_object(op, error).to_string()),
            // The plugin line says it all; monitoring reads stdout only.
            OutputFormat::Nagios => return self.monitored_failure(error),
            OutputFormat::Human => {}
        }
        self.error_line(error);
    }

    pub fn warn(&self, message: &str) {
        let prefix = human::paint(
            "sipreg: warning:",
            console::Style::new().yellow().bold(),
            self.color_stderr,
        );
        self.stderr_line(&format!("{prefix} {}", terminal_safe(message)));
    }

    /// A line on stderr about what sipreg is doing (not a warning), unless quiet.
    pub fn notice(&self, message: &str) {
        self.stderr_line(&format!("sipreg: {}", terminal_safe(message)));
    }

    /// True when a live status line makes sense: human output on a terminal.
    pub fn live_status_enabled(&self) -> bool {
        self.format == OutputFormat::Human
            && self.verbosity != Verbosity::Quiet
            && console::Term::stdout().is_term()
    }

    /// Redraws the live status line in place (no newline; the next stdout line
    /// overwrites it).
    pub fn live_status(&self, standing: crate::core::Standing, now: std::time::Instant) {
        let term = console::Term::stdout();
        // Read each time: the window may have been resized since the last second.
        let columns = term
            .size_checked()
            .map_or(80, |(_, cols)| usize::from(cols));
        let text = status::fit(&status::status_text(standing, now), columns);
        let _ = term.clear_line();
        let _ = term.write_str(&text);
        *self.status_shown.borrow_mut() = Some(text);
    }

    /// Ends a live status line so that what follows starts on a clean line.
    pub fn clear_live_status(&self) {
        if self.status_shown.borrow_mut().take().is_some() {
            let _ = console::Term::stdout().clear_line();
        }
    }

    /// What the user-agent server at our contact did, as `event` shows progress.
    pub fn incoming(&self, event: &crate::core::uas::UasEvent) {
        self.show(incoming::describe(&self.aor, event));
    }

    /// Progress events other than completion: a JSON object on stdout in JSON mode,
    /// a line on stderr at the verbosity the event asks for.
    pub fn event(&self, event: &Event) {
        self.show(progress::describe(&self.aor, event));
    }

    fn show(&self, p: progress::Progress) {
        if let (OutputFormat::Json, Some(v)) = (self.format, &p.json) {
            self.stdout_line(&v.to_string());
        }
        if let Some((least, line)) = p.line {
            if self.verbosity >= least {
                let line = terminal_safe(&line);
                self.stderr_line(&format!("{:>9}  {line}", ladder::stamp(self.start)));
            }
        }
    }
}

impl Trace for Output {
    fn sent(&mut self, transmit: &Transmit, hop: crate::net::Hop) {
        let failed = self.capture.as_mut().and_then(|c| {
            c.record(
                hop.local,
                transmit.destination,
                hop.stream,
                &transmit.payload,
            )
        });
        if let Some(why) = failed {
            self.warn(&why);
        }
        if self.verbosity >= Verbosity::Events {
            self.stderr_line(&ladder::sent_line(self.start, transmit));
        }
        if self.verbosity >= Verbosity::Messages {
            self.stderr_line(&ladder::message_text(&transmit.payload));
        }
    }

    fn moved(&mut self, from: &crate::net::Target, to: &crate::net::Target, why: &str) {
        if self.verbosity >= Verbosity::Events {
            let line = format!(
                "{:>9}  leaving {from} ({why}): trying {to}",
                ladder::stamp(self.start)
            );
            self.stderr_line(&line);
        }
    }

    fn received(&mut self, from: SocketAddr, hop: crate::net::Hop, bytes: &[u8]) {
        let failed = self
            .capture
            .as_mut()
            .and_then(|c| c.record(from, hop.local, hop.stream, bytes));
        if let Some(why) = failed {
            self.warn(&why);
        }
        if self.verbosity >= Verbosity::Events {
            self.stderr_line(&ladder::received_line(self.start, from, bytes));
        }
        if self.verbosity >= Verbosity::Messages {
            self.stderr_line(&ladder::message_text(bytes));
        }
    }
}

/// A reason phrase as a terminal may show it: control characters (a hostile
/// registrar's escape sequences) escaped, at most 100 characters of it.
pub fn printable_reason(reason: &str) -> String {
    let short: String = reason.chars().take(100).collect();
    terminal_safe(&short).into_owned()
}
