//! `-o nagios`: the one line a monitoring plugin prints (monitoring-plugins
//! development guidelines), `SIPREG STATE - text | perfdata`, with the state that
//! becomes the exit status. Nagios, Icinga, Zabbix and the like read stdout only.

use super::checks::Check;
use super::{terminal_safe, Output};
use crate::core::{OpKind, Outcome};
use crate::exit::{ExitStatus, PluginState};
use std::io::Write;
use std::time::Duration;

/// `--warning-time` and `--critical-time`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thresholds {
    pub warning: Option<Duration>,
    pub critical: Option<Duration>,
}

impl Output {
    /// A completed operation and its checks: CRITICAL when a check failed or it took
    /// longer than `--critical-time`, WARNING past `--warning-time`, else OK.
    pub fn monitored(
        &self,
        outcome: &Outcome,
        checks: &[Check],
        limits: Thresholds,
    ) -> PluginState {
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| !c.passed)
            .map(Check::sentence)
            .collect();
        let took = outcome.elapsed;
        let over = |limit: Option<Duration>| limit.filter(|l| took > *l);
        let (state, why) = if !failed.is_empty() {
            (PluginState::Critical, failed.join("; "))
        } else if let Some(l) = over(limits.critical) {
            (
                PluginState::Critical,
                slower_than("--critical-time", took, l),
            )
        } else if let Some(l) = over(limits.warning) {
            (PluginState::Warning, slower_than("--warning-time", took, l))
        } else {
            (PluginState::Ok, String::new())
        };
        let summary = summary(&self.aor, outcome);
        let text = match why.is_empty() {
            true => summary,
            false => format!("{summary}: {why}"),
        };
        self.plugin_line(state, &text, &perfdata(outcome, limits));
        state
    }

    /// A failure: its state follows sipreg's own status (CRITICAL when the registrar
    /// refused or did not answer, UNKNOWN when the check could not be made).
    pub(super) fn monitored_failure(&self, error: &crate::Error) {
        let state = PluginState::of(ExitStatus::of(error));
        let text = format!("{}: {}", self.aor, self.error_text(error));
        self.plugin_line(state, &text, "");
    }

    /// A refusal `--expect-status` asked for: OK unless another check failed.
    pub(super) fn monitored_refusal(&self, op: OpKind, status: (u16, &str), checks: &[Check]) {
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| !c.passed)
            .map(Check::sentence)
            .collect();
        let what = format!(
            "{}: {} answered {} {}, as --expect-status expected",
            self.aor,
            super::json::op_name(op),
            status.0,
            status.1
        );
        match failed.is_empty() {
            true => self.plugin_line(PluginState::Ok, &what, ""),
            false => {
                let text = format!("{what}; {}", failed.join("; "));
                self.plugin_line(PluginState::Critical, &text, "");
            }
        }
    }

    /// The line, always (even with -q: a plugin's output is its result). `|` would
    /// start the performance data, so the text has none.
    fn plugin_line(&self, state: PluginState, text: &str, perfdata: &str) {
        let text = terminal_safe(text).replace('|', "/");
        let mut line = format!("SIPREG {} - {text}", state.word());
        if !perfdata.is_empty() {
            line.push_str(" | ");
            line.push_str(perfdata);
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

fn slower_than(option: &str, took: Duration, limit: Duration) -> String {
    format!(
        "answered in {:.3}s, over {option} {}",
        took.as_secs_f64(),
        humantime::format_duration(limit)
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// `sip:alice@example.com registered, expires 3600s (200 OK)` and the like.
fn summary(aor: &str, o: &Outcome) -> String {
    let answer = format!("{} {}", o.status, o.reason);
    let n = o.bindings.len();
    match o.op {
        OpKind::Register | OpKind::Refresh => {
            let grant = o
                .granted
                .map_or_else(|| "no expiry given".into(), |g| format!("expires {g}s"));
            let reach = match &o.reachability {
                Some(r) if r.reachable => ", reachable".to_string(),
                Some(r) => format!(", not reachable: {}", r.detail),
                None => String::new(),
            };
            format!("{aor} registered, {grant}{reach} ({answer})")
        }
        OpKind::Query => format!("{aor}: {} ({answer})", plural(n, "binding", "bindings")),
        OpKind::Unregister => format!(
            "{aor} unregistered, {} ({answer})",
            plural(n, "binding remains", "bindings remain")
        ),
    }
}

/// `time=0.0023s;0.5;1;0 expires=3600s;;;0 bindings=2;;;0`: label=value[UOM];warn;
/// crit;min;max, thresholds in the value's unit.
fn perfdata(o: &Outcome, limits: Thresholds) -> String {
    let secs = |d: Option<Duration>| d.map(|d| trim(d.as_secs_f64())).unwrap_or_default();
    let mut items = vec![format!(
        "time={}s;{};{};0",
        trim(o.elapsed.as_secs_f64()),
        secs(limits.warning),
        secs(limits.critical)
    )];
    if matches!(o.op, OpKind::Register | OpKind::Refresh) {
        if let Some(g) = o.granted {
            items.push(format!("expires={g}s;;;0"));
        }
    }
    items.push(format!("bindings={};;;0", o.bindings.len()));
    if let Some(rtt) = o.reachability.as_ref().and_then(|r| r.rtt) {
        items.push(format!("probe={}s;;;0", trim(rtt.as_secs_f64())));
    }
    items.join(" ")
}

/// Seconds with up to six decimals and no trailing zeros.
fn trim(secs: f64) -> String {
    let text = format!("{secs:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() {
        "0".into()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_short() {
        assert_eq!(trim(0.0023), "0.0023");
        assert_eq!(trim(1.0), "1");
        assert_eq!(trim(0.0), "0");
        assert_eq!(trim(0.5), "0.5");
    }
}
