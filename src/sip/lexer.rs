//! Small quote-aware scanners shared by the header readers: quoted strings with
//! backslash escapes (RFC 3261 §25.1 `quoted-string`, `quoted-pair`) and
//! `name[=value]` parameters.

/// Byte offsets of `c` in `s` that are outside quoted strings, found lazily so that
/// a search for the first one stops there. Quotes, backslashes and every separator
/// sipreg looks for are ASCII, and in UTF-8 an ASCII byte is always that character,
/// so the scan runs over bytes.
fn positions_outside_quotes(s: &str, c: char) -> impl Iterator<Item = usize> + '_ {
    debug_assert!(c.is_ascii(), "separators are ASCII");
    let wanted = c as u8;
    let mut in_quotes = false;
    let mut escaped = false;
    s.bytes().enumerate().filter_map(move |(i, b)| {
        if escaped {
            escaped = false;
        } else if in_quotes && b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == wanted && !in_quotes {
            return Some(i);
        }
        None
    })
}

/// The first `c` outside quoted strings.
pub fn find_outside_quotes(s: &str, c: char) -> Option<usize> {
    positions_outside_quotes(s, c).next()
}

/// Splits at `sep` outside quoted strings; pieces are not trimmed.
pub fn split_outside_quotes(s: &str, sep: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for at in positions_outside_quotes(s, sep) {
        pieces.push(&s[start..at]);
        start = at + sep.len_utf8();
    }
    pieces.push(&s[start..]);
    pieces
}

/// True when every quoted string in `s` is closed.
pub fn quotes_balanced(s: &str) -> bool {
    let mut in_quotes = false;
    let mut escaped = false;
    for ch in s.chars() {
        if escaped {
            escaped = false;
        } else if in_quotes && ch == '\\' {
            escaped = true;
        } else if ch == '"' {
            in_quotes = !in_quotes;
        }
    }
    !in_quotes
}

/// Reads a quoted string at the start of `s`: its unescaped content and what follows.
/// None when `s` does not start with `"` or the string is never closed.
pub fn quoted_string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut escaped = false;
    for (i, ch) in body.char_indices() {
        if escaped {
            out.push(ch);
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == '"' {
            return Some((out, &body[i + 1..]));
        } else {
            out.push(ch);
        }
    }
    None
}

/// One `name[=value]` parameter, the value a token or a quoted string (unescaped).
/// None when the name is empty or a quoted value is not exactly one quoted string.
pub fn param(s: &str) -> Option<(String, Option<String>)> {
    let (name, value) = match s.split_once('=') {
        Some((n, v)) => (n.trim(), Some(v.trim())),
        None => (s.trim(), None),
    };
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '"') {
        return None;
    }
    let value = match value {
        None => None,
        Some(v) if v.starts_with('"') => {
            let (content, rest) = quoted_string(v)?;
            if !rest.trim().is_empty() {
                return None;
            }
            Some(content)
        }
        Some(v) if v.contains(|c: char| c.is_whitespace() || c == '"') => return None,
        Some(v) => Some(v.to_string()),
    };
    Some((name.to_string(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_with_escapes() {
        assert_eq!(
            quoted_string(r#""Bob \"B\" Ltd", x"#),
            Some((r#"Bob "B" Ltd"#.to_string(), ", x"))
        );
        assert_eq!(quoted_string(r#""open"#), None);
        assert_eq!(quoted_string("bare"), None);
    }

    #[test]
    fn splitting_ignores_separators_in_quotes() {
        assert_eq!(
            split_outside_quotes(r#"a="x;y";b;c="\";""#, ';'),
            vec![r#"a="x;y""#, "b", r#"c="\";""#]
        );
        assert!(quotes_balanced(r#"a="\"", b"#));
        assert!(!quotes_balanced(r#"a="x"#));
    }

    #[test]
    fn params() {
        assert_eq!(param(" q = 0.5 "), Some(("q".into(), Some("0.5".into()))));
        assert_eq!(param("lr"), Some(("lr".into(), None)));
        assert_eq!(
            param(r#"x="a\"b""#),
            Some(("x".into(), Some("a\"b".into())))
        );
        assert_eq!(param(r#"x="a" junk"#), None);
        assert_eq!(param("=v"), None);
        assert_eq!(param(r#"x="open"#), None);
    }
}
