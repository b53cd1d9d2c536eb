//! Requests arriving at our contacts, through the endpoint in virtual time (issue 12):
//! routed by the Request-URI to the registration whose contact it names, answered by
//! the endpoint's user-agent server back where they came from (RFC 3261 §18.2.2,
//! RFC 3581), in single and bulk mode alike; silent while nothing of ours is bound.

mod scripted;

use scripted::core_harness::config;
use scripted::{ok_with_contact, respond, Req};
use sipreg::core::uas::{UasConfig, UasEvent};
use sipreg::core::{Endpoint, EndpointConfig, EndpointEvent, Operation};
use std::net::SocketAddr;
use std::time::Instant;

const PROXY: &str = "127.0.0.1:5060";

/// `n` registrations on one socket, contacts `sip:userI@127.0.0.1:40000`, answering
/// requests; registered when `registered`.
fn endpoint(n: usize, registered: bool) -> (Endpoint, Instant) {
    let t0 = Instant::now();
    let mut ep = Endpoint::new(
        EndpointConfig {
            rate: f64::INFINITY,
            ramp: None,
            concurrency: 1000,
            stays: true,
            carriers: 1,
            reopen_flows: true,
        },
        [9; 32],
    );
    ep.answer_requests(UasConfig::default(), false);
    for i in 0..n {
        let mut cfg = config(3600);
        cfg.aor = format!("sip:user{i}@sipreg.test").parse().unwrap();
        cfg.contact = format!("sip:user{i}@127.0.0.1:40000").parse().unwrap();
        ep.add(cfg, None, None);
    }
    if registered {
        ep.start_all(Operation::Register, t0);
        ep.handle_timeout(t0);
        let requests: Vec<Req> = ep
            .drain_transmits()
            .map(|o| Req::parse(&o.transmit.payload))
            .collect();
        for req in requests {
            ep.handle_input(t0, 0, &ok_with_contact(&req, 3600));
        }
        while ep.poll_event().is_some() {}
        assert_eq!(ep.registered(), n as u32);
    }
    (ep, t0)
}

fn request(method: &str, uri: &str, branch: &str) -> Vec<u8> {
    format!(
        "{method} {uri} SIP/2.0\r\n\
         Via: SIP/2.0/UDP proxy.sipreg.test:5060;branch={branch};rport\r\n\
         Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKcaller;received=192.0.2.7\r\n\
         From: <sip:bob@sipreg.test>;tag=b1\r\nTo: <{uri}>\r\n\
         Call-ID: call-{branch}\r\nCSeq: 1 {method}\r\nMax-Forwards: 69\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// What went out: (handle given?, destination, text).
fn answers(ep: &mut Endpoint) -> Vec<(bool, SocketAddr, String)> {
    ep.drain_transmits()
        .map(|o| {
            (
                o.handle.is_some(),
                o.transmit.destination,
                String::from_utf8(o.transmit.payload).unwrap(),
            )
        })
        .collect()
}

fn incoming(ep: &mut Endpoint) -> Vec<UasEvent> {
    std::iter::from_fn(|| ep.poll_event())
        .filter_map(|e| match e {
            EndpointEvent::Incoming(u) => Some(u),
            _ => None,
        })
        .collect()
}

#[test]
fn an_options_to_our_contact_is_answered_where_it_came_from() {
    let (mut ep, t0) = endpoint(1, true);
    let source: SocketAddr = PROXY.parse().unwrap();
    let options = request("OPTIONS", "sip:user0@127.0.0.1:40000", "z9hG4bKo1");
    ep.handle_input_from(t0, 0, Some(source), &options);
    let out = answers(&mut ep);
    assert_eq!(out.len(), 1, "{out:?}");
    let (by_registration, to, text) = &out[0];
    assert!(!by_registration, "an answer is no registration's request");
    assert_eq!(*to, source);
    assert!(text.starts_with("SIP/2.0 200 OK\r\n"), "{text}");
    // The top Via stamped as received (RFC 3581), the second one untouched.
    assert!(
        text.contains(
            "Via: SIP/2.0/UDP proxy.sipreg.test:5060;branch=z9hG4bKo1;received=127.0.0.1;rport=5060\r\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("branch=z9hG4bKcaller;received=192.0.2.7"),
        "{text}"
    );
    assert!(text.contains("\r\nAllow: "), "{text}");

    // The same request again is a retransmission: the same bytes, not a new handling.
    ep.handle_input_from(t0, 0, Some(source), &options);
    let again = answers(&mut ep);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].2, *text);
    let answered = incoming(&mut ep)
        .into_iter()
        .filter(|e| matches!(e, UasEvent::Answered { .. }))
        .count();
    assert_eq!(answered, 1, "handled once");
}

#[test]
fn in_bulk_the_request_uri_picks_the_registration() {
    let (mut ep, t0) = endpoint(50, true);
    let source: SocketAddr = PROXY.parse().unwrap();
    let invite = request("INVITE", "sip:user37@127.0.0.1:40000", "z9hG4bKi37");
    ep.handle_input_from(t0, 0, Some(source), &invite);
    let out: Vec<String> = answers(&mut ep).into_iter().map(|a| a.2).collect();
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].starts_with("SIP/2.0 100 Trying"), "{}", out[0]);
    assert!(
        out[1].starts_with("SIP/2.0 480 Temporarily Unavailable"),
        "{}",
        out[1]
    );
    let calls: Vec<UasEvent> = incoming(&mut ep);
    assert!(
        calls.iter().any(|e| matches!(e, UasEvent::IncomingCall { to, answered: 480, .. } if to.contains("user37"))),
        "{calls:?}"
    );
    // No ACK: Timer G sends the 480 again at T1, through the endpoint's own clock.
    let g = ep.poll_timeout().expect("Timer G");
    assert_eq!(g - t0, std::time::Duration::from_millis(500));
    ep.handle_timeout(g);
    let resent: Vec<String> = answers(&mut ep).into_iter().map(|a| a.2).collect();
    assert_eq!(resent, vec![out[1].clone()]);

    // A user none of ours has, another port, another host: 404.
    for uri in [
        "sip:nobody@127.0.0.1:40000",
        "sip:user37@127.0.0.1:40001",
        "sip:user37@192.0.2.1:40000",
    ] {
        ep.handle_input_from(t0, 0, Some(source), &request("OPTIONS", uri, uri));
        let out = answers(&mut ep);
        assert_eq!(out.len(), 1, "{uri}");
        assert!(out[0].2.starts_with("SIP/2.0 404 "), "{uri}: {}", out[0].2);
    }
}

