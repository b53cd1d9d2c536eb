//! Durations of the command line in the units the core counts in.

use crate::core::Timers;
use crate::error::{Error, Result};
use std::time::Duration;

/// The transaction timers: RFC 3261's defaults, with `--timeout` as Timer F when given.
pub fn timers(timeout: Option<Duration>) -> Timers {
    let mut timers = Timers::default();
    if let Some(t) = timeout {
        timers.timeout = t;
    }
    timers
}

/// `-e` in the whole seconds an Expires header carries.
pub fn expires_secs(expires: Duration) -> Result<u32> {
    // Expires is whole seconds (RFC 3261 §20.19); 0 would remove the binding, which
    // is what `unregister` is for.
    if expires < Duration::from_secs(1) {
        return Err(Error::Usage(format!(
            "--expires {} would remove the binding: give at least 1 second (sipreg unregister removes bindings)",
            humantime::format_duration(expires)
        )));
    }
    if expires.subsec_nanos() != 0 {
        return Err(Error::Usage(format!(
            "--expires {} is not whole seconds: SIP grants seconds (e.g. 90 or 90s)",
            humantime::format_duration(expires)
        )));
    }
    u32::try_from(expires.as_secs())
        .map_err(|_| Error::Usage("--expires is too long: at most 4294967295 seconds".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_sets_timer_f_only() {
        assert_eq!(timers(None), Timers::default());
        let t = timers(Some(Duration::from_secs(5)));
        assert_eq!(t.timeout, Duration::from_secs(5));
        assert_eq!(t.t1, Timers::default().t1);
    }

    #[test]
    fn expires_fits_an_expires_header() {
        assert_eq!(expires_secs(Duration::from_secs(3600)).unwrap(), 3600);
        let e = expires_secs(Duration::from_secs(u64::from(u32::MAX) + 1)).unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
    }
}
