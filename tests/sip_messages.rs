//! Integration tests of the SIP message layer (`sipreg::sip`): the regressions that
//! ruled out rsip (see DESIGN.md), the Avaya and Asterisk field traces, RFC 3261
//! §19.1.4 URI equivalence and RFC 4475-style hostile input.
//!
//! Fixtures live in `tests/data/` with LF line ends; `wire` turns them into what the
//! network carries (CRLF, a blank line after the head).
//!
//! Eight defects these tests found in `src/sip/` (escaped quotes, a lost URI header
//! component, folded lines in framing, CRLF LF head ends, a reason phrase holding a
//! line break, a quoted `>` in To) are fixed; their tests pin the fixes.

use sipreg::auth::ChallengeKind;
use sipreg::sip::{
    canonical_name, split_list, ContactValue, Host, OutgoingRequest, ParseError, RequestContact,
    Response, SipUri, StreamFramer, Via, ViaSpec, MAX_MESSAGE_SIZE,
};
use std::net::Ipv6Addr;

const AVAYA_REGISTER: &str = include_str!("data/field-traces/avaya-f1-register.txt");
const AVAYA_REGISTER_AUTH: &str = include_str!("data/field-traces/avaya-f3-register-auth.txt");
const AVAYA_401: &str = include_str!("data/field-traces/avaya-f2-401.txt");
const AVAYA_200: &str = include_str!("data/field-traces/avaya-f4-200.txt");
const ASTERISK_401: &str = include_str!("data/field-traces/asterisk-f2-401.txt");
const ASTERISK_200: &str = include_str!("data/field-traces/asterisk-f4-200.txt");
const COMPACT_200: &str = include_str!("data/synthetic/compact-200.txt");
const MULTI_CONTACT_200: &str = include_str!("data/synthetic/multi-contact-200.txt");
const SHA256_401: &str = include_str!("data/synthetic/sha256-401.txt");
const INTERVAL_423: &str = include_str!("data/synthetic/interval-423.txt");
const UNAVAILABLE_503: &str = include_str!("data/synthetic/unavailable-503.txt");
const WSINV_200: &str = include_str!("data/synthetic/rfc4475-wsinv-200.txt");

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// A fixture (LF line ends, no blank line) in wire form: CRLF line ends, then the blank
/// line that ends the head. Fixtures carry no body.
fn wire(text: &str) -> Vec<u8> {
    let mut s = text
        .replace("\r\n", "\n")
        .trim_end_matches('\n')
        .replace('\n', "\r\n");
    s.push_str("\r\n\r\n");
    s.into_bytes()
}

/// A REGISTER fixture read as if it were a response, to reach its header quirks
/// (`Response::parse` rejects requests by design).
fn as_response(request_fixture: &str) -> Vec<u8> {
    let (_, rest) = request_fixture
        .split_once('\n')
        .expect("fixture has a request line");
    wire(&format!("SIP/2.0 200 OK\n{rest}"))
}

/// Reads one datagram as the core does, panicking with the error if that fails.
fn parse(bytes: &[u8]) -> Response {
    Response::parse_datagram(bytes).unwrap_or_else(|e| panic!("parsing failed: {e}"))
}

fn parse_fixture(text: &str) -> Response {
    parse(&wire(text))
}

fn uri(s: &str) -> SipUri {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} did not parse: {e}"))
}

fn v6(s: &str) -> Host {
    Host::V6(s.parse::<Ipv6Addr>().unwrap())
}

/// The only contacts of a response that parsed, panicking on any that did not.
fn ok_contacts(r: &Response) -> Vec<ContactValue> {
    r.contacts()
        .into_iter()
        .map(|c| c.unwrap_or_else(|e| panic!("contact did not parse: {e}")))
        .collect()
}

/// Runs everything the parse API offers over one datagram, the way the transport and
/// the core would, and returns what `Response::parse_datagram` made of it.
/// The point is that none of it panics; callers assert the outcome.
fn exercise(bytes: &[u8]) -> Result<Response, ParseError> {
    // Streams see the same bytes: the framer must answer without panicking and never
    // hand out an over-size message.
    let mut framer = StreamFramer::default();
    framer.push(bytes);
    for _ in 0..4 {
        match framer.next_message() {
            Ok(Some(m)) => {
                assert!(m.len() <= MAX_MESSAGE_SIZE);
                let _ = Response::parse(&m);
            }
            Ok(None) | Err(_) => break,
        }
    }
    let _ = Response::parse(bytes);
    let r = Response::parse_datagram(bytes)?;
    let _ = r.is_final();
    let _ = r.header("via");
    let _ = r.all("contact").count();
    let _ = r.list("allow");
    let _ = r.list("supported");
    if let Ok(via) = r.top_via() {
        let _ = (
            via.branch(),
            via.received(),
            via.rport(),
            via.host.to_string(),
        );
    }
    let _ = r.cseq();
    let _ = r.call_id();
    let _ = r.to_tag();
    for c in r.contacts().into_iter().flatten() {
        let _ = (c.expires(), c.q(), c.uri.to_string(), c.uri.host_port());
    }
    let _ = (r.expires(), r.min_expires(), r.retry_after());
    let _ = r.challenges();
    for (name, value) in r.headers() {
        let _ = canonical_name(name);
        let _ = split_list(value);
    }
    Ok(r)
}

// ---------------------------------------------------------------------------------
// 1. The regressions that ruled out rsip
// ---------------------------------------------------------------------------------

#[test]
fn uri_user_with_a_dot_keeps_its_user() {
    let u = uri("sip:john.doe@example.com");
    assert_eq!(u.user.as_deref(), Some("john.doe"));
    assert_eq!(u.host, Host::Name("example.com".into()));
    assert_eq!(u.to_string(), "sip:john.doe@example.com");
    // The same inside a header of a response.
    let r = parse_fixture(MULTI_CONTACT_200);
    let to = r.header("to").unwrap();
    assert!(to.contains("sip:john.doe@example.com"), "{to}");
    let first = &ok_contacts(&r)[0];
    assert_eq!(first.uri.user.as_deref(), Some("john.doe"));
}

#[test]
fn ipv6_host_in_uri_is_parsed_and_printed_with_brackets() {
    let u = uri("sip:alice@[2001:db8::10]:5060");
    assert_eq!(u.host, v6("2001:db8::10"));
    assert_eq!(u.port, Some(5060));
    assert_eq!(u.host_port(), "[2001:db8::10]:5060");
    assert_eq!(u.to_string(), "sip:alice@[2001:db8::10]:5060");
    // Without user and port, with params, and a round trip through the printed form.
    let bare = uri("sip:[2001:db8::10];transport=tcp");
    assert_eq!(bare.to_string(), "sip:[2001:db8::10];transport=tcp");
    assert_eq!(uri(&bare.to_string()), bare);
    // An unbracketed IPv6 literal is not a host.
    assert!("sip:alice@2001:db8::10:5060".parse::<SipUri>().is_err());
}

