use sipreg::sip::*;

fn c(s: &str) { println!("{s:?}\n   -> {:?}", ContactValue::parse(s)); }
fn v(s: &str) { println!("{s:?}\n   -> {:?}", Via::parse(s)); }
fn eq(a: &str, b: &str) { let x: Result<SipUri,_> = a.parse(); let y: Result<SipUri,_> = b.parse(); println!("{a} ~ {b}: {:?}", x.and_then(|x| y.map(|y| (x.equivalent(&y), y.equivalent(&x))))); }

#[test]
fn explore() {
    c(r#""Doe, J" <sip:a@x>;expires=3"#);
    c(r#"<sip:a@x;p=1,2>;expires=3"#);
    c(r#"<sip:a,b@x>;expires=3"#);
    c(r#"<sip:a@x>;expires=3;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>""#);
    c(r#""Quoted string \"\"" <sip:jdrosen@example.com>"#);
    c(r#"<sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33"#);
    c(r#"<sip:jdrosen@example.com>;newparam=newvalue;secondparam;q=0.33"#);
    c(r#"<sip:jdrosen@example.com> ;q=0.33"#);
    c(r#"<sip:jdrosen@example.com>; q=0.33"#);
    c(r#"<sip:jdrosen@example.com>;q =0.33"#);
    c(r#"<sip:jdrosen@example.com>;q= 0.33"#);
    c(r#"<sip:a@x>;foo="a,b";expires=5"#);
    c(r#"<sip:a@x>;foo="a;b";expires=5"#);
    c(r#"<sip:a@x>;foo="a\"b";expires=5"#);
    c("sip:a@x;expires=5");
    c("<sip:a@[2001:db8::10]:5060;transport=tcp>;expires=5");
    c("*");
    c("<sip:a@x>;expires=-5");
    c("<sip:a@x>;expires=abc;q=xyz");
    c("<sip:a@x>;expires=99999999999");
    c("<sip:a@x>;q=NaN");
    c("<sip:a@x>;q=inf");
    c("<tel:+123>");
    c("sip:a@x?foo=bar;expires=5");
    v("SIP/2.0/UDP 192.0.2.1");
    v("SIP/2.0/UDP 192.0.2.1;branch");
    v("SIP/2.0/UDP 192.0.2.1;rport=99999999");
    v("SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw");
    v("SIP/2.0/UDP 192.0.2.1 ; branch = z9hG4bKx");
    v("SIP/2.0/TCP spindle.example.com ; branch = z9hG4bK9ikj8");
    v("SIP/2.0/UDP [2001:db8::10]");
    v("SIP/2.0/UDP 2001:db8::10");
    v("SIP/3.0/UDP 1.2.3.4");
    eq("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp");
    eq("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5");
    eq("sip:carol@chicago.com", "sip:carol@chicago.com;security=on");
    eq("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on");
    eq("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com");
    eq("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x");
    eq("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP");
    eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060");
    eq("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp");
    eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp");
    eq("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting");
    eq("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4");
    eq("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off");
    eq("sip:carol@chicago.com", "sip:carol@chicago.com;security=off");
    eq("sip:a@[2001:db8::10]", "sip:a@[2001:DB8:0::10]");
    eq("sip:a@x;lr", "sip:a@x;lr=on");
    eq("sip:a@x;maddr=1.2.3.4", "sip:a@x");
    eq("sip:a@x;user=phone", "sip:a@x");
    eq("sip:a@x;ttl=5", "sip:a@x");
    eq("sip:a@x;method=INVITE", "sip:a@x");
    eq("sip:a%40b@x", "sip:a@x");
    eq("sip:a@x;foo=%41", "sip:a@x;foo=a");
    eq("sip:a@x;foo=A", "sip:a@x;FOO=a");
}
