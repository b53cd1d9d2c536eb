//! Staying registered, in virtual time: day-long refresh runs, recovery with back-off,
//! Retry-After, lost bindings, NAT rewriting, outbound fallback, redirects and
//! keep-alives. The test plays the registrar and owns the clock.

mod scripted;

use scripted::core_harness::{
    completed, config, events, fire, new_reg, one_sent, registration, sent,
};
use scripted::{challenge_401, ok_with_contact, respond, Req};
use sipreg::core::stun;
use sipreg::core::{Event, OpKind, Operation, RegError, Registration, TransportKind, BACKOFF_CAP};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn staying(expires: u32) -> Registration {
    let mut reg = new_reg(expires);
    reg.enable_recovery(false);
    reg
}

/// Runs 24 hours against a registrar that grants `grant` seconds (challenging every
/// `challenge_every`-th refresh with a fresh nonce). Returns the number of REGISTER
/// transactions that got a 200, after checking that every refresh was sent before
/// the previous grant ran out.
fn day_of_refreshes(grant: u32, challenge_every: usize) -> usize {
    let t0 = Instant::now();
    let day = Duration::from_secs(24 * 3600);
    let mut reg = staying(grant);
    reg.start(Operation::Register, t0);
    let mut now = t0;
    let mut expires_at: Option<Instant> = None;
    let mut successes = 0;
    let mut round = 0;
    while now < t0 + day {
        let mut r = one_sent(&mut reg);
        if let Some(end) = expires_at {
            assert!(
                now < end,
                "grant {grant}: refresh at {:?} after the binding ended at {:?}",
                now - t0,
                end - t0
            );
        }
        round += 1;
        if challenge_every > 0 && round % challenge_every == 0 {
            reg.handle_input(
                now,
                &challenge_401(&r, "sipreg.test", &format!("n{round}"), ""),
            );
            r = one_sent(&mut reg);
        }
        reg.handle_input(now, &ok_with_contact(&r, grant));
        let o = completed(&mut reg);
        assert_eq!(o.granted, Some(grant));
        successes += 1;
        expires_at = Some(now + Duration::from_secs(u64::from(grant)));
        now = fire(&mut reg);
    }
    successes
}

#[test]
fn a_day_of_refreshes_never_lapses_and_matches_the_policy() {
    // Policy: refresh at a random point in [0.9 D, D] after the last REGISTER, where
    // D is half a short grant, or a long grant less Timer F (32 s) and 8 s.
    for (grant, policy) in [(30u64, 15.0f64), (600, 560.0), (3600, 3560.0)] {
        let count = day_of_refreshes(grant as u32, 7) as f64;
        let day = 24.0 * 3600.0;
        let (fewest, most) = (day / policy, day / (policy * 0.9) + 1.0);
        assert!(
            count >= fewest.floor() && count <= most.ceil(),
            "grant {grant}: {count} registrations in a day, policy allows {fewest:.0}..{most:.0}"
        );
    }
}

/// Never answered: every attempt times out (Timer F, 32 s). Returns the waits the
/// core announced between attempts.
fn backoff_waits(attempts: usize) -> Vec<Duration> {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.start(Operation::Register, t0);
    let mut waits = Vec::new();
    while waits.len() < attempts {
        let _ = sent(&mut reg);
        let at = fire(&mut reg);
        for e in events(&mut reg) {
            match e {
                Event::Retrying { after, error, op } => {
                    assert!(matches!(error, RegError::Timeout { .. }), "{error:?}");
                    assert_eq!(op, OpKind::Register);
                    waits.push(after);
                    // The next attempt is sent exactly when announced.
                    assert_eq!(reg.poll_timeout(), Some(at + after));
                }
                Event::Failed { error, .. } => panic!("gave up: {error}"),
                _ => {}
            }
        }
    }
    waits
}

