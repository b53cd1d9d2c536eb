//! Ctrl-C, SIGTERM and SIGHUP (the terminal closed) for a run that stays registered
//! (`register` without `--once`, `bulk register` staying): the first asks for every
//! binding to be removed, a second of any of them cuts that short (the caller exits with
//! [`crate::exit::INTERRUPTED_TWICE`]). Runs that do not stay install no handler,
//! so a signal ends them at once as it ends any program.

#[cfg(unix)]
use tokio::signal::unix::{signal, Signal, SignalKind};

pub struct StopSignals {
    #[cfg(unix)]
    streams: Option<(Signal, Signal, Signal)>,
    #[cfg(not(unix))]
    enabled: bool,
}

impl StopSignals {
    /// Listens only when `enabled`; otherwise `next` never resolves. Where a handler
    /// cannot be installed, the default action (ending the process) stays.
    pub fn new(enabled: bool) -> StopSignals {
        #[cfg(unix)]
        {
            let streams = enabled
                .then(|| {
                    Some((
                        signal(SignalKind::interrupt()).ok()?,
                        signal(SignalKind::terminate()).ok()?,
                        signal(SignalKind::hangup()).ok()?,
                    ))
                })
                .flatten();
            StopSignals { streams }
        }
        #[cfg(not(unix))]
        {
            StopSignals { enabled }
        }
    }

    /// Resolves at the next Ctrl-C, SIGTERM or SIGHUP. A signal that arrived since the last
    /// call (or since `new`) is not lost: it resolves the next call at once.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        match &mut self.streams {
            Some((interrupt, terminate, hangup)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                    _ = hangup.recv() => {}
                }
            }
            None => std::future::pending().await,
        }
        #[cfg(not(unix))]
        if self.enabled {
            let _ = tokio::signal::ctrl_c().await;
        } else {
            std::future::pending::<()>().await;
        }
    }
}
