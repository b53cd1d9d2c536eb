//! The registration state machine in virtual time, one operation at a time: the test
//! owns the clock and the network, and the core only sees what the test hands it.

mod scripted;

use scripted::core_harness::{completed, config, events, failed, fire, new_reg, one_sent, sent};
use scripted::{challenge_401, ok_with_contact, respond, Req};
use sipreg::auth::AuthError;
use sipreg::core::{Event, OpKind, Operation, RegError, Registration, UnregisterTarget};
use sipreg::ExitStatus;
use std::time::{Duration, Instant};

#[test]
fn register_carries_every_header_rfc3261_asks_for() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    assert_eq!(r.start, "REGISTER sip:sipreg.test SIP/2.0");
    let via = r.header("via").unwrap();
    assert!(
        via.starts_with("SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK"),
        "{via}"
    );
    assert!(via.ends_with(";rport"), "{via}");
    assert_eq!(r.header("max-forwards"), Some("70"));
    assert_eq!(r.header("to"), Some("<sip:alice@sipreg.test>"));
    assert!(r
        .header("from")
        .unwrap()
        .starts_with("<sip:alice@sipreg.test>;tag="));
    assert_eq!(
        r.contact_uri().as_deref(),
        Some("sip:alice@127.0.0.1:40000")
    );
    assert_eq!(r.expires(), Some(3600));
    assert_eq!(r.header("user-agent"), Some("sipreg-test"));
    assert_eq!(r.header("content-length"), Some("0"));
    assert!(r.header("cseq").unwrap().ends_with(" REGISTER"));
}

#[test]
fn udp_retransmits_on_timer_e_and_fails_on_timer_f() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let first = one_sent(&mut reg);
    let mut offsets = Vec::new();
    loop {
        let at = fire(&mut reg);
        let again: Vec<_> = std::iter::from_fn(|| reg.poll_transmit()).collect();
        if again.is_empty() {
            assert_eq!(at - t0, Duration::from_secs(32), "Timer F = 64*T1");
            break;
        }
        assert!(again.iter().all(|t| t.retransmission));
        // A retransmission is the same request, byte for byte (same branch, same CSeq).
        assert_eq!(Req::parse(&again[0].payload).text, first.text);
        offsets.push((at - t0).as_millis());
    }
    assert_eq!(
        offsets,
        [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
    match failed(&mut reg) {
        RegError::Timeout { after, .. } => assert_eq!(after, Duration::from_secs(32)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        failed_exit(RegError::Timeout {
            destination: "127.0.0.1:5060".parse().unwrap(),
            after: Duration::ZERO
        }),
        4
    );
}

fn failed_exit(e: RegError) -> u8 {
    ExitStatus::of_registration(&e).code()
}

#[test]
fn provisional_is_not_final() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r, 100, "Trying", &[]));
    assert!(reg.is_busy());
    assert!(events(&mut reg).is_empty());
    reg.handle_input(t0, &ok_with_contact(&r, 3600));
    assert_eq!(completed(&mut reg).granted, Some(3600));
}

#[test]
fn challenge_is_answered_with_same_call_id_and_tag_and_next_cseq() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r1, "sipreg.test", "n1", ""));
    let r2 = one_sent(&mut reg);
    assert_eq!(r2.call_id(), r1.call_id());
    assert_eq!(r2.tag_of_from(), r1.tag_of_from());
    assert_eq!(r2.cseq(), r1.cseq() + 1);
    assert_ne!(
        r2.branch(),
        r1.branch(),
        "a new transaction needs a new branch"
    );
    let auth = r2.header("authorization").expect("Authorization");
    assert!(auth.starts_with("Digest username=\"alice\", realm=\"sipreg.test\", nonce=\"n1\", uri=\"sip:sipreg.test\""), "{auth}");
    assert!(
        auth.contains("qop=auth") && auth.contains("nc=00000001"),
        "{auth}"
    );
    reg.handle_input(t0, &ok_with_contact(&r2, 3600));
    assert_eq!(completed(&mut reg).status, 200);
}

