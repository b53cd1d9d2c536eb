//! What every SIP message read from the network has after its start line: the
//! header lines (names made canonical, folding undone) and where its body starts.
//! Responses (`Response`) and requests arriving at our contact (`Request`) are read
//! by this one code.

use super::error::ParseError;
use super::framing::{content_length, head_end, MAX_MESSAGE_SIZE};
use super::headers::{canonical, push_canonical, split_list};
use super::lexer::{find_outside_quotes, param, split_outside_quotes};
use super::via::{Via, ViaView};

#[derive(Debug, Clone)]
pub struct Head {
    /// Every header's canonical lower-case name and its value with folding undone,
    /// one after another: one allocation for the whole head instead of two per line.
    text: String,
    /// (name, value) of each header line as byte ranges of `text`, in message order.
    headers: Vec<(Span, Span)>,
}

/// A byte range of `Head::text`.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

/// A message taken apart: what its start line says, its head, the declared
/// Content-Length, and what follows the head.
type Parts<T> = (T, Head, Option<usize>, Vec<u8>);

/// Splits one framed message (see `StreamFramer`) into its start line, read by
/// `start` before any header (so that a message that is not what the caller reads
/// says so first), its head and everything after the head, with the declared
/// Content-Length. Never panics.
pub(super) fn split_message<T>(
    message: &[u8],
    start: impl FnOnce(&[u8]) -> Result<T, ParseError>,
) -> Result<Parts<T>, ParseError> {
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
    let started = start(first.strip_suffix(b"\r").unwrap_or(first))?;
    let rest = std::str::from_utf8(&head[first_end + 1..]).map_err(|_| ParseError::NotText)?;
    let (text, headers, length) = read_headers(rest)?;
    let body = message[head_len..].to_vec();
    Ok((started, Head { text, headers }, length, body))
}

/// As `split_message` for the message one datagram carries: the body is exactly
/// Content-Length bytes, bytes past it are dropped, and a body shorter than declared
/// is an error; without Content-Length (allowed on UDP) the rest of the datagram is
/// the body. As in `StreamFramer`, Content-Length headers that disagree are an error
/// (repeats of one number are not), and a folded one counts by its first line.
pub(super) fn split_datagram<T>(
    datagram: &[u8],
    start: impl FnOnce(&[u8]) -> Result<T, ParseError>,
) -> Result<(T, Head, Vec<u8>), ParseError> {
    let (started, head, length, mut body) = split_message(datagram, start)?;
    if let Some(declared) = length {
        let present = body.len();
        if declared > present {
            return Err(ParseError::TruncatedBody { declared, present });
        }
        body.truncate(declared);
    }
    Ok((started, head, body))
}

impl Head {
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
