//! A SIP response as sipreg reads it: status, headers in order, body.

use super::challenge::parse_challenge;
use super::contact::ContactValue;
use super::error::ParseError;
use super::framing::{head_end, MAX_MESSAGE_SIZE};
use super::headers::{canonical_name, split_list};
use super::lexer::{find_outside_quotes, param, split_outside_quotes};
use super::via::Via;
use crate::auth::{Challenge, ChallengeKind};
use ezk_sip_types::msg::PullParser;

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    /// (canonical lower-case name, value with folding undone), in message order.
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// Parses one framed message (see `frame_datagram` / `StreamFramer`). Anything that
    /// is not a well-formed response — a request, a bad status line, a header line
    /// without a colon — is an error, never a panic.
    pub fn parse(message: &[u8]) -> Result<Response, ParseError> {
        if message.len() > MAX_MESSAGE_SIZE {
            return Err(ParseError::TooLarge {
                size: message.len(),
                limit: MAX_MESSAGE_SIZE,
            });
        }
        let mut lines = PullParser::new(message, 0);
        let first = match lines.next() {
            Some(Ok(line)) => line,
            _ => return Err(ParseError::Incomplete),
        };
        let (status, reason) = parse_status_line(first)?;
        let mut headers = Vec::new();
        for line in lines.by_ref() {
            let line = line.map_err(|_| ParseError::Incomplete)?;
            let text = std::str::from_utf8(line).map_err(|_| ParseError::NotText)?;
            let (name, value) = text
                .split_once(':')
                .filter(|(n, _)| is_token(n.trim()))
                .ok_or_else(|| ParseError::HeaderLine(text.to_string()))?;
            headers.push((canonical_name(name), unfold(value)));
        }
        // The framer's idea of where the head ends, so both agree on the body.
        let body_start = head_end(message).unwrap_or(message.len());
        let body = message.get(body_start..).unwrap_or_default().to_vec();
        Ok(Response {
            status,
            reason,
            headers,
            body,
        })
    }

    pub fn is_final(&self) -> bool {
        self.status >= 200
    }

    /// The first value of a header (names are matched case-insensitively, compact forms too).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).next()
    }

    /// Every value of a header, one per header line, in order.
    pub fn all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let wanted = canonical_name(name);
        self.headers
            .iter()
            .filter(move |(n, _)| *n == wanted)
            .map(|(_, v)| v.as_str())
    }

    /// Every element of a list header, across lines and commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.all(name)
            .flat_map(split_list)
            .map(str::to_string)
            .collect()
    }

    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    pub fn top_via(&self) -> Result<Via, ParseError> {
        let first = self.header("via").ok_or(ParseError::Missing("Via"))?;
        let top = split_list(first)
            .into_iter()
            .next()
            .ok_or(ParseError::Missing("Via"))?;
        Via::parse(top)
    }

    /// The `branch` of the top Via, read without parsing the whole Via: the one
    /// thing matching a response to its transaction needs, on every response.
    pub fn top_via_branch(&self) -> Option<&str> {
        let first = self.header("via")?;
        let top = match find_outside_quotes(first, ',') {
            Some(comma) => &first[..comma],
            None => first,
        };
        top.split(';').skip(1).find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("branch")
                .then(|| value.trim())
        })
    }

    /// CSeq number and method.
    pub fn cseq(&self) -> Result<(u32, String), ParseError> {
        let value = self.header("cseq").ok_or(ParseError::Missing("CSeq"))?;
        let bad = || ParseError::Header {
            header: "CSeq",
            value: value.to_string(),
        };
        let mut parts = value.split_whitespace();
        let number = parts.next().and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        let method = parts.next().ok_or_else(bad)?.to_string();
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
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c))
}

/// Undoes header folding (RFC 3261 §7.3.1): a line break followed by white space is
/// one space.
fn unfold(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for line in value.split(['\r', '\n']) {
        let piece = line.trim();
        if piece.is_empty() {
            continue;
        }
        if pending_space {
            out.push(' ');
        }
        out.push_str(piece);
        pending_space = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
