//! Enough file descriptors for the connections of a bulk run over TCP or TLS: one
//! connection per AOR quickly passes the usual soft limit of 1024.

/// Descriptors the process needs besides its connections: stdio, the runtime's
/// epoll and wake-up descriptors, the UDP probe, the CA file, DNS sockets. About
/// six are open during a run; the rest is margin.
const HEADROOM: u64 = 32;

/// Makes room for `connections` open connections, raising the soft RLIMIT_NOFILE up
/// to the hard limit when that is needed. Err is the one-line message for the user.
pub fn ensure_room_for(connections: u64) -> Result<(), String> {
    let needed = connections.saturating_add(HEADROOM);
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit into the struct it is pointed at.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            // Not knowing the limit is no reason to refuse: connecting will tell.
            return Ok(());
        }
        // rlim_t is u64 on most targets, u32 on some 32-bit ones; RLIM_INFINITY is
        // its largest value, so it compares as more than enough.
        #[allow(clippy::useless_conversion)]
        let (soft, hard) = (u64::from(limit.rlim_cur), u64::from(limit.rlim_max));
        if soft >= needed {
            return Ok(());
        }
        if hard >= needed {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            // SAFETY: setrlimit reads the struct it is pointed at; raising the soft
            // limit up to the hard one needs no privilege.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                return Ok(());
            }
        }
        Err(format!(
            "{connections} connections need about {needed} file descriptors, but this process may open at most {hard} (ulimit -Hn); share fewer connections with --connections N"
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = needed;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_connections_always_fit_and_too_many_name_the_option() {
        assert_eq!(ensure_room_for(10), Ok(()));
        // Where the hard limit is unlimited, nothing is too many.
        let Err(err) = ensure_room_for(u64::MAX / 2) else {
            return;
        };
        assert!(err.contains("--connections"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}
