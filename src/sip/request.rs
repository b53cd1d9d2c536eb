//! The requests we send, written out as bytes: REGISTER (RFC 3261 §10.2) and the
//! OPTIONS that probes whether a registrar routes to our contact.

use super::uri::SipUri;
use std::fmt::Write;

/// Our Via: transport token (`UDP`, `TCP`, `TLS`, `WS`, `WSS`), sent-by and a branch
/// that starts with the RFC 3261 magic cookie `z9hG4bK`. `rport` is always asked for
/// (RFC 3581) so that a registrar behind NAT tells us what it saw.
#[derive(Debug, Clone)]
pub struct ViaSpec<'a> {
    pub transport: &'static str,
    pub sent_by: &'a str,
    pub branch: &'a str,
}

/// What the Contact header says.
#[derive(Debug, Clone)]
pub enum RequestContact {
    /// No Contact: a query for the current bindings (RFC 3261 §10.2.3).
    None,
    /// `Contact: *`, only with Expires: 0 (§10.2.2).
    Star,
    /// One binding; `params` are already in wire form (`expires=0`, `q=0.5`,
    /// `+sip.instance="<urn:…>"`).
    Uri { uri: SipUri, params: Vec<String> },
    /// Several bindings in one request (RFC 3261 §10.2.1), each with `params`.
    Many {
        uris: Vec<SipUri>,
        params: Vec<String>,
    },
    /// A new binding and the removal of a stale one in the same request (RFC 3261
    /// §10.2.1 allows several Contacts): used when NAT made our first contact wrong.
    Replace {
        uri: SipUri,
        params: Vec<String>,
        stale: SipUri,
    },
}

#[derive(Debug, Clone)]
pub struct OutgoingRequest<'a> {
    /// `REGISTER`, or `OPTIONS` for a reachability probe.
    pub method: &'a str,
    pub request_uri: &'a SipUri,
    pub via: ViaSpec<'a>,
    pub aor: &'a SipUri,
    pub from_tag: &'a str,
    pub call_id: &'a str,
    pub cseq: u32,
    pub contact: &'a RequestContact,
    pub expires: Option<u32>,
    /// Outbound proxy as a loose route (RFC 3261 §8.1.2).
    pub route: Option<&'a SipUri>,
    pub user_agent: Option<&'a str>,
    /// Authorization / Proxy-Authorization and any other extra lines, in order.
    pub extra_headers: &'a [(&'static str, String)],
    /// Lines the user added (`Name: value`), after those.
    pub custom_headers: &'a [String],
    /// The quoted display name of From and To.
    pub display_name: Option<&'a str>,
}

impl OutgoingRequest<'_> {
    pub fn encode(&self) -> Vec<u8> {
        let mut m = String::with_capacity(512);
        // Writing into a String cannot fail; the results are ignored for that reason.
        let _ = write!(m, "{} {} SIP/2.0\r\n", self.method, self.request_uri);
        for part in [
            "Via: SIP/2.0/",
            self.via.transport,
            " ",
            self.via.sent_by,
            ";branch=",
            self.via.branch,
            ";rport\r\nMax-Forwards: 70\r\n",
        ] {
            m.push_str(part);
        }
        if let Some(route) = self.route {
            let lr = if route.params.contains("lr") {
                ""
            } else {
                ";lr"
            };
            let _ = write!(m, "Route: <{route}{lr}>\r\n");
        }
        let name = match self.display_name {
            Some(n) => format!("{n} "),
            None => String::new(),
        };
        let _ = write!(
            m,
            "To: {name}<{}>\r\nFrom: {name}<{}>;tag=",
            self.aor, self.aor
        );
        for part in [self.from_tag, "\r\nCall-ID: ", self.call_id, "\r\n"] {
            m.push_str(part);
        }
        let _ = write!(m, "CSeq: {} {}\r\n", self.cseq, self.method);
        match self.contact {
            RequestContact::None => {}
            RequestContact::Star => m.push_str("Contact: *\r\n"),
            RequestContact::Uri { uri, params } => {
                let _ = write!(m, "Contact: <{uri}>");
                push_params(&mut m, params);
                m.push_str("\r\n");
            }
            RequestContact::Many { uris, params } => {
                for (i, uri) in uris.iter().enumerate() {
                    let _ = write!(m, "{}<{uri}>", if i == 0 { "Contact: " } else { ", " });
                    push_params(&mut m, params);
                }
                m.push_str("\r\n");
            }
            RequestContact::Replace { uri, params, stale } => {
                let _ = write!(m, "Contact: <{uri}>");
                push_params(&mut m, params);
                let _ = write!(m, ", <{stale}>;expires=0\r\n");
            }
        }
        if let Some(e) = self.expires {
            let _ = write!(m, "Expires: {e}\r\n");
        }
        for (name, value) in self.extra_headers {
            for part in [name, ": ", value.as_str(), "\r\n"] {
                m.push_str(part);
            }
        }
        for line in self.custom_headers {
            m.push_str(line);
            m.push_str("\r\n");
        }
        if let Some(ua) = self.user_agent {
            for part in ["User-Agent: ", ua, "\r\n"] {
                m.push_str(part);
            }
        }
        m.push_str("Content-Length: 0\r\n\r\n");
        m.into_bytes()
    }
}

/// `;p` for each Contact parameter, already in wire form.
fn push_params(m: &mut String, params: &[String]) {
    for p in params {
        m.push(';');
        m.push_str(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_has_every_required_header() {
        let aor: SipUri = "sip:john.doe@example.com".parse().unwrap();
        let ruri = aor.domain_uri();
        let proxy: SipUri = "sip:[2001:db8::1]:5070".parse().unwrap();
        let contact = RequestContact::Uri {
            uri: "sip:john.doe@[2001:db8::10]:5062".parse().unwrap(),
            params: vec!["expires=0".into()],
        };
        let auth = [("Authorization", "Digest username=\"john.doe\"".to_string())];
        let req = OutgoingRequest {
            method: "REGISTER",
            request_uri: &ruri,
            via: ViaSpec {
                transport: "UDP",
                sent_by: "[2001:db8::10]:5062",
                branch: "z9hG4bKabc",
            },
            aor: &aor,
            from_tag: "t1",
            call_id: "c1",
            cseq: 7,
            contact: &contact,
            expires: Some(0),
            route: Some(&proxy),
            user_agent: Some("sipreg/0.1"),
            extra_headers: &auth,
            custom_headers: &["X-Tenant: 42".to_string()],
            display_name: Some("\"John \\\"JD\\\" Doe\""),
        };
        let text = String::from_utf8(req.encode()).unwrap();
        assert_eq!(
            text,
            "REGISTER sip:example.com SIP/2.0\r\n\
             Via: SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bKabc;rport\r\n\
             Max-Forwards: 70\r\n\
             Route: <sip:[2001:db8::1]:5070;lr>\r\n\
             To: \"John \\\"JD\\\" Doe\" <sip:john.doe@example.com>\r\n\
             From: \"John \\\"JD\\\" Doe\" <sip:john.doe@example.com>;tag=t1\r\n\
             Call-ID: c1\r\n\
             CSeq: 7 REGISTER\r\n\
             Contact: <sip:john.doe@[2001:db8::10]:5062>;expires=0\r\n\
             Expires: 0\r\n\
             Authorization: Digest username=\"john.doe\"\r\n\
             X-Tenant: 42\r\n\
             User-Agent: sipreg/0.1\r\n\
             Content-Length: 0\r\n\r\n"
        );
    }
}
