//! A request that arrived at our contact (an OPTIONS ping, an INVITE, a MESSAGE…), as
//! read from the network: method, Request-URI, header lines and body.

use super::error::ParseError;
use super::head::{split_datagram, split_message, Head};

#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    /// The Request-URI as written.
    pub uri: String,
    head: Head,
    pub body: Vec<u8>,
}

/// The header lines every request has, read as any message's (`Head`).
impl std::ops::Deref for ReceivedRequest {
    type Target = Head;

    fn deref(&self) -> &Head {
        &self.head
    }
}

impl ReceivedRequest {
    /// Parses one message a stream framer cut out.
    pub fn parse(message: &[u8]) -> Result<ReceivedRequest, ParseError> {
        let ((method, uri), head, _, body) = split_message(message, parse_request_line)?;
        Ok(ReceivedRequest {
            method,
            uri,
            head,
            body,
        })
    }

    /// Parses the request one datagram carries (its body cut at Content-Length).
    pub fn parse_datagram(datagram: &[u8]) -> Result<ReceivedRequest, ParseError> {
        let ((method, uri), head, body) = split_datagram(datagram, parse_request_line)?;
        Ok(ReceivedRequest {
            method,
            uri,
            head,
            body,
        })
    }
}

/// Whether a message is a request rather than a response: its first line does not
/// begin with the SIP version (a response's) and ends with it (a request's).
pub fn is_request(message: &[u8]) -> bool {
    let first = message.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    first.len() > 8
        && !first[..8].eq_ignore_ascii_case(b"SIP/2.0 ")
        && first[first.len() - 8..].eq_ignore_ascii_case(b" SIP/2.0")
}

/// `METHOD SP Request-URI SP SIP/2.0` (RFC 3261 §7.1).
fn parse_request_line(line: &[u8]) -> Result<(String, String), ParseError> {
    let bad = || ParseError::RequestLine(String::from_utf8_lossy(line).into_owned());
    let text = std::str::from_utf8(line).map_err(|_| bad())?;
    let mut parts = text.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let method_ok = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b));
    let uri_ok = !uri.is_empty() && uri.bytes().all(|b| b.is_ascii_graphic());
    if !method_ok || !uri_ok || !version.eq_ignore_ascii_case("SIP/2.0") {
        return Err(bad());
    }
    Ok((method.to_string(), uri.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:alice@127.0.0.1:5070 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKab;rport\r\n\
        From: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n\
        Call-ID: c1\r\nCSeq: 7 OPTIONS\r\nContent-Length: 2\r\n\r\nhiEXTRA";

    #[test]
    fn a_request_is_read_and_told_from_a_response() {
        assert!(is_request(OPTIONS.as_bytes()));
        assert!(!is_request(b"SIP/2.0 200 OK\r\n\r\n"));
        assert!(!is_request(b"garbage\r\n\r\n"));
        assert!(!is_request(b""));
        let r = ReceivedRequest::parse_datagram(OPTIONS.as_bytes()).unwrap();
        assert_eq!(r.method, "OPTIONS");
        assert_eq!(r.uri, "sip:alice@127.0.0.1:5070");
        assert_eq!(r.call_id(), Some("c1"));
        assert_eq!(r.cseq().unwrap(), (7, "OPTIONS"));
        assert_eq!(r.top_via_branch(), Some("z9hG4bKab"));
        assert_eq!(r.body, b"hi");
    }

    #[test]
    fn a_bad_request_line_is_an_error_not_a_panic() {
        for line in [
            "OPTIONS sip:a@b SIP/3.0",
            "OPTIONS  sip:a@b SIP/2.0",
            "OPT\x1bIONS sip:a@b SIP/2.0",
            "OPTIONS sip:a@b\x07 SIP/2.0",
            "OPTIONS sip:a@b SIP/2.0 extra",
            " SIP/2.0",
        ] {
            let m = format!("{line}\r\nCall-ID: x\r\n\r\n");
            assert!(
                ReceivedRequest::parse_datagram(m.as_bytes()).is_err(),
                "{line:?}"
            );
        }
    }
}
