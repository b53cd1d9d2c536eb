//! Templates that number a population: `sip:bench{n:04}@example.test`, `pw{n:04}`.
//!
//! `{n}` is the member's number, `{n:W}` pads it with spaces to width W, `{n:0W}` with
//! zeros (the same as Rust's and Python's format specs). Where a template also knows
//! the AOR, `{user}` is the AOR's user part. `{{` and `}}` are literal braces.

use super::error::BulkError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Number { width: usize, zero: bool },
    User,
}

/// A parsed template, expanded once per member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    option: &'static str,
    pieces: Vec<Piece>,
}

impl Template {
    /// Parses `text`, the value of `option` (named in errors). `allow_user` says
    /// whether `{user}` may appear.
    pub fn parse(
        option: &'static str,
        text: &str,
        allow_user: bool,
    ) -> Result<Template, BulkError> {
        let bad = |why: String| BulkError::Template {
            option,
            // A password template is a secret: the message names the option only.
            template: if option == "--password-template" {
                "***".to_string()
            } else {
                text.to_string()
            },
            why,
        };
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(bad("a single } (write }} for a literal brace)".into())),
                '{' => {
                    let mut field = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(ch) => field.push(ch),
                            None => return Err(bad("a { that is never closed".into())),
                        }
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(parse_field(&field, allow_user).map_err(bad)?);
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Template { option, pieces })
    }

    /// True when the template contains `{n}` in some form: without it, every member
    /// would get the same value.
    pub fn is_numbered(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Number { .. }))
    }

    /// True when members get different values: `{n}` or `{user}` appears.
    pub fn varies(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Number { .. } | Piece::User))
    }

    pub fn option(&self) -> &'static str {
        self.option
    }

    /// The value for member number `n`, whose AOR has user part `user`.
    pub fn expand(&self, n: u64, user: &str) -> String {
        let mut out = String::new();
        self.expand_into(n, user, &mut out);
        out
    }

    /// Appends the value for member `n` to `out`: a population reuses one buffer for
    /// all its members instead of allocating a string (and one per number) each.
    pub fn expand_into(&self, n: u64, user: &str, out: &mut String) {
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Number { width, zero } => push_number(out, n, *width, *zero),
                Piece::User => out.push_str(user),
            }
        }
    }
}

/// Writes `n` in decimal, right-aligned to at least `width` with zeros or spaces: what
/// `{n:0width$}` and `{n:width$}` print, without going through the formatter.
fn push_number(out: &mut String, mut n: u64, width: usize, zero: bool) {
    // u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = digits.len() - start;
    let pad = if zero { '0' } else { ' ' };
    for _ in len..width {
        out.push(pad);
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

fn parse_field(field: &str, allow_user: bool) -> Result<Piece, String> {
    let (name, spec) = match field.split_once(':') {
        Some((name, spec)) => (name.trim(), Some(spec.trim())),
        None => (field.trim(), None),
    };
    match (name, spec) {
        ("n", None) => Ok(Piece::Number {
            width: 0,
            zero: false,
        }),
        ("n", Some(spec)) => {
            let zero = spec.starts_with('0') && spec.len() > 1;
            let digits = if zero { &spec[1..] } else { spec };
            match digits.parse::<usize>() {
                Ok(width) if width <= 20 => Ok(Piece::Number { width, zero }),
                _ => Err(format!(
                    "{{n:{spec}}} is not a width: write {{n}}, {{n:4}} or {{n:04}} (at most 20)"
                )),
            }
        }
        ("user", None) if allow_user => Ok(Piece::User),
        _ => {
            let known = if allow_user {
                "{n}, {n:04} or {user}"
            } else {
                "{n} or {n:04}"
            };
            Err(format!("unknown placeholder {{{field}}}: use {known}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Template {
        Template::parse("--aor", text, true).unwrap()
    }

    #[test]
    fn numbers_are_padded_as_asked() {
        assert_eq!(t("sip:bench{n:04}@x").expand(7, ""), "sip:bench0007@x");
        assert_eq!(t("pw{n}").expand(12345, ""), "pw12345");
        assert_eq!(t("[{n:3}]").expand(7, ""), "[  7]");
        assert_eq!(t("{n:02}").expand(1234, ""), "1234", "width is a minimum");
        assert!(t("a{n}").is_numbered());
        assert!(!t("static").is_numbered());
        assert!(t("sip:{user}@h").varies() && !t("sip:u@h").varies());
    }

    #[test]
    fn user_and_escaped_braces() {
        assert_eq!(
            t("sip:{user}@10.0.0.1:{n}").expand(5070, "alice"),
            "sip:alice@10.0.0.1:5070"
        );
        assert_eq!(t("{{n}}{n}").expand(1, ""), "{n}1");
    }

    #[test]
    fn numbers_print_as_the_formatter_prints_them() {
        for n in [0, 1, 9, 10, 99, 100, 12345, 1 << 32, u64::MAX] {
            for width in [0, 1, 4, 5, 20] {
                assert_eq!(
                    t(&format!("{{n:0{width}}}")).expand(n, ""),
                    format!("{n:0width$}")
                );
                assert_eq!(
                    t(&format!("{{n:{width}}}")).expand(n, ""),
                    format!("{n:width$}")
                );
            }
        }
        let mut out = String::from("keep:");
        t("a{n:03}b").expand_into(7, "", &mut out);
        assert_eq!(out, "keep:a007b", "appends to what is there");
    }

    #[test]
    fn mistakes_are_explained() {
        for bad in ["{x}", "{n:abc}", "{n", "a}b", "{n:099}"] {
            let e = Template::parse("--aor", bad, false)
                .unwrap_err()
                .to_string();
            assert!(e.contains("--aor"), "{e}");
        }
        assert!(Template::parse("--aor", "{user}", false).is_err());
    }

    #[test]
    fn a_bad_password_template_is_not_echoed() {
        let e = Template::parse("--password-template", "hunter2{n", false).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = Template::parse("--aor", "sip:x{n", false).unwrap_err();
        assert!(e.to_string().contains("sip:x{n"), "{e}");
    }
}
