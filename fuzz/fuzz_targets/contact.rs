//! The user agent at our contact driven by the fuzzer (issue 12's server side): an
//! endpoint with one registered contact gets fuzzer-chosen requests — a method, a
//! Request-URI, a branch, a CSeq and header lines around a valid core, or raw bytes —
//! and fuzzer-chosen time steps (ring times, Timer G/H/J). Whatever comes, nothing
//! panics, every answer is a response sipreg itself can read back, and the events
//! stay bounded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::core::uas::UasConfig;
use sipreg::core::{
    Endpoint, EndpointConfig, Operation, RegistrationConfig, SharedConfig, Timers, TransportKind,
};
use sipreg::sip::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const METHODS: [&str; 9] = [
    "OPTIONS", "INVITE", "ACK", "CANCEL", "BYE", "MESSAGE", "NOTIFY", "SUBSCRIBE", "invite",
];
const URIS: [&str; 4] = [
    "sip:alice@127.0.0.1:40000",
    "sip:bob@127.0.0.1:40000",
    "sip:alice@127.0.0.1:40001",
    "tel:+15551234",
];

fn endpoint(now: Instant) -> Endpoint {
    let cfg = RegistrationConfig {
        aor: "sip:alice@sipreg.test".parse().unwrap(),
        destination: "127.0.0.1:5060".parse().unwrap(),
        local: "127.0.0.1:40000".parse().unwrap(),
        contact: "sip:alice@127.0.0.1:40000".parse().unwrap(),
        shared: Arc::new(SharedConfig {
            request_uri: "sip:sipreg.test".parse().unwrap(),
            transport: TransportKind::Udp,
            contact_params: vec![],
            headers: vec![],
            display_name: None,
            also_contacts: vec![],
            expires: 3600,
            proxy: None,
            user_agent: None,
            timers: Timers::default(),
        }),
    };
    let mut ep = Endpoint::new(EndpointConfig::single(true), [2; 32]);
    ep.answer_requests(
        UasConfig {
            ring: Duration::from_secs(2),
            ..UasConfig::default()
        },
        false,
    );
    let h = ep.add(cfg, None, None);
    ep.registration_mut(h).enable_recovery(false);
    ep.start(h, Operation::Register, now);
    let register = ep.drain_transmits().next().unwrap().transmit.payload;
    let text = String::from_utf8_lossy(&register).into_owned();
    let mut ok = String::from("SIP/2.0 200 OK\r\n");
    for line in text.split("\r\n") {
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if ["via", "from", "call-id", "cseq"].contains(&name.as_str()) {
            ok.push_str(line);
            ok.push_str("\r\n");
        }
        if name == "to" {
            ok.push_str(line);
            ok.push_str(";tag=fz\r\n");
        }
    }
    ok.push_str("Contact: <sip:alice@127.0.0.1:40000>;expires=3600\r\nContent-Length: 0\r\n\r\n");
    ep.handle_input(now, 0, ok.as_bytes());
    while ep.poll_event().is_some() {}
    assert_eq!(ep.registered(), 1);
    ep
}

/// A length-prefixed piece of `rest` as text.
fn piece<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    let len = rest
        .first()
        .map_or(0, |n| usize::from(*n))
        .min(rest.len().saturating_sub(1));
    let out = rest.get(1..1 + len).unwrap_or_default();
    *rest = rest.get(1 + len..).unwrap_or_default();
    out
}

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let mut now = t0;
    let mut ep = endpoint(now);
    let source: SocketAddr = "127.0.0.1:5060".parse().unwrap();
    let mut rest = data;
    let mut steps = 0;
    while let Some((&op, tail)) = rest.split_first() {
        steps += 1;
        if steps > 200 {
            break;
        }
        rest = tail;
        match op % 4 {
            0 => {
                let ms = u64::from(rest.first().copied().unwrap_or(0)) * 100;
                rest = rest.get(1..).unwrap_or_default();
                now += Duration::from_millis(ms);
                if ep.poll_timeout().is_some_and(|at| at <= now) {
                    ep.handle_timeout(now);
                }
            }
            1 | 2 => {
                let pick = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or_default();
                let method = METHODS[usize::from(pick) % METHODS.len()];
                let uri = URIS[usize::from(pick / 16) % URIS.len()];
                let cseq_method = if pick & 0x80 != 0 { "OPTIONS" } else { method };
                let branch = String::from_utf8_lossy(piece(&mut rest)).into_owned();
                let extra = String::from_utf8_lossy(piece(&mut rest)).replace('\n', "\r\n");
                let body = piece(&mut rest);
                let head = format!(
                    "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK{branch};rport\r\n\
                     From: <sip:bob@sipreg.test>;tag=b\r\nTo: <sip:alice@sipreg.test>\r\n\
                     Call-ID: fz-{}\r\nCSeq: {} {cseq_method}\r\n{extra}Content-Length: {}\r\n\r\n",
                    pick % 7,
                    pick % 5,
                    body.len()
                );
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(body);
                ep.handle_input_from(now, 0, Some(source), &bytes);
            }
            _ => {
                let raw = piece(&mut rest);
                ep.handle_input_from(now, 0, Some(source), raw);
            }
        }
        for d in ep.drain_transmits() {
            let payload = &d.transmit.payload;
            if d.handle.is_none() {
                // An answer of ours: a response we can read back ourselves.
                if let Err(e) = Response::parse_datagram(payload) {
                    panic!("unreadable answer ({e}): {:?}", String::from_utf8_lossy(payload));
                }
            }
        }
        let mut events = 0;
        while ep.poll_event().is_some() {
            events += 1;
            assert!(events < 1000, "unbounded events");
        }
    }
});