#[test]
fn backoff_doubles_with_spread_and_is_capped_at_30_minutes() {
    let waits = backoff_waits(9);
    let ceilings = [60u64, 120, 240, 480, 960, 1800, 1800, 1800, 1800];
    for (i, (wait, ceiling)) in waits.iter().zip(ceilings).enumerate() {
        let ceiling = Duration::from_secs(ceiling);
        assert!(
            *wait <= ceiling && *wait >= ceiling / 2,
            "failure {}: waited {wait:?}, RFC 5626 bounds {:?}..{ceiling:?}",
            i + 1,
            ceiling / 2
        );
    }
    assert!(waits.iter().all(|w| *w <= BACKOFF_CAP));
    // The spread is random: not every wait sits at the same fraction of its ceiling.
    let fractions: Vec<u64> = waits
        .iter()
        .zip(ceilings)
        .map(|(w, c)| w.as_millis() as u64 * 1000 / (c * 1000))
        .collect();
    assert!(fractions.windows(2).any(|w| w[0] != w[1]), "{fractions:?}");
}

#[test]
fn retry_after_is_honoured_to_the_second() {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let busy = respond(
        &r,
        503,
        "Service Unavailable",
        &["Retry-After: 17 (maintenance)".into()],
    );
    reg.handle_input(t0, &busy);
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(
            |e| matches!(e, Event::Retrying { after, .. } if *after == Duration::from_secs(17))
        ),
        "{ev:?}"
    );
    assert_eq!(reg.poll_timeout(), Some(t0 + Duration::from_secs(17)));
    let at = fire(&mut reg);
    assert_eq!(at - t0, Duration::from_secs(17));
    let again = one_sent(&mut reg);
    assert_eq!(again.call_id(), r.call_id());
    reg.handle_input(at, &ok_with_contact(&again, 3600));
    let o = completed(&mut reg);
    assert!(o.recovered, "a success after failures is a recovery");
}

#[test]
fn credentials_rejected_do_not_loop_unless_asked() {
    let t0 = Instant::now();
    for retry_auth in [false, true] {
        let mut reg = new_reg(3600);
        reg.enable_recovery(retry_auth);
        reg.start(Operation::Register, t0);
        let r = one_sent(&mut reg);
        reg.handle_input(t0, &respond(&r, 403, "Forbidden", &[]));
        let ev = events(&mut reg);
        let retrying = ev.iter().any(|e| matches!(e, Event::Retrying { .. }));
        let failed = ev.iter().any(|e| matches!(e, Event::Failed { .. }));
        assert_eq!(
            (retrying, failed),
            (retry_auth, !retry_auth),
            "retry_auth {retry_auth}: {ev:?}"
        );
    }
}

#[test]
fn a_4xx_that_will_not_pass_is_final_even_when_staying() {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r, 404, "Not Found", &[]));
    assert!(events(&mut reg)
        .iter()
        .any(|e| matches!(e, Event::Failed { .. })));
    assert_eq!(reg.poll_timeout(), None);
}

#[test]
fn a_changing_grant_moves_the_schedule() {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 600));
    completed(&mut reg);
    let t1 = fire(&mut reg);
    assert!(t1 - t0 <= Duration::from_secs(560) && t1 - t0 >= Duration::from_secs(504));
    let r = one_sent(&mut reg);
    reg.handle_input(t1, &ok_with_contact(&r, 20));
    completed(&mut reg);
    let t2 = fire(&mut reg);
    assert!(
        t2 - t1 <= Duration::from_secs(10) && t2 - t1 >= Duration::from_secs(9),
        "{:?}",
        t2 - t1
    );
    let r = one_sent(&mut reg);
    reg.handle_input(t2, &ok_with_contact(&r, 3600));
    completed(&mut reg);
    let t3 = fire(&mut reg);
    assert!(
        t3 - t2 >= Duration::from_secs(3204),
        "a longer grant moves the refresh out again"
    );
}

