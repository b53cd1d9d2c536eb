//! Test-side SIP helpers: read the REGISTER sipreg sent and write the response a
//! registrar would. Deliberately independent of `sipreg::sip`, so that a bug there
//! cannot hide itself in the tests.

#![allow(dead_code)]

pub mod bulk_registrar;
pub mod core_harness;
pub mod registrar;

/// A request as the test sees it: start line and headers by lower-case name.
#[derive(Debug, Clone)]
pub struct Req {
    pub text: String,
    pub start: String,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn parse(bytes: &[u8]) -> Req {
        let text = String::from_utf8(bytes.to_vec()).expect("request is UTF-8");
        let head = text.split("\r\n\r\n").next().unwrap_or_default();
        let mut lines = head.split("\r\n");
        let start = lines.next().unwrap_or_default().to_string();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Req {
            text,
            start,
            headers,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn cseq(&self) -> u32 {
        self.header("cseq")
            .and_then(|c| c.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .expect("CSeq number")
    }

    pub fn branch(&self) -> String {
        let via = self.header("via").expect("Via");
        via.split(';')
            .find_map(|p| p.strip_prefix("branch="))
            .expect("branch")
            .to_string()
    }

    pub fn call_id(&self) -> &str {
        self.header("call-id").expect("Call-ID")
    }

    pub fn tag_of_from(&self) -> String {
        let from = self.header("from").expect("From");
        from.split(";tag=").nth(1).expect("From tag").to_string()
    }

    pub fn expires(&self) -> Option<u32> {
        self.header("expires").and_then(|e| e.parse().ok())
    }

    /// The Contact URI inside `<>`, if any.
    pub fn contact_uri(&self) -> Option<String> {
        let c = self.header("contact")?;
        let start = c.find('<')? + 1;
        let end = c.find('>')?;
        Some(c[start..end].to_string())
    }
}

/// A response to `req`: Via, From, Call-ID and CSeq copied, a To tag added, `extra`
/// lines appended.
pub fn respond(req: &Req, status: u16, reason: &str, extra: &[String]) -> Vec<u8> {
    let mut m = format!("SIP/2.0 {status} {reason}\r\n");
    for via in req.all("via") {
        m.push_str(&format!("Via: {via};received=127.0.0.1\r\n"));
    }
    for name in ["from", "call-id", "cseq"] {
        m.push_str(&format!(
            "{name}: {}\r\n",
            req.header(name).unwrap_or_default()
        ));
    }
    m.push_str(&format!(
        "To: {};tag=scripted\r\n",
        req.header("to").unwrap_or_default()
    ));
    for line in extra {
        m.push_str(line);
        m.push_str("\r\n");
    }
    m.push_str("Content-Length: 0\r\n\r\n");
    m.into_bytes()
}

/// A 200 OK listing `req`'s Contact with the given expiry.
pub fn ok_with_contact(req: &Req, expires: u32) -> Vec<u8> {
    let contact = req.contact_uri().expect("request has a Contact");
    respond(
        req,
        200,
        "OK",
        &[format!("Contact: <{contact}>;expires={expires}")],
    )
}

pub fn challenge_401(req: &Req, realm: &str, nonce: &str, extra_params: &str) -> Vec<u8> {
    respond(
        req,
        401,
        "Unauthorized",
        &[format!(
            "WWW-Authenticate: Digest realm=\"{realm}\", nonce=\"{nonce}\", qop=\"auth\"{extra_params}"
        )],
    )
}
