//! The `-v` message ladder (`REGISTER →`, `← 401`) and `-vv` message dumps.

use crate::core::Transmit;
use std::net::SocketAddr;
use std::time::Instant;

/// Milliseconds since the run began, for lining up the ladder.
pub(super) fn stamp(start: Instant) -> String {
    format!("{:.1} ms", start.elapsed().as_secs_f64() * 1000.0)
}

fn first_line(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|b| *b == b'\r' || *b == b'\n')
        .unwrap_or(bytes.len())
        .min(120);
    super::terminal_safe(&String::from_utf8_lossy(&bytes[..end])).into_owned()
}

/// The value of the first header named `wanted` (any case) in the message head.
fn header_of(bytes: &[u8], wanted: &str) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines()
        .take_while(|l| !l.is_empty())
        .skip(1)
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case(wanted)
                .then(|| value.trim().to_string())
        })
}

fn cseq_of(bytes: &[u8]) -> Option<String> {
    header_of(bytes, "cseq")
}

/// Who answered, for a final response: `  [its Server header, else its User-Agent]`.
fn server_note(status: &str, bytes: &[u8]) -> String {
    if status.starts_with('1') {
        return String::new();
    }
    header_of(bytes, "server")
        .or_else(|| header_of(bytes, "user-agent"))
        .map(|s| {
            let shown: String = s.chars().take(80).collect();
            format!("  [{}]", super::terminal_safe(&shown))
        })
        .unwrap_or_default()
}

/// Names keep-alive traffic (RFC 5626 §4.4), which has no SIP first line to show.
fn keepalive_name(bytes: &[u8]) -> Option<&'static str> {
    if crate::core::stun::is_stun(bytes) {
        Some("STUN binding (keep-alive)")
    } else if !bytes.is_empty() && bytes.iter().all(|b| *b == b'\r' || *b == b'\n') {
        Some("CRLF keep-alive")
    } else {
        None
    }
}

pub(super) fn sent_line(start: Instant, t: &Transmit) -> String {
    if let Some(name) = keepalive_name(&t.payload) {
        return format!("{:>9}  {name} → {}", stamp(start), t.destination);
    }
    let method = first_line(&t.payload)
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string();
    let again = if t.retransmission {
        " (retransmission)"
    } else {
        ""
    };
    let cseq = cseq_of(&t.payload)
        .map(|c| format!("  CSeq {c}"))
        .unwrap_or_default();
    format!(
        "{:>9}  {method} → {}{cseq}{again}",
        stamp(start),
        t.destination
    )
}

pub(super) fn received_line(start: Instant, from: SocketAddr, bytes: &[u8]) -> String {
    if let Some(name) = keepalive_name(bytes) {
        return format!("{:>9}  ← {name}  from {from}", stamp(start));
    }
    let line = first_line(bytes);
    let status = line.strip_prefix("SIP/2.0 ").unwrap_or(&line);
    let server = server_note(status, bytes);
    format!("{:>9}  ← {status}  from {from}{server}", stamp(start))
}

/// The whole message, indented, with invalid UTF-8 shown as replacement characters.
pub(super) fn message_text(bytes: &[u8]) -> String {
    if let Some(name) = keepalive_name(bytes) {
        return format!("    | ({name}, {} bytes)", bytes.len());
    }
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| format!("    | {}", super::terminal_safe(l)))
        .collect::<Vec<_>>()
        .join("\n")
}
