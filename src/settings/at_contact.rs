//! How the user agent at our contact answers (`--answer`, `--ring`), with the
//! User-Agent and timers every request of ours uses.

use super::{timers, user_agent};
use crate::cli::{ContactArgs, SharedArgs};
use crate::core::uas::UasConfig;

/// 480 Temporarily Unavailable: the callee is registered but takes no calls now
/// (RFC 3261 §21.4.18), which is what a registration probe is.
pub const DEFAULT_ANSWER: u16 = 480;

pub fn uas_config(shared: &SharedArgs, args: &ContactArgs) -> UasConfig {
    UasConfig {
        answer: args.answer.unwrap_or(DEFAULT_ANSWER),
        ring: args.ring.unwrap_or_default(),
        supported: String::new(),
        user_agent: Some(user_agent(shared.user_agent.as_deref())),
        timers: timers(shared.timeout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::time::Duration;

    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        shared: SharedArgs,
    }

    #[test]
    fn answer_and_ring_default_to_an_at_once_480() {
        let shared = Line::parse_from(["sipreg"]).shared;
        let c = uas_config(&shared, &ContactArgs::default());
        assert_eq!((c.answer, c.ring), (480, Duration::ZERO));
        let args = ContactArgs {
            answer: Some(603),
            ring: Some(Duration::from_secs(3)),
        };
        let c = uas_config(&shared, &args);
        assert_eq!((c.answer, c.ring), (603, Duration::from_secs(3)));
    }
}
