//! A bounded, deterministic randomized test of the SIP parse API (RFC 4475 spirit: the
//! parser must never panic). Fixture messages are mutated — bytes flipped, cut, lines
//! duplicated or dropped, CR/LF/NUL/quotes/commas inserted, Content-Length rewritten,
//! pieces of other messages spliced in — and every entry point of `sipreg::sip` is run
//! on the result: `Response::parse_datagram`, `Response::parse` and all its accessors,
//! `ContactValue::parse`, `Via::parse`, `SipUri` parsing, printing and equivalence,
//! and `StreamFramer` fed in random chunks.
//!
//! No dependency: a xorshift64* generator with a fixed seed makes every run the same.
//! On a panic the iteration number and the input are printed before the panic goes on,
//! so a failure can be reproduced and turned into a named test.

use sipreg::sip::{
    canonical_name, split_list, ContactValue, ParseError, Response, SipUri, StreamFramer, Via,
    MAX_MESSAGE_SIZE,
};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// Sized for a debug build under ~3 s (every iteration runs the whole API, and the
/// parser's dependencies are unoptimised there); `SIPREG_FUZZ_ITERATIONS` runs more,
/// e.g. `SIPREG_FUZZ_ITERATIONS=3000000 cargo test --release --test fuzz_like` (~45 s).
const DEFAULT_ITERATIONS: usize = 10_000;

