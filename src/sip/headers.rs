//! Header names and comma-separated header values.

use std::borrow::Cow;

/// The full, lower-case name of a header, expanding RFC 3261 §7.3.3 compact forms
/// so that `i:` and `Call-ID:` are found by the same look-up.
pub fn canonical_name(name: &str) -> String {
    canonical(name).into_owned()
}

/// As [`canonical_name`], borrowing when the name already is canonical (the look-ups
/// sipreg makes itself), so that finding a header allocates nothing.
pub fn canonical(name: &str) -> Cow<'_, str> {
    let name = name.trim();
    if name.len() == 1 {
        if let Some(full) = compact_form(name.as_bytes()[0].to_ascii_lowercase()) {
            return Cow::Borrowed(full);
        }
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Appends the canonical form of `name` to `out` without an allocation of its own.
pub fn push_canonical(out: &mut String, name: &str) {
    let name = name.trim();
    if name.len() == 1 {
        if let Some(full) = compact_form(name.as_bytes()[0].to_ascii_lowercase()) {
            out.push_str(full);
            return;
        }
    }
    let start = out.len();
    out.push_str(name);
    out[start..].make_ascii_lowercase();
}

/// The full name a one-letter compact form stands for.
fn compact_form(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'i' => "call-id",
        b'm' => "contact",
        b'e' => "content-encoding",
        b'l' => "content-length",
        b'c' => "content-type",
        b'f' => "from",
        b's' => "subject",
        b'k' => "supported",
        b't' => "to",
        b'v' => "via",
        b'o' => "event",
        b'r' => "refer-to",
        b'u' => "allow-events",
        b'x' => "session-expires",
        _ => return None,
    })
}

/// True when a header line's name is Content-Length, in full or compact form.
pub fn is_content_length(name: &str) -> bool {
    let name = name.trim();
    name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l")
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
        assert!(matches!(canonical("call-id"), Cow::Borrowed("call-id")));
        assert!(matches!(canonical(" Via "), Cow::Owned(v) if v == "via"));
        assert!(is_content_length(" l") && is_content_length("CONTENT-LENGTH"));
        let mut out = String::new();
        for name in ["Via", "i", "WWW-Authenticate "] {
            push_canonical(&mut out, name);
            out.push('|');
        }
        assert_eq!(out, "via|call-id|www-authenticate|");
        assert!(!is_content_length("content-lengthx"));
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
