//! SIP over TCP: against Kamailio (register → query → unregister), and against a
//! scripted TCP registrar for what Kamailio never does: responses split across
//! reads or coalesced in one, keep-alive CRLFs, a bad Content-Length, a connection
//! closed under us, silence.

mod support;
mod transport_common;

use support::kamailio::{Kamailio, KamailioOptions};
use transport_common::servers::{ok_response, Reply, Req, ScriptedTcp};
use transport_common::{find, register_query_unregister, sipreg, sipreg_ok, AOR};

fn kamailio_tcp() -> Kamailio {
    Kamailio::start(KamailioOptions {
        tcp: true,
        ..KamailioOptions::default()
    })
}

#[test]
fn register_query_unregister_over_tcp_with_kamailio() {
    let kam = kamailio_tcp();
    let uri = kam.registrar_uri_tcp();
    let ours = register_query_unregister(&["-r", &uri], || kam.stderr_log());
    assert!(ours.ends_with(";transport=tcp"), "{ours}");

    // -t tcp selects it as well as ;transport=tcp does.
    let plain = kam.registrar_uri();
    let ours = register_query_unregister(&["-r", &plain, "-t", "tcp"], || kam.stderr_log());
    assert!(ours.ends_with(";transport=tcp"), "{ours}");
}

#[test]
fn via_says_tcp_and_kamailio_answers_on_the_same_connection() {
    let kam = kamailio_tcp();
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri_tcp(),
        "-vv",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(r.stderr.contains("Via: SIP/2.0/TCP "), "{}", r.stderr);
    assert!(r.stderr.contains("SIP/2.0 200 OK"), "{}", r.stderr);
}

/// Answers every request with 200.
fn always_ok() -> ScriptedTcp {
    ScriptedTcp::start(Box::new(|req: &Req, _| {
        vec![Reply::Send(ok_response(req).into_bytes())]
    }))
}

#[test]
fn one_connection_serves_register_refreshes_and_unregister() {
    let server = always_ok();
    // A 2 s grant is refreshed after about 1 s; the run ends after 1.5 s.
    let r = sipreg(&[
        "register",
        AOR,
        "-r",
        &server.uri(),
        "-e",
        "2",
        "--for",
        "1500ms",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let requests = server.requests();
    assert!(
        requests.len() >= 3,
        "register, refresh, unregister: {requests:?}"
    );
    assert_eq!(server.connections(), 1, "{requests:?}");
    let events: Vec<String> = r.json().iter().map(|o| o["event"].to_string()).collect();
    assert!(events.contains(&"\"refreshed\"".to_string()), "{events:?}");
    assert_eq!(events.last().map(String::as_str), Some("\"unregistered\""));
}

#[test]
fn split_coalesced_and_keepalive_crlf_responses_are_read() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, index| {
        let ok = ok_response(req).into_bytes();
        match index {
            // A keep-alive CRLF, then the response in three pieces.
            0 => {
                let mut first = b"\r\n\r\n".to_vec();
                first.extend_from_slice(&ok[..10]);
                vec![Reply::Pieces(vec![
                    first,
                    ok[10..40].to_vec(),
                    ok[40..].to_vec(),
                ])]
            }
            // 100 Trying and the 200 in one write.
            _ => {
                let trying = ok_response(req).replacen("200 OK", "100 Trying", 1);
                let mut both = trying.into_bytes();
                both.extend_from_slice(&ok);
                vec![Reply::Send(both)]
            }
        }
    }));
    let out = sipreg_ok(
        &["register", AOR, "--once", "-r", &server.uri()],
        String::new,
    );
    let reg = find(&out, "registered");
    assert_eq!(reg["status"], 200);
    let ours = reg["contact"].as_str().unwrap().to_string();
    let out = sipreg_ok(
        &["unregister", AOR, "--contact", &ours, "-r", &server.uri()],
        String::new,
    );
    assert_eq!(find(&out, "unregistered")["status"], 200);
    // The registration, the query `unregister` makes first, and the removal.
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn bad_content_length_drops_the_connection_and_the_next_one_works() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        if req.connection == 0 {
            let bad = ok_response(req).replace("Content-Length: 0", "Content-Length: zero");
            vec![Reply::Send(bad.into_bytes())]
        } else {
            vec![Reply::Send(ok_response(req).into_bytes())]
        }
    }));
    let out = sipreg_ok(
        &["register", AOR, "--once", "-r", &server.uri()],
        String::new,
    );
    // The dropped connection is reported (flow failed), then the answer arrives.
    assert_eq!(find(&out, "registered")["status"], 200);
    assert_eq!(server.connections(), 2, "{:?}", server.requests());
}

#[test]
fn bad_content_length_every_time_is_a_clear_error_not_a_panic() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, _| {
        let bad = ok_response(req).replace("Content-Length: 0", "Content-Length: -5");
        vec![Reply::Send(bad.into_bytes())]
    }));
    let r = sipreg(&["register", AOR, "--once", "-r", &server.uri()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("Content-Length"), "{}", r.stderr);
    assert!(r.stderr.contains("connection dropped"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    // Sent once, and once more on a new connection, then given up.
    assert_eq!(server.connections(), 2);
}

#[test]
fn connection_closed_by_the_registrar_is_reopened() {
    let server = ScriptedTcp::start(Box::new(|req: &Req, index| {
        let ok = Reply::Send(ok_response(req).into_bytes());
        if index == 0 {
            vec![ok, Reply::Close]
        } else {
            vec![ok]
        }
    }));
    let r = sipreg(&[
        "register",
        AOR,
        "-r",
        &server.uri(),
        "--for",
        "1s",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let requests = server.requests();
    assert!(server.connections() >= 2, "{requests:?}");
    // The unregistration at the end went out on the reopened connection.
    let last = requests.last().unwrap();
    assert!(last.connection >= 1, "{requests:?}");
    assert!(
        last.headers("contact")[0].contains("expires=0"),
        "{}",
        last.text
    );
}

#[test]
fn silence_on_tcp_is_timer_f_without_retransmissions() {
    let server = ScriptedTcp::start(Box::new(|_: &Req, _| Vec::new()));
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &server.uri(),
        "--timeout",
        "1s",
    ]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(
        server.requests().len(),
        1,
        "no Timer E on a reliable transport"
    );
}

#[test]
fn refused_connection_is_an_error_that_says_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &format!("sip:127.0.0.1:{port};transport=tcp"),
    ]);
    // Unreachable, as a closed UDP port is (ICMP): exit 4.
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("cannot connect"), "{}", r.stderr);
}
