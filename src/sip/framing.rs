//! Where a message ends: the blank line after the head, then Content-Length bytes of
//! body (RFC 3261 §18.3). Datagrams carry one message; streams carry a sequence.

use super::error::ParseError;
use super::headers::canonical_name;

/// Messages larger than this are refused: a REGISTER exchange never comes near it, and
/// a bound keeps a hostile peer from making us buffer without end.
pub const MAX_MESSAGE_SIZE: usize = 65_535;

/// Returns (length of the head including its blank line, declared Content-Length).
fn read_head(buf: &[u8]) -> Result<Option<(usize, Option<usize>)>, ParseError> {
    let Some(head_len) = head_end(buf) else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..head_len]).map_err(|_| ParseError::NotText)?;
    let mut length = None;
    for line in head.lines() {
        if let Some((name, value)) = line.split_once(':') {
            if canonical_name(name) == "content-length" {
                let v = value.trim();
                let n = v
                    .parse::<usize>()
                    .map_err(|_| ParseError::ContentLength(v.to_string()))?;
                length = Some(n);
            }
        }
    }
    Ok(Some((head_len, length)))
}

fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The message within one datagram: its head and exactly Content-Length bytes of body.
/// Bytes past Content-Length are discarded; fewer is an error. Without Content-Length
/// (allowed on UDP) the rest of the datagram is the body.
pub fn frame_datagram(buf: &[u8]) -> Result<&[u8], ParseError> {
    if buf.len() > MAX_MESSAGE_SIZE {
        return Err(ParseError::TooLarge {
            size: buf.len(),
            limit: MAX_MESSAGE_SIZE,
        });
    }
    let (head_len, declared) = read_head(buf)?.ok_or(ParseError::Incomplete)?;
    let present = buf.len() - head_len;
    match declared {
        None => Ok(buf),
        Some(n) if n > present => Err(ParseError::TruncatedBody {
            declared: n,
            present,
        }),
        Some(n) => Ok(&buf[..head_len + n]),
    }
}

/// Splits a byte stream (TCP, TLS) into messages. Content-Length is mandatory on a
/// stream; RFC 5626 keep-alive CRLFs between messages are skipped.
#[derive(Debug, Default)]
pub struct StreamFramer {
    buf: Vec<u8>,
}

impl StreamFramer {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete message, `Ok(None)` when more bytes are needed. An error means
    /// the stream cannot be resynchronised and the connection should be dropped.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, ParseError> {
        let skip = self
            .buf
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .unwrap_or(self.buf.len());
        self.buf.drain(..skip);
        if self.buf.is_empty() {
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
        Ok(Some(self.buf.drain(..total).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"SIP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nbody";

    #[test]
    fn datagram_honours_content_length() {
        let mut extra = MSG.to_vec();
        extra.extend_from_slice(b"junk");
        assert_eq!(frame_datagram(&extra).unwrap(), MSG);
        let short = &MSG[..MSG.len() - 1];
        assert_eq!(
            frame_datagram(short),
            Err(ParseError::TruncatedBody {
                declared: 4,
                present: 3
            })
        );
        assert_eq!(
            frame_datagram(b"SIP/2.0 200 OK\r\nl: x\r\n\r\n"),
            Err(ParseError::ContentLength("x".into()))
        );
        assert_eq!(
            frame_datagram(b"SIP/2.0 200 OK\r\nVia: x"),
            Err(ParseError::Incomplete)
        );
    }

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
}
