//! The endpoint in virtual time: many registrations behind one input and one output,
//! paced starts, routing of responses, and the outputs a driver must act on
//! (failover, reconnect). The test plays the registrar and owns the clock.

mod scripted;

use scripted::core_harness::config;
use scripted::{ok_with_contact, Req};
use sipreg::core::{
    Endpoint, EndpointConfig, EndpointEvent, Event, Handle, OpKind, Operation, RegError,
    TransportKind,
};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn endpoint(n: usize, rate: f64, stays: bool, carriers: u32) -> Endpoint {
    let mut ep = Endpoint::new(
        EndpointConfig {
            rate,
            ramp: None,
            concurrency: 100_000,
            stays,
            carriers,
            reopen_flows: true,
        },
        [3; 32],
    );
    ep.reserve(n);
    for i in 0..n {
        let mut cfg = config(3600);
        cfg.aor = format!("sip:user{i:05}@sipreg.test").parse().unwrap();
        cfg.contact = format!("sip:user{i:05}@127.0.0.1:40000").parse().unwrap();
        ep.add(cfg, None, None);
    }
    ep
}

/// Everything the endpoint wants sent, as (handle, destination, parsed request).
fn sent(ep: &mut Endpoint) -> Vec<(Handle, SocketAddr, Req)> {
    ep.drain_transmits()
        .map(|o| {
            (
                o.handle.expect("a registration's request"),
                o.transmit.destination,
                Req::parse(&o.transmit.payload),
            )
        })
        .collect()
}

fn events(ep: &mut Endpoint) -> Vec<EndpointEvent> {
    std::iter::from_fn(|| ep.poll_event()).collect()
}

fn completed(events: &[EndpointEvent]) -> Vec<Handle> {
    events
        .iter()
        .filter_map(|e| match e {
            EndpointEvent::Event(h, Event::Completed(_)) => Some(*h),
            _ => None,
        })
        .collect()
}

/// `--ramp 0..1000/s over 10s` through the endpoint, the driver's loop played in
/// virtual time: each second holds the starts the rate's integral says (±1), the
/// first goes at once, and after the ramp they are 1 ms apart.
#[test]
fn a_ramp_from_zero_starts_what_its_integral_says_each_second_then_its_end_rate() {
    use sipreg::core::endpoint::ramp::Ramp;
    let ramp = Ramp::new(0.0, 1000.0, Duration::from_secs(10)).unwrap();
    let n = 7_000; // 5000 during the ramp, 2 s at the end rate
    let mut ep = Endpoint::new(
        EndpointConfig {
            rate: 5.0, // not used with a ramp
            ramp: Some(ramp),
            concurrency: 100_000,
            stays: false,
            carriers: 1,
            reopen_flows: true,
        },
        [3; 32],
    );
    for i in 0..n {
        let mut cfg = config(3600);
        cfg.aor = format!("sip:user{i:05}@sipreg.test").parse().unwrap();
        ep.add(cfg, None, None);
    }
    let t0 = Instant::now();
    ep.start_all(Operation::Register, t0);
    let mut now = t0;
    let mut starts: Vec<Duration> = Vec::new();
    while starts.len() < n {
        ep.handle_timeout(now);
        let fresh = ep
            .drain_transmits()
            .filter(|o| !o.transmit.retransmission)
            .count();
        starts.extend(std::iter::repeat_n(now - t0, fresh));
        now = ep.poll_timeout().expect("more to start");
        assert!(now - t0 < Duration::from_secs(13), "pacing stalled");
    }
    assert_eq!(starts[0], Duration::ZERO);
    for s in 0..12u64 {
        let window = Duration::from_secs(s)..Duration::from_secs(s + 1);
        let count = starts.iter().filter(|t| window.contains(t)).count() as f64;
        let integral = ramp.starts_by((s + 1) as f64) - ramp.starts_by(s as f64);
        assert!(
            (count - integral).abs() <= 1.0,
            "second {s}: {count} starts, the integral says {integral}"
        );
    }
    let after: Vec<&Duration> = starts
        .iter()
        .filter(|t| **t >= Duration::from_secs(10))
        .collect();
    assert_eq!(after.len(), 2_000);
    for pair in after.windows(2) {
        assert_eq!(*pair[1] - *pair[0], Duration::from_millis(1));
    }
    // The driver ticks its loop once pacing is under a millisecond; on this ramp
    // that is only at its very end.
    assert_eq!(ep.pacing_interval(), Duration::from_millis(1));
}