#[test]
fn a_200_without_our_contact_is_a_lost_binding() {
    let t0 = Instant::now();
    let mut reg = staying(60);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 60));
    completed(&mut reg);
    let t1 = fire(&mut reg);
    let refresh = one_sent(&mut reg);
    // A registrar that restarted and lists someone else's binding only.
    let others = respond(
        &refresh,
        200,
        "OK",
        &["Contact: <sip:alice@192.0.2.99:5060>;expires=50".into()],
    );
    reg.handle_input(t1, &others);
    let ev = events(&mut reg);
    assert!(ev.iter().any(|e| matches!(e, Event::BindingLost)), "{ev:?}");
    assert!(!ev.iter().any(|e| matches!(e, Event::Completed(_))));
    let again = one_sent(&mut reg);
    assert_eq!(
        again.contact_uri().as_deref(),
        Some("sip:alice@127.0.0.1:40000")
    );
    assert_eq!(again.cseq(), refresh.cseq() + 1);
    reg.handle_input(t1, &ok_with_contact(&again, 60));
    assert_eq!(completed(&mut reg).op, OpKind::Register);
}

fn with_via_nat(response: Vec<u8>, public: &str, port: u16) -> Vec<u8> {
    String::from_utf8(response)
        .unwrap()
        .replacen(
            ";rport;received=127.0.0.1",
            &format!(";received={public};rport={port}"),
            1,
        )
        .into_bytes()
}

#[test]
fn nat_rewrite_registers_the_public_address_once_and_removes_the_stale_binding() {
    let t0 = Instant::now();
    let mut reg = staying(60);
    reg.enable_nat_rewrite(true);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(
        t0,
        &with_via_nat(ok_with_contact(&r, 60), "203.0.113.7", 41000),
    );
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(|e| matches!(e, Event::NatDetected { rewriting: true, public } if *public == "203.0.113.7:41000".parse::<SocketAddr>().unwrap())),
        "{ev:?}"
    );
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Completed(_))),
        "not done before the rewrite"
    );
    let rewrite = one_sent(&mut reg);
    assert_eq!(
        rewrite.header("contact"),
        Some("<sip:alice@203.0.113.7:41000>, <sip:alice@127.0.0.1:40000>;expires=0")
    );
    let ok = respond(
        &rewrite,
        200,
        "OK",
        &["Contact: <sip:alice@203.0.113.7:41000>;expires=60".into()],
    );
    reg.handle_input(t0, &with_via_nat(ok, "203.0.113.7", 41000));
    let o = completed(&mut reg);
    assert_eq!(o.bindings.len(), 1);
    assert!(o.bindings[0].ours);
    assert_eq!(reg.contact().to_string(), "sip:alice@203.0.113.7:41000");
    // The NAT moves again: reported, but never rewritten a second time (no flip-flop).
    let t1 = fire(&mut reg);
    let refresh = one_sent(&mut reg);
    assert_eq!(
        refresh.contact_uri().as_deref(),
        Some("sip:alice@203.0.113.7:41000")
    );
    let ok = respond(
        &refresh,
        200,
        "OK",
        &["Contact: <sip:alice@203.0.113.7:41000>;expires=60".into()],
    );
    reg.handle_input(t1, &with_via_nat(ok, "198.51.100.1", 5000));
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(|e| matches!(
            e,
            Event::NatDetected {
                rewriting: false,
                ..
            }
        )),
        "{ev:?}"
    );
    assert!(ev.iter().any(|e| matches!(e, Event::Completed(_))));
    assert!(sent(&mut reg).is_empty());
}

#[test]
fn nat_rewrite_off_only_reports() {
    let t0 = Instant::now();
    let mut reg = staying(60);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(
        t0,
        &with_via_nat(ok_with_contact(&r, 60), "203.0.113.7", 41000),
    );
    let ev = events(&mut reg);
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::NatDetected {
            rewriting: false,
            ..
        }
    )));
    assert!(ev.iter().any(|e| matches!(e, Event::Completed(_))));
    assert!(sent(&mut reg).is_empty());
}

