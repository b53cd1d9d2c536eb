//! A SIP response as sipreg reads it: status, headers in order, body.

use super::challenge::parse_challenge;
use super::contact::{ContactParts, ContactValue};
use super::error::ParseError;
use super::head::{split_datagram, split_message, Head};
use super::headers::split_list;
use crate::auth::{Challenge, ChallengeKind};

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    head: Head,
    pub body: Vec<u8>,
}

/// The header lines every response has, read as any message's (`Head`).
impl std::ops::Deref for Response {
    type Target = Head;

    fn deref(&self) -> &Head {
        &self.head
    }
}

impl Response {
    /// Parses one framed message (see `StreamFramer`, or `parse_datagram` for a
    /// datagram). Anything that
    /// is not a well-formed response — a request, a bad status line, a header line
    /// without a colon — is an error, never a panic.
    pub fn parse(message: &[u8]) -> Result<Response, ParseError> {
        let ((status, reason), head, _, body) = split_message(message, parse_status_line)?;
        Ok(Response {
            status,
            reason,
            head,
            body,
        })
    }

    /// Parses the response one datagram carries, in one pass over its head; its body
    /// is cut at Content-Length as `split_datagram` says.
    pub fn parse_datagram(datagram: &[u8]) -> Result<Response, ParseError> {
        let ((status, reason), head, body) = split_datagram(datagram, parse_status_line)?;
        Ok(Response {
            status,
            reason,
            head,
            body,
        })
    }

    pub fn is_final(&self) -> bool {
        self.status >= 200
    }

    /// The bindings listed in Contact headers. A malformed element is returned as an
    /// error in place, so that one bad binding does not hide the others.
    pub fn contacts(&self) -> Vec<Result<ContactValue, ParseError>> {
        self.all("contact")
            .flat_map(split_list)
            .filter(|c| *c != "*")
            .map(ContactValue::parse)
            .collect()
    }

    /// As [`Response::contacts`], with each URI left unparsed.
    pub fn contact_parts(&self) -> Vec<Result<ContactParts<'_>, ParseError>> {
        self.all("contact")
            .flat_map(split_list)
            .filter(|c| *c != "*")
            .map(ContactParts::split)
            .collect()
    }

    pub fn expires(&self) -> Option<u32> {
        self.header("expires").and_then(|e| e.trim().parse().ok())
    }

    pub fn min_expires(&self) -> Option<u32> {
        self.header("min-expires")
            .and_then(|e| e.trim().parse().ok())
    }

    /// Retry-After seconds (RFC 3261 §20.33), comments and parameters ignored.
    pub fn retry_after(&self) -> Option<u32> {
        let v = self.header("retry-after")?;
        v.split(|c: char| c == ';' || c == '(' || c.is_whitespace())
            .next()
            .and_then(|n| n.parse().ok())
    }

    /// The digest challenges of a 401 (WWW-Authenticate) or 407 (Proxy-Authenticate),
    /// one per header line. Unreadable challenges and other schemes are left out; the
    /// names of what was left out come back second, for the user's information.
    pub fn challenges(&self) -> (Vec<Challenge>, Vec<String>) {
        let mut found = Vec::new();
        let mut skipped = Vec::new();
        for (header, kind) in [
            ("www-authenticate", ChallengeKind::Www),
            ("proxy-authenticate", ChallengeKind::Proxy),
        ] {
            for value in self.all(header) {
                match parse_challenge(value, kind.clone()) {
                    Ok(c) => found.push(c),
                    Err(why) => skipped.push(why),
                }
            }
        }
        (found, skipped)
    }
}