#[test]
fn ipv6_via_sent_by_is_parsed() {
    let via = Via::parse("SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bKv6;rport=5062").unwrap();
    assert_eq!(via.host, v6("2001:db8::10"));
    assert_eq!(via.host.to_string(), "[2001:db8::10]");
    assert_eq!(via.port, Some(5060));
    assert_eq!(via.branch(), Some("z9hG4bKv6"));
    assert_eq!(via.rport(), Some(5062));
    // In a whole response, with an IPv6 `received=`.
    let r = parse_fixture(MULTI_CONTACT_200);
    let top = r.top_via().unwrap();
    assert_eq!(top.host, v6("2001:db8::10"));
    assert_eq!(top.received(), Some("2001:db8::10"));
    assert_eq!(top.branch(), Some("z9hG4bKnashds7"));
}

#[test]
fn ipv6_contact_is_parsed_and_printed_with_brackets() {
    let c = ContactValue::parse("<sip:bob@[2001:db8::10]:5060;transport=tcp>;expires=300").unwrap();
    assert_eq!(c.raw_uri, "sip:bob@[2001:db8::10]:5060;transport=tcp");
    assert_eq!(c.uri.host, v6("2001:db8::10"));
    assert_eq!(c.uri.port, Some(5060));
    assert_eq!(
        c.uri.to_string(),
        "sip:bob@[2001:db8::10]:5060;transport=tcp"
    );
    assert_eq!(c.expires(), Some(300));
    // Unbracketed: the parameters after the URI are the header's.
    let c = ContactValue::parse("sip:bob@[2001:db8::1]:5062;expires=60").unwrap();
    assert_eq!(c.uri.host, v6("2001:db8::1"));
    assert_eq!(c.expires(), Some(60));
}

#[test]
fn register_request_with_ipv6_encodes_brackets_that_parse_back() {
    let aor = uri("sip:john.doe@example.com");
    let ruri = aor.domain_uri();
    let contact = RequestContact::Uri {
        uri: uri("sip:john.doe@[2001:db8::10]:5062;transport=udp"),
        params: vec![
            "expires=3600".into(),
            r#"+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>""#.into(),
        ],
    };
    let req = OutgoingRequest {
        method: "REGISTER",
        request_uri: &ruri,
        via: ViaSpec {
            transport: "UDP",
            sent_by: "[2001:db8::10]:5062",
            branch: "z9hG4bKenc",
        },
        aor: &aor,
        from_tag: "ft",
        call_id: "cid@[2001:db8::10]",
        cseq: 1,
        contact: &contact,
        expires: Some(3600),
        route: None,
        user_agent: None,
        extra_headers: &[],
        custom_headers: &[],
        display_name: None,
    };
    let text = String::from_utf8(req.encode()).unwrap();
    assert!(
        text.starts_with("REGISTER sip:example.com SIP/2.0\r\n"),
        "{text}"
    );
    assert!(text.ends_with("Content-Length: 0\r\n\r\n"), "{text}");
    let line = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    let via = Via::parse(line("Via: ")).unwrap();
    assert_eq!(via.host, v6("2001:db8::10"));
    assert_eq!(via.port, Some(5062));
    assert_eq!(via.branch(), Some("z9hG4bKenc"));
    let c = ContactValue::parse(line("Contact: ")).unwrap();
    assert_eq!(c.raw_uri, "sip:john.doe@[2001:db8::10]:5062;transport=udp");
    assert_eq!(c.uri.host, v6("2001:db8::10"));
    assert_eq!(
        c.params.value("+sip.instance"),
        Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")
    );
    assert_eq!(uri(line("To: ")).user.as_deref(), Some("john.doe"));
}

#[test]
fn comma_separated_contact_list_gives_one_binding_each() {
    let r = parse_fixture(MULTI_CONTACT_200);
    assert_eq!(r.all("contact").count(), 1, "one header line");
    let cs = ok_contacts(&r);
    assert_eq!(cs.len(), 3, "{cs:?}");

    // 1: quoted display name with a comma, IPv6, instance and reg-id.
    assert_eq!(cs[0].display_name.as_deref(), Some("Doe, John"));
    assert_eq!(
        cs[0].raw_uri,
        "sip:john.doe@[2001:db8::10]:5060;transport=udp"
    );
    assert_eq!(cs[0].expires(), Some(3600));
    assert_eq!(cs[0].params.value("reg-id"), Some("1"));
    assert_eq!(cs[0].q(), None);

    // 2: a comma inside <> (user part) and inside a quoted parameter value.
    assert_eq!(cs[1].raw_uri, "sip:john.doe,desk@192.0.2.4:5070");
    assert_eq!(cs[1].uri.user.as_deref(), Some("john.doe,desk"));
    assert_eq!(cs[1].q(), Some(0.5));
    assert_eq!(cs[1].expires(), Some(120));
    assert_eq!(cs[1].params.value("note"), Some("a, b; c"));

    // 3: unbracketed; its parameters belong to the binding, not the URI.
    assert_eq!(cs[2].raw_uri, "sip:john.doe@198.51.100.7");
    assert!(cs[2].uri.params.0.is_empty());
    assert_eq!(cs[2].expires(), Some(60));
    assert!(!cs[2].params.contains("note"));
}

#[test]
fn contact_list_split_does_not_cut_inside_quotes_or_brackets() {
    let value = r#""Doe, J" <sip:a,b@x>;expires=3, <sip:c@y>;foo="1,2", sip:d@z"#;
    assert_eq!(
        split_list(value),
        vec![
            r#""Doe, J" <sip:a,b@x>;expires=3"#,
            r#"<sip:c@y>;foo="1,2""#,
            "sip:d@z"
        ]
    );
    // Spread over several header lines and commas, the bindings add up in order.
    let r = parse(
        b"SIP/2.0 200 OK\r\nContact: <sip:a@x>;expires=1, <sip:b@x>;expires=2\r\n\
          Contact: <sip:c@x>;expires=3\r\nContent-Length: 0\r\n\r\n",
    );
    let expiries: Vec<_> = ok_contacts(&r).iter().map(|c| c.expires()).collect();
    assert_eq!(expiries, vec![Some(1), Some(2), Some(3)]);
}

#[test]
fn sip_instance_quoted_param_keeps_its_value() {
    let r = parse_fixture(MULTI_CONTACT_200);
    let c = &ok_contacts(&r)[0];
    assert_eq!(
        c.params.value("+sip.instance"),
        Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")
    );
    // Parameter names are case-insensitive.
    assert_eq!(
        c.params.value("+SIP.INSTANCE"),
        Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>")
    );
    // The `<` and `>` inside the quoted value must not end the URI.
    assert_eq!(c.uri.param("transport"), Some("udp"));
}

