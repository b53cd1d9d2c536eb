//! IPv6 everywhere a host can stand: registrar, local address and our Contact, over
//! UDP and TCP to Kamailio listening on [::1]; addresses printed with brackets.

mod support;
mod transport_common;

use support::kamailio::{Kamailio, KamailioOptions};
use transport_common::{find, register_query_unregister, sipreg, AOR};

fn kamailio_v6() -> Kamailio {
    Kamailio::start(KamailioOptions {
        tcp: true,
        ipv6: true,
        ..KamailioOptions::default()
    })
}

#[test]
fn udp_and_tcp_on_ipv6_loopback() {
    let kam = kamailio_v6();
    let v6 = kam.registrar_uri_v6();
    let ours = register_query_unregister(&["-r", &v6], || kam.stderr_log());
    assert!(ours.starts_with("sip:alice@[::1]:"), "{ours}");

    let tcp = format!("{v6};transport=tcp");
    let ours = register_query_unregister(&["-r", &tcp, "--local", "[::1]"], || kam.stderr_log());
    assert!(ours.starts_with("sip:alice@[::1]:"), "{ours}");
    assert!(ours.ends_with(";transport=tcp"), "{ours}");
}

#[test]
fn ipv6_addresses_are_bracketed_in_via_and_output() {
    let kam = kamailio_v6();
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri_v6(),
        "--local",
        "[::1]:0",
        "-vv",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    assert!(r.stderr.contains("Via: SIP/2.0/UDP [::1]:"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("[::1]:{}", kam.port())),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("sip:alice@[::1]:"), "{}", r.stdout);
}

#[test]
fn ipv6_contact_given_by_the_user_is_bound_as_written() {
    let kam = kamailio_v6();
    let contact = "sip:alice@[2001:db8::10]:5070";
    let r = sipreg(&[
        "register",
        AOR,
        "--once",
        "-r",
        &kam.registrar_uri_v6(),
        "-c",
        contact,
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stderr, kam.stderr_log());
    let out = r.json();
    let bound: Vec<String> = find(&out, "registered")["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["contact"].as_str().unwrap().to_string())
        .collect();
    assert!(bound.iter().any(|c| c == contact), "{bound:?}");
}
