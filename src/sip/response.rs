//! A SIP response as sipreg reads it: status, headers in order, body.

use super::challenge::parse_challenge;
use super::contact::{ContactParts, ContactValue};
use super::error::ParseError;
use super::framing::{content_length, head_end, MAX_MESSAGE_SIZE};
use super::headers::{canonical, push_canonical, split_list};
use super::lexer::{find_outside_quotes, param, split_outside_quotes};
use super::via::{Via, ViaView};
use crate::auth::{Challenge, ChallengeKind};

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    /// Every header's canonical lower-case name and its value with folding undone,
    /// one after another: one allocation for the whole head instead of two per line.
    text: String,
    /// (name, value) of each header line as byte ranges of `text`, in message order.
    headers: Vec<(Span, Span)>,
    pub body: Vec<u8>,
}

/// A byte range of `Response::text`.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Response {
    /// Parses one framed message (see `StreamFramer`, or `parse_datagram` for a
    /// datagram). Anything that
    /// is not a well-formed response — a request, a bad status line, a header line
    /// without a colon — is an error, never a panic.
    pub fn parse(message: &[u8]) -> Result<Response, ParseError> {
        Response::parse_head(message).map(|(response, _)| response)
    }

    /// Parses the response one datagram carries, in one pass over its head: the body
    /// is exactly Content-Length bytes, bytes past it are dropped, and a body shorter
    /// than declared is an error; without Content-Length (allowed on UDP) the rest of
    /// the datagram is the body. As in `StreamFramer`, Content-Length headers that
    /// disagree are an error (repeats of one number are not), and a folded one counts
    /// by its first line.
    pub fn parse_datagram(datagram: &[u8]) -> Result<Response, ParseError> {
        let (mut response, length) = Response::parse_head(datagram)?;
        if let Some(declared) = length {
            let present = response.body.len();
            if declared > present {
                return Err(ParseError::TruncatedBody { declared, present });
            }
            response.body.truncate(declared);
        }
        Ok(response)
    }

    /// The response, with everything after the head as its body, and the declared
    /// Content-Length.
    fn parse_head(message: &[u8]) -> Result<(Response, Option<usize>), ParseError> {
        if message.len() > MAX_MESSAGE_SIZE {
            return Err(ParseError::TooLarge {
                size: message.len(),
                limit: MAX_MESSAGE_SIZE,
            });
        }
        // The framer's idea of where the head ends, so both agree on the body.
        let head_len = head_end(message).ok_or(ParseError::Incomplete)?;
        let head = &message[..head_len];
        let first_end = head
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(ParseError::Incomplete)?;
        let first = &head[..first_end];
        let first = first.strip_suffix(b"\r").unwrap_or(first);
        let (status, reason) = parse_status_line(first)?;
        let rest = std::str::from_utf8(&head[first_end + 1..]).map_err(|_| ParseError::NotText)?;
        let (text, headers, length) = read_headers(rest)?;
        let body = message[head_len..].to_vec();
        let response = Response {
            status,
            reason,
            text,
            headers,
            body,
        };
        Ok((response, length))
    }

    pub fn is_final(&self) -> bool {
        self.status >= 200
    }

    /// The first value of a header (names are matched case-insensitively, compact forms too).
    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.all(name).next()
    }

    /// Every value of a header, one per header line, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let wanted = canonical(name);
        self.headers()
            .filter(move |(n, _)| *n == wanted)
            .map(|(_, v)| v)
    }

    /// Every element of a list header, across lines and commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.all(name)
            .flat_map(split_list)
            .map(str::to_string)
            .collect()
    }

    /// (canonical lower-case name, value with folding undone) of each header line,
    /// in message order.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.headers
            .iter()
            .map(|(n, v)| (self.span(*n), self.span(*v)))
    }

    fn span(&self, s: Span) -> &str {
        &self.text[s.start as usize..s.end as usize]
    }

    pub fn top_via(&self) -> Result<Via, ParseError> {
        let first = self.header("via").ok_or(ParseError::Missing("Via"))?;
        let top = split_list(first)
            .into_iter()
            .next()
            .ok_or(ParseError::Missing("Via"))?;
        Via::parse(top)
    }

    /// The top Via split without a full parse: the branch that matches a response to
    /// its transaction, and the address the registrar saw, on every response.
    pub fn top_via_view(&self) -> Option<ViaView<'_>> {
        let first = self.header("via")?;
        let top = match find_outside_quotes(first, ',') {
            Some(comma) => &first[..comma],
            None => first,
        };
        ViaView::new(top.trim())
    }

    /// The `branch` of the top Via.
    pub fn top_via_branch(&self) -> Option<&str> {
        self.top_via_view()?.branch()
    }

    /// CSeq number and method.
    pub fn cseq(&self) -> Result<(u32, &str), ParseError> {
        let value = self.header("cseq").ok_or(ParseError::Missing("CSeq"))?;
        let bad = || ParseError::Header {
            header: "CSeq",
            value: value.to_string(),
        };
        let mut parts = value.split_whitespace();
        let number = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        let method = parts.next().ok_or_else(bad)?;
        Ok((number, method))
    }

    pub fn call_id(&self) -> Option<&str> {
        self.header("call-id").map(str::trim)
    }

    /// The `tag` parameter of the To header, if the registrar set one.
    pub fn to_tag(&self) -> Option<String> {
        let to = self.header("to")?;
        // Header parameters follow the `>` that closes the URI; a URI never holds
        // `>`, but a quoted parameter after it may.
        let params = match find_outside_quotes(to, '<') {
            Some(open) => {
                let after = &to[open..];
                &after[after.find('>')? + 1..]
            }
            None => to,
        };
        split_outside_quotes(params, ';')
            .into_iter()
            .skip(1)
            .filter_map(param)
            .find(|(n, _)| n.eq_ignore_ascii_case("tag"))
            .and_then(|(_, v)| v)
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

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
                )
        })
}