#[test]
fn challenge_sha256_with_qop_list() {
    let r = parse_fixture(SHA256_401);
    assert_eq!(r.status, 401);
    let (found, skipped) = r.challenges();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(found.len(), 2);
    let sha = &found[0];
    assert!(matches!(sha.kind, ChallengeKind::Www));
    assert_eq!(sha.realm, "biloxi.example.com");
    assert_eq!(sha.nonce, "6b8b4567327b23c6");
    assert_eq!(sha.algorithm, "SHA-256");
    assert_eq!(sha.qop, vec!["auth", "auth-int"]);
    assert_eq!(
        sha.opaque.as_deref(),
        Some("5ccc069c403ebaf9f0171e9517f40e41")
    );
    assert!(!sha.stale);
    assert_eq!(found[1].algorithm, "MD5");
    assert_eq!(found[1].qop, vec!["auth"]);
}

#[test]
fn proxy_challenge_with_stale_and_other_schemes_skipped() {
    let r = parse(
        b"SIP/2.0 407 Proxy Authentication Required\r\n\
          Proxy-Authenticate: Digest realm=\"p\", nonce=\"n2\", algorithm=SHA-512-256, qop=\"auth\", stale=TRUE\r\n\
          WWW-Authenticate: Basic realm=\"x\"\r\n\
          Content-Length: 0\r\n\r\n",
    );
    let (found, skipped) = r.challenges();
    assert_eq!(found.len(), 1);
    assert!(matches!(found[0].kind, ChallengeKind::Proxy));
    assert_eq!(found[0].algorithm, "SHA-512-256");
    assert!(found[0].stale);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("Basic"), "{skipped:?}");
}

#[test]
fn folded_header_lines_read_as_one_value() {
    let r = parse_fixture(SHA256_401);
    // Via folded before its parameters.
    let via = r.top_via().unwrap();
    assert_eq!(via.branch(), Some("z9hG4bK776asdhds"));
    assert_eq!(via.received(), Some("192.0.2.1"));
    assert_eq!(via.port, Some(5060));
    // WWW-Authenticate folded over three lines (space and tab continuations).
    let value = r.header("www-authenticate").unwrap();
    assert!(!value.contains('\r') && !value.contains('\n'), "{value:?}");
    assert!(
        value.contains("realm=\"biloxi.example.com\", nonce="),
        "{value:?}"
    );
    let (found, _) = r.challenges();
    assert_eq!(found[0].qop, vec!["auth", "auth-int"]);
    assert_eq!(found[0].nonce, "6b8b4567327b23c6");
    // Still two header lines for WWW-Authenticate, not four.
    assert_eq!(r.all("www-authenticate").count(), 2);
}

#[test]
fn compact_header_names_only() {
    let r = parse_fixture(COMPACT_200);
    assert_eq!(r.call_id(), Some("compact-call-id@client.example.com"));
    let via = r.top_via().unwrap();
    assert_eq!(via.transport, "TCP");
    assert_eq!(via.host, Host::Name("client.example.com".into()));
    assert_eq!(via.port, Some(5061));
    assert_eq!(via.branch(), Some("z9hG4bKcompact1"));
    assert_eq!(r.cseq().unwrap(), (7, "REGISTER"));
    assert_eq!(r.to_tag().as_deref(), Some("to-c9"));
    assert!(r.header("from").unwrap().contains("tag=from-c1"));
    let cs = ok_contacts(&r);
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0].raw_uri, "sip:carol@192.0.2.44:5061;transport=tcp");
    assert_eq!(cs[0].expires(), Some(1800));
    assert_eq!(cs[1].expires(), Some(60));
    assert_eq!(r.list("supported"), vec!["path", "outbound"]);
    assert_eq!(r.header("content-length"), Some("0"));
    // Long and compact names find the same header, in either case.
    assert_eq!(r.header("I"), r.header("Call-ID"));
    assert_eq!(r.header("M"), r.header("contact"));
}

#[test]
fn space_before_colon_in_header_names() {
    let r = parse(
        b"SIP/2.0 200 OK\r\n\
          Via : SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsp\r\n\
          CSeq  : 42 REGISTER\r\n\
          Call-ID\t: tab@x\r\n\
          To :<sip:a@x>;tag=t1\r\n\
          Content-Length   : 0\r\n\r\n",
    );
    assert_eq!(r.top_via().unwrap().branch(), Some("z9hG4bKsp"));
    assert_eq!(r.cseq().unwrap(), (42, "REGISTER"));
    assert_eq!(r.call_id(), Some("tab@x"));
    assert_eq!(r.to_tag().as_deref(), Some("t1"));
    assert!(r.body.is_empty());
}

#[test]
fn truncated_head_is_an_error_at_every_cut() {
    let full = wire(ASTERISK_200);
    let head_len = full.len(); // no body: the head is everything
    for cut in 0..head_len {
        let part = &full[..cut];
        assert_eq!(
            Response::parse_datagram(part).unwrap_err(),
            ParseError::Incomplete,
            "cut at {cut}"
        );
        assert!(
            Response::parse(part).is_err(),
            "parse accepted cut at {cut}"
        );
        let mut f = StreamFramer::default();
        f.push(part);
        assert_eq!(f.next_message(), Ok(None), "stream cut at {cut}");
    }
    // The whole message is fine.
    assert!(Response::parse_datagram(&full).is_ok());
}

#[test]
fn truncated_body_is_an_error() {
    let mut msg =
        b"SIP/2.0 200 OK\r\nCall-ID: b@x\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n\r\n"
            .to_vec();
    let head_len = msg.len();
    msg.extend_from_slice(b"0123456789abcdefghij");
    assert_eq!(parse(&msg).body, b"0123456789abcdefghij");
    for present in 0..20 {
        let part = &msg[..head_len + present];
        assert_eq!(
            Response::parse_datagram(part).unwrap_err(),
            ParseError::TruncatedBody {
                declared: 20,
                present
            }
        );
        let mut f = StreamFramer::default();
        f.push(part);
        assert_eq!(f.next_message(), Ok(None), "stream must wait for the body");
    }
}

