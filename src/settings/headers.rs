//! `-H/--header 'Name: value'` and `--display-name`: what a provider demands of every
//! request, checked before anything is sent.

/// Headers sipreg writes itself: a copy from the user would contradict them.
const OWNED: [(&str, &str); 16] = [
    ("via", "v"),
    ("call-id", "i"),
    ("cseq", "cseq"),
    ("from", "f"),
    ("to", "t"),
    ("contact", "m"),
    ("expires", "expires"),
    ("authorization", "authorization"),
    ("proxy-authorization", "proxy-authorization"),
    ("content-length", "l"),
    ("max-forwards", "max-forwards"),
    ("route", "route"),
    ("supported", "k"),
    ("user-agent", "user-agent"),
    ("content-type", "c"),
    ("require", "require"),
];

/// `Name: value` as it will be sent, or why not. The name must be a token (RFC 3261
/// §25.1) and not one sipreg writes; the value one line of printable text.
pub fn header_line(text: &str) -> Result<String, String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| "give 'Name: value', e.g. -H 'X-Tenant: 42'".to_string())?;
    let name = name.trim();
    let value = value.trim();
    let token = |b: u8| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(format!(
            "{name:?} is not a header name (letters, digits, - . ! % * _ + ` ' ~)"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if let Some((full, _)) = OWNED
        .iter()
        .find(|(full, short)| lower == *full || lower == *short)
    {
        let instead = match *full {
            "user-agent" => " (use --user-agent)",
            "expires" => " (use -e/--expires)",
            "contact" => " (use -c/--contact)",
            "route" => " (use --proxy)",
            "authorization" | "proxy-authorization" => " (credentials answer the challenge)",
            _ => "",
        };
        return Err(format!("sipreg writes the {name} header itself{instead}"));
    }
    if value.chars().any(char::is_control) {
        return Err("the value must be one line without control characters".into());
    }
    Ok(format!("{name}: {value}"))
}

/// A display name as RFC 3261 §25.1 writes it: a quoted string, with `"` and `\`
/// escaped. Control characters cannot be carried (a line break would end the header).
pub fn quoted_display_name(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err("a display name is one line without control characters".into());
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// `--origin` with a run that has no WebSocket: refused rather than ignored.
pub fn origin_without_websocket(
    origin: Option<&str>,
    mut transports: impl Iterator<Item = crate::core::TransportKind>,
) -> Option<crate::error::Error> {
    use crate::core::TransportKind::{Ws, Wss};
    let ws = transports.any(|t| matches!(t, Ws | Wss));
    (origin.is_some() && !ws).then(|| {
        crate::error::Error::Usage(
            "--origin is sent on the WebSocket upgrade: register at a ws:// or wss:// URL, or with -t ws/wss"
                .into(),
        )
    })
}

/// `--origin`: a serialized origin (RFC 6454 §6.2), `scheme://host[:port]`, as a
/// browser would send it on the WebSocket upgrade (RFC 6455 §4.1); some servers
/// (OpenSIPS) demand one.
pub fn origin(text: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "{text:?} is not an origin: give scheme://host[:port], e.g. https://phone.example.com"
        )
    };
    let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
    let scheme_ok = !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let host_ok = !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@'])
        && rest.chars().all(|c| c.is_ascii_graphic());
    if scheme_ok && host_ok {
        Ok(text.to_string())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert!(origin("https://phone.example.com").is_ok());
        assert!(origin("http://[2001:db8::1]:8080").is_ok());
        for bad in [
            "phone.example.com",
            "https://a/path",
            "https://",
            "https://a b",
            "://a",
        ] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_lines_are_checked() {
        assert_eq!(header_line(" X-Tenant :  42 ").unwrap(), "X-Tenant: 42");
        assert_eq!(
            header_line("P-Preferred-Identity: <sip:a@b>").unwrap(),
            "P-Preferred-Identity: <sip:a@b>"
        );
        assert!(header_line("no colon")
            .unwrap_err()
            .contains("'Name: value'"));
        assert!(header_line("Bad Name: x")
            .unwrap_err()
            .contains("not a header name"));
        assert!(header_line("X-A: one\r\nVia: evil")
            .unwrap_err()
            .contains("one line"));
        for owned in [
            "Via: x",
            "v: x",
            "call-id: x",
            "CSeq: 1 REGISTER",
            "Contact: <sip:a@b>",
            "l: 0",
        ] {
            assert!(
                header_line(owned).unwrap_err().contains("writes the"),
                "{owned}"
            );
        }
        assert!(header_line("User-Agent: x")
            .unwrap_err()
            .contains("--user-agent"));
    }

    #[test]
    fn display_names_are_quoted_strings() {
        assert_eq!(
            quoted_display_name("Alice Smith").unwrap(),
            "\"Alice Smith\""
        );
        assert_eq!(
            quoted_display_name("A \"B\" \\C").unwrap(),
            "\"A \\\"B\\\" \\\\C\""
        );
        assert!(quoted_display_name("a\nb").is_err());
    }
}
