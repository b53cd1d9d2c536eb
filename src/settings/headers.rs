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

#[cfg(test)]
mod tests {
    use super::*;

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
