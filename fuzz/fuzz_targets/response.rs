//! A datagram as a response: parsing and every accessor the core uses, never a panic;
//! the two readers of the top Via (full parse, cheap view) never disagree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::sip::Response;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Response::parse_datagram(data) {
        if let (Ok(full), Some(view)) = (r.top_via(), r.top_via_view()) {
            assert_eq!(full.branch(), view.branch(), "two readings of one branch");
            assert_eq!(full.rport(), view.rport());
        }
        let _ = r.cseq();
        let _ = r.call_id();
        let _ = r.to_tag();
        let _ = r.contacts();
        for c in r.contact_parts().into_iter().flatten() {
            let _ = c.expires_checked();
            let _ = c.q();
            let _ = c.uri();
        }
        let _ = r.expires();
        let _ = r.min_expires();
        let _ = r.retry_after();
        let _ = r.challenges();
        let _ = r.list("service-route");
    }
});
