//! Formats the `Digest …` value of an Authorization or Proxy-Authorization
//! header (RFC 3261 §25.1 `credentials`).

use super::digest::{Algorithm, Qop};
use std::fmt::Write;

/// The parameters of one answer, in the order they are written.
#[derive(Debug)]
pub(crate) struct DigestAnswer<'a> {
    pub username: &'a str,
    pub realm: &'a str,
    pub nonce: &'a str,
    pub uri: &'a str,
    pub response: &'a str,
    pub algorithm: Algorithm,
    /// Sent with qop, and with a `-sess` algorithm, whose H(A1) needs it.
    pub cnonce: Option<&'a str>,
    pub opaque: Option<&'a str>,
    /// With qop comes the nonce count.
    pub qop: Option<(Qop, u32)>,
}

pub(crate) fn format(c: &DigestAnswer<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("Digest ");
    push_quoted(&mut out, "username", c.username);
    out.push_str(", ");
    push_quoted(&mut out, "realm", c.realm);
    out.push_str(", ");
    push_quoted(&mut out, "nonce", c.nonce);
    out.push_str(", ");
    push_quoted(&mut out, "uri", c.uri);
    out.push_str(", ");
    push_quoted(&mut out, "response", c.response);
    // Always echoed, even for the MD5 default: RFC 7616 §3.4 lets the server
    // see which algorithm we answered when it offered several.
    out.push_str(", algorithm=");
    out.push_str(c.algorithm.as_str());
    if let Some(cnonce) = c.cnonce {
        out.push_str(", ");
        push_quoted(&mut out, "cnonce", cnonce);
    }
    if let Some(opaque) = c.opaque {
        out.push_str(", ");
        push_quoted(&mut out, "opaque", opaque);
    }
    if let Some((qop, nc)) = c.qop {
        // qop and nc are tokens in the credentials, unlike in the challenge.
        out.push_str(", qop=");
        out.push_str(qop.as_str());
        // nc is 8 lower-case hex digits (RFC 2617 §3.2.2); writing to a String
        // cannot fail.
        let _ = write!(out, ", nc={nc:08x}");
    }
    out
}

/// Writes `name="value"` escaping `"` and `\` as RFC 3261 quoted-pairs.
/// CR and LF cannot be quoted at all; they are dropped so that a bad value
/// (challenges with them are refused earlier) can never split the header.
fn push_quoted(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    out.push_str("=\"");
    // Runs of plain characters are copied as slices; nonces and names rarely hold
    // anything that needs escaping.
    let mut run_start = 0;
    for (i, c) in value.char_indices() {
        if matches!(c, '"' | '\\' | '\r' | '\n') {
            out.push_str(&value[run_start..i]);
            if c == '"' || c == '\\' {
                out.push('\\');
                out.push(c);
            }
            run_start = i + 1;
        }
    }
    out.push_str(&value[run_start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal<'a>() -> DigestAnswer<'a> {
        DigestAnswer {
            username: "alice",
            realm: "r",
            nonce: "n",
            uri: "sip:example.com",
            response: "abc",
            algorithm: Algorithm::Md5,
            cnonce: None,
            opaque: None,
            qop: None,
        }
    }

    #[test]
    fn rfc2069_form_has_no_qop_cnonce_or_nc() {
        assert_eq!(
            format(&minimal()),
            "Digest username=\"alice\", realm=\"r\", nonce=\"n\", uri=\"sip:example.com\", \
             response=\"abc\", algorithm=MD5"
        );
    }

    #[test]
    fn full_form_in_documented_order() {
        let c = DigestAnswer {
            cnonce: Some("cn"),
            opaque: Some("op"),
            qop: Some((Qop::AuthInt, 0x1a)),
            algorithm: Algorithm::Sha512_256Sess,
            ..minimal()
        };
        assert_eq!(
            format(&c),
            "Digest username=\"alice\", realm=\"r\", nonce=\"n\", uri=\"sip:example.com\", \
             response=\"abc\", algorithm=SHA-512-256-sess, cnonce=\"cn\", opaque=\"op\", \
             qop=auth-int, nc=0000001a"
        );
    }

    #[test]
    fn quotes_backslashes_and_line_breaks_are_neutralised() {
        let c = DigestAnswer {
            username: "a\"b\\c",
            realm: "x\r\nVia: evil",
            ..minimal()
        };
        let value = format(&c);
        assert!(
            value.starts_with("Digest username=\"a\\\"b\\\\c\", realm=\"xVia: evil\""),
            "{value}"
        );
    }
}