#[test]
fn ten_thousand_registrations_start_in_order_at_the_paced_rate() {
    let t0 = Instant::now();
    let rate = 5000.0;
    let mut ep = endpoint(10_000, rate, false, 1);
    ep.start_all(Operation::Register, t0);
    let mut now = t0;
    let mut starts: Vec<(Duration, Handle, String)> = Vec::new();
    // The driver's loop: wake at the endpoint's deadline, hand it the time, send.
    while starts.len() < 10_000 {
        ep.handle_timeout(now);
        // Timer E retransmissions of the earliest ones are not starts.
        for o in ep.drain_transmits().filter(|o| !o.transmit.retransmission) {
            let req = Req::parse(&o.transmit.payload);
            starts.push((now - t0, o.handle.unwrap(), req.call_id().to_string()));
        }
        now = ep.poll_timeout().expect("more to start");
        assert!(now - t0 < Duration::from_secs(3), "pacing stalled");
    }
    // In handle order, one REGISTER each, each with its own Call-ID.
    let out_of_order = starts
        .iter()
        .enumerate()
        .find(|(i, (_, h, _))| h.0 as usize != *i);
    assert!(
        out_of_order.is_none(),
        "first out of order: {out_of_order:?}"
    );
    let ids: std::collections::HashSet<&str> =
        starts.iter().map(|(_, _, id)| id.as_str()).collect();
    assert_eq!(ids.len(), 10_000);
    // Evenly spaced at 1/rate: 200 µs apart, the last at 9999 intervals.
    let interval = Duration::from_secs_f64(1.0 / rate);
    for pair in starts.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert_eq!(gap, interval, "between {:?} and {:?}", pair[0].1, pair[1].1);
    }
    assert_eq!(starts.last().unwrap().0, interval * 9_999);
    assert_eq!(ep.in_flight(), 10_000);
}

#[test]
fn responses_out_of_order_duplicated_or_for_nobody_reach_the_right_registration_once() {
    let t0 = Instant::now();
    let mut ep = endpoint(3, f64::INFINITY, false, 1);
    ep.start_all(Operation::Register, t0);
    ep.handle_timeout(t0);
    let requests = sent(&mut ep);
    assert_eq!(requests.len(), 3);
    let t1 = t0 + Duration::from_millis(5);
    // Answered last first, the middle one twice, plus one nobody asked for.
    let mut stranger = ok_with_contact(&requests[0].2, 3600);
    let text = String::from_utf8(stranger.clone()).unwrap();
    stranger = text
        .replace(requests[0].2.call_id(), "not-one-of-ours")
        .into_bytes();
    for bytes in [
        ok_with_contact(&requests[2].2, 3600),
        ok_with_contact(&requests[1].2, 3600),
        ok_with_contact(&requests[1].2, 3600),
        stranger,
        ok_with_contact(&requests[0].2, 3600),
    ] {
        ep.handle_input(t1, 0, &bytes);
    }
    let got = events(&mut ep);
    assert_eq!(completed(&got), [Handle(2), Handle(1), Handle(0)]);
    // The duplicate is the middle registration's to ignore; the stranger nobody's.
    let ignored_by_1 = got
        .iter()
        .filter(|e| matches!(e, EndpointEvent::Event(Handle(1), Event::Ignored { .. })))
        .count();
    assert_eq!(ignored_by_1, 1);
    assert_eq!(ep.stats().registered, 3);
    assert_eq!(ep.stats().ignored, 2, "the duplicate and the stranger");
    assert_eq!(ep.tally().succeeded, 3);
    assert!(ep.is_finished());
    assert!(sent(&mut ep).is_empty(), "nothing answered twice");
}

