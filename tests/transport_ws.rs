//! SIP over WebSocket (RFC 7118) against Kamailio's xhttp + websocket modules:
//! `ws://` on the TCP listener, `wss://` on the TLS listener, each as a URL and as
//! `-t ws|wss`.

mod support;
mod transport_common;

use support::kamailio::{KamTls, Kamailio, KamailioOptions};
use transport_common::certs::Pki;
use transport_common::{register_query_unregister, sipreg, AOR};

fn kamailio_ws(pki: &Pki) -> Kamailio {
    let cert = pki.server(&["localhost"]);
    Kamailio::start(KamailioOptions {
        websocket: true,
        tls: Some(KamTls {
            cert_chain_pem: cert.cert_pem,
            key_pem: cert.key_pem,
        }),
        ..KamailioOptions::default()
    })
}

#[test]
fn ws_and_wss_register_query_unregister() {
    let pki = Pki::new("sipreg test CA");
    let kam = kamailio_ws(&pki);
    let dir = tempfile::tempdir().unwrap();
    let ca = pki.write_ca(dir.path(), "ca.pem");
    let ca = ca.to_str().unwrap();

    let ours = register_query_unregister(&["-r", &kam.ws_url()], || kam.stderr_log());
    assert!(ours.ends_with(";transport=ws"), "{ours}");
    let plain = kam.registrar_uri();
    register_query_unregister(&["-r", &plain, "-t", "ws"], || kam.stderr_log());

    let ours =
        register_query_unregister(&["-r", &kam.wss_url("localhost"), "--ca-file", ca], || {
            kam.stderr_log()
        });
    assert!(ours.ends_with(";transport=wss"), "{ours}");
    let by_name = format!("sip:localhost:{}", kam.tls_port());
    register_query_unregister(&["-r", &by_name, "-t", "wss", "--ca-file", ca], || {
        kam.stderr_log()
    });
}

#[test]
fn ws_request_says_ws_in_via_and_one_message_per_frame() {
    let pki = Pki::new("sipreg test CA");
    let kam = kamailio_ws(&pki);
    let r = sipreg(&["register", AOR, "--once", "-r", &kam.ws_url(), "-vv"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(r.stderr.contains("Via: SIP/2.0/WS "), "{}", r.stderr);
    // 401 then 200: each arrived as a whole message of its own.
    assert!(r.stderr.contains("SIP/2.0 401"), "{}", r.stderr);
    assert!(r.stderr.contains("SIP/2.0 200 OK"), "{}", r.stderr);
}

#[test]
fn wss_with_an_unknown_issuer_fails_with_exit_1() {
    let pki = Pki::new("sipreg test CA");
    let kam = kamailio_ws(&pki);
    let dir = tempfile::tempdir().unwrap();
    let other = Pki::new("some other CA").write_ca(dir.path(), "other.pem");
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.wss_url("localhost"),
        "--ca-file",
        other.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("unknown issuer"), "{}", r.stderr);
}

#[test]
fn a_server_that_is_not_a_sip_websocket_is_refused() {
    // The TCP listener without the websocket modules answers HTTP with nothing
    // useful: the upgrade fails, with exit 1 and a reason.
    let kam = Kamailio::start(KamailioOptions {
        tcp: true,
        ..KamailioOptions::default()
    });
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.ws_url(),
        "--timeout",
        "2s",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("WebSocket"), "{}", r.stderr);
}

/// Issue 14: `--origin` goes on the upgrade (OpenSIPS demands one); without a
/// WebSocket it is refused, not ignored.
#[test]
fn an_origin_is_sent_on_the_upgrade() {
    let pki = Pki::new("sipreg test CA");
    let kam = kamailio_ws(&pki);
    let origin = "https://phone.sipreg.test";
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.ws_url(),
        "--origin",
        origin,
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(
        kam.stderr_log()
            .contains("websocket upgrade with Origin https://phone.sipreg.test"),
        "{}",
        kam.stderr_log()
    );
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri(),
        "--origin",
        origin,
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--origin is sent on the WebSocket upgrade"),
        "{}",
        r.stderr
    );
    let r = sipreg(&[
        "query",
        AOR,
        "-r",
        &kam.ws_url(),
        "--origin",
        "phone.sipreg.test",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
