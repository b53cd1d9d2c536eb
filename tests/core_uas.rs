//! The user-agent server at our contact, in virtual time: what each method gets, that a
//! retransmitted request is answered again and never handled twice, INVITE's Timer G/H
//! and ACK, CANCEL while ringing, and a bounded table under a flood.

use sipreg::core::uas::{IncomingRequest, Server, UasConfig, UasEvent, MAX_TRANSACTIONS};
use std::time::{Duration, Instant};

fn request(method: &str, branch: &str) -> IncomingRequest {
    IncomingRequest {
        method: method.into(),
        uri: "sip:alice@127.0.0.1:5999".into(),
        vias: vec![format!(
            "SIP/2.0/UDP 127.0.0.1:5060;branch={branch};received=127.0.0.1;rport=5060"
        )],
        branch: Some(branch.into()),
        from: "<sip:bob@sipreg.test>;tag=b1".into(),
        to: "<sip:alice@sipreg.test>".into(),
        call_id: format!("call-{branch}"),
        cseq: (1, method.into()),
        content_type: None,
        event: None,
        body: Vec::new(),
        ..IncomingRequest::default()
    }
}

fn answers(s: &mut Server) -> Vec<String> {
    std::iter::from_fn(|| s.poll_answer())
        .map(|a| String::from_utf8(a.payload).unwrap())
        .collect()
}

fn events(s: &mut Server) -> Vec<UasEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

fn status(text: &str) -> &str {
    &text[8..11]
}

fn udp(cfg: UasConfig) -> Server {
    Server::new(cfg, false, "tg".into())
}

#[test]
fn options_gets_200_with_what_we_support_and_a_retransmission_the_same_bytes() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig {
        supported: "outbound".into(),
        user_agent: Some("sipreg/test".into()),
        ..UasConfig::default()
    });
    s.handle_request(t0, request("OPTIONS", "z9hG4bKo1"), true);
    let first = answers(&mut s);
    assert_eq!(first.len(), 1);
    let ok = &first[0];
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n"), "{ok}");
    for line in [
        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKo1;received=127.0.0.1;rport=5060\r\n",
        "To: <sip:alice@sipreg.test>;tag=tg1\r\n",
        "CSeq: 1 OPTIONS\r\n",
        "Allow: OPTIONS, INVITE, ACK, CANCEL, BYE, MESSAGE, NOTIFY\r\n",
        "Accept: text/plain, application/simple-message-summary\r\n",
        "Supported: outbound\r\n",
        "Server: sipreg/test\r\n",
    ] {
        assert!(ok.contains(line), "{line:?} in {ok}");
    }
    assert!(!ok.contains("application/sdp"), "no pretending to do media");
    s.handle_request(
        t0 + Duration::from_millis(500),
        request("OPTIONS", "z9hG4bKo1"),
        true,
    );
    assert_eq!(answers(&mut s), first, "the same response, same tag");
    assert_eq!(events(&mut s).len(), 1, "handled once");
    // Timer J forgets it after 64·T1; the same branch is then a new request.
    s.handle_timeout(t0 + Duration::from_secs(32));
    assert!(s.is_empty());
}

#[test]
fn a_request_for_someone_else_gets_404() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig::default());
    s.handle_request(t0, request("OPTIONS", "z9hG4bKn"), false);
    s.handle_request(t0, request("INVITE", "z9hG4bKn2"), false);
    let got = answers(&mut s);
    assert_eq!(
        got.iter().map(|a| status(a)).collect::<Vec<_>>(),
        ["404", "404"]
    );
}

#[test]
fn invite_gets_trying_then_the_answer_resent_on_timer_g_until_timer_h() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig::default());
    s.handle_request(t0, request("INVITE", "z9hG4bKi1"), true);
    let got = answers(&mut s);
    assert_eq!(
        got.iter().map(|a| status(a)).collect::<Vec<_>>(),
        ["100", "480"]
    );
    assert!(
        got[0].contains("To: <sip:alice@sipreg.test>\r\n"),
        "no tag on a 100"
    );
    assert!(got[1].starts_with("SIP/2.0 480 Temporarily Unavailable\r\n"));
    assert_eq!(
        events(&mut s),
        [UasEvent::IncomingCall {
            from: "<sip:bob@sipreg.test>;tag=b1".into(),
            to: "<sip:alice@sipreg.test>".into(),
            call_id: "call-z9hG4bKi1".into(),
            answered: 480,
        }]
    );
    let mut resent = Vec::new();
    while let Some(at) = s.poll_timeout() {
        s.handle_timeout(at);
        for a in answers(&mut s) {
            assert_eq!(a, got[1]);
            resent.push((at - t0).as_millis());
        }
    }
    assert_eq!(
        resent,
        [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
    assert_eq!(
        events(&mut s),
        [UasEvent::NoAck {
            call_id: "call-z9hG4bKi1".into()
        }]
    );
    assert!(s.is_empty());
}

#[test]
fn the_ack_stops_the_resends_and_is_never_answered() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig {
        answer: 486,
        ..UasConfig::default()
    });
    s.handle_request(t0, request("INVITE", "z9hG4bKi2"), true);
    assert_eq!(answers(&mut s).len(), 2);
    s.handle_request(
        t0 + Duration::from_millis(100),
        request("ACK", "z9hG4bKi2"),
        true,
    );
    s.handle_request(
        t0 + Duration::from_millis(200),
        request("ACK", "z9hG4bKi2"),
        true,
    );
    while let Some(at) = s.poll_timeout() {
        s.handle_timeout(at);
    }
    assert!(
        answers(&mut s).is_empty(),
        "no resend after the ACK, no answer to an ACK"
    );
    assert!(!events(&mut s)
        .iter()
        .any(|e| matches!(e, UasEvent::NoAck { .. })));
    // An ACK for nothing is dropped without an answer too.
    s.handle_request(t0, request("ACK", "z9hG4bKnothing"), true);
    assert!(answers(&mut s).is_empty());
}