#[test]
fn proxy_challenge_gets_proxy_authorization() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    let challenge = respond(
        &r1,
        407,
        "Proxy Authentication Required",
        &["Proxy-Authenticate: Digest realm=\"edge\", nonce=\"p1\", algorithm=SHA-256".into()],
    );
    reg.handle_input(t0, &challenge);
    let r2 = one_sent(&mut reg);
    let pa = r2
        .header("proxy-authorization")
        .expect("Proxy-Authorization");
    assert!(
        pa.contains("realm=\"edge\"") && pa.contains("algorithm=SHA-256"),
        "{pa}"
    );
    assert!(r2.header("authorization").is_none());
}

#[test]
fn repeated_non_stale_challenge_is_a_rejection() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r1, "sipreg.test", "n1", ""));
    let r2 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r2, "sipreg.test", "n2", ""));
    assert!(sent(&mut reg).is_empty(), "no third attempt");
    let e = failed(&mut reg);
    assert!(
        matches!(e, RegError::Auth(AuthError::Rejected { ref realm }) if realm == "sipreg.test"),
        "{e:?}"
    );
    assert_eq!(ExitStatus::of_registration(&e).code(), 3);
}

#[test]
fn stale_nonce_is_retried_not_rejected() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r1, "sipreg.test", "n1", ""));
    let r2 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r2, "sipreg.test", "n2", ", stale=true"));
    let r3 = one_sent(&mut reg);
    assert!(r3.header("authorization").unwrap().contains("nonce=\"n2\""));
    reg.handle_input(t0, &ok_with_contact(&r3, 3600));
    assert_eq!(completed(&mut reg).status, 200);
}

#[test]
fn forbidden_ends_with_auth_status() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r1, 403, "Forbidden", &[]));
    assert_eq!(ExitStatus::of_registration(&failed(&mut reg)).code(), 3);
}

#[test]
fn interval_too_brief_retries_with_min_expires_and_does_not_loop() {
    let t0 = Instant::now();
    let mut reg = new_reg(30);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    assert_eq!(r1.expires(), Some(30));
    reg.handle_input(
        t0,
        &respond(&r1, 423, "Interval Too Brief", &["Min-Expires: 60".into()]),
    );
    let r2 = one_sent(&mut reg);
    assert_eq!(r2.expires(), Some(60));
    assert_eq!(r2.cseq(), r1.cseq() + 1);
    // A registrar that keeps answering 423 without raising its minimum is not followed.
    reg.handle_input(
        t0,
        &respond(&r2, 423, "Interval Too Brief", &["Min-Expires: 60".into()]),
    );
    assert!(sent(&mut reg).is_empty());
    let e = failed(&mut reg);
    assert!(matches!(e, RegError::IntervalLoop { .. }), "{e:?}");
    assert_eq!(ExitStatus::of_registration(&e).code(), 5);
}

#[test]
fn interval_retries_are_bounded_even_when_min_rises() {
    let t0 = Instant::now();
    let mut reg = new_reg(30);
    reg.start(Operation::Register, t0);
    let mut sent_count = 0;
    let mut min = 60;
    while let Some(r) = reg.poll_transmit().map(|t| Req::parse(&t.payload)) {
        sent_count += 1;
        reg.handle_input(
            t0,
            &respond(
                &r,
                423,
                "Interval Too Brief",
                &[format!("Min-Expires: {min}")],
            ),
        );
        min += 60;
        assert!(sent_count < 10, "423 loop");
    }
    assert_eq!(sent_count, 4, "first request and three retries");
    assert!(matches!(
        failed(&mut reg),
        RegError::IntervalLoop { tries: 4, .. }
    ));
}

/// Registers with a grant, then returns the offset of the first refresh request.
fn first_refresh_offset(requested: u32, granted_in_contact: u32) -> (Duration, Req, Req) {
    let t0 = Instant::now();
    let mut reg = new_reg(requested);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(
        t0 + Duration::from_millis(1),
        &ok_with_contact(&r1, granted_in_contact),
    );
    let o = completed(&mut reg);
    assert_eq!(o.granted, Some(granted_in_contact));
    let at = fire(&mut reg);
    let refresh = one_sent(&mut reg);
    (at - t0, r1, refresh)
}

