//! STUN answers to our keep-alives: success, error, anything else.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::core::stun;

fuzz_target!(|data: &[u8]| {
    let _ = stun::is_stun(data);
    let _ = stun::transaction_id(data);
    let _ = stun::parse_binding_success(data);
    let _ = stun::parse_binding_error(data);
});