#[test]
fn cancel_while_ringing_gets_200_and_the_invite_487() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig {
        ring: Duration::from_secs(5),
        ..UasConfig::default()
    });
    s.handle_request(t0, request("INVITE", "z9hG4bKc1"), true);
    assert_eq!(
        answers(&mut s)
            .iter()
            .map(|a| status(a))
            .collect::<Vec<_>>(),
        ["100"]
    );
    // A retransmitted INVITE while ringing gets the 100 again.
    s.handle_request(
        t0 + Duration::from_millis(500),
        request("INVITE", "z9hG4bKc1"),
        true,
    );
    assert_eq!(
        answers(&mut s)
            .iter()
            .map(|a| status(a))
            .collect::<Vec<_>>(),
        ["100"]
    );
    s.handle_request(
        t0 + Duration::from_secs(1),
        request("CANCEL", "z9hG4bKc1"),
        true,
    );
    let got = answers(&mut s);
    assert_eq!(
        got.iter().map(|a| status(a)).collect::<Vec<_>>(),
        ["200", "487"]
    );
    assert!(got[0].contains("CSeq: 1 CANCEL\r\n"), "{}", got[0]);
    assert!(got[1].contains("CSeq: 1 INVITE\r\n"), "{}", got[1]);
    assert!(
        got[0].contains(";tag=tg1\r\n") && got[1].contains(";tag=tg1\r\n"),
        "one To tag: {got:?}"
    );
    assert!(events(&mut s).contains(&UasEvent::IncomingCall {
        from: "<sip:bob@sipreg.test>;tag=b1".into(),
        to: "<sip:alice@sipreg.test>".into(),
        call_id: "call-z9hG4bKc1".into(),
        answered: 487,
    }));
    // The ring ending later answers nothing more.
    s.handle_timeout(t0 + Duration::from_secs(5));
    s.handle_request(
        t0 + Duration::from_secs(5),
        request("ACK", "z9hG4bKc1"),
        true,
    );
    while let Some(at) = s.poll_timeout() {
        s.handle_timeout(at);
    }
    let later = answers(&mut s);
    assert!(later.iter().all(|a| status(a) == "487"), "{later:?}");
    // A CANCEL for no INVITE: 481.
    s.handle_request(t0, request("CANCEL", "z9hG4bKnone"), true);
    assert_eq!(
        answers(&mut s)
            .iter()
            .map(|a| status(a))
            .collect::<Vec<_>>(),
        ["481"]
    );
}

#[test]
fn message_and_notify_are_shown_bye_gets_481_and_others_405_with_allow() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig::default());
    let mut message = request("MESSAGE", "z9hG4bKm1");
    message.content_type = Some("text/plain".into());
    message.body = b"hello alice".to_vec();
    s.handle_request(t0, message, true);
    let mut notify = request("NOTIFY", "z9hG4bKn1");
    notify.event = Some("message-summary".into());
    notify.body = b"Messages-Waiting: yes".to_vec();
    s.handle_request(t0, notify, true);
    s.handle_request(t0, request("BYE", "z9hG4bKb1"), true);
    s.handle_request(t0, request("SUBSCRIBE", "z9hG4bKs1"), true);
    let got = answers(&mut s);
    assert_eq!(
        got.iter().map(|a| status(a)).collect::<Vec<_>>(),
        ["200", "200", "481", "405"]
    );
    assert!(got[3].contains("\r\nAllow: OPTIONS, INVITE"), "{}", got[3]);
    let ev = events(&mut s);
    assert!(ev.contains(&UasEvent::Message {
        from: "<sip:bob@sipreg.test>;tag=b1".into(),
        content_type: Some("text/plain".into()),
        text: "hello alice".into(),
    }));
    assert!(ev.contains(&UasEvent::Notify {
        from: "<sip:bob@sipreg.test>;tag=b1".into(),
        event: Some("message-summary".into()),
        text: "Messages-Waiting: yes".into(),
    }));
}

#[test]
fn a_flood_keeps_the_table_bounded_and_gets_503() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig::default());
    let n = MAX_TRANSACTIONS + 50;
    for k in 0..n {
        s.handle_request(t0, request("OPTIONS", &format!("z9hG4bKf{k}")), true);
    }
    assert_eq!(s.len(), MAX_TRANSACTIONS);
    let got = answers(&mut s);
    assert_eq!(got.len(), n);
    assert_eq!(got.iter().filter(|a| status(a) == "503").count(), 50);
    // Once Timer J has run, the table empties.
    s.handle_timeout(t0 + Duration::from_secs(32));
    assert!(s.is_empty());
}

#[test]
fn on_a_stream_a_non_invite_transaction_ends_with_its_answer() {
    let t0 = Instant::now();
    let mut s = Server::new(UasConfig::default(), true, "tg".into());
    s.handle_request(t0, request("OPTIONS", "z9hG4bKt1"), true);
    assert_eq!(answers(&mut s).len(), 1);
    s.handle_timeout(t0);
    assert!(s.is_empty());
}

#[test]
fn an_rfc_2543_branch_is_matched_by_call_id_cseq_and_from_tag() {
    let t0 = Instant::now();
    let mut s = udp(UasConfig::default());
    let mut old = request("OPTIONS", "1");
    old.branch = None;
    s.handle_request(t0, old.clone(), true);
    s.handle_request(t0, old, true);
    assert_eq!(answers(&mut s).len(), 2);
    assert_eq!(events(&mut s).len(), 1, "the second was a retransmission");
}
