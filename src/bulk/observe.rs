//! What the user sees while a bulk run goes on: the progress bar on a terminal and,
//! with `-v`, one line per failure (and per AOR's bindings for `bulk query`).

use super::engine::Observer;
use super::interval::IntervalReport;
use super::stats::{op_name, Stats};
use crate::cli::OutputFormat;
use crate::core::{OpKind, Outcome, RegError, Registration};
use crate::output::{failure_json, outcome_json};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::time::{Duration, Instant};

/// How often the progress bar is redrawn.
const TICK: Duration = Duration::from_millis(100);

pub struct Reporter {
    format: OutputFormat,
    /// `-v`: per-AOR lines.
    verbose: bool,
    bar: Option<ProgressBar>,
    last_tick: Option<Instant>,
    started: Instant,
}

impl Reporter {
    /// `progress`: draw a bar (stderr is a terminal and not `-q`) for `total` AORs.
    pub fn new(format: OutputFormat, verbose: bool, progress: bool, total: u64) -> Reporter {
        let bar = progress.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{bar:30} {pos}/{len} done  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Reporter {
            format,
            verbose,
            bar,
            last_tick: None,
            started: Instant::now(),
        }
    }

    fn line(&self, text: &str) {
        let print = || {
            let mut out = std::io::stdout().lock();
            // A closed pipe (… | head) is not worth failing over.
            let _ = writeln!(out, "{text}");
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }
}

impl Observer for Reporter {
    /// Removes the bar before the summary is printed.
    fn finish(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn completed(&mut self, reg: &Registration, outcome: &Outcome) {
        if !self.verbose || outcome.op != OpKind::Query {
            return;
        }
        let aor = reg.config().aor.to_string();
        let text = match self.format {
            OutputFormat::Json => {
                outcome_json(&aor, outcome, &reg.config().contact.to_string()).to_string()
            }
            OutputFormat::Human | OutputFormat::Nagios => {
                let contacts: Vec<String> = outcome
                    .bindings
                    .iter()
                    .map(|b| match b.expires {
                        Some(e) => format!("{} ({e}s)", b.contact),
                        None => b.contact.clone(),
                    })
                    .collect();
                format!(
                    "{aor}: {} binding(s) {}",
                    outcome.bindings.len(),
                    contacts.join(", ")
                )
            }
        };
        self.line(&text);
    }

    fn failed(&mut self, reg: &Registration, op: OpKind, error: &RegError) {
        if !self.verbose {
            return;
        }
        let aor = reg.config().aor.to_string();
        let text = match self.format {
            OutputFormat::Json => {
                failure_json(&aor, Some(op), &crate::Error::Registration(error.clone())).to_string()
            }
            OutputFormat::Human | OutputFormat::Nagios => {
                format!("failed: {aor} {}: {error}", op_name(op))
            }
        };
        self.line(&text);
    }

    fn interval(&mut self, report: &IntervalReport) {
        let text = match self.format {
            OutputFormat::Json => report.json().to_string(),
            OutputFormat::Human | OutputFormat::Nagios => report.human(),
        };
        self.line(&text);
    }

    fn tick(&mut self, stats: &Stats, in_flight: u32, now: Instant) {
        let Some(bar) = &self.bar else {
            return;
        };
        if self.last_tick.is_some_and(|t| now.duration_since(t) < TICK) {
            return;
        }
        self.last_tick = Some(now);
        let seconds = now.saturating_duration_since(self.started).as_secs_f64();
        let rate = if seconds > 0.0 {
            stats.attempted as f64 / seconds
        } else {
            0.0
        };
        bar.set_position(stats.main_done());
        bar.set_message(format!(
            "{} failed, {rate:.0}/s, {in_flight} in flight",
            stats.main_failed
        ));
    }
}
