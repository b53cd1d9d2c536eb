//! A registration driven by the fuzzer: each step either lets time pass (and fires the
//! due timers), answers the last request with a fuzzer-chosen status and headers, or
//! hands over raw bytes. Whatever comes, the core neither panics nor grows without
//! bound, and every request it makes stays a size a datagram can carry.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::auth::{Credentials, Secret};
use sipreg::core::{
    Operation, Registration, RegistrationConfig, SharedConfig, Timers, TransportKind,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn registration() -> Registration {
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
            expires: 60,
            proxy: None,
            user_agent: None,
            timers: Timers::default(),
        }),
    };
    let creds = Some(Credentials {
        username: "alice".into(),
        secret: Secret::Password("pw".into()),
    });
    let mut reg = Registration::new(cfg, creds, None, [1; 32]);
    reg.enable_recovery(false);
    reg.enable_keepalive(Duration::from_secs(30));
    reg
}

/// The header lines of `request` a response copies (Via, From, To, Call-ID, CSeq).
fn echoed(request: &[u8]) -> String {
    let text = String::from_utf8_lossy(request);
    let mut out = String::new();
    for line in text.split("\r\n") {
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if ["via", "from", "to", "call-id", "cseq"].contains(&name.as_str()) {
            out.push_str(line);
            if name == "to" {
                out.push_str(";tag=fz");
            }
            out.push_str("\r\n");
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let mut now = t0;
    let mut reg = registration();
    reg.start(Operation::Register, now);
    let mut last = Vec::new();
    let mut rest = data;
    let mut steps = 0;
    while let Some((&op, tail)) = rest.split_first() {
        steps += 1;
        if steps > 200 {
            break;
        }
        rest = tail;
        match op % 3 {
            0 => {
                let ms = u64::from(rest.first().copied().unwrap_or(0)) * 250;
                rest = rest.get(1..).unwrap_or_default();
                now += Duration::from_millis(ms);
                if reg.poll_timeout().is_some_and(|at| at <= now) {
                    reg.handle_timeout(now);
                }
            }
            1 => {
                let (code, tail) = match rest {
                    [a, b, tail @ ..] => (100 + u16::from_be_bytes([*a, *b]) % 600, tail),
                    _ => (200, rest),
                };
                let len = tail
                    .first()
                    .map_or(0, |n| usize::from(*n))
                    .min(tail.len().saturating_sub(1));
                let extra =
                    String::from_utf8_lossy(&tail.get(1..1 + len).unwrap_or_default()).into_owned();
                rest = tail.get(1 + len..).unwrap_or_default();
                let msg = format!(
                    "SIP/2.0 {code} Fuzz\r\n{}{}\r\nContent-Length: 0\r\n\r\n",
                    echoed(&last),
                    extra.replace('\n', "\r\n")
                );
                reg.handle_input(now, msg.as_bytes());
            }
            _ => {
                let len = rest
                    .first()
                    .map_or(0, |n| usize::from(*n))
                    .min(rest.len().saturating_sub(1));
                reg.handle_input(now, rest.get(1..1 + len).unwrap_or_default());
                rest = rest.get(1 + len..).unwrap_or_default();
            }
        }
        while let Some(t) = reg.poll_transmit() {
            assert!(
                t.payload.len() < 16 * 1024,
                "a request of {} bytes",
                t.payload.len()
            );
            if !t.payload.starts_with(b"\r\n") && !sipreg::core::stun::is_stun(&t.payload) {
                last = t.payload;
            }
        }
        let mut events = 0;
        while reg.poll_event().is_some() {
            events += 1;
            assert!(events < 1000, "unbounded events");
        }
    }
});