#[test]
fn outbound_gets_supported_and_falls_back_after_439() {
    let t0 = Instant::now();
    let mut cfg = config(3600);
    Arc::make_mut(&mut cfg.shared).contact_params =
        vec!["+sip.instance=\"<urn:uuid:1>\"".into(), "reg-id=1".into()];
    let mut reg = registration(cfg);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    assert_eq!(r.header("supported"), Some("outbound, path, gruu"));
    assert!(r.header("contact").unwrap().contains(";reg-id=1"));
    reg.handle_input(
        t0,
        &respond(&r, 439, "First Hop Lacks Outbound Support", &[]),
    );
    assert!(events(&mut reg)
        .iter()
        .any(|e| matches!(e, Event::OutboundUnsupported)));
    let plain = one_sent(&mut reg);
    assert_eq!(plain.header("supported"), Some("path, gruu"));
    assert!(!plain.header("contact").unwrap().contains("reg-id"));
    assert!(plain.header("contact").unwrap().contains("+sip.instance"));
    let gruu = format!(
        "Contact: <{}>;expires=3600;+sip.instance=\"<urn:uuid:1>\";pub-gruu=\"sip:alice@sipreg.test;gr=urn:uuid:1\";temp-gruu=\"sip:tgruu.1@sipreg.test;gr\"",
        plain.contact_uri().unwrap()
    );
    reg.handle_input(t0, &respond(&plain, 200, "OK", &[gruu]));
    let o = completed(&mut reg);
    assert_eq!(
        o.pub_gruu.as_deref(),
        Some("sip:alice@sipreg.test;gr=urn:uuid:1")
    );
    assert_eq!(o.temp_gruu.as_deref(), Some("sip:tgruu.1@sipreg.test;gr"));
}

#[test]
fn redirect_names_the_target_and_withholds_credentials_from_other_domains() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let moved = respond(
        &r,
        302,
        "Moved Temporarily",
        &["Contact: <sip:registrar.elsewhere.example:5070>".into()],
    );
    reg.handle_input(t0, &moved);
    let target = events(&mut reg)
        .into_iter()
        .find_map(|e| match e {
            Event::Redirected { target, .. } => Some(target),
            _ => None,
        })
        .expect("Redirected");
    assert_eq!(target.to_string(), "sip:registrar.elsewhere.example:5070");
    assert!(
        sent(&mut reg).is_empty(),
        "the driver resolves the target first"
    );
    reg.set_destination(
        "127.0.0.2:5070".parse().unwrap(),
        TransportKind::Udp,
        "127.0.0.1:40000".parse().unwrap(),
    );
    reg.start(Operation::Register, t0);
    let there = one_sent(&mut reg);
    assert_eq!(
        there.start,
        "REGISTER sip:registrar.elsewhere.example:5070 SIP/2.0"
    );
    reg.handle_input(t0, &challenge_401(&there, "elsewhere.example", "n", ""));
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(|e| matches!(
            e,
            Event::Failed {
                error: RegError::RedirectedAuth { .. },
                ..
            }
        )),
        "{ev:?}"
    );
    assert!(
        sent(&mut reg).is_empty(),
        "no credentials went to the other domain"
    );
}

#[test]
fn redirect_loops_are_bounded() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    let mut redirects = 0;
    reg.start(Operation::Register, t0);
    for _ in 0..10 {
        let Some(r) = sent(&mut reg).pop() else { break };
        reg.handle_input(
            t0,
            &respond(
                &r,
                302,
                "Moved",
                &["Contact: <sip:sipreg.test:5070>".into()],
            ),
        );
        for e in events(&mut reg) {
            if matches!(e, Event::Redirected { .. }) {
                redirects += 1;
                reg.start(Operation::Register, t0);
            }
        }
    }
    assert_eq!(redirects, 3);
}