/// The policy's delay for a grant is D (half the grant, or the grant less a timeout
/// and a challenge); the spread puts the refresh at a random point in [0.9 D, D].
fn assert_in_spread(at: Duration, policy: Duration) {
    assert!(
        at <= policy && at >= policy.mul_f64(0.9),
        "refresh at {at:?}, policy {policy:?}"
    );
}

#[test]
fn refresh_schedule_for_10s_60s_and_3600s_grants() {
    let (at, _, _) = first_refresh_offset(10, 10);
    assert_in_spread(at, Duration::from_secs(5));
    let (at, _, _) = first_refresh_offset(60, 60);
    assert_in_spread(at, Duration::from_secs(30));
    let (at, _, _) = first_refresh_offset(3600, 3600);
    // A timeout (32 s) plus a challenge allowance (8 s) before the end of the grant.
    assert_in_spread(at, Duration::from_secs(3560));
}

#[test]
fn shortened_grant_in_contact_param_moves_the_refresh() {
    let (at, first, refresh) = first_refresh_offset(3600, 60);
    assert_in_spread(at, Duration::from_secs(30));
    assert_eq!(refresh.call_id(), first.call_id());
    assert_eq!(refresh.tag_of_from(), first.tag_of_from());
    assert_eq!(refresh.cseq(), first.cseq() + 1);
    assert_eq!(refresh.contact_uri(), first.contact_uri());
}

#[test]
fn grant_falls_back_to_expires_header_then_to_request() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    // Our contact is listed without expires; another binding's expires is not ours.
    let lines = [
        "Contact: <sip:alice@192.0.2.1:5060>;expires=77".to_string(),
        "Contact: <sip:alice@127.0.0.1:40000>".to_string(),
        "Expires: 120".to_string(),
    ];
    reg.handle_input(t0, &respond(&r, 200, "OK", &lines));
    assert_eq!(completed(&mut reg).granted, Some(120));

    let mut reg = new_reg(900);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r, 200, "OK", &[]));
    assert_eq!(completed(&mut reg).granted, Some(900));
}

#[test]
fn our_contact_is_matched_as_a_uri_not_a_prefix() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let lines = [
        // Same string prefix, different port: not ours.
        "Contact: <sip:alice@127.0.0.1:400001>;expires=11".to_string(),
        // Ours, host case changed and an extra parameter: equivalent per §19.1.4.
        "Contact: <sip:alice@127.0.0.1:40000;ob>;expires=42".to_string(),
    ];
    reg.handle_input(t0, &respond(&r, 200, "OK", &lines));
    let o = completed(&mut reg);
    assert_eq!(o.granted, Some(42));
    assert_eq!(o.bindings.iter().filter(|b| b.ours).count(), 1);
}

#[test]
fn strays_are_ignored_and_the_real_answer_still_counts() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let good = ok_with_contact(&r, 3600);
    let text = String::from_utf8(good.clone()).unwrap();
    let wrong_branch = text.replace(&r.branch(), "z9hG4bKstranger");
    let wrong_call_id = text.replace(r.call_id(), "someone-else");
    let wrong_cseq = text.replace(
        &format!("cseq: {} ", r.cseq()),
        &format!("cseq: {} ", r.cseq() + 5),
    );
    assert_ne!(wrong_cseq, text);
    for stray in [
        wrong_branch.as_bytes(),
        wrong_call_id.as_bytes(),
        wrong_cseq.as_bytes(),
        b"\x00\xff garbage",
        b"",
        b"SIP/2.0 200 OK\r\nVia: x",
    ] {
        reg.handle_input(t0, stray);
        assert!(
            reg.is_busy(),
            "a stray completed the transaction: {}",
            String::from_utf8_lossy(stray)
        );
        let ev = events(&mut reg);
        assert!(
            ev.iter().all(|e| matches!(e, Event::Ignored { .. })) && ev.len() == 1,
            "{ev:?}"
        );
    }
    reg.handle_input(t0, &good);
    assert_eq!(completed(&mut reg).status, 200);
    // The same final response again (a UDP retransmission) is ignored, not re-reported.
    reg.handle_input(t0, &good);
    assert!(events(&mut reg)
        .iter()
        .all(|e| matches!(e, Event::Ignored { .. })));
}

