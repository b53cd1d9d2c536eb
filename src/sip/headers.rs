//! Header names and comma-separated header values.

/// The full, lower-case name of a header, expanding RFC 3261 §7.3.3 compact forms
/// so that `i:` and `Call-ID:` are found by the same look-up.
pub fn canonical_name(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    let full = match lower.as_str() {
        "i" => "call-id",
        "m" => "contact",
        "e" => "content-encoding",
        "l" => "content-length",
        "c" => "content-type",
        "f" => "from",
        "s" => "subject",
        "k" => "supported",
        "t" => "to",
        "v" => "via",
        "o" => "event",
        "r" => "refer-to",
        "u" => "allow-events",
        "x" => "session-expires",
        _ => return lower,
    };
    full.to_string()
}

/// Splits a header value at the commas that separate list elements (RFC 3261 §7.3.1),
/// leaving commas inside quoted strings and `<…>` URIs alone. Empty elements are dropped.
pub fn split_list(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_quotes = false;
    let mut in_angle = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '<' if !in_quotes => in_angle = true,
            '>' if !in_quotes => in_angle = false,
            ',' if !in_quotes && !in_angle => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_forms_expand() {
        for (short, long) in [
            ("i", "call-id"),
            ("f", "from"),
            ("t", "to"),
            ("m", "contact"),
            ("v", "via"),
            ("l", "content-length"),
        ] {
            assert_eq!(canonical_name(short), long);
            assert_eq!(canonical_name(&short.to_uppercase()), long);
        }
        assert_eq!(canonical_name("WWW-Authenticate"), "www-authenticate");
    }

    #[test]
    fn list_split_respects_quotes_and_brackets() {
        let v = r#"<sip:a@x;p=1,2>;expires=3, "Doe, J" <sip:b@y>;q=0.5 ,sip:c@z"#;
        assert_eq!(
            split_list(v),
            vec![
                "<sip:a@x;p=1,2>;expires=3",
                r#""Doe, J" <sip:b@y>;q=0.5"#,
                "sip:c@z"
            ]
        );
        assert!(split_list(" , ").is_empty());
    }
}