fn registered_with_keepalive(transport: TransportKind) -> (Registration, Instant) {
    let t0 = Instant::now();
    let mut cfg = config(3600);
    Arc::make_mut(&mut cfg.shared).transport = transport;
    let mut reg = registration(cfg);
    reg.enable_recovery(false);
    reg.enable_keepalive(Duration::from_secs(30));
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 3600));
    completed(&mut reg);
    (reg, t0)
}

fn stun_success(request: &[u8], mapped: SocketAddr) -> Vec<u8> {
    let SocketAddr::V4(v4) = mapped else {
        unreachable!()
    };
    let cookie = [0x21, 0x12, 0xA4, 0x42];
    let mut m = vec![0x01, 0x01, 0x00, 0x0c];
    m.extend_from_slice(&cookie);
    m.extend_from_slice(&request[8..20]);
    m.extend_from_slice(&[0x00, 0x20, 0x00, 0x08, 0x00, 0x01]);
    m.extend_from_slice(&(v4.port() ^ 0x2112).to_be_bytes());
    m.extend(v4.ip().octets().iter().zip(cookie).map(|(a, c)| a ^ c));
    m
}

#[test]
fn udp_keepalive_is_stun_and_a_changed_mapping_reregisters() {
    let (mut reg, t0) = registered_with_keepalive(TransportKind::Udp);
    let mapped: SocketAddr = "203.0.113.7:41000".parse().unwrap();
    // Pings every 30 s while answered.
    let mut now = t0;
    for _ in 0..3 {
        let at = fire(&mut reg);
        assert_eq!(at - now, Duration::from_secs(30));
        now = at;
        let ping = reg.poll_transmit().expect("a STUN request").payload;
        assert!(stun::is_stun(&ping));
        reg.handle_input(now, &stun_success(&ping, mapped));
        assert!(events(&mut reg).is_empty());
    }
    // The NAT rebinds us: the flow is dead, register again at once.
    let at = fire(&mut reg);
    let ping = reg.poll_transmit().unwrap().payload;
    reg.handle_input(
        at,
        &stun_success(&ping, "203.0.113.7:52000".parse().unwrap()),
    );
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(
            |e| matches!(e, Event::FlowFailed { reason } if reason.contains("NAT mapping changed"))
        ),
        "{ev:?}"
    );
    let again = one_sent(&mut reg);
    assert!(again.start.starts_with("REGISTER "));
}

#[test]
fn an_unanswered_ping_fails_the_flow_after_10_seconds() {
    for transport in [TransportKind::Udp, TransportKind::Tcp] {
        let (mut reg, t0) = registered_with_keepalive(transport);
        let ping_at = fire(&mut reg);
        assert_eq!(ping_at - t0, Duration::from_secs(30));
        let ping = reg.poll_transmit().unwrap().payload;
        if transport == TransportKind::Tcp {
            assert_eq!(ping, b"\r\n\r\n");
        }
        let dead_at = fire(&mut reg);
        assert_eq!(dead_at - ping_at, Duration::from_secs(10));
        assert!(events(&mut reg)
            .iter()
            .any(|e| matches!(e, Event::FlowFailed { .. })));
        assert!(
            one_sent(&mut reg).start.starts_with("REGISTER "),
            "{transport:?}"
        );
    }
}

#[test]
fn a_crlf_pong_keeps_a_tcp_flow_alive() {
    let (mut reg, t0) = registered_with_keepalive(TransportKind::Tcp);
    let at = fire(&mut reg);
    let _ = reg.poll_transmit();
    reg.handle_input(at + Duration::from_millis(5), b"\r\n");
    assert!(events(&mut reg).is_empty());
    let next = fire(&mut reg);
    assert_eq!(
        next - (at + Duration::from_millis(5)),
        Duration::from_secs(30)
    );
    assert_eq!(reg.poll_transmit().unwrap().payload, b"\r\n\r\n");
    let _ = t0;
}

