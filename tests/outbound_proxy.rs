//! `--proxy`: the REGISTER goes to the outbound proxy with `Route: <proxy;lr>` while
//! the Request-URI stays the registrar's domain; the Service-Route and Path of the
//! 200 are reported. Kamailio plays proxy and registrar in one (WITH_SERVICE_ROUTE:
//! it refuses a REGISTER without a Route, and echoes the Route it saw).

mod support;
mod transport_common;

use support::kamailio::{Kamailio, KamailioOptions};
use transport_common::{find, sipreg, sipreg_ok, AOR};

fn kamailio_edge() -> Kamailio {
    Kamailio::start(KamailioOptions {
        tcp: true,
        service_route: true,
        ..KamailioOptions::default()
    })
}

#[test]
fn register_through_the_proxy_carries_a_loose_route_and_reports_service_route() {
    let kam = kamailio_edge();
    let proxy = kam.registrar_uri();
    let r = sipreg(&[
        "register", AOR, "--once", "--proxy", &proxy, "-vv", "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(
        r.stderr.contains("REGISTER sip:sipreg.test SIP/2.0"),
        "the Request-URI stays the registrar's domain: {}",
        r.stderr
    );
    let route = format!("<{proxy};lr>");
    assert!(
        r.stderr.contains(&format!("X-Route-Seen: {route}")),
        "Kamailio did not see {route}: {}",
        r.stderr
    );
    let out = r.json();
    let reg = find(&out, "registered");
    let port = kam.port();
    assert_eq!(
        reg["service_route"][0],
        format!("<sip:orig@127.0.0.1:{port};lr>"),
        "{reg}"
    );
    assert_eq!(
        reg["path"][0],
        format!("<sip:edge@127.0.0.1:{port};lr>"),
        "{reg}"
    );
}

#[test]
fn the_proxy_over_tcp_and_the_route_names_the_transport() {
    let kam = kamailio_edge();
    let proxy = kam.registrar_uri_tcp();
    let r = sipreg(&["query", AOR, "--proxy", &proxy, "-vv"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(r.stderr.contains("Via: SIP/2.0/TCP "), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("X-Route-Seen: <{proxy};lr>")),
        "{}",
        r.stderr
    );
}

#[test]
fn without_the_proxy_the_check_refuses() {
    // The same registrar addressed directly gets no Route: 403, exit 3 (refused
    // credentials are how sipreg reads a 403).
    let kam = kamailio_edge();
    let r = sipreg(&["query", AOR, "-r", &kam.registrar_uri()]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("403"), "{}", r.stderr);
    // And with the proxy, the same query passes.
    sipreg_ok(&["query", AOR, "--proxy", &kam.registrar_uri()], || {
        kam.stderr_log()
    });
}
