//! Where a message ends: the blank line after the head, then Content-Length bytes of
//! body (RFC 3261 §18.3). Streams carry a sequence of messages, split here; a
//! datagram carries one, which `Response::parse_datagram` reads in the same pass as
//! its headers, by the same rule (`content_length`: every Content-Length must give the
//! same number, read from its first line only).

use super::error::ParseError;
use super::headers::is_content_length;

/// Messages larger than this are refused: a REGISTER exchange never comes near it, and
/// a bound keeps a hostile peer from making us buffer without end.
pub const MAX_MESSAGE_SIZE: usize = 65_535;

/// Returns (length of the head including its blank line, declared Content-Length).
fn read_head(buf: &[u8]) -> Result<Option<(usize, Option<usize>)>, ParseError> {
    let Some(head_len) = head_end(buf) else {
        return Ok(None);
    };
    let head = &buf[..head_len];
    std::str::from_utf8(head).map_err(|_| ParseError::NotText)?;
    let mut length = None;
    // A line starting with white space continues the previous header (folding), so
    // it can never be a Content-Length of its own.
    for line in head.split(|&b| b == b'\n') {
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        // Both halves are text: the head was checked above and `:` is ASCII.
        let name = std::str::from_utf8(&line[..colon]).unwrap_or_default();
        if is_content_length(name) {
            let value = std::str::from_utf8(&line[colon + 1..]).unwrap_or_default();
            length = Some(content_length(length, value)?);
        }
    }
    Ok(Some((head_len, length)))
}

/// Reads one Content-Length value given `seen`, the one read before it if any. A
/// repeat of the same number is harmless; a different one is refused rather than
/// letting the first or the last win, since a sender or a middlebox may have meant
/// the other and the body would be cut at the wrong byte (RFC 4475 `mcl01`).
pub(super) fn content_length(seen: Option<usize>, value: &str) -> Result<usize, ParseError> {
    let v = value.trim();
    let n = v
        .parse::<usize>()
        .map_err(|_| ParseError::ContentLength(v.to_string()))?;
    match seen {
        Some(first) if first != n => Err(ParseError::ConflictingContentLength { first, second: n }),
        _ => Ok(n),
    }
}

/// Length of the head including the blank line that ends it: the first line that is
/// empty or holds a lone CR (CRLFCRLF, a bare LFLF, or the two mixed), which is where
/// `Response::parse` stops reading header lines too.
pub(super) fn head_end(buf: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', buf).find_map(|p| {
        let before = &buf[..p];
        let ends = before.ends_with(b"\n") || before.ends_with(b"\n\r");
        ends.then_some(p + 1)
    })
}

/// What a byte stream carries between messages: a message, or an RFC 5626
/// keep-alive CRLF (a pong, when it answers our ping).
#[derive(Debug, PartialEq, Eq)]
pub enum Framed {
    Message(Vec<u8>),
    Pong,
}

/// Splits a byte stream (TCP, TLS) into messages. Content-Length is mandatory on a
/// stream; RFC 5626 keep-alive CRLFs between messages are skipped by
/// `next_message`, and reported as pongs by `next_item`.
#[derive(Debug, Default)]
pub struct StreamFramer {
    buf: Vec<u8>,
    /// Bytes already searched for the end of the head without finding it, so a head
    /// arriving byte by byte is not rescanned from the start every time.
    scanned: usize,
    /// The error that ended framing. Once the framer cannot tell where a message ends
    /// it cannot tell where the next one starts either: every later call gives this
    /// error again, and nothing more is buffered, so that no caller can go on reading
    /// messages out of whatever bytes follow.
    broken: Option<ParseError>,
}