#[test]
fn flow_timer_from_the_registrar_sets_the_interval() {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.enable_keepalive(Duration::from_secs(120));
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let contact = r.contact_uri().unwrap();
    reg.handle_input(
        t0,
        &respond(
            &r,
            200,
            "OK",
            &[
                format!("Contact: <{contact}>;expires=3600"),
                "Flow-Timer: 25".into(),
            ],
        ),
    );
    completed(&mut reg);
    let at = fire(&mut reg);
    assert!(
        at - t0 >= Duration::from_secs(20) && at - t0 <= Duration::from_secs(25),
        "{:?}",
        at - t0
    );
}

#[test]
fn a_dropped_connection_reregisters_at_once() {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 3600));
    completed(&mut reg);
    let t1 = t0 + Duration::from_secs(100);
    reg.flow_failed(t1, "connection closed by the registrar".into());
    let again = one_sent(&mut reg);
    assert_eq!(again.cseq(), r.cseq() + 1);
    assert!(events(&mut reg)
        .iter()
        .any(|e| matches!(e, Event::FlowFailed { .. })));
}

#[test]
fn refreshing_is_announced() {
    let t0 = Instant::now();
    let mut reg = staying(60);
    reg.start(Operation::Register, t0);
    let r: Req = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 60));
    completed(&mut reg);
    fire(&mut reg);
    assert!(events(&mut reg)
        .iter()
        .any(|e| matches!(e, Event::Refreshing)));
}

/// Issue 13 item 1: a refresh's 200 is lost, its retransmission is answered
/// `400 invalid cseq` (as Kamailio does after ~20 s): the binding is in place, so the
/// run goes on with a fresh REGISTER (same Call-ID, new CSeq) at once, not an exit.
#[test]
fn a_400_to_a_refresh_whose_200_was_lost_registers_again_with_a_new_cseq() {
    let t0 = Instant::now();
    let mut reg = staying(60);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r1, 60));
    completed(&mut reg);
    let at = fire(&mut reg);
    let refresh = one_sent(&mut reg);
    // The registrar's 200 to the refresh is lost; Timer E retransmits it.
    let again_at = fire(&mut reg);
    let again = one_sent(&mut reg);
    assert_eq!(again.cseq(), refresh.cseq(), "a retransmission");
    reg.handle_input(
        again_at,
        &respond(&again, 400, "Bad Request - invalid cseq", &[]),
    );
    let ev = events(&mut reg);
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::Retrying { after, .. } if after.is_zero())),
        "{ev:?}"
    );
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Failed { .. })),
        "{ev:?}"
    );
    let fresh = one_sent(&mut reg);
    assert_eq!(fresh.call_id(), r1.call_id());
    assert_eq!(fresh.cseq(), refresh.cseq() + 1, "a new CSeq");
    reg.handle_input(again_at, &ok_with_contact(&fresh, 60));
    assert_eq!(completed(&mut reg).granted, Some(60));
    assert!(at > t0);

    // If the fresh request is refused too, the usual back-off follows: still no exit.
    let _ = fire(&mut reg);
    let refresh = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&refresh, 400, "Bad Request", &[]));
    let fresh = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&fresh, 400, "Bad Request", &[]));
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(
            |e| matches!(e, Event::Retrying { after, .. } if *after >= Duration::from_secs(30))
        ),
        "{ev:?}"
    );
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Failed { .. })),
        "{ev:?}"
    );
}

/// Issue 13 item 12b: `Retry-After: 0` does not make a retry loop.
#[test]
fn retry_after_zero_waits_the_floor() {
    let t0 = Instant::now();
    let mut reg = staying(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(
        t0,
        &respond(&r, 503, "Service Unavailable", &["Retry-After: 0".into()]),
    );
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(|e| matches!(e, Event::Retrying { after, .. } if *after == sipreg::core::RETRY_AFTER_FLOOR)),
        "{ev:?}"
    );
    assert_eq!(
        reg.poll_timeout(),
        Some(t0 + sipreg::core::RETRY_AFTER_FLOOR)
    );
}

