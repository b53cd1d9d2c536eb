//! A response to a request that arrived at our contact (RFC 3261 §8.2.6), written out
//! as bytes: the request's Via lines, From, Call-ID and CSeq copied, To with our tag
//! added when it has none, then our own headers and an optional body.

use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct Reply<'a> {
    pub status: u16,
    pub reason: &'a str,
    /// Every Via value of the request, top first, copied unchanged but for the
    /// `received`/`rport` the server transport adds to the top one (§18.2.1, RFC 3581).
    pub vias: &'a [String],
    pub from: &'a str,
    /// The request's To value; `to_tag` is appended when it carries no tag (§8.2.6.2),
    /// except on a 100 Trying, which must not invent a dialog.
    pub to: &'a str,
    pub to_tag: &'a str,
    pub call_id: &'a str,
    /// `NUMBER METHOD`, as the request had it.
    pub cseq: &'a str,
    /// Our own headers (Allow, Accept, Supported, Server …), in order.
    pub headers: &'a [(&'static str, String)],
    /// Content-Type and body, if any.
    pub body: Option<(&'a str, &'a [u8])>,
}

impl Reply<'_> {
    pub fn encode(&self) -> Vec<u8> {
        let mut m = String::with_capacity(384);
        // Writing into a String cannot fail; the results are ignored for that reason.
        let _ = write!(m, "SIP/2.0 {} {}\r\n", self.status, self.reason);
        for via in self.vias {
            let _ = write!(m, "Via: {via}\r\n");
        }
        let _ = write!(m, "From: {}\r\nTo: {}", self.from, self.to);
        if self.status > 100 && !has_tag(self.to) {
            let _ = write!(m, ";tag={}", self.to_tag);
        }
        let _ = write!(
            m,
            "\r\nCall-ID: {}\r\nCSeq: {}\r\n",
            self.call_id, self.cseq
        );
        for (name, value) in self.headers {
            let _ = write!(m, "{name}: {value}\r\n");
        }
        let mut bytes = match self.body {
            Some((kind, body)) => {
                let _ = write!(
                    m,
                    "Content-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let mut bytes = m.into_bytes();
                bytes.extend_from_slice(body);
                bytes
            }
            None => {
                m.push_str("Content-Length: 0\r\n\r\n");
                m.into_bytes()
            }
        };
        bytes.shrink_to_fit();
        bytes
    }
}

/// Whether a From/To value has a `tag` parameter outside its `<…>` and quotes.
pub fn has_tag(value: &str) -> bool {
    tag_of(value).is_some()
}

/// The `tag` parameter of a From/To value, if any: looked for after the name-addr's
/// closing `>` (or in the whole value for a bare addr-spec without `<`), since a
/// `;tag=` inside the URI belongs to the URI.
pub fn tag_of(value: &str) -> Option<&str> {
    let params = match value.rfind('>') {
        Some(end) => &value[end + 1..],
        None => value.split_once(';').map_or("", |(_, p)| p),
    };
    params.split(';').find_map(|p| {
        let (name, v) = p.split_once('=')?;
        name.trim().eq_ignore_ascii_case("tag").then(|| v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply<'a>(status: u16, reason: &'a str, to: &'a str, vias: &'a [String]) -> Reply<'a> {
        Reply {
            status,
            reason,
            vias,
            from: "<sip:bob@example.com>;tag=f1",
            to,
            to_tag: "ours",
            call_id: "c@h",
            cseq: "7 OPTIONS",
            headers: &[],
            body: None,
        }
    }

    #[test]
    fn copies_the_request_and_adds_our_to_tag() {
        let vias = vec![
            "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;received=127.0.0.1;rport=5062".to_string(),
            "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK0".to_string(),
        ];
        let allow = [("Allow", "OPTIONS, INVITE".to_string())];
        let r = Reply {
            headers: &allow,
            ..reply(200, "OK", "<sip:alice@127.0.0.1:5999>", &vias)
        };
        assert_eq!(
            String::from_utf8(r.encode()).unwrap(),
            "SIP/2.0 200 OK\r\n\
             Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;received=127.0.0.1;rport=5062\r\n\
             Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK0\r\n\
             From: <sip:bob@example.com>;tag=f1\r\n\
             To: <sip:alice@127.0.0.1:5999>;tag=ours\r\n\
             Call-ID: c@h\r\n\
             CSeq: 7 OPTIONS\r\n\
             Allow: OPTIONS, INVITE\r\n\
             Content-Length: 0\r\n\r\n"
        );
    }

    #[test]
    fn keeps_a_tag_the_request_had_and_adds_none_to_a_100() {
        let vias = vec!["SIP/2.0/TCP h;branch=z9hG4bK2".to_string()];
        let tagged = reply(
            481,
            "Call/Transaction Does Not Exist",
            "<sip:a@h>;tag=x",
            &vias,
        );
        let text = String::from_utf8(tagged.encode()).unwrap();
        assert!(text.contains("\r\nTo: <sip:a@h>;tag=x\r\n"), "{text}");
        let trying = reply(100, "Trying", "<sip:a@h>", &vias);
        let text = String::from_utf8(trying.encode()).unwrap();
        assert!(text.contains("\r\nTo: <sip:a@h>\r\n"), "{text}");
    }

    #[test]
    fn a_body_gets_its_type_and_length() {
        let vias = vec!["SIP/2.0/UDP h;branch=z9hG4bK3".to_string()];
        let r = Reply {
            body: Some(("text/plain", b"hi")),
            ..reply(200, "OK", "<sip:a@h>", &vias)
        };
        let text = String::from_utf8(r.encode()).unwrap();
        assert!(
            text.ends_with("Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"),
            "{text}"
        );
    }

    #[test]
    fn tags_are_found_outside_the_uri_only() {
        assert_eq!(tag_of("<sip:a@h;tag=inuri>;tag=t1"), Some("t1"));
        assert_eq!(tag_of("\"A\" <sip:a@h;tag=inuri>"), None);
        assert_eq!(tag_of("sip:a@h;TAG = t2"), Some("t2"));
        assert_eq!(tag_of("sip:a@h"), None);
    }
}
