//! The `-v` message ladder (`REGISTER →`, `← 401`) and `-vv` message dumps.

use crate::core::Transmit;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The time since the run began, for lining up the ladder (`{:>9}` keeps the
/// column): `812.4 ms` up to 10 s, `65.2 s` up to an hour, `1:02:03` after.
pub(super) fn stamp(start: Instant) -> String {
    elapsed_text(start.elapsed())
}

fn elapsed_text(elapsed: Duration) -> String {
    // Rounded first, so that 9999.96 ms reads 10.0 s rather than 10000.0 ms.
    let tenth_ms = (elapsed.as_secs_f64() * 10_000.0).round() as u64;
    if tenth_ms < 100_000 {
        return format!("{}.{} ms", tenth_ms / 10, tenth_ms % 10);
    }
    let tenth_s = (elapsed.as_secs_f64() * 10.0).round() as u64;
    if tenth_s < 36_000 {
        return format!("{}.{} s", tenth_s / 10, tenth_s % 10);
    }
    let s = elapsed.as_secs_f64().round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
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
    let first = first_line(&t.payload);
    // A response of the user agent at our contact: its status, not `SIP/2.0`.
    let method = match first.strip_prefix("SIP/2.0 ") {
        Some(status) => status.to_string(),
        None => first.split_whitespace().next().unwrap_or("?").to_string(),
    };
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
    // A response's status; a request's method and Request-URI.
    let status = line
        .strip_prefix("SIP/2.0 ")
        .or_else(|| line.strip_suffix(" SIP/2.0"))
        .unwrap_or(&line);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> String {
        elapsed_text(Duration::from_millis(ms))
    }

    #[test]
    fn requests_at_our_contact_and_our_answers_read_as_such() {
        let start = Instant::now();
        let request = b"OPTIONS sip:alice@127.0.0.1:5070 SIP/2.0\r\nUser-Agent: pinger\r\n\r\n";
        let from: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        let line = received_line(start, from, request);
        assert!(
            line.ends_with("← OPTIONS sip:alice@127.0.0.1:5070  from 127.0.0.1:5060  [pinger]"),
            "{line}"
        );
        let answer = Transmit {
            destination: from,
            payload: b"SIP/2.0 480 Temporarily Unavailable\r\nCSeq: 1 INVITE\r\n\r\n".to_vec(),
            retransmission: false,
        };
        let line = sent_line(start, &answer);
        assert!(
            line.ends_with("480 Temporarily Unavailable → 127.0.0.1:5060  CSeq 1 INVITE"),
            "{line}"
        );
    }

    #[test]
    fn milliseconds_then_seconds_then_hours() {
        assert_eq!(elapsed_text(Duration::ZERO), "0.0 ms");
        assert_eq!(elapsed_text(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(at(9_999), "9999.0 ms");
        // Rounding up to 10 s switches unit rather than widening the column.
        assert_eq!(elapsed_text(Duration::from_micros(9_999_960)), "10.0 s");
        assert_eq!(at(65_240), "65.2 s");
        assert_eq!(at(3_599_900), "3599.9 s");
        assert_eq!(at(3_599_960), "1:00:00");
        assert_eq!(at(3_204_123_400), "890:02:03");
        assert_eq!(at(3_723_000), "1:02:03");
    }

    #[test]
    fn the_column_stays_aligned() {
        // Every stamp up to 99 hours fits the 9 columns the ladder gives it.
        for ms in [
            0,
            7,
            999,
            9_999,
            10_000,
            59_999,
            600_000,
            3_599_999,
            3_600_000,
            359_999_000,
        ] {
            let text = at(ms);
            assert!(text.chars().count() <= 9, "{ms} ms: {text:?}");
            let line = format!("{text:>9}  REGISTER →");
            assert_eq!(line.find("REGISTER"), Some(11), "{line:?}");
        }
    }
}