#[test]
fn query_sends_no_contact_and_lists_bindings() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Query, t0);
    let r = one_sent(&mut reg);
    assert!(r.header("contact").is_none());
    assert!(r.header("expires").is_none());
    let lines = ["Contact: <sip:alice@192.0.2.1:5060>;expires=100;q=0.5, <sip:alice@192.0.2.2:5060>;expires=200".to_string()];
    reg.handle_input(t0, &respond(&r, 200, "OK", &lines));
    let o = completed(&mut reg);
    assert_eq!(o.op, OpKind::Query);
    assert_eq!(o.bindings.len(), 2);
    assert_eq!(o.bindings[0].q, Some(0.5));
    assert_eq!(o.bindings[1].expires, Some(200));
}

#[test]
fn unregister_all_sends_star_with_expires_zero() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Unregister(UnregisterTarget::All), t0);
    let r = one_sent(&mut reg);
    assert_eq!(r.header("contact"), Some("*"));
    assert_eq!(r.expires(), Some(0));
}

#[test]
fn unregister_ours_after_register_keeps_dialog_identifiers() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r1, 3600));
    completed(&mut reg);
    reg.start(
        Operation::Unregister(UnregisterTarget::Ours),
        t0 + Duration::from_secs(1),
    );
    let r2 = one_sent(&mut reg);
    assert_eq!(r2.call_id(), r1.call_id());
    assert_eq!(r2.cseq(), r1.cseq() + 1);
    assert_eq!(r2.expires(), Some(0));
    assert!(r2.header("contact").unwrap().ends_with(";expires=0"));
    reg.handle_input(t0, &respond(&r2, 200, "OK", &[]));
    assert_eq!(completed(&mut reg).op, OpKind::Unregister);
    assert!(!reg.is_registered());
    assert_eq!(reg.poll_timeout(), None, "nothing left to refresh");
}

#[test]
fn cseq_keeps_rising_across_challenges_and_refreshes() {
    let t0 = Instant::now();
    let mut reg = new_reg(60);
    reg.start(Operation::Register, t0);
    let mut last = 0;
    let mut now = t0;
    for round in 0..5 {
        let r = one_sent(&mut reg);
        assert!(r.cseq() > last || round == 0);
        last = r.cseq();
        reg.handle_input(
            now,
            &challenge_401(&r, "sipreg.test", &format!("n{round}"), ""),
        );
        let r = one_sent(&mut reg);
        assert_eq!(r.cseq(), last + 1);
        last = r.cseq();
        reg.handle_input(now, &ok_with_contact(&r, 60));
        completed(&mut reg);
        now = fire(&mut reg);
    }
}

#[test]
fn no_credentials_is_an_auth_failure() {
    let t0 = Instant::now();
    let mut reg = Registration::new(config(3600), None, None, [1; 32]);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r, "sipreg.test", "n", ""));
    let e = failed(&mut reg);
    assert!(
        matches!(e, RegError::Auth(AuthError::NoCredentials { .. })),
        "{e:?}"
    );
    assert_eq!(ExitStatus::of_registration(&e).code(), 3);
}

/// Issue 13 item 7: after a slow transaction (the 200 came 20 s after the request)
/// the refresh is timed from the answer, so no REGISTER goes out at once.
#[test]
fn refresh_is_timed_from_the_answer_not_the_request() {
    let t0 = Instant::now();
    let mut reg = new_reg(60);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let answered = t0 + Duration::from_secs(20);
    // Drain the retransmissions of the slow transaction up to the answer.
    while reg.poll_timeout().is_some_and(|at| at < answered) {
        fire(&mut reg);
        while reg.poll_transmit().is_some() {}
    }
    reg.handle_input(answered, &ok_with_contact(&r, 60));
    assert_eq!(completed(&mut reg).granted, Some(60));
    let at = fire(&mut reg);
    assert_in_spread(at - answered, Duration::from_secs(30));
    assert!(
        at - t0 > Duration::from_secs(40),
        "refresh at {:?}",
        at - t0
    );
}