#[test]
fn a_target_that_times_out_is_failed_over_and_the_operation_starts_again_there() {
    let t0 = Instant::now();
    let mut ep = endpoint(1, f64::INFINITY, false, 1);
    let h = Handle(0);
    ep.set_fallbacks(h, 1);
    ep.start(h, Operation::Register, t0);
    let first = sent(&mut ep);
    assert_eq!(first[0].1, "127.0.0.1:5060".parse().unwrap());
    // Timer F: no answer from the first target.
    let mut now;
    let failover = loop {
        now = ep.poll_timeout().expect("a timer");
        ep.handle_timeout(now);
        sent(&mut ep);
        if let Some(e) = events(&mut ep)
            .into_iter()
            .find(|e| !matches!(e, EndpointEvent::Event(..)))
        {
            break e;
        }
    };
    match failover {
        EndpointEvent::Failover { handle, op, error } => {
            assert_eq!(op, OpKind::Register);
            assert_eq!(handle, h);
            assert!(matches!(error, RegError::Timeout { .. }), "{error}");
        }
        other => panic!("expected a failover, got {other:?}"),
    }
    assert_eq!(ep.tally().failed, 0, "a failover is no failure");
    // The driver moves it to the second target: the REGISTER starts again there.
    let second: SocketAddr = "127.0.0.2:5060".parse().unwrap();
    let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    ep.retarget(h, second, TransportKind::Udp, local, 0, now);
    let again = sent(&mut ep);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].1, second);
    assert_eq!(again[0].2.call_id(), first[0].2.call_id(), "same Call-ID");
    assert!(again[0].2.cseq() > first[0].2.cseq(), "a new CSeq");
    ep.handle_input(now, 0, &ok_with_contact(&again[0].2, 3600));
    assert_eq!(completed(&events(&mut ep)), [h]);
    // With no target left, the next timeout is a plain failure.
    let mut ep = endpoint(1, f64::INFINITY, false, 1);
    ep.start(h, Operation::Register, t0);
    loop {
        let at = ep.poll_timeout().expect("a timer");
        ep.handle_timeout(at);
        sent(&mut ep);
        let got = events(&mut ep);
        assert!(!got
            .iter()
            .any(|e| matches!(e, EndpointEvent::Failover { .. })));
        if got.iter().any(|e| {
            matches!(
                e,
                EndpointEvent::Event(
                    _,
                    Event::Failed {
                        op: OpKind::Register,
                        ..
                    }
                )
            )
        }) {
            break;
        }
    }
    assert_eq!(ep.tally().failed, 1);
}

#[test]
fn a_closed_stream_asks_for_a_reconnect_and_the_next_request_carries_the_new_address() {
    let t0 = Instant::now();
    let mut ep = endpoint(2, f64::INFINITY, true, 2);
    for i in 0..2 {
        ep.registration_mut(Handle(i)).enable_recovery(false);
    }
    ep.start_all(Operation::Register, t0);
    ep.handle_timeout(t0);
    for (_, _, req) in sent(&mut ep) {
        ep.handle_input(t0, 0, &ok_with_contact(&req, 3600));
    }
    assert_eq!(ep.registered(), 2);
    events(&mut ep);
    // Connection 1 closes: only registration 1 depends on it.
    ep.connection_closed(1, t0, "connection closed by the registrar".into());
    let got = events(&mut ep);
    match &got[..] {
        [EndpointEvent::Reconnect {
            carrier: 1,
            reason,
            resend: true,
        }] => {
            assert!(reason.contains("closed by the registrar"))
        }
        other => panic!("expected one reconnect of carrier 1, got {other:?}"),
    }
    // The driver reopened it from another port: the REGISTER sent again at once says
    // so in Via and Contact.
    let new_local: SocketAddr = "127.0.0.1:41234".parse().unwrap();
    let t1 = t0 + Duration::from_secs(1);
    ep.reconnected(1, new_local, "connection closed by the registrar", t1);
    let again = sent(&mut ep);
    assert_eq!(again.len(), 1, "only the registration on carrier 1");
    let (h, _, req) = &again[0];
    assert_eq!(*h, Handle(1));
    assert!(
        req.header("via").unwrap().contains("127.0.0.1:41234"),
        "{:?}",
        req.header("via")
    );
    assert_eq!(
        req.contact_uri().as_deref(),
        Some("sip:user00001@127.0.0.1:41234")
    );
    assert!(events(&mut ep)
        .iter()
        .any(|e| matches!(e, EndpointEvent::Event(Handle(1), Event::FlowFailed { .. }))));
    // Nothing needs a connection that carries no request and no staying binding.
    let mut once = endpoint(1, f64::INFINITY, false, 1);
    once.connection_closed(0, t0, "closed".into());
    assert!(events(&mut once).is_empty());
}

