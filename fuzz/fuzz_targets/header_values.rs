//! Header values print then parse: a REGISTER written with fuzzer-chosen URIs (Contact,
//! AOR, Route), Via branch, From tag and Contact parameters reads back, as a response
//! with the same headers would be read, to the same things: the Contact an equivalent
//! URI with its parameters, the branch the same for both Via readers, the From URI
//! and tag as written.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::sip::{tag_of, OutgoingRequest, RequestContact, Response, SipUri, ViaSpec};

/// The RFC 3261 §25.1 `token` characters of `s`, what sipreg puts in a branch or tag.
fn token(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(*c))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let Some(Ok(contact)) = lines.next().map(str::parse::<SipUri>) else {
        return;
    };
    let aor: SipUri = lines
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| "sip:alice@sipreg.test".parse().unwrap());
    let route: Option<SipUri> = lines.next().and_then(|l| l.parse().ok());
    let branch = format!("z9hG4bK{}", token(lines.next().unwrap_or("")));
    let from_tag = token(lines.next().unwrap_or("t"));
    if from_tag.is_empty() {
        return;
    }
    // Contact parameters as `token=token`, or a bare token.
    let params: Vec<(String, Option<String>)> = lines
        .filter_map(|l| {
            let (n, v) = match l.split_once('=') {
                Some((n, v)) => (token(n), Some(token(v)).filter(|v| !v.is_empty())),
                None => (token(l), None),
            };
            (!n.is_empty()).then_some((n, v))
        })
        .take(8)
        .collect();
    let wire: Vec<String> = params
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("{n}={v}"),
            None => n.clone(),
        })
        .collect();
    let ruri = aor.domain_uri();
    let request_contact = RequestContact::Uri {
        uri: contact.clone(),
        params: wire,
    };
    let request = OutgoingRequest {
        method: "REGISTER",
        request_uri: &ruri,
        via: ViaSpec {
            transport: "UDP",
            sent_by: "192.0.2.1:5060",
            branch: &branch,
        },
        aor: &aor,
        from_tag: &from_tag,
        call_id: "c@h",
        cseq: 1,
        contact: &request_contact,
        expires: Some(60),
        route: route.as_ref(),
        user_agent: None,
        extra_headers: &[],
        custom_headers: &[],
        display_name: None,
    }
    .encode();
    let text = String::from_utf8(request).expect("a request is text");
    let (_, rest) = text.split_once("\r\n").unwrap();
    let as_response = format!("SIP/2.0 200 OK\r\n{rest}");
    let r = Response::parse_datagram(as_response.as_bytes())
        .unwrap_or_else(|e| panic!("our request does not read back ({e}): {text:?}"));

    let full = r.top_via().expect("our Via reads back");
    assert_eq!(full.branch(), Some(branch.as_str()), "{text:?}");
    assert_eq!(r.top_via_branch(), Some(branch.as_str()), "{text:?}");

    let contacts = r.contacts();
    let [Ok(c)] = &contacts[..] else {
        panic!("our Contact does not read back as one: {contacts:?} from {text:?}");
    };
    assert!(c.uri.equivalent(&contact), "{:?} vs {contact:?}", c.uri);
    assert_eq!(c.uri, contact, "{text:?}");
    for (n, v) in &params {
        assert!(
            c.params.0.iter().any(|(m, w)| m == n && w == v),
            "Contact parameter {n}={v:?} lost: {text:?}"
        );
    }

    let from = r.header("from").expect("From");
    assert_eq!(tag_of(from), Some(from_tag.as_str()), "{from:?}");
    let from_uri: SipUri = from[1..from.rfind('>').unwrap()]
        .parse()
        .unwrap_or_else(|e| panic!("From URI does not read back ({e}): {from:?}"));
    assert!(from_uri.equivalent(&aor), "{from_uri:?} vs {aor:?}");
    assert_eq!(r.to_tag(), None, "{text:?}");
});
