//! Percent-escapes in SIP messages (issue 13 item 11): a URI's user and parameters
//! are decoded exactly once and printed escaped again, so that print then parse gives
//! an equivalent URI (RFC 3261 §19.1.4); header parameters (Via, Contact, To) are
//! tokens or quoted strings and are never percent-decoded.

use sipreg::sip::{Response, SipUri, Via};

fn uri(s: &str) -> SipUri {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} did not parse: {e}"))
}

/// Reads `text`, prints it, reads the print: both readings must be equivalent and
/// equal field by field. Returns the first reading.
fn round_trip(text: &str) -> SipUri {
    let first = uri(text);
    let printed = first.to_string();
    let again = uri(&printed);
    assert!(
        again.equivalent(&first) && first.equivalent(&again),
        "{text:?} printed as {printed:?}, read back as {again:?}"
    );
    assert_eq!(again, first, "{text:?} printed as {printed:?}");
    first
}

fn response(lines: &str) -> Response {
    let text = format!("SIP/2.0 200 OK\r\n{}\r\n\r\n", lines.replace('\n', "\r\n"));
    Response::parse_datagram(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

/// The fuzz target uri_roundtrip's finding: the value was decoded twice, reading as
/// `%25`, printing as `%2525`, then reading back as `%`.
#[test]
fn a_percent_escaped_percent_is_decoded_once_and_survives_a_round_trip() {
    let u = round_trip("sip:a@b;x=%252525");
    assert_eq!(u.param("x"), Some("%2525"));
    assert_eq!(u.to_string(), "sip:a@b;x=%252525");
    // Every depth of escaping stays what it was.
    for (text, value) in [
        ("sip:a@b;x=%25", "%"),
        ("sip:a@b;x=%2525", "%25"),
        ("sip:a@b;x=%2541", "%41"),
        ("sip:a@b;x=%41", "A"),
        ("sip:a@b;%78=1", "1"),
    ] {
        assert_eq!(round_trip(text).param("x"), Some(value), "{text}");
    }
    // The same in the user part, which ezk decodes.
    assert_eq!(round_trip("sip:%252525@b").user.as_deref(), Some("%2525"));
}

/// RFC 3261 §19.1.4: an unreserved character and its escape are equal; `%25` is a
/// literal percent, not the start of another escape.
#[test]
fn escaped_and_plain_unreserved_characters_are_equivalent_but_a_literal_percent_is_not_an_escape() {
    assert!(uri("sip:a@b;x=%41").equivalent(&uri("sip:a@b;x=A")));
    assert!(uri("sip:a@b;x=%61").equivalent(&uri("sip:a@b;x=A")));
    assert!(!uri("sip:a@b;x=%2541").equivalent(&uri("sip:a@b;x=A")));
    assert!(!uri("sip:a@b;x=%2541").equivalent(&uri("sip:a@b;x=%41")));
    assert!(uri("sip:%61@b").equivalent(&uri("sip:a@b")));
    assert!(!uri("sip:%2561@b").equivalent(&uri("sip:a@b")));
}

/// RFC 4475 §3.1.1.2 `esc01`: escapes in the Request-URI, To, From and Contact. The
/// request's headers are read here as a response's (sipreg reads only responses).
#[test]
fn rfc4475_esc01_escapes_decode_once() {
    let r = response(
        "To: sip:%75se%72@example.com\n\
         From: <sip:I%20have%20spaces@example.net>;tag=938\n\
         Max-Forwards: 87\n\
         i: esc01.239409asdfakjkn23onasd0-3234\n\
         CSeq: 234234 INVITE\n\
         Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw\n\
         C: application/sdp\n\
         Contact:\n  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>\n\
         Content-Length: 0",
    );
    let request_uri = round_trip("sip:sips%3Auser%40example.com@example.net");
    assert_eq!(request_uri.user.as_deref(), Some("sips:user@example.com"));
    assert_eq!(request_uri.host.to_string(), "example.net");
    let to = round_trip(r.header("to").unwrap());
    assert_eq!(to.user.as_deref(), Some("user"));
    assert!(to.equivalent(&uri("sip:user@example.com")));
    let from = r.header("from").unwrap();
    let from_uri = round_trip(&from[..from.find(';').unwrap()]);
    assert_eq!(from_uri.user.as_deref(), Some("I have spaces"));

    let contacts = r.contacts();
    let [Ok(contact)] = &contacts[..] else {
        panic!("{contacts:?}")
    };
    assert_eq!(contact.uri.user.as_deref(), Some("caller"));
    // `%6C%72` is the parameter `lr`; `v%61lue%25%34%31` is `value%41`, not `valueA`.
    assert_eq!(contact.uri.params.get("lr"), Some(None));
    assert_eq!(contact.uri.param("name"), Some("value%41"));
    let again = round_trip(&contact.raw_uri);
    assert_eq!(again, contact.uri);
    assert!(contact
        .uri
        .equivalent(&uri("sip:caller@host5.example.net;lr;name=value%2541")));
    assert!(!contact
        .uri
        .equivalent(&uri("sip:caller@host5.example.net;lr;name=valueA")));
}

/// Both readers of the top Via (the full parse and the cheap view the core matches
/// transactions with) give the branch as written: a header parameter is a token, in
/// which `%` is just a character.
#[test]
fn both_via_readers_give_the_same_branch_as_written() {
    for via in [
        "SIP/2.0/UDP host5.example.net;branch=z9hG4bK%2541",
        "SIP/2.0/UDP host5.example.net;branch=z9hG4bK%41;received=192.0.2.1",
        "SIP/2.0/TCP [2001:db8::1]:5070;rport=1;BRANCH=z9hG4bK%25%2525",
        "SIP/2.0/UDP h;x=\"q;branch=no\";branch=z9hG4bKq",
    ] {
        let r = response(&format!("Via: {via}\nContent-Length: 0"));
        let full = r.top_via().unwrap();
        let view = r.top_via_view().unwrap();
        assert_eq!(full.branch(), view.branch(), "{via}");
        assert_eq!(full.received(), view.param("received").flatten(), "{via}");
        assert_eq!(full.rport(), view.rport(), "{via}");
        assert_eq!(r.top_via_branch(), full.branch(), "{via}");
    }
    let v = Via::parse("SIP/2.0/UDP h;branch=z9hG4bK%2541").unwrap();
    assert_eq!(v.branch(), Some("z9hG4bK%2541"));
    let v = Via::parse("SIP/2.0/UDP h;branch=z9hG4bK%41").unwrap();
    assert_eq!(v.branch(), Some("z9hG4bK%41"));
}

/// Contact and To header parameters are read as written (quoted ones unquoted), not
/// percent-decoded.
#[test]
fn contact_and_to_header_parameters_are_not_percent_decoded() {
    let r = response(
        "To: <sip:a@b;tag=inuri>;tag=a%41\n\
         Contact: <sip:a@b;x=%41>;expires=%33%30;q=0.5;y=\"%41\"\n\
         Content-Length: 0",
    );
    assert_eq!(r.to_tag().as_deref(), Some("a%41"));
    let contacts = r.contacts();
    let [Ok(c)] = &contacts[..] else {
        panic!("{contacts:?}")
    };
    assert_eq!(c.uri.param("x"), Some("A"), "a URI parameter is decoded");
    assert_eq!(c.params.value("y"), Some("%41"));
    assert_eq!(c.expires(), None);
    let parts = r.contact_parts();
    let [Ok(p)] = &parts[..] else {
        panic!("{parts:?}")
    };
    assert_eq!(p.expires_checked(), Err("%33%30".to_string()));
}

/// A `"` has no place in a SIP URI (it must be escaped as `%22`): refused, and the
/// escaped form reads as a quote and prints escaped again.
#[test]
fn a_quote_in_a_uri_is_refused_and_its_escape_round_trips() {
    assert!("sip:a@b;x=\"y\"".parse::<SipUri>().is_err());
    assert!("sip:a@b;x=\"y;z\"?h=1".parse::<SipUri>().is_err());
    let u = round_trip("sip:a@b;x=%22y%3Bz%22");
    assert_eq!(u.param("x"), Some("\"y;z\""));
    assert_eq!(u.to_string(), "sip:a@b;x=%22y%3Bz%22");
}

/// Parameters and headers are cut on the text after the host: a `;` or `?` in the
/// user part belongs to the user, an IPv6 reference is skipped whole.
#[test]
fn sections_are_cut_after_the_host() {
    let u = round_trip("sip:alice;day=tuesday@atlanta.com;transport=tcp?subject=a%20b");
    assert_eq!(u.user.as_deref(), Some("alice;day=tuesday"));
    assert_eq!(u.param("transport"), Some("tcp"));
    assert_eq!(u.params.0.len(), 1);
    assert_eq!(u.headers.as_deref(), Some("?subject=a%20b"));
    let u = round_trip("sips:[2001:db8::1]:5061;maddr=[2001:db8::2];x=%5B");
    assert_eq!(u.param("maddr"), Some("[2001:db8::2]"));
    assert_eq!(u.param("x"), Some("["));
    let u = round_trip("sip:b?h=%3B");
    assert!(u.params.0.is_empty());
    assert_eq!(u.headers.as_deref(), Some("?h=%3B"));
}

/// Found by the header_values fuzz target: a branch token holding `%e5` (not UTF-8
/// once decoded) was refused by the full Via parse, which let ezk decode parameter
/// values, while the view read it. Both read it now, as written.
#[test]
fn a_branch_that_would_not_decode_is_read_by_both_via_readers() {
    let via = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%e5++++++++++ob;rport";
    let full = Via::parse(via).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(full.branch(), Some("z9hG4bK%e5++++++++++ob"));
    let r = response(&format!("Via: {via}\nContent-Length: 0"));
    assert_eq!(r.top_via_branch(), full.branch());
    assert_eq!(r.top_via().unwrap(), full);
    // What the parameters must still be: name[=token or quoted string].
    for bad in [
        "SIP/2.0/UDP h;branch=a b",
        "SIP/2.0/UDP h;=x",
        "SIP/2.0/UDP h;x=\"open",
        "SIP/2.0/UDP h;x=\"q\"junk",
    ] {
        assert!(Via::parse(bad).is_err(), "{bad}");
    }
}