#[test]
fn a_staying_endpoint_paces_its_refreshes_and_removes_every_binding_at_the_end() {
    let t0 = Instant::now();
    let mut ep = endpoint(50, 100.0, true, 1);
    ep.start_all(Operation::Register, t0);
    let mut now = t0;
    let mut registers = 0;
    let mut refreshes = Vec::new();
    let until = t0 + Duration::from_secs(3600);
    while now < until {
        ep.handle_timeout(now);
        for (_, _, req) in sent(&mut ep) {
            if now - t0 < Duration::from_secs(10) {
                registers += 1;
            } else {
                refreshes.push(now);
            }
            ep.handle_input(now, 0, &ok_with_contact(&req, 3600));
        }
        events(&mut ep);
        now = ep.poll_timeout().expect("refreshes are planned");
    }
    assert_eq!(registers, 50);
    assert_eq!(ep.registered(), 50);
    // Every AOR refreshed once before its hour ran out, 10 ms apart at 100/s.
    assert_eq!(refreshes.len(), 50);
    for pair in refreshes.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(10));
    }
    ep.begin_removal(now);
    let mut removed = 0;
    while !ep.is_finished() {
        ep.handle_timeout(now);
        for (_, _, req) in sent(&mut ep) {
            assert_eq!(req.expires(), Some(0));
            removed += 1;
            ep.handle_input(now, 0, &ok_with_contact(&req, 0));
        }
        events(&mut ep);
        if let Some(at) = ep.poll_timeout() {
            now = at;
        }
    }
    assert_eq!(removed, 50);
    assert_eq!(ep.registered(), 0);
    assert_eq!(ep.tally().succeeded, 50);
}

/// `n` staying registrations on one carrier over `transport`, each with keep-alives
/// every 30 s, registered at t0; returns the endpoint and t0.
fn registered_with_keepalives(n: usize, transport: TransportKind) -> (Endpoint, Instant) {
    let t0 = Instant::now();
    let mut ep = Endpoint::new(
        EndpointConfig {
            rate: f64::INFINITY,
            ramp: None,
            concurrency: 100,
            stays: true,
            carriers: 1,
            reopen_flows: true,
        },
        [5; 32],
    );
    for i in 0..n {
        let mut cfg = config(3600);
        cfg.aor = format!("sip:ka{i}@sipreg.test").parse().unwrap();
        std::sync::Arc::make_mut(&mut cfg.shared).transport = transport;
        let h = ep.add(cfg, None, None);
        ep.registration_mut(h).enable_recovery(false);
        ep.registration_mut(h)
            .enable_keepalive(Duration::from_secs(30));
    }
    ep.start_all(Operation::Register, t0);
    ep.handle_timeout(t0);
    for (_, _, req) in sent(&mut ep) {
        ep.handle_input(t0, 0, &ok_with_contact(&req, 3600));
    }
    events(&mut ep);
    assert_eq!(ep.registered(), n as u32);
    (ep, t0)
}

/// Runs the endpoint's deadlines up to `until`, returning the keep-alive pings sent.
fn pings_until(ep: &mut Endpoint, until: Instant) -> Vec<(Handle, Vec<u8>)> {
    let mut pings = Vec::new();
    while let Some(at) = ep.poll_timeout().filter(|at| *at <= until) {
        ep.handle_timeout(at);
        pings.extend(
            ep.drain_transmits()
                .map(|o| (o.handle.unwrap(), o.transmit.payload)),
        );
    }
    pings
}

fn flow_failures(events: &[EndpointEvent]) -> Vec<Handle> {
    events
        .iter()
        .filter_map(|e| match e {
            EndpointEvent::Event(h, Event::FlowFailed { .. }) => Some(*h),
            _ => None,
        })
        .collect()
}

/// A STUN Binding success response (RFC 5389) for `request`'s transaction.
fn binding_success(request: &[u8]) -> Vec<u8> {
    let mut m = vec![0x01, 0x01, 0x00, 0x00];
    m.extend_from_slice(&request[4..20]);
    m
}

#[test]
fn stun_answers_on_a_shared_socket_reach_the_registration_that_asked() {
    let (mut ep, t0) = registered_with_keepalives(3, TransportKind::Udp);
    let pings = pings_until(&mut ep, t0 + Duration::from_secs(31));
    assert_eq!(pings.len(), 3, "one STUN ping each");
    // Answered in reverse order; each reaches its own registration, so no flow fails.
    for (_, ping) in pings.iter().rev() {
        assert!(sipreg::core::stun::is_stun(ping));
        ep.handle_input(t0 + Duration::from_secs(31), 0, &binding_success(ping));
    }
    pings_until(&mut ep, t0 + Duration::from_secs(45));
    assert!(flow_failures(&events(&mut ep)).is_empty());
    assert_eq!(ep.stats().ignored, 0);
    // An answer nobody asked for is ignored.
    let stray = binding_success(&pings[0].1);
    ep.handle_input(t0 + Duration::from_secs(46), 0, &stray);
    assert_eq!(ep.stats().ignored, 1);
}