impl StreamFramer {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.broken.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// The next complete message, `Ok(None)` when more bytes are needed. An error means
    /// the stream cannot be resynchronised and the connection should be dropped.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, ParseError> {
        loop {
            match self.next_item()? {
                Some(Framed::Message(m)) => return Ok(Some(m)),
                Some(Framed::Pong) => continue,
                None => return Ok(None),
            }
        }
    }

    /// The next message or keep-alive. A run of CRLFs at a message boundary that ends
    /// a line is one pong; a lone CR at the very end is kept, as the first half of a
    /// pong still on its way.
    pub fn next_item(&mut self) -> Result<Option<Framed>, ParseError> {
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        let item = self.frame();
        if let Err(e) = &item {
            self.broken = Some(e.clone());
            self.buf = Vec::new();
        }
        item
    }

    fn frame(&mut self) -> Result<Option<Framed>, ParseError> {
        let run = self
            .buf
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .unwrap_or(self.buf.len());
        if run > 0 {
            let line_end = self.buf[..run].contains(&b'\n');
            let keep = usize::from(run == self.buf.len() && !line_end);
            self.buf.drain(..run - keep);
            self.scanned = 0;
            if line_end {
                return Ok(Some(Framed::Pong));
            }
        }
        if self.buf.is_empty() || self.buf == b"\r" {
            return Ok(None);
        }
        // The blank line may straddle what was scanned before: back up 3 bytes.
        let resume = self.scanned.saturating_sub(3);
        if head_end(&self.buf[resume..]).is_none() {
            self.scanned = self.buf.len();
            if self.buf.len() > MAX_MESSAGE_SIZE {
                return Err(ParseError::TooLarge {
                    size: self.buf.len(),
                    limit: MAX_MESSAGE_SIZE,
                });
            }
            return Ok(None);
        }
        let Some((head_len, declared)) = read_head(&self.buf)? else {
            if self.buf.len() > MAX_MESSAGE_SIZE {
                return Err(ParseError::TooLarge {
                    size: self.buf.len(),
                    limit: MAX_MESSAGE_SIZE,
                });
            }
            return Ok(None);
        };
        let body = declared.ok_or(ParseError::Missing("Content-Length"))?;
        let total = head_len.saturating_add(body);
        if total > MAX_MESSAGE_SIZE {
            return Err(ParseError::TooLarge {
                size: total,
                limit: MAX_MESSAGE_SIZE,
            });
        }
        if self.buf.len() < total {
            return Ok(None);
        }
        self.scanned = 0;
        Ok(Some(Framed::Message(self.buf.drain(..total).collect())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody";

    #[test]
    fn stream_split_coalesced_and_keepalives() {
        let mut f = StreamFramer::default();
        f.push(b"\r\n\r\n");
        f.push(&MSG[..10]);
        assert_eq!(f.next_message().unwrap(), None);
        f.push(&MSG[10..]);
        f.push(b"\r\n");
        f.push(MSG);
        assert_eq!(f.next_message().unwrap().as_deref(), Some(MSG));
        assert_eq!(f.next_message().unwrap().as_deref(), Some(MSG));
        assert_eq!(f.next_message().unwrap(), None);
    }

    #[test]
    fn a_head_arriving_byte_by_byte_is_scanned_once() {
        let mut f = StreamFramer::default();
        let head =
            b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKa\r\nContent-Length: 0\r\n\r\n";
        for (i, b) in head.iter().enumerate() {
            f.push(&[*b]);
            let got = f.next_message().unwrap();
            if i + 1 < head.len() {
                assert_eq!(got, None);
                // Only the few bytes that might hold a split blank line are rescanned.
                assert_eq!(f.scanned, i + 1);
            } else {
                assert_eq!(got.as_deref(), Some(&head[..]));
            }
        }
    }

    #[test]
    fn stream_bad_length_is_an_error() {
        let mut f = StreamFramer::default();
        f.push(b"SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n");
        assert!(f.next_message().is_err());
        let mut f = StreamFramer::default();
        f.push(b"SIP/2.0 200 OK\r\nContent-Length: 99999999\r\n\r\n");
        assert!(matches!(f.next_message(), Err(ParseError::TooLarge { .. })));
        let mut f = StreamFramer::default();
        f.push(&vec![b'a'; MAX_MESSAGE_SIZE + 1]);
        assert!(matches!(f.next_message(), Err(ParseError::TooLarge { .. })));
    }

    /// After an error nothing more comes out, however well-formed what follows looks:
    /// the framer cannot know where it starts.
    #[test]
    fn an_error_is_final() {
        let mut f = StreamFramer::default();
        f.push(b"SIP/2.0 200 OK\r\nContent-Length: 4\r\nl: 0\r\n\r\n");
        f.push(MSG);
        let conflict = ParseError::ConflictingContentLength {
            first: 4,
            second: 0,
        };
        assert_eq!(f.next_item(), Err(conflict.clone()));
        f.push(MSG);
        assert_eq!(f.next_message(), Err(conflict.clone()));
        assert_eq!(f.next_item(), Err(conflict));
        assert!(f.buf.is_empty(), "nothing is kept of a broken stream");
    }
}
