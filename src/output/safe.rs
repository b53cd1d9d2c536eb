//! Text from the network on a terminal: every control character (C0, DEL and C1, so
//! ESC and CSI sequences too) is shown as a visible escape instead of being obeyed.
//! Every human rendering of something a peer wrote goes through `terminal_safe`.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with each control character written as `\xNN` (`\u{NNNN}` above U+00FF).
/// Tabs stay: they only move the cursor right.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            // Writing into a String cannot fail.
            let _ = match u32::from(c) {
                n @ 0..=0xff => write!(out, "\\x{n:02x}"),
                n => write!(out, "\\u{{{n:04x}}}"),
            };
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_c1_controls_become_visible() {
        assert_eq!(
            terminal_safe("OK\x1b]0;pwned\x07\x1b[2J"),
            "OK\\x1b]0;pwned\\x07\\x1b[2J"
        );
        assert_eq!(terminal_safe("a\u{9b}31mb\0"), "a\\x9b31mb\\x00");
        assert_eq!(terminal_safe("line\r\nnext"), "line\\x0d\\x0anext");
        assert!(matches!(terminal_safe("Not Found\tok é"), Cow::Borrowed(_)));
    }
}