#[test]
fn nothing_is_answered_for_a_contact_that_is_not_bound() {
    let (mut ep, t0) = endpoint(1, false);
    let source: SocketAddr = PROXY.parse().unwrap();
    let options = request("OPTIONS", "sip:user0@127.0.0.1:40000", "z9hG4bKu1");
    ep.handle_input_from(t0, 0, Some(source), &options);
    assert!(answers(&mut ep).is_empty());
    assert_eq!(ep.stats().ignored, 1);
}

#[test]
fn an_endpoint_that_does_not_answer_ignores_requests() {
    let t0 = Instant::now();
    let mut ep = Endpoint::new(EndpointConfig::single(true), [1; 32]);
    ep.add(config(3600), None, None);
    let options = request("OPTIONS", "sip:alice@127.0.0.1:5999", "z9hG4bKn1");
    ep.handle_input_from(t0, 0, Some(PROXY.parse().unwrap()), &options);
    assert!(answers(&mut ep).is_empty());
    assert_eq!(ep.stats().ignored, 1);
}

#[test]
fn requests_that_cannot_be_answered_are_dropped_without_a_panic() {
    let (mut ep, t0) = endpoint(1, true);
    let source: SocketAddr = PROXY.parse().unwrap();
    let good =
        String::from_utf8(request("OPTIONS", "sip:user0@127.0.0.1:40000", "z9hG4bKg")).unwrap();
    let without = |header: &str| -> Vec<u8> {
        good.lines()
            .filter(|l| !l.starts_with(header))
            .collect::<Vec<_>>()
            .join("\r\n")
            .into_bytes()
    };
    for bytes in [
        without("Via:"),
        without("Call-ID:"),
        without("CSeq:"),
        without("From:"),
        b"OPTIONS sip:user0@127.0.0.1:40000 SIP/2.0\r\n\r\n".to_vec(),
        b"INVITE \x00\x01 SIP/2.0\r\nVia: x\r\n\r\n".to_vec(),
        vec![b'A'; 70_000],
    ] {
        ep.handle_input_from(t0, 0, Some(source), &bytes);
        assert!(
            answers(&mut ep).is_empty(),
            "{:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
    // A CSeq that names another method: 400, answerable as it is.
    let odd = good.replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
    ep.handle_input_from(t0, 0, Some(source), odd.as_bytes());
    let out = answers(&mut ep);
    assert_eq!(out.len(), 1);
    assert!(
        out[0].2.starts_with("SIP/2.0 400 Bad Request"),
        "{}",
        out[0].2
    );
    // Without a source (nowhere to answer to) it is dropped too.
    ep.handle_input_from(t0, 0, None, good.as_bytes());
    assert!(answers(&mut ep).is_empty());
}

/// A request may name a GRUU the registrar assigned to our contact (RFC 5627)
/// instead of the contact: the public one and the latest temporary ones are ours.
#[test]
fn a_gruu_of_ours_is_ours() {
    let t0 = Instant::now();
    let mut ep = Endpoint::new(EndpointConfig::single(true), [4; 32]);
    ep.answer_requests(UasConfig::default(), false);
    let mut cfg = config(3600);
    cfg.contact = "sip:alice@127.0.0.1:40000".parse().unwrap();
    let h = ep.add(cfg, None, None);
    let source: SocketAddr = PROXY.parse().unwrap();
    let register = |ep: &mut Endpoint, op: Operation, temp: &str| {
        ep.start(h, op, t0);
        let req = Req::parse(&ep.drain_transmits().next().unwrap().transmit.payload);
        let contact = req.contact_uri().unwrap();
        let ok = respond(
            &req,
            200,
            "OK",
            &[format!(
                "Contact: <{contact}>;expires=3600;\
                 pub-gruu=\"sip:alice@sipreg.test;gr=urn:uuid:1\";temp-gruu=\"{temp}\""
            )],
        );
        ep.handle_input(t0, 0, &ok);
        while ep.poll_event().is_some() {}
    };
    register(
        &mut ep,
        Operation::Register,
        "sip:tgruu.first@sipreg.test;gr",
    );
    let mut n = 0;
    let mut status = |ep: &mut Endpoint, uri: &str| {
        n += 1;
        let branch = format!("z9hG4bKgruu{n}");
        ep.handle_input_from(t0, 0, Some(source), &request("OPTIONS", uri, &branch));
        let out = answers(ep);
        out[0].2.split("\r\n").next().unwrap().to_string()
    };
    assert_eq!(
        status(&mut ep, "sip:alice@sipreg.test;gr=urn:uuid:1"),
        "SIP/2.0 200 OK"
    );
    assert_eq!(
        status(&mut ep, "sip:tgruu.first@sipreg.test;gr"),
        "SIP/2.0 200 OK"
    );
    // Four refreshes later the first temporary GRUU is forgotten, the latest kept.
    for n in 0..4 {
        register(
            &mut ep,
            Operation::Register,
            &format!("sip:tgruu.later{n}@sipreg.test;gr"),
        );
    }
    assert_eq!(
        status(&mut ep, "sip:tgruu.later3@sipreg.test;gr"),
        "SIP/2.0 200 OK"
    );
    assert!(status(&mut ep, "sip:tgruu.first@sipreg.test;gr").starts_with("SIP/2.0 404"));
    assert!(status(&mut ep, "sip:alice@sipreg.test;gr=urn:uuid:2").starts_with("SIP/2.0 404"));
}

/// A single registration answers while its removal is under way (the grant is
/// dropped when the removal starts, the binding is still there), and no longer once
/// the registrar confirmed it.
#[test]
fn requests_are_answered_during_the_removal_and_not_after() {
    let (mut ep, t0) = endpoint(1, true);
    let source: SocketAddr = PROXY.parse().unwrap();
    ep.start(
        sipreg::core::Handle(0),
        Operation::Unregister(sipreg::core::UnregisterTarget::Ours),
        t0,
    );
    let removal = Req::parse(&ep.drain_transmits().next().unwrap().transmit.payload);
    let options = request("OPTIONS", "sip:user0@127.0.0.1:40000", "z9hG4bKr1");
    ep.handle_input_from(t0, 0, Some(source), &options);
    let out = answers(&mut ep);
    assert_eq!(out.len(), 1, "answered during the removal");
    assert!(out[0].2.starts_with("SIP/2.0 200 OK"), "{}", out[0].2);
    ep.handle_input(t0, 0, &ok_with_contact(&removal, 0));
    let again = request("OPTIONS", "sip:user0@127.0.0.1:40000", "z9hG4bKr2");
    ep.handle_input_from(t0, 0, Some(source), &again);
    assert!(answers(&mut ep).is_empty(), "silent once removed");
}
