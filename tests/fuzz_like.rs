use sipreg::sip::*;
#[test]
fn explore() {
    for s in [r#""unterminated <sip:a@b>"#, r#""unterminated <sip:a@b>;expires=5"#, r#"<sip:a@b>;foo="unterminated"#, r#"<sip:a@b>;foo="x;expires=5"#] {
        println!("{s:?} -> {:?}", ContactValue::parse(s));
    }
    for s in ["Digest realm=\"ok\", nonce=\"n", "Digest realm=\"ok\", nonce=\"", "Digest realm=\"ok\", nonce=\"abc", "Digest realm=\"ok, nonce=\"abc\"", "Digest realm=\"o\\\"k\", nonce=\"abc\"", "Digest nonce=\"n\", realm=\"r"] {
        let msg = format!("SIP/2.0 401 X\r\nWWW-Authenticate: {s}\r\n\r\n");
        println!("{s:?} -> {:?}", Response::parse(msg.as_bytes()).unwrap().challenges());
    }
}
