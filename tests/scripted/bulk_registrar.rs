//! A scripted registrar for bulk runs: many AORs on one loopback UDP port, with
//! per-AOR digest checking (MD5, qop=auth) and ways to misbehave on delivery —
//! replies held back and sent in reverse order, sent twice, mixed with responses for
//! Call-IDs nobody used and with garbage.
//!
//! Digests are checked here with the md-5 crate and this file's own arithmetic, not
//! with sipreg's, so that a bug in sipreg's digest code cannot hide itself.

use super::{respond, Req};
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Decides the replies to each request. Runs on the registrar's thread.
pub type Policy = Box<dyn FnMut(&Req) -> Vec<Vec<u8>> + Send>;

/// How replies are delivered.
#[derive(Debug, Clone, Copy, Default)]
pub struct Delivery {
    /// Hold replies until this many are waiting (or the socket is quiet for a few
    /// milliseconds), then send them newest first.
    pub reverse_batches: Option<usize>,
    /// Send every reply twice.
    pub duplicate: bool,
    /// With every batch, also send a response for an unknown Call-ID and a datagram
    /// that is no SIP message at all.
    pub strays: bool,
}

pub struct BulkRegistrar {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BulkRegistrar {
    pub fn start(mut policy: Policy, delivery: Delivery) -> BulkRegistrar {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        socket
            .set_read_timeout(Some(Duration::from_millis(5)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65_536];
            let mut held: Vec<(Vec<u8>, SocketAddr)> = Vec::new();
            let mut last_from = None;
            while !stopped.load(Ordering::Relaxed) {
                let quiet = match socket.recv_from(&mut buf) {
                    Ok((n, from)) => {
                        let req = Req::parse(&buf[..n]);
                        seen.lock().unwrap().push(req.clone());
                        held.extend(policy(&req).into_iter().map(|r| (r, from)));
                        last_from = Some(from);
                        false
                    }
                    Err(_) => true,
                };
                let full = delivery.reverse_batches.map_or(true, |b| held.len() >= b);
                if !held.is_empty() && (quiet || full) {
                    if delivery.reverse_batches.is_some() {
                        held.reverse();
                    }
                    for (reply, to) in held.drain(..) {
                        let copies = if delivery.duplicate { 2 } else { 1 };
                        for _ in 0..copies {
                            let _ = socket.send_to(&reply, to);
                        }
                    }
                    if let (true, Some(to)) = (delivery.strays, last_from) {
                        let _ = socket.send_to(&stray_response(), to);
                        let _ = socket.send_to(b"\x00\x01 not SIP at all", to);
                    }
                }
            }
        });
        BulkRegistrar {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn uri(&self) -> String {
        format!("sip:{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests of each AOR (by the user part of To), in arrival order.
    pub fn by_user(&self) -> HashMap<String, Vec<Req>> {
        let mut map: HashMap<String, Vec<Req>> = HashMap::new();
        for r in self.requests() {
            map.entry(to_user(&r)).or_default().push(r);
        }
        map
    }
}

impl Drop for BulkRegistrar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn stray_response() -> Vec<u8> {
    b"SIP/2.0 200 OK\r\n\
      Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKstray\r\n\
      From: <sip:nobody@sipreg.test>;tag=x\r\n\
      To: <sip:nobody@sipreg.test>;tag=y\r\n\
      Call-ID: no-such-call-id\r\n\
      CSeq: 1 REGISTER\r\n\
      Content-Length: 0\r\n\r\n"
        .to_vec()
}

/// The user part of the To header: which AOR a request is for.
pub fn to_user(req: &Req) -> String {
    let to = req.header("to").unwrap_or_default();
    let start = to.find("sip:").map_or(0, |i| i + 4);
    to[start..]
        .split(['@', '>', ';'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The parameters of a Digest Authorization header, unquoted.
pub fn digest_params(header: &str) -> HashMap<String, String> {
    let rest = header
        .trim()
        .strip_prefix("Digest")
        .unwrap_or(header)
        .trim();
    let mut out = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if name.is_empty() {
            break;
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            chars.by_ref().take_while(|c| *c != '"').collect()
        } else {
            chars.by_ref().take_while(|c| *c != ',').collect::<String>()
        };
        out.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
    }
    out
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// True when `req` carries a correct MD5 qop=auth answer for `user`/`password` in
/// `realm` with `nonce`.
pub fn digest_is_valid(req: &Req, user: &str, password: &str, realm: &str, nonce: &str) -> bool {
    let Some(p) = req.header("authorization").map(digest_params) else {
        return false;
    };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("username") != user || get("realm") != realm || get("nonce") != nonce {
        return false;
    }
    let ha1 = md5_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(&format!("REGISTER:{}", get("uri")));
    let expected = md5_hex(&format!(
        "{ha1}:{nonce}:{}:{}:auth:{ha2}",
        get("nc"),
        get("cnonce")
    ));
    get("qop") == "auth" && get("response") == expected
}

/// How the digest registrar treats one AOR.
#[derive(Debug, Clone, Default)]
pub struct AorRules {
    /// Answer nothing at all.
    pub silent: bool,
    /// Answer 423 with this Min-Expires while the request asks for less.
    pub min_expires: Option<u32>,
}

/// A registrar policy that challenges each AOR with a nonce of its own
/// (`nonce-USER`), accepts only a correct answer to it with password `password_of`,
/// applies `rules` and lists the AOR's Contact with the granted expiry in the 200.
pub fn per_aor_digest(
    realm: &'static str,
    password_of: fn(&str) -> String,
    rules: HashMap<String, AorRules>,
) -> Policy {
    Box::new(move |req: &Req| {
        let user = to_user(req);
        let rule = rules.get(&user).cloned().unwrap_or_default();
        if rule.silent {
            return vec![];
        }
        let nonce = format!("nonce-{user}");
        if !digest_is_valid(req, &user, &password_of(&user), realm, &nonce) {
            return vec![super::challenge_401(req, realm, &nonce, "")];
        }
        let asked = req.expires().unwrap_or(3600);
        if let Some(min) = rule.min_expires.filter(|m| asked != 0 && asked < *m) {
            return vec![respond(
                req,
                423,
                "Interval Too Brief",
                &[format!("Min-Expires: {min}")],
            )];
        }
        match req.contact_uri() {
            Some(contact) => vec![respond(
                req,
                200,
                "OK",
                &[format!("Contact: <{contact}>;expires={asked}")],
            )],
            None => vec![respond(req, 200, "OK", &[])],
        }
    })
}