/// The canonical names and values of the header lines, and the Content-Length read
/// from the first line of each Content-Length value (where the framer reads it).
type Headers = (String, Vec<(Span, Span)>, Option<usize>);

/// The header lines after the status line, up to the blank line: names made
/// canonical, folding undone (RFC 3261 §7.3.1: a line break followed by white space
/// is one space), all written into one string.
fn read_headers(section: &str) -> Result<Headers, ParseError> {
    let mut text = String::with_capacity(section.len());
    let mut headers: Vec<(Span, Span)> = Vec::with_capacity(16);
    let mut length = None;
    for line in section.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break; // the blank line that ends the head
        }
        if line.starts_with([' ', '\t']) {
            // A continuation: part of the value of the line before it.
            let Some((_, value)) = headers.last_mut() else {
                return Err(ParseError::StatusLine(line.to_string()));
            };
            append_value_pieces(&mut text, line, value.start != value.end);
            value.end = end_of(&text)?;
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .filter(|(n, _)| is_token(n.trim()))
            .ok_or_else(|| ParseError::HeaderLine(line.to_string()))?;
        let name_start = end_of(&text)?;
        push_canonical(&mut text, name);
        let name_span = Span {
            start: name_start,
            end: end_of(&text)?,
        };
        let value_start = end_of(&text)?;
        append_value_pieces(&mut text, value, false);
        let value_span = Span {
            start: value_start,
            end: end_of(&text)?,
        };
        if &text[name_span.start as usize..name_span.end as usize] == "content-length" {
            let value = &text[value_span.start as usize..value_span.end as usize];
            length = Some(content_length(length, value)?);
        }
        headers.push((name_span, value_span));
    }
    Ok((text, headers, length))
}

/// Appends the trimmed pieces of one physical line of a value (a stray CR inside it
/// separates pieces too), one space between pieces and before the first when the
/// value already has text.
fn append_value_pieces(text: &mut String, line: &str, mut spaced: bool) {
    for piece in line.split('\r').map(str::trim).filter(|p| !p.is_empty()) {
        if spaced {
            text.push(' ');
        }
        text.push_str(piece);
        spaced = true;
    }
}

/// The end of `text` as a span bound; a head is at most `MAX_MESSAGE_SIZE` bytes, so
/// this never fails in practice.
fn end_of(text: &str) -> Result<u32, ParseError> {
    u32::try_from(text.len()).map_err(|_| ParseError::TooLarge {
        size: text.len(),
        limit: MAX_MESSAGE_SIZE,
    })
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
