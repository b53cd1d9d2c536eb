//! `--dry-run`: the request exactly as it would be sent, on stdout; what was left
//! undecided (no name resolution, no socket) in notes on stderr.

use super::json::event_object;
use super::Output;
use crate::cli::OutputFormat;
use serde_json::json;
use std::io::Write;

/// The first request of a command, built but not sent.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// `IP:PORT`, or `HOST:PORT` when the host was not resolved.
    pub destination: String,
    /// The Via transport token: UDP, TCP, TLS, WS, WSS.
    pub transport: &'static str,
    pub message: Vec<u8>,
    /// What in the message would differ in a real run, and why.
    pub notes: Vec<String>,
}

impl Output {
    /// Human: the message's bytes as they are (CRLF included). JSON: one `dry_run` object.
    pub fn dry_run(&self, d: &DryRun) {
        match self.format {
            OutputFormat::Json => {
                let mut v = event_object("dry_run", &self.aor, None, "not sent (--dry-run)");
                v["destination"] = json!(d.destination);
                v["transport"] = json!(d.transport);
                v["message"] = json!(String::from_utf8_lossy(&d.message));
                self.stdout_line(&v.to_string());
            }
            OutputFormat::Human | OutputFormat::Nagios => {
                if self.verbosity > super::Verbosity::Quiet {
                    let mut out = std::io::stdout().lock();
                    let _ = out.write_all(&d.message);
                    let _ = out.flush();
                }
            }
        }
        self.stderr_line(&format!(
            "sipreg: dry run: nothing sent; the request would go to {} over {}",
            d.destination, d.transport
        ));
        for note in &d.notes {
            self.stderr_line(&format!("sipreg: dry run: {note}"));
        }
    }
}