#[test]
fn content_length_framing_drops_extra_bytes() {
    let mut msg = b"SIP/2.0 200 OK\r\nl: 5\r\nCall-ID: cl@x\r\n\r\nhello".to_vec();
    let exact = msg.len();
    msg.extend_from_slice(b"SIP/2.0 999 junk after the body\r\n\r\n");
    let r = parse(&msg);
    assert_eq!(r.body, b"hello");
    // A stream ends the message at the same byte.
    let mut f = StreamFramer::default();
    f.push(&msg);
    assert_eq!(f.next_message().unwrap().unwrap().len(), exact);
    assert_eq!(r.call_id(), Some("cl@x"));
    // Content-Length: 0 with trailing bytes: an empty body.
    let r = parse(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\ntrailing junk");
    assert!(r.body.is_empty());
    // Without Content-Length a datagram's body is the rest of it (RFC 3261 §18.3).
    let r = parse(b"SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\nrest");
    assert_eq!(r.body, b"rest");
}

/// RFC 4475 `mcl01` (two Content-Length values, 13 and 5), with a status line in place
/// of its request line: sipreg reads responses.
const MCL01: &[u8] = b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\r\n\
To: sip:user@example.com\r\n\
From: sip:other@example.net;tag=3923942\r\n\
Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf\r\n\
CSeq: 15932 OPTIONS\r\n\
Content-Length: 13\r\n\
Max-Forwards: 60\r\n\
Content-Length: 5\r\n\
Content-Type: text/plain\r\n\
\r\n\
There's no way to know how many octets are supposed to be here.\r\n";

#[test]
fn rfc4475_mcl01_conflicting_content_length_in_a_datagram_is_refused() {
    let e = Response::parse_datagram(MCL01).unwrap_err();
    assert_eq!(
        e,
        ParseError::ConflictingContentLength {
            first: 13,
            second: 5
        }
    );
    assert_eq!(
        e.to_string(),
        "conflicting Content-Length headers (13 and 5)"
    );
    assert!(Response::parse(MCL01).is_err());
}

/// On a stream the framer cannot know where the message ends, so neither where the
/// next one starts: an error, and nothing more out of that stream, not even the
/// well-formed message behind it (the connection is dropped by its reader).
#[test]
fn rfc4475_mcl01_on_a_stream_breaks_the_framer_for_good() {
    let good = b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
    let conflict = ParseError::ConflictingContentLength {
        first: 13,
        second: 5,
    };
    for split in 0..=MCL01.len() {
        let mut f = StreamFramer::default();
        f.push(good);
        f.push(&MCL01[..split]);
        assert_eq!(
            f.next_message(),
            Ok(Some(good.to_vec())),
            "split at {split}"
        );
        f.push(&MCL01[split..]);
        f.push(good);
        assert_eq!(f.next_message(), Err(conflict.clone()), "split at {split}");
        f.push(good);
        assert_eq!(f.next_message(), Err(conflict.clone()), "split at {split}");
    }
}

#[test]
fn repeated_identical_content_length_is_accepted() {
    let msg = b"SIP/2.0 200 OK\r\nContent-Length: 5\r\nCall-ID: x\r\nl: 5\r\nContent-Length:   5\r\n\r\nhelloEXTRA";
    assert_eq!(parse(msg).body, b"hello");
    let mut f = StreamFramer::default();
    f.push(msg);
    let m = f.next_message().unwrap().unwrap();
    assert_eq!(m.len(), msg.len() - b"EXTRA".len());
    assert_eq!(Response::parse(&m).unwrap().body, b"hello");
}

#[test]
fn stream_framer_splits_coalesced_messages_at_every_split_point() {
    let a = wire(ASTERISK_200);
    let b = b"SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nxyz".to_vec();
    let c = wire(AVAYA_401);
    let mut stream = a.clone();
    stream.extend_from_slice(b"\r\n\r\n"); // RFC 5626 keep-alive between messages
    stream.extend_from_slice(&b);
    stream.extend_from_slice(&c);
    for split in 0..=stream.len() {
        let mut f = StreamFramer::default();
        let mut out = Vec::new();
        for chunk in [&stream[..split], &stream[split..]] {
            f.push(chunk);
            while let Some(m) = f.next_message().unwrap() {
                out.push(m);
            }
        }
        assert_eq!(out.len(), 3, "split at {split}");
        assert_eq!(out[0], a);
        assert_eq!(out[1], b);
        assert_eq!(out[2], c);
    }
    // Content-Length is mandatory on a stream.
    let mut f = StreamFramer::default();
    f.push(b"SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n");
    assert_eq!(f.next_message(), Err(ParseError::Missing("Content-Length")));
}

// ---------------------------------------------------------------------------------
// 2. Field traces (Avaya SES, Asterisk)
// ---------------------------------------------------------------------------------

#[test]
fn avaya_401_challenge_with_domain() {
    let r = parse_fixture(AVAYA_401);
    assert_eq!((r.status, r.reason.as_str()), (401, "Unauthorized"));
    assert!(r.is_final());
    let (found, skipped) = r.challenges();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(found.len(), 1);
    let c = &found[0];
    assert!(matches!(c.kind, ChallengeKind::Www));
    assert_eq!(c.realm, "iptlab.com");
    assert_eq!(c.domain.as_deref(), Some("iptlab.com"));
    assert_eq!(
        c.nonce,
        "MTIxNDIzMjQ0NTpTREZTZXJ2ZXJTZWNyZXRLZXk6NjI4Nzc4MzYx"
    );
    assert_eq!(c.algorithm, "MD5");
    assert!(c.qop.is_empty());
    assert_eq!(c.opaque, None);
    // The dialog fields the core matches on.
    assert_eq!(r.cseq().unwrap(), (1820884953, "REGISTER"));
    assert_eq!(
        r.call_id(),
        Some("bd70c8844106327501446a65cc257abe@10.0.13.244")
    );
    assert_eq!(
        r.to_tag().as_deref(),
        Some("FF78C5D3F514954FB230386A2A1F650E121423244546955")
    );
    let via = r.top_via().unwrap();
    assert_eq!(via.branch(), Some("z9hG4bK2e8f4cae1"));
    assert_eq!(via.received(), Some("10.0.13.244"));
    assert_eq!(r.header("server"), Some("Avaya SIP Enablement Services"));
}

#[test]
fn asterisk_401_challenge_algorithm_first() {
    let r = parse_fixture(ASTERISK_401);
    assert_eq!(r.status, 401);
    let (found, skipped) = r.challenges();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].algorithm, "MD5");
    assert_eq!(found[0].realm, "iptlab.com");
    assert_eq!(found[0].nonce, "3963cd8c");
    assert_eq!(found[0].domain, None);
    assert_eq!(r.to_tag().as_deref(), Some("as3d641827"));
    assert_eq!(r.cseq().unwrap(), (395083480, "REGISTER"));
    let via = r.top_via().unwrap();
    assert_eq!(via.port, Some(5060));
    assert_eq!(via.branch(), Some("z9hG4bK5433d84ee"));
    assert_eq!(via.received(), Some("10.0.14.250"));
}