/// Issue 13 item 6: a 2xx lists removed contacts with expires=0 (ejabberd does after
/// `Contact: *`); they are gone (RFC 3261 §10.3), not bindings that remain.
#[test]
fn bindings_listed_with_expires_zero_are_gone() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Unregister(UnregisterTarget::All), t0);
    let r = one_sent(&mut reg);
    let lines = ["Contact: <sip:alice@192.0.2.1:5060>;expires=0, <sip:alice@192.0.2.2:5060>;expires=0, <sip:alice@192.0.2.3:5060>;expires=30".to_string()];
    reg.handle_input(t0, &respond(&r, 200, "OK", &lines));
    let o = completed(&mut reg);
    assert_eq!(o.bindings.len(), 1, "{:?}", o.bindings);
    assert_eq!(o.bindings[0].contact, "sip:alice@192.0.2.3:5060");

    // Our own contact listed with expires=0 after a REGISTER: nothing was granted.
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &ok_with_contact(&r, 0));
    assert!(matches!(
        failed(&mut reg),
        RegError::NothingGranted { status: 200, .. }
    ));
}

/// Issue 13 item 12b: an unreadable or overflowing expires parameter on our Contact is
/// not read as a grant the registrar never gave: it is reported, and the grant is
/// taken no longer than the Expires header or what was asked.
#[test]
fn an_unreadable_contact_expires_is_reported_and_never_lengthens_the_grant() {
    let t0 = Instant::now();
    for (bad, header, asked, want) in [
        ("abc", Some(7200), 600, 600),
        ("99999999999", None, 600, 600),
        ("-5", Some(120), 600, 120),
    ] {
        let mut reg = new_reg(asked);
        reg.start(Operation::Register, t0);
        let r = one_sent(&mut reg);
        let contact = r.contact_uri().unwrap();
        let mut lines = vec![format!("Contact: <{contact}>;expires={bad}")];
        if let Some(h) = header {
            lines.push(format!("Expires: {h}"));
        }
        reg.handle_input(t0, &respond(&r, 200, "OK", &lines));
        let evs = events(&mut reg);
        let said = evs.iter().any(|e| {
            matches!(e, Event::Ignored { reason } if reason.contains(&format!("unreadable expires={bad}")))
        });
        assert!(said, "{bad}: {evs:?}");
        let granted = evs.iter().find_map(|e| match e {
            Event::Completed(o) => o.granted,
            _ => None,
        });
        assert_eq!(granted, Some(want), "{bad}");
    }
}

/// Issue 13 item 10 (found by fuzzing): a 401 with hundreds of realms, repeated with
/// other realms, must not make every later REGISTER carry an answer for each realm
/// ever seen: at most a handful of the current challenge's realms are answered, and
/// an absurdly long nonce is not echoed at all.
#[test]
fn digest_answers_stay_bounded_whatever_the_challenges() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let mut r = one_sent(&mut reg);
    let mut largest = 0;
    for round in 0..5 {
        let lines: Vec<String> = (0..300)
            .map(|k| {
                format!(
                    "WWW-Authenticate: Digest realm=\"r{round}-{k}\", nonce=\"n{k}\", qop=\"auth\""
                )
            })
            .collect();
        reg.handle_input(t0, &respond(&r, 401, "Unauthorized", &lines));
        let _ = events(&mut reg);
        let Some(next) = sent(&mut reg).into_iter().next() else {
            break;
        };
        let answers = next.all("authorization").len();
        assert!(
            answers <= 4,
            "round {round}: {answers} Authorization headers"
        );
        largest = largest.max(next.text.len());
        r = next;
    }
    assert!(largest < 4096, "a REGISTER of {largest} bytes");

    // A nonce of 60 KB is not answered (it would be echoed in every request).
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r = one_sent(&mut reg);
    let huge = "x".repeat(60_000);
    let line = format!("WWW-Authenticate: Digest realm=\"sipreg.test\", nonce=\"{huge}\"");
    reg.handle_input(t0, &respond(&r, 401, "Unauthorized", &[line]));
    assert!(sent(&mut reg).is_empty(), "nothing sent with a 60 KB nonce");
}

