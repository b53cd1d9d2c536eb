//! `sipreg register`: bind, then (without --once) refresh before every expiry until
//! interrupted or --for runs out, then remove the binding.

use super::session::{Session, SessionOptions};
use crate::cli::RegisterArgs;
use crate::core::{Event, OpKind, Operation, UnregisterTarget};
use crate::error::{Error, Result};
use crate::exit::ExitStatus;
use crate::output::Output;
use std::time::Duration;

/// Exit status when a second Ctrl-C cuts the unregistration short (128 + SIGINT).
const INTERRUPTED_TWICE: i32 = 130;

pub async fn run(args: RegisterArgs) -> ExitStatus {
    let output = Output::new(&args.common, args.common.aor.clone());
    let expires = match u32::try_from(args.expires.as_secs()) {
        Ok(e) => e,
        Err(_) => {
            let e = Error::Usage("--expires is too long: at most 4294967295 seconds".into());
            return super::report_setup_error(&args.common, &e);
        }
    };
    let mut params = Vec::new();
    if let Some(q) = args.q {
        params.push(format!("q={q}"));
    }
    if let Some(instance) = &args.instance {
        params.push(format!("+sip.instance=\"<{instance}>\""));
    }
    if let Some(reg_id) = args.reg_id {
        params.push(format!("reg-id={reg_id}"));
    }
    let mut extra = Vec::new();
    if args.reg_id.is_some() {
        extra.push(("Supported", "outbound, path".to_string()));
    }
    let opts = SessionOptions {
        contact: args.contact.as_deref(),
        contact_params: params,
        extra_headers: extra,
        expires,
    };
    let mut session = match Session::open(&args.common, output, opts).await {
        Ok(s) => s,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    if args.once {
        return session
            .run_and_report(Operation::Register, OpKind::Register)
            .await;
    }
    match stay_registered(&mut session, &args).await {
        Ok(()) => ExitStatus::Success,
        Err((op, e)) => {
            session.output.failed(Some(op), &e);
            e.exit_status()
        }
    }
}

/// Resolves when the user asks to stop: Ctrl-C or SIGTERM.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn sleep_or_forever(limit: Option<Duration>) {
    match limit {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

async fn stay_registered(
    session: &mut Session,
    args: &RegisterArgs,
) -> std::result::Result<(), (OpKind, Error)> {
    session.reg.start(Operation::Register, crate::net::now());
    let mut op = OpKind::Register;
    let stop = stop_requested();
    let limit = sleep_or_forever(args.duration);
    tokio::pin!(stop, limit);
    loop {
        tokio::select! {
            event = session.next_event(&Operation::Register) => {
                match event.map_err(|e| (op, e))? {
                    Event::Completed(outcome) => {
                        session.output.completed(&outcome, &session.contact);
                        // The next request the core sends on its own is a refresh.
                        op = OpKind::Refresh;
                    }
                    Event::Failed { op, error } => return Err((op, error.into())),
                    other => session.output.event(&other),
                }
            }
            () = &mut stop => break,
            () = &mut limit => break,
        }
    }
    if args.keep_binding {
        return Ok(());
    }
    unregister_before_exit(session)
        .await
        .map_err(|e| (OpKind::Unregister, e))
}

/// Removes our binding, bounded by the transaction timeout. A second Ctrl-C exits at
/// once with 130.
async fn unregister_before_exit(session: &mut Session) -> Result<()> {
    let unregister = Operation::Unregister(UnregisterTarget::Ours);
    tokio::select! {
        outcome = session.run(unregister) => {
            session.output.completed(&outcome?, &session.contact);
            Ok(())
        }
        _ = tokio::signal::ctrl_c() => std::process::exit(INTERRUPTED_TWICE),
    }
}
