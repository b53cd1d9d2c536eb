//! The CPU time this process has used, user and system together (getrusage).

use std::time::Duration;

/// CPU time used by the whole process so far; None where getrusage is unavailable.
pub fn process_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes a whole rusage into the pointer it is given, which
        // points at memory of exactly that type; we read it only when it succeeded.
        let usage = unsafe {
            if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
                return None;
            }
            usage.assume_init()
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec.max(0) as u64)
                + Duration::from_micros(t.tv_usec.max(0) as u64)
        };
        Some(time(usage.ru_utime) + time(usage.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work() {
        let before = process_cpu_time().expect("getrusage works on this system");
        // Work until the counter moves; bounded, so a counter that never moves fails
        // the test instead of hanging it.
        let give_up = std::time::Instant::now() + Duration::from_secs(5);
        let mut x = 0u64;
        let mut after = before;
        while after == before && std::time::Instant::now() < give_up {
            for _ in 0..100_000 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            std::hint::black_box(x);
            after = process_cpu_time().unwrap();
        }
        assert!(after > before, "{before:?} -> {after:?}");
    }
}