fn ok_with_flow_timer(r: &Req, seconds: u32) -> Vec<u8> {
    let contact = r.contact_uri().unwrap();
    respond(
        r,
        200,
        "OK",
        &[
            format!("Contact: <{contact}>;expires=3600"),
            format!("Flow-Timer: {seconds}"),
        ],
    )
}

/// Issue 13 item 3: a Flow-Timer alone starts keep-alives (RFC 5626 §4.4.1), without
/// --keepalive, and every later ping follows it, not only the first.
#[test]
fn flow_timer_alone_starts_keepalives_and_every_ping_follows_it() {
    let t0 = Instant::now();
    let mut cfg = config(3600);
    Arc::make_mut(&mut cfg.shared).transport = TransportKind::Tcp;
    let mut reg = registration(cfg);
    reg.enable_recovery(false);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_flow_timer(&r, 29));
    completed(&mut reg);
    let mut last = t0;
    for _ in 0..3 {
        let at = fire(&mut reg);
        let gap = at - last;
        assert!(
            gap >= Duration::from_secs(23) && gap <= Duration::from_secs(29),
            "ping {gap:?} after the last answer"
        );
        assert_eq!(reg.poll_transmit().unwrap().payload, b"\r\n\r\n");
        reg.handle_input(at, b"\r\n");
        last = at;
    }

    // With --keepalive 120 the Flow-Timer wins for the later pings too.
    let mut cfg = config(3600);
    Arc::make_mut(&mut cfg.shared).transport = TransportKind::Tcp;
    let mut reg = registration(cfg);
    reg.enable_recovery(false);
    reg.enable_keepalive(Duration::from_secs(120));
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_flow_timer(&r, 29));
    completed(&mut reg);
    let first = fire(&mut reg);
    let _ = reg.poll_transmit();
    reg.handle_input(first, b"\r\n");
    let second = fire(&mut reg);
    assert!(
        second - first <= Duration::from_secs(29),
        "{:?}",
        second - first
    );
}

/// Issue 13 item 5: a STUN error response to our keep-alive (ejabberd answers one)
/// ends the transaction at once and fails the flow, instead of waiting 10 s.
#[test]
fn a_stun_error_response_fails_the_flow_at_once() {
    let (mut reg, _) = registered_with_keepalive(TransportKind::Udp);
    let at = fire(&mut reg);
    let ping = reg.poll_transmit().unwrap().payload;
    assert!(stun::is_stun(&ping));
    // Binding error response, same transaction ID, ERROR-CODE 400.
    let mut error = vec![0x01, 0x11, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42];
    error.extend_from_slice(&ping[8..20]);
    error.extend_from_slice(&[0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x04, 0x00]);
    // One for another transaction is ignored.
    let mut other = error.clone();
    other[8] ^= 0xff;
    reg.handle_input(at, &other);
    assert!(events(&mut reg).is_empty());
    reg.handle_input(at + Duration::from_millis(3), &error);
    let ev = events(&mut reg);
    assert!(
        ev.iter().any(|e| matches!(e, Event::FlowFailed { reason } if reason.contains("STUN error response 400"))),
        "{ev:?}"
    );
}

/// A registrar that refuses every keep-alive (ejabberd 23.01 on UDP) restarts its
/// flow timer only on a REGISTER: after a refusal the next ping comes at the low end
/// of RFC 5626's 80–100 % window, leaving the REGISTER that follows it room within
/// the Flow-Timer. A ping near 100 % lost the binding under load.
#[test]
fn after_a_refused_keepalive_the_next_ping_leaves_room_for_the_register() {
    let t0 = Instant::now();
    let mut cfg = config(3600);
    Arc::make_mut(&mut cfg.shared).transport = TransportKind::Udp;
    let mut reg = registration(cfg);
    reg.enable_recovery(false);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_flow_timer(&r, 10));
    completed(&mut reg);
    let mut registered_at = t0;
    for round in 0..5 {
        let at = fire(&mut reg);
        let gap = at - registered_at;
        if round > 0 {
            assert_eq!(gap, Duration::from_secs(8), "round {round}");
        }
        let ping = reg.poll_transmit().unwrap().payload;
        assert!(stun::is_stun(&ping));
        let mut error = vec![0x01, 0x11, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42];
        error.extend_from_slice(&ping[8..20]);
        error.extend_from_slice(&[0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x04, 0x00]);
        reg.handle_input(at, &error);
        let again = one_sent(&mut reg);
        assert!(again.text.starts_with("REGISTER "), "{}", again.text);
        registered_at = at + Duration::from_millis(2);
        reg.handle_input(registered_at, &ok_with_flow_timer(&again, 10));
        let _ = events(&mut reg);
    }
}

