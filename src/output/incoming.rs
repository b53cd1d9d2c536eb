//! What the user-agent server at our contact did: a line on stderr at some verbosity
//! and, for calls, messages and notifications, a JSON object on stdout.

use super::progress::Progress;
use super::Verbosity;
use crate::core::uas::UasEvent;
use serde_json::json;

/// Longest text of a message or notification shown on one line.
const SHOWN_TEXT: usize = 200;

pub(super) fn describe(aor: &str, event: &UasEvent) -> Progress {
    match event {
        UasEvent::IncomingCall {
            from,
            to,
            call_id,
            answered,
        } => Progress {
            line: Some((
                Verbosity::Normal,
                format!(
                    "incoming call from {} to {} (answered {answered})",
                    uri_of(from),
                    uri_of(to)
                ),
            )),
            json: Some(json!({
                "event": "incoming-call",
                "aor": aor,
                "from": uri_of(from),
                "to": uri_of(to),
                "call_id": call_id,
                "status": answered,
            })),
        },
        UasEvent::Message {
            from,
            content_type,
            text,
        } => Progress {
            line: Some((
                Verbosity::Normal,
                format!("message from {}: {}", uri_of(from), one_line(text)),
            )),
            json: Some(json!({
                "event": "message",
                "aor": aor,
                "from": uri_of(from),
                "content_type": content_type,
                "text": text,
            })),
        },
        UasEvent::Notify { from, event, text } => {
            let package = event.as_deref().unwrap_or("no Event header");
            Progress {
                line: Some((
                    Verbosity::Normal,
                    format!(
                        "NOTIFY from {} ({package}): {}",
                        uri_of(from),
                        one_line(text)
                    ),
                )),
                json: Some(json!({
                    "event": "notify",
                    "aor": aor,
                    "from": uri_of(from),
                    "package": event,
                    "text": text,
                })),
            }
        }
        // The ladder shows the request and its answer; this says who asked.
        UasEvent::Answered {
            method,
            from,
            status,
        } => Progress {
            line: Some((
                Verbosity::Events,
                format!("answered {method} from {} with {status}", uri_of(from)),
            )),
            json: None,
        },
        UasEvent::NoAck { call_id } => Progress {
            line: Some((
                Verbosity::Events,
                format!("no ACK came for the answer to call {call_id}; given up (Timer H)"),
            )),
            json: None,
        },
    }
}

/// The URI of a From or To value: inside `<>`, else up to its parameters.
fn uri_of(value: &str) -> &str {
    let value = value.trim();
    if let Some(open) = value.find('<') {
        let rest = &value[open + 1..];
        return rest.split('>').next().unwrap_or(rest);
    }
    value.split(';').next().unwrap_or(value)
}

/// A body on one line: line breaks as ` / `, cut to `SHOWN_TEXT` characters. Control
/// characters are escaped later, with every other line.
fn one_line(text: &str) -> String {
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ");
    if joined.chars().count() > SHOWN_TEXT {
        let mut cut: String = joined.chars().take(SHOWN_TEXT).collect();
        cut.push('…');
        cut
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_reads_as_a_sentence_with_bare_uris() {
        let p = describe(
            "sip:alice@example.com",
            &UasEvent::IncomingCall {
                from: "\"Bob\" <sip:bob@example.com>;tag=9".into(),
                to: "<sip:alice@example.com>".into(),
                call_id: "c1".into(),
                answered: 480,
            },
        );
        assert_eq!(
            p.line.unwrap().1,
            "incoming call from sip:bob@example.com to sip:alice@example.com (answered 480)"
        );
        assert_eq!(p.json.unwrap()["from"], "sip:bob@example.com");
    }

    #[test]
    fn a_long_body_is_one_cut_line() {
        assert_eq!(one_line("a\r\n\r\nb\n"), "a / b");
        let long = "x".repeat(500);
        assert_eq!(one_line(&long).chars().count(), SHOWN_TEXT + 1);
    }
}
