//! WWW-Authenticate and Proxy-Authenticate values chosen by the fuzzer, one per line
//! (odd lines are Proxy-Authenticate): the response reads them, the authenticator
//! picks and answers, and never a panic. What we answer must read back: the realm,
//! nonce and opaque we echo (quoted, escaped) are those of a challenge we were given.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rand::rngs::mock::StepRng;
use sipreg::auth::{Authenticator, Credentials, Secret};
use sipreg::sip::Response;

fn response(status: u16, lines: &[(&str, &str)]) -> Option<Response> {
    let mut text = format!("SIP/2.0 {status} Challenge\r\n");
    for (name, value) in lines {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("Content-Length: 0\r\n\r\n");
    Response::parse_datagram(text.as_bytes()).ok()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<(&str, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, v)| {
            let name = if i % 2 == 0 {
                "WWW-Authenticate"
            } else {
                "Proxy-Authenticate"
            };
            (name, v)
        })
        .collect();
    let Some(r) = response(401, &lines) else {
        return;
    };
    let (challenges, _skipped) = r.challenges();
    let mut auth = Authenticator::new(
        Some(Credentials {
            username: "alice".into(),
            secret: Secret::Password("pw".into()),
        }),
        None,
    );
    if auth.on_challenge(&challenges).is_err() {
        return;
    }
    let mut rng = StepRng::new(1, 1);
    for _ in 0..2 {
        for (header, value) in auth.authorize("REGISTER", "sip:sipreg.test", b"", &mut rng) {
            assert!(!value.contains(['\r', '\n']), "{header}: {value:?}");
            // An answer has the shape of a challenge: read it as one.
            let back = response(401, &[("WWW-Authenticate", &value)])
                .unwrap_or_else(|| panic!("our {header} does not read back: {value:?}"));
            let (read, _) = back.challenges();
            let [answer] = &read[..] else {
                panic!("our {header} does not read back as one value: {value:?}");
            };
            assert!(
                challenges.iter().any(|c| c.realm == answer.realm
                    && c.nonce == answer.nonce
                    && c.opaque == answer.opaque),
                "{header}: {value:?} echoes no challenge of {challenges:?}"
            );
        }
    }
});
