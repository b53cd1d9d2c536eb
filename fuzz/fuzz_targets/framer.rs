//! A byte stream cut at fuzzer-chosen points: the framer yields messages, pongs or an
//! error, never panics, and keeps no more than it was given.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::sip::StreamFramer;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let step = usize::from(cut).max(1);
    let mut framer = StreamFramer::default();
    for chunk in rest.chunks(step) {
        framer.push(chunk);
        // Bounded: each item consumes at least one byte.
        for _ in 0..=rest.len() {
            match framer.next_item() {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
});
