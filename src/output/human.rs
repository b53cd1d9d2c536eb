//! Human output: short sentences and a bindings table.

use super::terminal_safe as safe;
use crate::core::{Binding, OpKind, Outcome};
use console::Style;

pub(super) fn paint(text: &str, style: Style, color: bool) -> String {
    if color {
        style.apply_to(text).to_string()
    } else {
        text.to_string()
    }
}

fn seconds(s: u32) -> String {
    humantime::format_duration(std::time::Duration::from_secs(u64::from(s))).to_string()
}

pub(super) fn outcome_lines(aor: &str, o: &Outcome, our_contact: &str, color: bool) -> Vec<String> {
    // Everything below that a registrar wrote is escaped before any styling is added.
    let status = format!("{} {}", o.status, safe(&o.reason));
    let ok = paint(&status, Style::new().green(), color);
    let mut lines = Vec::new();
    match o.op {
        OpKind::Register | OpKind::Refresh => {
            let verb = match (o.recovered, o.op) {
                (true, _) => "recovered: registered",
                (false, OpKind::Register) => "registered",
                _ => "refreshed",
            };
            let granted = o.granted.map(seconds).unwrap_or_else(|| "?".into());
            let ours: Vec<&Binding> = o.bindings.iter().filter(|b| b.ours).collect();
            if ours.len() > 1 {
                // Several contacts in one REGISTER (`-c` repeated): each with its grant.
                let n = ours.len();
                lines.push(format!("{verb} {n} contacts for {aor} ({ok})"));
                for b in ours {
                    let left = b.expires.map(seconds).unwrap_or_else(|| granted.clone());
                    lines.push(format!("  {}, expires in {left}", safe(&b.contact)));
                }
            } else {
                lines.push(format!(
                    "{verb} {our_contact} for {aor}, expires in {granted} ({ok})"
                ));
            }
            for r in &o.service_route {
                lines.push(format!("  service-route: {}", safe(r)));
            }
            if let Some(g) = &o.pub_gruu {
                lines.push(format!("  public GRUU: {}", safe(g)));
            }
            if let Some(g) = &o.temp_gruu {
                lines.push(format!("  temporary GRUU: {}", safe(g)));
            }
            if let Some(r) = &o.reachability {
                lines.push(format!("  {}", reachability_line(aor, r)));
            }
        }
        OpKind::Query => {
            let n = o.bindings.len();
            let noun = if n == 1 { "binding" } else { "bindings" };
            lines.push(format!("{n} {noun} for {aor} ({ok})"));
            lines.extend(table(&o.bindings));
        }
        OpKind::Unregister => {
            let n = o.bindings.len();
            let noun = if n == 1 {
                "binding remains"
            } else {
                "bindings remain"
            };
            lines.push(format!(
                "unregistered {our_contact} from {aor}, {n} {noun} ({ok})"
            ));
            lines.extend(table(&o.bindings));
        }
    }
    lines
}

fn table(bindings: &[Binding]) -> Vec<String> {
    if bindings.is_empty() {
        return Vec::new();
    }
    let rows: Vec<[String; 4]> = bindings
        .iter()
        .map(|b| {
            let params = b
                .params
                .iter()
                .map(|(n, v)| match v {
                    Some(v) => format!("{}={}", safe(n), safe(v)),
                    None => safe(n).into_owned(),
                })
                .collect::<Vec<_>>()
                .join(";");
            [
                if b.ours {
                    format!("{} *", safe(&b.contact))
                } else {
                    safe(&b.contact).into_owned()
                },
                b.expires
                    .map(|e| format!("{e}s"))
                    .unwrap_or_else(|| "-".into()),
                b.q.map(|q| q.to_string()).unwrap_or_else(|| "-".into()),
                params,
            ]
        })
        .collect();
    let header = ["CONTACT", "EXPIRES", "Q", "PARAMS"].map(String::from);
    let mut widths = [0usize; 3];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(rows.iter())
        .map(|r| {
            format!(
                "  {:<w0$}  {:>w1$}  {:>w2$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

/// What a reachability probe found, as a sentence.
pub(super) fn reachability_line(aor: &str, r: &crate::core::Reachability) -> String {
    let detail = safe(&r.detail);
    match (r.reachable, r.rtt) {
        (true, Some(rtt)) => format!(
            "reachable: a request for {aor} reached this contact through the registrar \
             ({:.1} ms there and back)",
            rtt.as_secs_f64() * 1000.0
        ),
        (true, None) => format!("reachable: a request for {aor} reached this contact"),
        (false, _) => format!("not reachable: {detail}"),
    }
}