fn parse_status_line(line: &[u8]) -> Result<(u16, String), ParseError> {
    let bad = || ParseError::StatusLine(String::from_utf8_lossy(line).into_owned());
    let text = std::str::from_utf8(line).map_err(|_| bad())?;
    // The status line cannot be folded; a line break here would smuggle another
    // line into the reason phrase we print.
    if text.contains(['\r', '\n']) {
        return Err(bad());
    }
    let rest = text
        .get(..8)
        .filter(|v| v.eq_ignore_ascii_case("SIP/2.0 "))
        .map(|_| &text[8..])
        .ok_or_else(bad)?;
    let code_text = rest.get(..3).ok_or_else(bad)?;
    let status: u16 = code_text
        .parse()
        .ok()
        .filter(|c| (100..700).contains(c))
        .ok_or_else(bad)?;
    let after = &rest[3..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return Err(bad());
    }
    Ok((status, after.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datagram_is_cut_at_its_content_length() {
        let head = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nCall-ID: c\r\n";
        // The compact form counts; a repeat of the same number is fine; a folded one
        // counts by its first line, as in the stream framer.
        for (lengths, body, kept) in [
            ("Content-Length: 3\r\n", "abcdef", "abc"),
            ("l: 2\r\n", "abcdef", "ab"),
            ("Content-Length: 4\r\nl: 04\r\n", "abcdef", "abcd"),
            ("", "abcdef", "abcdef"),
            ("Content-Length: 0\r\n", "", ""),
            ("Content-Length: 2\r\n x\r\n", "abcdef", "ab"),
        ] {
            let datagram = format!("{head}{lengths}\r\n{body}");
            let r = Response::parse_datagram(datagram.as_bytes()).unwrap();
            assert_eq!(r.body, kept.as_bytes(), "{lengths}");
            assert_eq!(r.call_id(), Some("c"));
            if !lengths.is_empty() {
                // A stream splits the same message at the same place.
                let mut f = crate::sip::StreamFramer::default();
                f.push(datagram.as_bytes());
                let m = f.next_message().unwrap().unwrap();
                assert_eq!(Response::parse(&m).unwrap().body, r.body, "{lengths}");
            }
        }
        let refused = |lengths: &str, body: &str| {
            Response::parse_datagram(format!("{head}{lengths}\r\n{body}").as_bytes()).unwrap_err()
        };
        assert_eq!(
            refused("l: 10\r\n", "abc"),
            ParseError::TruncatedBody {
                declared: 10,
                present: 3
            }
        );
        assert_eq!(
            refused("l: x\r\n", ""),
            ParseError::ContentLength("x".into())
        );
        // Two that disagree: neither is believed, whichever comes first.
        assert_eq!(
            refused("Content-Length: 9\r\nContent-Length: 4\r\n", "abcdefghi"),
            ParseError::ConflictingContentLength {
                first: 9,
                second: 4
            }
        );
        assert_eq!(
            refused("l: 1\r\nContent-Length: 1\r\nl: 0\r\n", "a"),
            ParseError::ConflictingContentLength {
                first: 1,
                second: 0
            }
        );
        // A bad value is an error even when a good one follows.
        assert_eq!(
            refused("l: x\r\nl: 0\r\n", ""),
            ParseError::ContentLength("x".into())
        );
        assert_eq!(
            Response::parse_datagram(b"SIP/2.0 200 OK\r\nVia: x").unwrap_err(),
            ParseError::Incomplete
        );
    }

    #[test]
    fn top_via_branch_reads_only_the_top_via() {
        let r = Response::parse(
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;rport=1;BRANCH=z9hG4bKtop , SIP/2.0/UDP b;branch=z9hG4bKlow\r\nv: SIP/2.0/UDP c;branch=z9hG4bKthird\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.top_via_branch(), Some("z9hG4bKtop"));
        let none = Response::parse(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;rport\r\n\r\n").unwrap();
        assert_eq!(none.top_via_branch(), None);
    }

    #[test]
    fn folding_compact_names_and_a_folded_status_line() {
        let r = Response::parse(
            b"SIP/2.0 200 OK\r\nSubject: a\r\n  b \r\n\tc\r\ni: x@y\r\nM: <sip:a@b>\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.header("Subject"), Some("a b c"));
        assert_eq!(r.call_id(), Some("x@y"));
        assert_eq!(r.header("contact"), Some("<sip:a@b>"));
        let names: Vec<&str> = r.headers().map(|(n, _)| n).collect();
        assert_eq!(names, ["subject", "call-id", "contact"]);
        let folded_status = Response::parse(b"SIP/2.0 200 OK\r\n more\r\nVia: x\r\n\r\n");
        assert!(matches!(folded_status, Err(ParseError::StatusLine(_))));
    }
}