#[test]
fn avaya_200_contact_with_unquoted_display_name() {
    let r = parse_fixture(AVAYA_200);
    assert_eq!((r.status, r.reason.as_str()), (200, "OK"));
    let cs = ok_contacts(&r);
    assert_eq!(cs.len(), 1);
    assert_eq!(
        cs[0].display_name.as_deref(),
        Some("Karen Filippelli 24001")
    );
    assert_eq!(cs[0].raw_uri, "sip:24001@10.0.13.244");
    assert_eq!(cs[0].uri.user.as_deref(), Some("24001"));
    assert_eq!(cs[0].uri.host, Host::V4("10.0.13.244".parse().unwrap()));
    assert_eq!(cs[0].expires(), Some(360));
    assert_eq!(r.expires(), None, "no Expires header in this trace");
    assert_eq!(r.cseq().unwrap().0, 1820884954);
    assert_eq!(r.top_via().unwrap().branch(), Some("z9hG4bKd9332f9b3"));
    assert_eq!(r.header("date"), Some("Mon, 23 Jun 2008 14:47:25 GMT"));
}

#[test]
fn asterisk_200_expires_header_and_contact_expires() {
    let r = parse_fixture(ASTERISK_200);
    assert_eq!(r.status, 200);
    assert_eq!(r.expires(), Some(3600));
    let cs = ok_contacts(&r);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].raw_uri, "sip:60002@10.0.14.250:5060");
    assert_eq!(cs[0].uri.port, Some(5060));
    assert_eq!(cs[0].display_name, None);
    assert_eq!(cs[0].expires(), Some(3600));
    assert_eq!(r.list("supported"), vec!["replaces"]);
    assert_eq!(r.header("user-agent"), Some("Asterisk PBX"));
    assert!(r.body.is_empty());
}

#[test]
fn allow_as_one_comma_list_and_as_many_lines() {
    let expected_asterisk = [
        "INVITE",
        "ACK",
        "CANCEL",
        "OPTIONS",
        "BYE",
        "REFER",
        "SUBSCRIBE",
        "NOTIFY",
    ];
    assert_eq!(parse_fixture(ASTERISK_200).list("allow"), expected_asterisk);
    assert_eq!(parse_fixture(ASTERISK_401).list("allow"), expected_asterisk);
    // The Avaya phone sends one method per Allow line.
    let r = parse(&as_response(AVAYA_REGISTER));
    assert_eq!(r.all("allow").count(), 7);
    assert_eq!(
        r.list("allow"),
        ["NOTIFY", "REFER", "OPTIONS", "INVITE", "ACK", "CANCEL", "BYE"]
    );
    assert_eq!(r.header("ALLOW"), Some("NOTIFY"));
}

#[test]
fn authorization_without_space_after_colon() {
    let r = parse(&as_response(AVAYA_REGISTER_AUTH));
    let auth = r.header("authorization").unwrap();
    assert!(
        auth.starts_with("Digest response=\"2a144ebfdd56c7c0f6e4fa2045cb85ad\""),
        "{auth}"
    );
    assert!(auth.ends_with("uri=\"sip:iptlab.com\""), "{auth}");
    assert_eq!(
        r.header("user-agent"),
        Some("Elite 1.0 Brcm Callctrl/1.5.1.0 MxSF/v3.2.6.26")
    );
}