/// Issue 13 item 12b: with --nat-rewrite, a Via that says we were seen at a broadcast,
/// unspecified or multicast address, or at port 0, is not believed: nothing is
/// re-registered, the working binding stays, and the reason is given.
#[test]
fn nat_rewrite_does_not_believe_nonsense_addresses() {
    let t0 = Instant::now();
    for (ip, port) in [
        ("255.255.255.255", 5060),
        ("0.0.0.0", 5060),
        ("239.1.2.3", 5060),
        ("203.0.113.7", 0),
    ] {
        let mut reg = staying(60);
        reg.enable_nat_rewrite(true);
        reg.start(Operation::Register, t0);
        let r = one_sent(&mut reg);
        reg.handle_input(t0, &with_via_nat(ok_with_contact(&r, 60), ip, port));
        let ev = events(&mut reg);
        assert!(
            ev.iter().any(
                |e| matches!(e, Event::Ignored { reason } if reason.contains("cannot be reached"))
            ),
            "{ip}:{port}: {ev:?}"
        );
        assert!(
            !ev.iter().any(|e| matches!(e, Event::NatDetected { .. })),
            "{ev:?}"
        );
        let o = ev.iter().find_map(|e| match e {
            Event::Completed(o) => Some(o),
            _ => None,
        });
        assert_eq!(o.and_then(|o| o.granted), Some(60), "{ip}:{port}");
        assert!(
            sent(&mut reg).is_empty(),
            "{ip}:{port}: nothing re-registered"
        );
    }
}

/// Issue 15, lapses: a refresh that keeps failing (503 with a Retry-After past the
/// end of the grant) leaves the AOR unregistered at the registrar once the grant runs
/// out; the success that follows says so. A refresh in time is no lapse.
#[test]
fn a_grant_that_runs_out_before_the_refresh_succeeds_is_a_lapse() {
    let t0 = Instant::now();
    let mut reg = staying(60);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 60));
    assert!(!completed(&mut reg).lapsed);
    // The refresh, in time: no lapse.
    let at = fire(&mut reg);
    let r = one_sent(&mut reg);
    reg.handle_input(at, &ok_with_contact(&r, 60));
    assert!(!completed(&mut reg).lapsed);
    let end = at + Duration::from_secs(60);
    // The next refresh is refused until well after the grant's end.
    let at = fire(&mut reg);
    let r = one_sent(&mut reg);
    let busy = |r: &Req| respond(r, 503, "Service Unavailable", &["Retry-After: 120".into()]);
    reg.handle_input(at, &busy(&r));
    // A refused refresh may have crossed a lost 200: registered again at once,
    // and refused again.
    let r = one_sent(&mut reg);
    reg.handle_input(at, &busy(&r));
    let _ = events(&mut reg);
    assert!(!reg.has_lapsed(end - Duration::from_millis(1)));
    assert!(reg.has_lapsed(end));
    let at = fire(&mut reg);
    assert!(at > end);
    let r = one_sent(&mut reg);
    reg.handle_input(at, &ok_with_contact(&r, 60));
    let o = completed(&mut reg);
    assert!(o.lapsed && o.recovered, "{o:?}");
    assert!(!reg.has_lapsed(at));
}