fn iterations() -> usize {
    std::env::var("SIPREG_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ITERATIONS)
}

const SEED: u64 = 0x5EED_5195_2E60_0001;

/// The generator seed; `SIPREG_FUZZ_SEED` explores other inputs (reproducibly).
fn seed() -> u64 {
    std::env::var("SIPREG_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SEED)
}

const FIXTURES: [&str; 13] = [
    include_str!("data/field-traces/avaya-f2-401.txt"),
    include_str!("data/field-traces/avaya-f4-200.txt"),
    include_str!("data/field-traces/asterisk-f2-401.txt"),
    include_str!("data/field-traces/asterisk-f4-200.txt"),
    include_str!("data/field-traces/avaya-f1-register.txt"),
    include_str!("data/field-traces/avaya-f3-register-auth.txt"),
    include_str!("data/synthetic/compact-200.txt"),
    include_str!("data/synthetic/multi-contact-200.txt"),
    include_str!("data/synthetic/sha256-401.txt"),
    include_str!("data/synthetic/interval-423.txt"),
    include_str!("data/synthetic/unavailable-503.txt"),
    include_str!("data/synthetic/rfc4475-wsinv-200.txt"),
    // A response with a body, so that body framing is mutated too.
    "SIP/2.0 200 OK\nVia: SIP/2.0/TLS [2001:db8::7]:5061;branch=z9hG4bKbody;rport=5061\n\
     Call-ID: body@x\nCSeq: 2 REGISTER\nContent-Type: text/plain\nContent-Length: 12\n\n\
     hello, world",
];

const URIS: [&str; 8] = [
    "sip:john.doe@example.com",
    "sip:alice@[2001:db8::10]:5060;transport=tcp",
    "sips:%61lice@atlanta.com;maddr=192.0.2.1;ttl=15;lr",
    "sip:carol@chicago.com;security=on?subject=next%20meeting",
    "<sip:24001@10.0.13.244:5060;user=phone>",
    "sip:+1-212-555-1212:1234@gateway.com;user=phone",
    "sip:[::1]",
    "SIP:ALICE@AtLanTa.CoM;Transport=UDP",
];

/// Byte strings a mutation may insert: the characters a SIP parser splits on.
const INSERTS: [&[u8]; 24] = [
    b"\r",
    b"\n",
    b"\r\n",
    b"\r\n ",
    b"\r\n\t",
    b"\r\n\r\n",
    b"\n\n",
    b"\0",
    b"\"",
    b",",
    b"<",
    b">",
    b";",
    b":",
    b"=",
    b"@",
    b" ",
    b"\t",
    b"%",
    b"\\",
    b"[",
    b"]",
    b"\xff",
    b"\xc3",
];

/// xorshift64* (Vigna), enough for a deterministic spread of mutations.
struct Rng(u64);

impl Rng {
    /// xorshift never leaves the all-zero state, so zero is replaced.
    fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { SEED } else { seed })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-enough in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn wire(text: &str) -> Vec<u8> {
    let text = text.replace("\r\n", "\n");
    match text.split_once("\n\n") {
        // A fixture with a body: CRLF in the head only.
        Some((head, body)) => {
            let mut out = head.replace('\n', "\r\n").into_bytes();
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(body.as_bytes());
            out
        }
        None => {
            let mut out = text.trim_end_matches('\n').replace('\n', "\r\n");
            out.push_str("\r\n\r\n");
            out.into_bytes()
        }
    }
}

/// Requests are turned into responses half of the time, so that their many header
/// quirks reach the header accessors and not only the status-line check.
fn seed_message(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut m = rng.pick(corpus).clone();
    if m.starts_with(b"REGISTER") && rng.one_in(2) {
        let eol = m.iter().position(|b| *b == b'\r').unwrap_or(m.len());
        m.splice(..eol, b"SIP/2.0 200 OK".iter().copied());
    }
    m
}

/// Start offsets of the lines of `m` (after each LF), including 0.
fn line_starts(m: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            m.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|i| *i < m.len())
        .collect()
}

fn line_at(m: &[u8], rng: &mut Rng) -> std::ops::Range<usize> {
    let starts = line_starts(m);
    if starts.is_empty() {
        return 0..0;
    }
    let k = rng.below(starts.len());
    let end = starts.get(k + 1).copied().unwrap_or(m.len());
    starts[k]..end
}

fn mutate(m: &mut Vec<u8>, rng: &mut Rng, corpus: &[Vec<u8>]) {
    let pos = |m: &Vec<u8>, rng: &mut Rng| rng.below(m.len() + 1);
    match rng.below(11) {
        0 if !m.is_empty() => {
            let i = rng.below(m.len());
            m[i] ^= 1 << rng.below(8);
        }
        1 if !m.is_empty() => {
            let i = rng.below(m.len());
            m[i] = rng.next() as u8;
        }
        2 => {
            let at = pos(m, rng);
            m.truncate(at);
        }
        3 => {
            let line = line_at(m, rng);
            let copy = m[line.clone()].to_vec();
            let times = if rng.one_in(8) { 1 + rng.below(50) } else { 1 };
            for _ in 0..times {
                m.splice(line.start..line.start, copy.iter().copied());
            }
        }
        4 => {
            let line = line_at(m, rng);
            m.drain(line);
        }
        5 | 6 => {
            let at = pos(m, rng);
            let ins = *rng.pick(&INSERTS);
            m.splice(at..at, ins.iter().copied());
        }
        7 => {
            let other = rng.pick(corpus);
            let a = rng.below(other.len());
            let b = a + rng.below(other.len() - a + 1).min(200);
            let at = pos(m, rng);
            m.splice(at..at, other[a..b].iter().copied());
        }
        8 => {
            // Rewrite the value of the first Content-Length (or l:) header.
            let text = String::from_utf8_lossy(m).to_ascii_lowercase();
            let found = text
                .find("content-length:")
                .map(|i| i + 15)
                .or_else(|| text.find("\nl:").map(|i| i + 3));
            if let Some(start) = found.filter(|s| *s <= m.len()) {
                let end = m[start..]
                    .iter()
                    .position(|b| *b == b'\r' || *b == b'\n')
                    .map_or(m.len(), |p| start + p);
                let value = match rng.below(7) {
                    0 => "-1".to_string(),
                    1 => "99999999999999999999999".to_string(),
                    2 => format!("{}", usize::MAX),
                    3 => " 0 ".to_string(),
                    4 => "+3".to_string(),
                    5 => "x".to_string(),
                    _ => rng.below(200).to_string(),
                };
                m.splice(start..end, value.bytes());
            }
        }
        9 if m.len() >= 2 => {
            let (i, j) = (rng.below(m.len()), rng.below(m.len()));
            m.swap(i, j);
        }
        10 if rng.one_in(300) => {
            // Rarely: blow the message up past the size limit.
            let line = line_at(m, rng);
            let copy = if line.is_empty() {
                b"X: y\r\n".to_vec()
            } else {
                m[line.clone()].to_vec()
            };
            while m.len() <= MAX_MESSAGE_SIZE + rng.below(64) {
                m.splice(line.start..line.start, copy.iter().copied());
            }
        }
        _ => {
            let at = pos(m, rng);
            m.insert(at, rng.next() as u8);
        }
    }
}

/// Every header-level parser on one value, and on its list elements.
fn exercise_value(value: &str) {
    let _ = canonical_name(value);
    let _ = Via::parse(value);
    let _ = value.parse::<SipUri>();
    for part in split_list(value) {
        let _ = Via::parse(part);
        if let Ok(c) = ContactValue::parse(part) {
            let _ = (c.expires(), c.q(), c.uri.host_port());
            exercise_uri(&c.uri);
            assert!(
                !c.raw_uri.starts_with('<'),
                "raw_uri kept a bracket: {part:?}"
            );
        }
        if let (Some(open), Some(close)) = (part.find('<'), part.rfind('>')) {
            if open < close {
                let _ = part[open + 1..close].parse::<SipUri>();
            }
        }
    }
}

/// What is read must print to something that reads back the same, and be equivalent
/// to itself.
fn exercise_uri(u: &SipUri) {
    assert!(u.equivalent(u), "not equivalent to itself: {u:?}");
    let printed = u.to_string();
    let again: SipUri = printed
        .parse()
        .unwrap_or_else(|e| panic!("{u:?} printed as {printed:?}, which does not parse: {e}"));
    assert!(
        again.equivalent(u),
        "{u:?} printed as {printed:?}, read back as {again:?}"
    );
    let _ = (u.domain_uri(), u.host_port(), u.host.ip());
}

/// All accessors, and every header-level parser on a few of the header values (all of
/// them on every message would take most of the time budget in a debug build).
fn exercise_response(r: &Response, rng: &mut Rng) {
    let _ = (r.status, &r.reason, r.body.len(), r.is_final());
    assert!((100..700).contains(&r.status), "status {}", r.status);
    let _ = r.header("via");
    let _ = r.all("contact").count();
    let _ = r.list("allow");
    if let Ok(via) = r.top_via() {
        let _ = (
            via.branch(),
            via.received(),
            via.rport(),
            via.host.to_string(),
        );
    }
    let _ = r.cseq();
    let _ = r.call_id();
    let _ = r.to_tag();
    for c in r.contacts().into_iter().flatten() {
        let _ = (c.expires(), c.q());
        exercise_uri(&c.uri);
    }
    let _ = (r.expires(), r.min_expires(), r.retry_after());
    let _ = r.challenges();
    let headers: Vec<(&str, &str)> = r.headers().collect();
    for (name, _) in &headers {
        assert_eq!(&canonical_name(name), name, "names are stored canonical");
    }
    if !headers.is_empty() {
        for _ in 0..2 {
            exercise_value(rng.pick(&headers).1);
        }
    }
}

/// Returns whether the datagram was read as a response.
fn exercise_datagram(m: &[u8], rng: &mut Rng) -> bool {
    let read = match Response::parse_datagram(m) {
        Ok(r) => {
            assert!(r.body.len() < m.len() && m.len() <= MAX_MESSAGE_SIZE);
            // The stream framer ends the same message at the same byte (it needs a
            // Content-Length, and skips leading CRLFs a datagram would not).
            let mut f = StreamFramer::default();
            f.push(m);
            if let Ok(Some(framed)) = f.next_message() {
                if m.starts_with(&framed) {
                    let same = Response::parse(&framed).expect("framed by a stream, it parses");
                    assert_eq!(same.body, r.body);
                }
            }
            exercise_response(&r, rng);
            true
        }
        Err(ParseError::TooLarge { size, limit }) => {
            assert_eq!(limit, MAX_MESSAGE_SIZE);
            assert!(size > limit);
            false
        }
        Err(_) => false,
    };
    // The bytes as one message, without framing, must be safe too.
    match Response::parse(m) {
        Ok(r) => exercise_response(&r, rng),
        Err(ParseError::TooLarge { .. }) => assert!(m.len() > MAX_MESSAGE_SIZE),
        Err(_) => {}
    }
    read
}

/// Feeds `input` to a StreamFramer in random chunks. Every message it returns must fit
/// the size limit and be exactly the next bytes of the input after keep-alive CRLFs.
/// (The framer rescans its whole buffer on each call, so tiny chunks are kept rare and
/// short to stay within the time budget.)
fn exercise_stream(input: &[u8], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut framer = StreamFramer::default();
    let mut out = Vec::new();
    let mut fed = 0;
    let mut next_expected = 0;
    while fed < input.len() {
        let cap = match input.len() {
            0..=2048 if rng.one_in(16) => 8,
            0..=8192 => 2048,
            _ => 16_384,
        };
        let chunk = 1 + rng.below((input.len() - fed).min(cap));
        framer.push(&input[fed..fed + chunk]);
        fed += chunk;
        loop {
            match framer.next_message() {
                Ok(Some(m)) => {
                    assert!(!m.is_empty() && m.len() <= MAX_MESSAGE_SIZE, "{}", m.len());
                    while matches!(input.get(next_expected), Some(b'\r' | b'\n')) {
                        next_expected += 1;
                    }
                    assert_eq!(
                        &input[next_expected..next_expected + m.len()],
                        &m[..],
                        "stream message is not the next bytes of the stream"
                    );
                    next_expected += m.len();
                    out.push(m);
                }
                Ok(None) => break,
                // The connection would be dropped here.
                Err(_) => return out,
            }
        }
    }
    out
}

fn escaped(m: &[u8]) -> String {
    m.iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

#[test]
fn mutated_messages_never_panic() {
    let started = std::time::Instant::now();
    let iterations = iterations();
    let corpus: Vec<Vec<u8>> = FIXTURES.iter().map(|f| wire(f)).collect();
    let mut rng = Rng::new(seed());
    let (mut parsed, mut streamed) = (0, 0);
    for iteration in 0..iterations {
        let mut m = seed_message(&mut rng, &corpus);
        for _ in 0..1 + rng.below(4) {
            mutate(&mut m, &mut rng, &corpus);
        }
        // Every other message also goes down a stream, sometimes followed by a good one.
        let mut stream = None;
        if rng.one_in(2) {
            let mut s = m.clone();
            if rng.one_in(2) {
                let extra: &Vec<u8> = rng.pick(&corpus);
                s.extend_from_slice(extra);
            }
            stream = Some(s);
        }
        let mut sub_rng = Rng::new(rng.next());
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let outcome = exercise_datagram(&m, &mut sub_rng);
            let messages = stream.map(|s| exercise_stream(&s, &mut sub_rng).len());
            (outcome, messages)
        }));
        match outcome {
            Ok((p, s)) => {
                parsed += usize::from(p);
                streamed += s.unwrap_or(0);
            }
            Err(panic) => {
                eprintln!(
                    "iteration {iteration} panicked on {} bytes: b\"{}\"",
                    m.len(),
                    escaped(&m)
                );
                resume_unwind(panic);
            }
        }
    }
    eprintln!(
        "{iterations} mutated messages: {parsed} read as datagrams, \
         {streamed} out of a stream, {:?}",
        started.elapsed()
    );
    // The mutations must leave a good share readable, or the accessors go untested.
    assert!(parsed > iterations / 10, "only {parsed} read");
    assert!(streamed > iterations / 10, "only {streamed} streamed");
}