#[test]
fn field_traces_survive_the_stream_framer() {
    for fixture in [AVAYA_401, AVAYA_200, ASTERISK_401, ASTERISK_200] {
        let bytes = wire(fixture);
        let mut f = StreamFramer::default();
        for b in &bytes {
            f.push(std::slice::from_ref(b));
            if let Some(m) = f.next_message().unwrap() {
                assert_eq!(m, bytes);
                let r = Response::parse(&m).unwrap();
                assert!(r.call_id().is_some());
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// RFC 3261 §19.1.4 URI equivalence
// ---------------------------------------------------------------------------------

fn equivalent(a: &str, b: &str) -> bool {
    let (a, b) = (uri(a), uri(b));
    let forward = a.equivalent(&b);
    assert_eq!(forward, b.equivalent(&a), "equivalence must be symmetric");
    forward
}

#[test]
fn rfc3261_equivalent_uri_pairs() {
    for (a, b) in [
        (
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp",
        ),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"),
        (
            "sip:carol@chicago.com;newparam=5",
            "sip:carol@chicago.com;security=on",
        ),
        (
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ),
        (
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ),
        // Not in the RFC's list, but by its rules: IPv6 compares by address value.
        ("sip:a@[2001:db8::10]", "sip:a@[2001:DB8:0:0::10]"),
    ] {
        assert!(equivalent(a, b), "{a} should be equivalent to {b}");
        assert!(equivalent(a, a), "{a} should be equivalent to itself");
    }
}

#[test]
fn rfc3261_non_equivalent_uri_pairs() {
    for (a, b, why) in [
        (
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP",
            "different usernames",
        ),
        (
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com:5060",
            "can resolve to different ports",
        ),
        (
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com;transport=udp",
            "can resolve to different transports",
        ),
        (
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com:6000;transport=tcp",
            "different port and transport",
        ),
        (
            "sip:bob@phone21.boxesbybob.com",
            "sip:bob@192.0.2.4",
            "no DNS resolution in comparison",
        ),
        ("sips:bob@biloxi.com", "sip:bob@biloxi.com", "scheme"),
        (
            "sip:bob@biloxi.com;maddr=192.0.2.1",
            "sip:bob@biloxi.com",
            "maddr on one side",
        ),
        (
            "sip:bob@biloxi.com;user=phone",
            "sip:bob@biloxi.com",
            "user param on one side",
        ),
        (
            "sip:bob@biloxi.com;ttl=5",
            "sip:bob@biloxi.com",
            "ttl on one side",
        ),
        (
            "sip:bob@biloxi.com;method=INVITE",
            "sip:bob@biloxi.com",
            "method on one side",
        ),
        (
            "sip:a%40b@biloxi.com",
            "sip:a@biloxi.com",
            "escaped @ is part of the user",
        ),
    ] {
        assert!(!equivalent(a, b), "{a} vs {b}: {why}");
    }
}

#[test]
fn rfc3261_uri_equivalence_is_not_transitive() {
    let (on, off, plain) = (
        "sip:carol@chicago.com;security=on",
        "sip:carol@chicago.com;security=off",
        "sip:carol@chicago.com",
    );
    assert!(equivalent(plain, on));
    assert!(equivalent(plain, off));
    assert!(!equivalent(on, off));
}

#[test]

fn rfc3261_header_component_breaks_equivalence() {
    assert!(
        !equivalent(
            "sip:carol@chicago.com",
            "sip:carol@chicago.com?Subject=next%20meeting"
        ),
        "different header component: RFC 3261 §19.1.4 says not equivalent"
    );
    let u = uri("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com");
    assert!(
        u.to_string().contains("?to="),
        "headers lost in printing: {u}"
    );
}

// ---------------------------------------------------------------------------------
// 3. RFC 4475-style hostile input: Err or a sensible Ok, never a panic
// ---------------------------------------------------------------------------------

#[test]
fn hostile_garbage_text() {
    let r = exercise(b"lkjasdf 2o3i4u;lkj ;'sdf\r\nmore garbage\r\n\r\n");
    assert!(matches!(r, Err(ParseError::StatusLine(_))), "{r:?}");
}

#[test]
fn hostile_binary_bytes() {
    let all: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
    assert!(exercise(&all).is_err());
    let mut framed_binary = b"SIP/2.0 200 OK\r\nContent-Length: 256\r\n\r\n".to_vec();
    framed_binary.extend(0..=255u8);
    let r = exercise(&framed_binary).expect("a binary body is fine");
    assert_eq!(r.body.len(), 256);
    // Binary in the head is not text.
    let r = exercise(b"SIP/2.0 200 OK\r\nSubject: \x80\x81\xfe\xff\r\n\r\n");
    assert_eq!(r.unwrap_err(), ParseError::NotText);
}

#[test]
fn hostile_nul_bytes() {
    let r = exercise(
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1\0;branch=z9hG4bKnul\r\nContent-Length: 0\r\n\r\n",
    )
    .expect("NUL in a value still frames");
    assert!(r.top_via().is_err(), "a NUL inside sent-by is not a Via");
    let r = exercise(b"SIP/2.0 200 OK\r\nV\0ia: x\r\n\r\n");
    assert!(matches!(r, Err(ParseError::HeaderLine(_))), "{r:?}");
    let r = exercise(b"SIP/2.0 200 OK\0\r\n\r\n");
    assert!(matches!(r, Ok(_) | Err(ParseError::StatusLine(_))), "{r:?}");
    assert!(exercise(&[0u8; 64]).is_err());
}

#[test]
fn hostile_empty_datagram() {
    assert_eq!(exercise(b"").unwrap_err(), ParseError::Incomplete);
    assert_eq!(Response::parse(b"").unwrap_err(), ParseError::Incomplete);
    let mut f = StreamFramer::default();
    f.push(b"");
    assert_eq!(f.next_message(), Ok(None));
}

#[test]
fn hostile_only_crlfs() {
    for n in [1, 2, 4, 5, 100] {
        let bytes = b"\r\n".repeat(n);
        assert!(exercise(&bytes).is_err(), "{n} CRLFs");
        // On a stream they are keep-alives (RFC 5626 §4.4.1), not a message.
        let mut f = StreamFramer::default();
        f.push(&bytes);
        assert_eq!(f.next_message(), Ok(None));
    }
}

#[test]
fn hostile_status_code_with_two_or_four_digits() {
    for line in [
        "SIP/2.0 20 OK",
        "SIP/2.0 2000 OK",
        "SIP/2.0 099 Low",
        "SIP/2.0 700 High",
        "SIP/2.0 +20 Plus",
        "SIP/2.0 2x0 Hex",
        "SIP/2.0  200 Two spaces",
        "SIP/3.0 200 OK",
        "SIP/2.0",
        "SIP/2.0200 OK",
    ] {
        let msg = format!("{line}\r\nContent-Length: 0\r\n\r\n");
        let r = exercise(msg.as_bytes());
        assert!(
            matches!(r, Err(ParseError::StatusLine(_))),
            "{line:?}: {r:?}"
        );
    }
    // A status line without reason phrase is valid (Reason-Phrase may be empty).
    let r = exercise(b"SIP/2.0 200\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!((r.status, r.reason.as_str()), (200, ""));
}

#[test]
fn hostile_request_instead_of_response() {
    let bytes = wire(AVAYA_REGISTER);
    let r = exercise(&bytes);
    assert!(matches!(r, Err(ParseError::StatusLine(_))), "{r:?}");
}

#[test]
fn hostile_content_length_values() {
    for (value, bad) in [
        ("-1", "-1"),
        ("abc", "abc"),
        ("", ""),
        ("1 2", "1 2"),
        ("0x10", "0x10"),
        ("99999999999999999999999999", "99999999999999999999999999"),
    ] {
        let msg = format!("SIP/2.0 200 OK\r\nContent-Length: {value}\r\n\r\n");
        assert_eq!(
            exercise(msg.as_bytes()).unwrap_err(),
            ParseError::ContentLength(bad.to_string()),
            "{value:?}"
        );
        let mut f = StreamFramer::default();
        f.push(msg.as_bytes());
        assert!(f.next_message().is_err(), "stream accepted {value:?}");
    }
    // Numeric but larger than anything we accept: truncated on a datagram, too large
    // on a stream (it would never complete).
    let msg = b"SIP/2.0 200 OK\r\nContent-Length: 4294967296\r\n\r\n";
    assert!(matches!(
        exercise(msg),
        Err(ParseError::TruncatedBody { .. } | ParseError::TooLarge { .. })
    ));
    let mut f = StreamFramer::default();
    f.push(msg);
    assert!(matches!(f.next_message(), Err(ParseError::TooLarge { .. })));
    let mut f = StreamFramer::default();
    f.push(format!("SIP/2.0 200 OK\r\nContent-Length: {}\r\n\r\n", usize::MAX).as_bytes());
    assert!(matches!(f.next_message(), Err(ParseError::TooLarge { .. })));
}

#[test]
fn hostile_via_without_branch() {
    let r = exercise(
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    let via = r.top_via().unwrap();
    assert_eq!(via.branch(), None);
    assert_eq!(via.port, Some(5060));
    // A valueless branch is not a branch value either.
    let via = Via::parse("SIP/2.0/UDP 192.0.2.1;branch").unwrap();
    assert_eq!(via.branch(), None);
    // Missing sent-by or protocol: errors.
    for bad in [
        "SIP/2.0/UDP",
        "SIP/2.0 192.0.2.1",
        "192.0.2.1;branch=z9hG4bK1",
        "",
    ] {
        assert!(Via::parse(bad).is_err(), "{bad:?}");
    }
    let r = exercise(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!(r.top_via().unwrap_err(), ParseError::Missing("Via"));
}

#[test]
fn hostile_cseq_without_method() {
    for value in [
        "1",
        "REGISTER",
        "",
        "x REGISTER",
        "4294967296 REGISTER",
        "-1 REGISTER",
    ] {
        let msg = format!("SIP/2.0 200 OK\r\nCSeq: {value}\r\nContent-Length: 0\r\n\r\n");
        let r = exercise(msg.as_bytes()).unwrap();
        assert!(
            matches!(r.cseq(), Err(ParseError::Header { header: "CSeq", .. })),
            "{value:?}: {:?}",
            r.cseq()
        );
    }
    let r = exercise(b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n").unwrap();
    assert_eq!(r.cseq().unwrap_err(), ParseError::Missing("CSeq"));
}

#[test]
fn hostile_ten_thousand_headers() {
    let mut msg = b"SIP/2.0 200 OK\r\nCall-ID: many@x\r\n".to_vec();
    for i in 0..10_000 {
        msg.extend_from_slice(if i % 2 == 0 { b"a:1\r\n" } else { b"m:*\r\n" });
    }
    msg.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    assert!(msg.len() <= MAX_MESSAGE_SIZE);
    let r = exercise(&msg).unwrap();
    assert_eq!(r.headers().len(), 10_002);
    assert_eq!(r.all("a").count(), 5_000);
    assert!(r.contacts().is_empty(), "`*` is not a binding");
    assert_eq!(r.call_id(), Some("many@x"));
}

#[test]
fn hostile_seventy_thousand_byte_message() {
    let mut msg = b"SIP/2.0 200 OK\r\nContent-Length: 69950\r\n\r\n".to_vec();
    msg.resize(70_000, b'x');
    let too_large = ParseError::TooLarge {
        size: 70_000,
        limit: MAX_MESSAGE_SIZE,
    };
    assert_eq!(Response::parse_datagram(&msg).unwrap_err(), too_large);
    assert_eq!(Response::parse(&msg).unwrap_err(), too_large);
    let mut f = StreamFramer::default();
    f.push(&msg);
    assert!(matches!(f.next_message(), Err(ParseError::TooLarge { .. })));
    // A head that never ends is refused once it passes the limit.
    let mut f = StreamFramer::default();
    f.push(b"SIP/2.0 200 OK\r\n");
    f.push(&b"X: y\r\n".repeat(12_000));
    assert!(matches!(f.next_message(), Err(ParseError::TooLarge { .. })));
    // Exactly at the limit is still accepted.
    let head = b"SIP/2.0 200 OK\r\nContent-Length: ";
    let body_len = MAX_MESSAGE_SIZE - head.len() - 5 - 4; // "NNNNN" and CRLFCRLF
    let mut exact = format!("SIP/2.0 200 OK\r\nContent-Length: {body_len}\r\n\r\n").into_bytes();
    exact.resize(MAX_MESSAGE_SIZE, b'b');
    assert_eq!(exercise(&exact).unwrap().body.len(), body_len);
}

#[test]
fn hostile_unterminated_quote_in_challenge() {
    let r = exercise(
        b"SIP/2.0 401 Unauthorized\r\n\
          WWW-Authenticate: Digest realm=\"iptlab.com, nonce=\"abc\r\n\
          WWW-Authenticate: Digest realm=\"fine\", nonce=\"n1\"\r\n\
          WWW-Authenticate: Digest realm=\"\r\n\
          Content-Length: 0\r\n\r\n",
    )
    .unwrap();
    let (found, skipped) = r.challenges();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].realm, "fine");
    assert_eq!(found[0].nonce, "n1");
    assert_eq!(skipped.len(), 2, "{skipped:?}");
}

#[test]

fn challenge_with_unterminated_last_quote_is_skipped() {
    for value in [
        r#"Digest realm="r", nonce="abc"#,
        r#"Digest nonce="n", realm="r"#,
    ] {
        let msg = format!("SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: {value}\r\n\r\n");
        let r = exercise(msg.as_bytes()).unwrap();
        let (found, skipped) = r.challenges();
        assert!(found.is_empty(), "{value}: accepted as {found:?}");
        assert_eq!(skipped.len(), 1);
    }
}

#[test]

fn challenge_with_escaped_quote_in_realm() {
    let r = exercise(
        b"SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"Bob \\\"B\\\" Ltd\", nonce=\"n\"\r\n\r\n",
    )
    .unwrap();
    let (found, skipped) = r.challenges();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(found[0].realm, r#"Bob "B" Ltd"#);
}

#[test]
fn hostile_contact_angle_bracket_never_closed() {
    let r = exercise(
        b"SIP/2.0 200 OK\r\nContact: <sip:a@192.0.2.1;expires=30, <sip:b@192.0.2.2>;expires=60\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    let cs = r.contacts();
    assert!(!cs.is_empty());
    assert!(cs.iter().any(|c| c.is_err()), "{cs:?}");
    for bad in ["<sip:a@b", "sip:a@b>", "<>", "<", ">", "<sip:a@b>;p=\"open"] {
        assert!(ContactValue::parse(bad).is_err(), "{bad:?}");
    }
    // A stray quote before the name-addr: read leniently, but the URI must be right.
    if let Ok(c) = ContactValue::parse("\"unterminated <sip:a@b>;expires=5") {
        assert_eq!(c.raw_uri, "sip:a@b");
        assert_eq!(c.expires(), Some(5));
    }
}

#[test]
fn hostile_uri_with_300_character_host() {
    let host = format!("{}.example.com", "h".repeat(300));
    let text = format!("sip:alice@{host}:5060");
    match text.parse::<SipUri>() {
        Ok(u) => {
            assert_eq!(u.host, Host::Name(host.clone()));
            assert_eq!(u.to_string(), text);
        }
        Err(e) => assert!(matches!(e, ParseError::Uri(_))),
    }
    let msg = format!(
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP {host};branch=z9hG4bKlong\r\nContact: <{text}>\r\nContent-Length: 0\r\n\r\n"
    );
    let r = exercise(msg.as_bytes()).unwrap();
    if let Ok(via) = r.top_via() {
        assert_eq!(via.host.to_string(), host);
    }
}

#[test]
fn hostile_percent_escapes() {
    // An escape in the host is not a host name.
    assert!("sip:alice@%ZZ.example.com".parse::<SipUri>().is_err());
    assert!("sip:alice@exa%41mple.com".parse::<SipUri>().is_err());
    // Escapes in user and parameters: valid ones are decoded, a bad one is kept as text,
    // and whatever is read prints to a form that reads back the same.
    assert_eq!(uri("sip:%61lice@x").user.as_deref(), Some("alice"));
    for text in [
        "sip:%ZZ@example.com",
        "sip:al%2@example.com",
        "sip:a%@example.com",
        "sip:alice@example.com;foo=%ZZ",
        "sip:alice@example.com;foo=%4",
        "sip:%E2%82%AC@example.com",
        "sip:%00@example.com",
    ] {
        if let Ok(u) = text.parse::<SipUri>() {
            let printed = u.to_string();
            assert_eq!(uri(&printed), u, "{text} printed as {printed}");
        }
    }
    // Invalid UTF-8 once decoded: an error, not a panic.
    assert!("sip:%FF%FE@example.com".parse::<SipUri>().is_err());
}

#[test]
fn hostile_invalid_utf8_in_header_value() {
    let r = exercise(b"SIP/2.0 200 OK\r\nContact: <sip:\xc3\x28@x>\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.unwrap_err(), ParseError::NotText);
    // Valid UTF-8 that is not ASCII is fine in a display name.
    let r = exercise(
        "SIP/2.0 200 OK\r\nContact: \"Jürgen Größe\" <sip:j@x>;expires=5\r\nContent-Length: 0\r\n\r\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        ok_contacts(&r)[0].display_name.as_deref(),
        Some("Jürgen Größe")
    );
}

#[test]
fn hostile_header_lines_without_name_or_colon() {
    for line in [
        "Junk",
        ": empty name",
        "Bad Name: x",
        "Via\u{7f}: x",
        "<sip:a@b>: x",
    ] {
        let msg = format!("SIP/2.0 200 OK\r\n{line}\r\nContent-Length: 0\r\n\r\n");
        let r = exercise(msg.as_bytes());
        assert!(
            matches!(r, Err(ParseError::HeaderLine(_))),
            "{line:?}: {r:?}"
        );
    }
}

#[test]
fn hostile_bad_numbers_in_accessors() {
    let r = exercise(
        b"SIP/2.0 200 OK\r\nExpires: -1\r\nMin-Expires: 4294967296\r\nRetry-After: soon\r\n\
          Contact: <sip:a@x>;expires=abc;q=NaNx\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    assert_eq!(r.expires(), None);
    assert_eq!(r.min_expires(), None);
    assert_eq!(r.retry_after(), None);
    let c = &ok_contacts(&r)[0];
    assert_eq!(c.expires(), None);
    assert_eq!(c.q(), None);
}

#[test]
fn min_expires_and_retry_after() {
    let r = parse_fixture(INTERVAL_423);
    assert_eq!(r.status, 423);
    assert_eq!(r.min_expires(), Some(1800));
    let r = parse_fixture(UNAVAILABLE_503);
    assert_eq!(r.status, 503);
    assert_eq!(r.retry_after(), Some(120));
}

#[test]
fn rfc4475_wsinv_whitespace_and_folding() {
    let r = parse_fixture(WSINV_200);
    assert_eq!(r.call_id(), Some("wsinv.ndaksdj@192.0.2.1"));
    assert_eq!(r.cseq().unwrap(), (9, "REGISTER"));
    assert_eq!(r.to_tag().as_deref(), Some("1918181833n"));
    let via = r.top_via().unwrap();
    assert_eq!(via.transport, "UDP");
    assert_eq!(via.host, Host::V4("192.0.2.2".parse().unwrap()));
    assert_eq!(via.branch(), Some("390skdjuw"));
    assert_eq!(r.all("via").count(), 2);
    assert_eq!(
        r.header("newfangledheader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(r.header("subject"), Some(""));
    assert_eq!(r.header("UnknownHeaderWithUnusualValue"), Some(";;,,;;,;"));
    assert_eq!(r.header("max-forwards"), Some("0068"));
    // The second Via line holds two values separated by a comma.
    let vias: Vec<_> = r.all("via").flat_map(split_list).collect();
    assert_eq!(vias.len(), 3, "{vias:?}");
    let second = Via::parse(vias[1]).unwrap();
    assert_eq!(second.transport, "TCP");
    assert_eq!(second.branch(), Some("z9hG4bK9ikj8"));
}

// ---------------------------------------------------------------------------------
// Known defects (reported, not fixed here): each asserts the correct behaviour
// ---------------------------------------------------------------------------------

#[test]

fn contact_with_escaped_quotes_parses() {
    // RFC 4475 §3.1.1.1 (wsinv) has this exact Contact; RFC 3261 §25.1 quoted-pair.
    let r = parse_fixture(WSINV_200);
    let cs = ok_contacts(&r);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].raw_uri, "sip:jdrosen@example.com");
    assert_eq!(cs[0].q(), Some(0.33));
    assert!(cs[0].params.contains("secondparam"));
    let c = ContactValue::parse(r#"<sip:a@x>;note="say \"hi\"";expires=5"#).unwrap();
    assert_eq!(c.expires(), Some(5));
}

#[test]

fn framer_ignores_content_length_inside_a_folded_line() {
    // `Subject: see below` folded onto a continuation line that reads like a compact
    // Content-Length. Response::parse rightly reads one Subject header.
    let msg =
        b"SIP/2.0 200 OK\r\nSubject: see below\r\n l: not-a-length\r\nContent-Length: 0\r\n\r\n";
    let r = Response::parse(msg).unwrap();
    assert_eq!(r.header("subject"), Some("see below l: not-a-length"));
    assert!(parse(msg).body.is_empty());
    // Worse: a folded `l: 4` would silently move the end of the message.
    let msg = b"SIP/2.0 200 OK\r\nContent-Length: 0\r\nSubject: x\r\n l: 4\r\n\r\nbody";
    assert!(parse(msg).body.is_empty());
    let mut f = StreamFramer::default();
    f.push(msg);
    assert_eq!(f.next_message().unwrap().unwrap().len(), msg.len() - 4);
}

#[test]

fn mixed_line_ending_head_end_agrees() {
    let msg = b"SIP/2.0 200 OK\r\nContent-Length: 4\r\n\nbody";
    assert_eq!(parse(msg).body, b"body");
    // A header line ended by a bare LF, then an empty CRLF line: the head ends there,
    // for the framer as for the parser, and what follows is body.
    let msg = b"SIP/2.0 200 OK\r\nCall-ID: m@x\n\r\nl: 3\r\n\r\nhello";
    let r = parse(msg);
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.body, b"l: 3\r\n\r\nhello");
    let mut f = StreamFramer::default();
    f.push(b"SIP/2.0 200 OK\r\nl: 2\n\r\nhi");
    assert_eq!(
        f.next_message().unwrap().unwrap(),
        b"SIP/2.0 200 OK\r\nl: 2\n\r\nhi"
    );
}

#[test]

fn reason_phrase_never_holds_line_breaks() {
    if let Ok(r) = Response::parse(b"SIP/2.0 200 OK\r\n injected: line\r\n\r\n") {
        assert!(!r.reason.contains(['\r', '\n']), "{:?}", r.reason);
    }
}

#[test]

fn to_tag_with_quoted_parameter_holding_angle_bracket() {
    let r = parse(
        b"SIP/2.0 200 OK\r\nTo: <sip:a@x>;tag=abc;note=\"1 > 0\"\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(r.to_tag().as_deref(), Some("abc"));
}
