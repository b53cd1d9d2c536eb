//! Print then parse gives an equivalent URI (RFC 3261 §19.1.4): what sipreg writes in
//! a request, it reads back as the same thing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::sip::SipUri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = text.parse::<SipUri>() else {
        return;
    };
    let printed = uri.to_string();
    let again: SipUri = printed
        .parse()
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which does not parse: {e}"));
    assert!(
        again.equivalent(&uri),
        "{text:?} printed as {printed:?}, read back as {again:?}"
    );
});