#[test]
fn fixtures_come_out_of_the_stream_whole_at_random_split_points() {
    let corpus: Vec<Vec<u8>> = FIXTURES.iter().map(|f| wire(f)).collect();
    let mut rng = Rng::new(seed() ^ 0xFFFF);
    for _ in 0..500 {
        let picks: Vec<&Vec<u8>> = (0..1 + rng.below(5)).map(|_| rng.pick(&corpus)).collect();
        let mut stream = Vec::new();
        for p in &picks {
            if rng.one_in(3) {
                stream.extend_from_slice(b"\r\n\r\n");
            }
            stream.extend_from_slice(p);
        }
        let out = exercise_stream(&stream, &mut rng);
        assert_eq!(out.len(), picks.len());
        for (got, want) in out.iter().zip(&picks) {
            assert_eq!(got, *want);
        }
    }
}

#[test]
fn mutated_uris_never_panic_and_print_back() {
    let mut rng = Rng::new(seed() ^ 0xABCD);
    for iteration in 0..iterations() / 4 {
        let mut u = rng.pick(&URIS).as_bytes().to_vec();
        for _ in 0..1 + rng.below(3) {
            match rng.below(4) {
                0 if !u.is_empty() => {
                    let i = rng.below(u.len());
                    u[i] = *rng.pick(b"%@:;=?&<>[]\"., \0zZ09");
                }
                1 => {
                    let at = rng.below(u.len() + 1);
                    u.splice(at..at, rng.pick(&INSERTS).iter().copied());
                }
                2 => {
                    let at = rng.below(u.len() + 1);
                    u.truncate(at);
                }
                _ => {
                    let at = rng.below(u.len() + 1);
                    const ESCAPES: [&[u8]; 5] = [b"%41", b"%ZZ", b"%", b"%4", b"%00"];
                    let escape = *rng.pick(&ESCAPES);
                    u.splice(at..at, escape.iter().copied());
                }
            }
        }
        let text = String::from_utf8_lossy(&u).into_owned();
        let outcome = catch_unwind(|| {
            if let Ok(parsed) = text.parse::<SipUri>() {
                exercise_uri(&parsed);
            }
            exercise_value(&text);
        });
        if let Err(panic) = outcome {
            eprintln!("URI iteration {iteration} panicked on {text:?}");
            resume_unwind(panic);
        }
    }
}