#[test]
fn pongs_on_a_shared_connection_answer_the_oldest_ping_only() {
    let (mut ep, t0) = registered_with_keepalives(2, TransportKind::Tcp);
    let pings = pings_until(&mut ep, t0 + Duration::from_secs(31));
    assert_eq!(pings.len(), 2, "{pings:?}");
    assert!(pings.iter().all(|(_, p)| p == b"\r\n\r\n"));
    // One pong: it answers the first ping; the second goes unanswered and its flow
    // is declared dead once the pong timeout passes.
    ep.handle_input(t0 + Duration::from_secs(31), 0, b"\r\n");
    pings_until(&mut ep, t0 + Duration::from_secs(45));
    assert_eq!(flow_failures(&events(&mut ep)), [pings[1].0]);
}

/// Hostile and stray input: garbage, truncated STUN, oversized datagrams, responses
/// with a foreign Call-ID or a wrong branch or CSeq. Nothing panics, nothing is
/// answered, and the registrations go on.
#[test]
fn hostile_input_is_counted_and_ignored() {
    let t0 = Instant::now();
    let mut ep = endpoint(3, f64::INFINITY, false, 1);
    ep.start_all(Operation::Register, t0);
    ep.handle_timeout(t0);
    let requests = sent(&mut ep);
    let ok = ok_with_contact(&requests[0].2, 3600);
    let text = String::from_utf8(ok.clone()).unwrap();
    let wrong_branch = text.replace(&requests[0].2.branch(), "z9hG4bKnot-ours");
    let cseq = requests[0].2.cseq();
    let wrong_cseq = text.replace(&format!("CSeq: {cseq}"), &format!("CSeq: {}", cseq + 7));
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\x00\x01\x00\x00\x21\x12\xa4\x42".to_vec(),
        vec![0xff; 70_000],
        b"SIP/2.0 200 OK\r\n\x1b[2J\r\n\r\n".to_vec(),
        b"INVITE sip:x@y SIP/2.0\r\nContent-Length: 0\r\n\r\n".to_vec(),
        wrong_branch.into_bytes(),
        wrong_cseq.into_bytes(),
    ];
    for k in 0..200u32 {
        let mut garbled = ok.clone();
        let at = (k as usize * 37) % garbled.len();
        garbled[at] = (k % 256) as u8;
        garbled.truncate(garbled.len() - (k as usize % 11));
        inputs.push(garbled);
    }
    for bytes in &inputs {
        ep.handle_input(t0, 0, bytes);
    }
    assert!(sent(&mut ep).is_empty(), "nothing is answered to garbage");
    let s = ep.stats();
    assert!(s.ignored + s.unreadable >= 7, "{s:?}");
    // The registrations still take their real answers.
    for (_, _, req) in &requests {
        ep.handle_input(t0, 0, &ok_with_contact(req, 3600));
    }
    events(&mut ep);
    assert_eq!(ep.registered(), 3);
}

/// An ICMP unreachable for a destination fails, at once, the transactions that send
/// there on that socket, and only those: a registration moved to another target on
/// the same socket carries on.
#[test]
fn an_unreachable_destination_fails_only_the_transactions_sending_there() {
    let t0 = Instant::now();
    let mut ep = endpoint(3, f64::INFINITY, false, 1);
    let (dead, alive): (SocketAddr, SocketAddr) = (
        "127.0.0.1:5060".parse().unwrap(),
        "127.0.0.2:5060".parse().unwrap(),
    );
    let local: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    for i in 0..3 {
        ep.start(Handle(i), Operation::Register, t0);
    }
    // The last one sends elsewhere.
    ep.retarget(Handle(2), alive, TransportKind::Udp, local, 0, t0);
    let out = sent(&mut ep);
    assert!(out.iter().any(|(h, to, _)| *h == Handle(2) && *to == alive));
    events(&mut ep);
    ep.unreachable(0, dead, t0, "ICMP port unreachable");
    let failed: Vec<(Handle, RegError)> = events(&mut ep)
        .into_iter()
        .filter_map(|e| match e {
            EndpointEvent::Event(h, Event::Failed { error, .. }) => Some((h, error)),
            _ => None,
        })
        .collect();
    let handles: Vec<Handle> = failed.iter().map(|(h, _)| *h).collect();
    assert_eq!(handles, [Handle(0), Handle(1)]);
    for (_, e) in &failed {
        assert!(matches!(e, RegError::Unreachable(_)), "{e}");
        assert!(
            e.to_string()
                .contains("127.0.0.1:5060: ICMP port unreachable"),
            "{e}"
        );
    }
    // The one sending to the other target still waits for its answer.
    let third = out.iter().rev().find(|(h, _, _)| *h == Handle(2)).unwrap();
    ep.handle_input(t0, 0, &ok_with_contact(&third.2, 3600));
    assert_eq!(completed(&events(&mut ep)), [Handle(2)]);
}