/// Issue 13 item 15: a 403 to a request that carried no credentials is a refusal, not
/// "credentials rejected", and the registrar's Warning text is shown; after a
/// challenge was answered, a 403 is a rejection of the credentials.
#[test]
fn a_403_before_any_credentials_is_a_refusal_with_its_warning() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    let warning = "Warning: 399 pbx.example.com \"Account disabled\"".to_string();
    reg.handle_input(t0, &respond(&r1, 403, "Forbidden", &[warning]));
    let text = failed(&mut reg).to_string();
    assert!(text.starts_with("refused by the registrar"), "{text}");
    assert!(text.contains("\"Account disabled\""), "{text}");
    assert!(!text.contains("credentials rejected"), "{text}");

    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r1, "sipreg.test", "n1", ""));
    let r2 = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r2, 403, "Forbidden", &[]));
    let text = failed(&mut reg).to_string();
    assert!(text.starts_with("credentials rejected"), "{text}");
}

/// ejabberd answers 404 to a query with nothing bound and to the removal of a
/// contact that is not bound. Once our credentials were taken the AOR is valid
/// (RFC 3261 §10.3 keeps 404 for one that is not): no bindings, nothing to remove.
#[test]
fn a_404_after_the_challenge_is_no_bindings_for_a_query_and_an_unregistration() {
    let t0 = Instant::now();
    for op in [
        Operation::Query,
        Operation::Unregister(UnregisterTarget::All),
    ] {
        let mut reg = new_reg(3600);
        reg.start(op, t0);
        let r1 = one_sent(&mut reg);
        reg.handle_input(t0, &challenge_401(&r1, "sipreg.test", "n1", ""));
        let r2 = one_sent(&mut reg);
        reg.handle_input(t0, &respond(&r2, 404, "Not Found", &[]));
        let o = completed(&mut reg);
        assert_eq!((o.status, o.bindings.len()), (404, 0));
    }
}

/// Without a challenge nothing says the AOR is valid: a 404 is the registrar's
/// refusal, as RFC 3261 §10.3 means it; and a REGISTER's 404 always is.
#[test]
fn a_404_without_a_challenge_or_to_a_register_is_a_refusal() {
    let t0 = Instant::now();
    let mut reg = new_reg(3600);
    reg.start(Operation::Query, t0);
    let r = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r, 404, "Not Found", &[]));
    assert!(matches!(
        failed(&mut reg),
        RegError::Refused { status: 404, .. }
    ));

    let mut reg = new_reg(3600);
    reg.start(Operation::Register, t0);
    let r1 = one_sent(&mut reg);
    reg.handle_input(t0, &challenge_401(&r1, "sipreg.test", "n1", ""));
    let r2 = one_sent(&mut reg);
    reg.handle_input(t0, &respond(&r2, 404, "Not Found", &[]));
    assert!(matches!(
        failed(&mut reg),
        RegError::Refused { status: 404, .. }
    ));
}

/// Issue 13 item 10: a request that no UDP datagram can carry is never sent; the
/// operation fails at once with a typed error that names the way out (exit 1).
#[test]
fn a_request_larger_than_a_datagram_fails_instead_of_being_sent() {
    let t0 = Instant::now();
    let mut cfg = config(3600);
    let mut shared = (*cfg.shared).clone();
    shared.user_agent = Some("x".repeat(70_000));
    cfg.shared = std::sync::Arc::new(shared);
    let mut reg = scripted::core_harness::registration(cfg);
    reg.start(Operation::Register, t0);
    assert!(sent(&mut reg).is_empty(), "nothing goes out");
    let e = failed(&mut reg);
    assert!(
        matches!(e, RegError::TooLarge { limit: 65_507, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("use -t tcp"), "{e}");
    assert_eq!(ExitStatus::of_registration(&e).code(), 1);

    // Over TCP the same request goes out.
    let mut cfg = config(3600);
    let mut shared = (*cfg.shared).clone();
    shared.user_agent = Some("x".repeat(70_000));
    shared.transport = sipreg::core::TransportKind::Tcp;
    cfg.shared = std::sync::Arc::new(shared);
    let mut reg = scripted::core_harness::registration(cfg);
    reg.start(Operation::Register, t0);
    assert_eq!(sent(&mut reg).len(), 1);
}
