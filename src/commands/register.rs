//! `sipreg register`: bind, then (without --once) refresh before every expiry until
//! interrupted or --for runs out, then remove the binding.

use super::instance::instance_urn;
use super::session::{Session, SessionOptions};
use crate::cli::RegisterArgs;
use crate::core::{Event, OpKind, Operation, UnregisterTarget};
use crate::error::{Error, Result};
use crate::exit::{ExitStatus, INTERRUPTED_TWICE};
use crate::net::StopSignals;
use crate::output::Output;
use crate::settings::expires_secs;
use std::time::Duration;

pub async fn run(args: RegisterArgs) -> ExitStatus {
    let output = Output::new(&args.common, args.common.aor.clone());
    let expires = match args.expires.map(expires_secs).transpose() {
        Ok(e) => e,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    if args.once && args.metrics.is_some() {
        let e = Error::Usage(
            "--metrics serves a staying registration: drop --once (-o nagios checks one)".into(),
        );
        return super::report_setup_error(&args.common, &e);
    }
    if args.once && args.probe.probe_every.is_some() {
        let e = Error::Usage(
            "--probe-every probes a staying registration: drop --once, or use --expect-reachable"
                .into(),
        );
        return super::report_setup_error(&args.common, &e);
    }
    let monitoring =
        crate::settings::output_format(&args.common.shared) == crate::cli::OutputFormat::Nagios;
    if !args.once && monitoring {
        let e = Error::Usage("-o nagios checks one registration: add --once".into());
        return super::report_setup_error(&args.common, &e);
    }
    if !args.once && expectations_given(&args.expect) {
        let e = Error::Usage("--expect-... options check one registration: add --once".into());
        return super::report_setup_error(&args.common, &e);
    }
    let mut params = Vec::new();
    if let Some(q) = args.q {
        params.push(format!("q={q}"));
    }
    match instance_urn(args.instance.as_deref(), args.reg_id) {
        Ok(Some(urn)) => params.push(format!("+sip.instance=\"<{urn}>\"")),
        Ok(None) => {}
        Err(e) => return super::report_setup_error(&args.common, &e),
    }
    if let Some(reg_id) = args.reg_id {
        params.push(format!("reg-id={reg_id}"));
    }
    let also_contacts = match super::further_contacts(&args.contact) {
        Ok(c) => c,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    let opts = SessionOptions {
        contact: args.contact.first().map(String::as_str),
        also_contacts,
        contact_params: params,
        expires,
        stays: !args.once,
        answer: Some(args.at_contact.clone()),
        ..SessionOptions::default()
    };
    if args.common.dry_run {
        return Session::dry_run(&args.common, output, opts, Operation::Register);
    }
    let mut session = match Session::open(&args.common, output, opts).await {
        Ok(s) => s,
        Err(e) => return super::report_setup_error(&args.common, &e),
    };
    // RFC 3581 rewriting is on for the contact we chose ourselves, off for one the
    // user gave, unless asked otherwise.
    let nat_rewrite = if args.no_nat_rewrite {
        false
    } else {
        args.nat_rewrite || args.contact.is_empty()
    };
    session.reg_mut().enable_nat_rewrite(nat_rewrite);
    if let Some(interval) = args.keepalive {
        session.reg_mut().enable_keepalive(interval);
    }
    if args.once {
        return session
            .run_and_check(Operation::Register, OpKind::Register, &args.expect)
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

fn expectations_given(e: &crate::cli::ExpectArgs) -> bool {
    e.expect_status.is_some()
        || e.expect_bindings.is_some()
        || e.expect_contact.is_some()
        || e.expect_expires_at_least.is_some()
        || e.expect_reachable
        || e.warning_time.is_some()
        || e.critical_time.is_some()
}

/// The gauges of `--metrics` from the registration as it stands.
fn update_gauges(m: &mut crate::output::Metrics, session: &Session, reachable: u64) {
    let reg = session.reg();
    let left = match reg.standing() {
        crate::core::Standing::Registered { expires_at, .. } => {
            Some(expires_at.saturating_duration_since(crate::net::now()))
        }
        _ => None,
    };
    let registered = u32::from(reg.is_registered());
    let retransmissions = session.endpoint.stats().retransmissions;
    m.state(registered, reachable, left, retransmissions);
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
    session.reg_mut().enable_recovery(args.retry_auth);
    session.start(Operation::Register);
    let mut op = OpKind::Register;
    // Installed from the first request on: the first Ctrl-C or SIGTERM ends the loop
    // below, a second one the removal after it.
    let mut stop = StopSignals::new(true);
    let limit = sleep_or_forever(args.duration);
    tokio::pin!(limit);
    let live = session.output.live_status_enabled();
    let mut redraw = tokio::time::interval(Duration::from_secs(1));
    let probing = args.probe.probe_every;
    let mut probe = tokio::time::interval(probing.unwrap_or(Duration::from_secs(3600)));
    // The first tick would come at once, before anything is bound.
    probe.reset();
    let mut metrics = match args.metrics {
        Some(addr) => {
            let m = crate::output::Metrics::new();
            crate::net::metrics_server::serve(addr, m.registry())
                .await
                .map_err(|e| (op, e))?;
            Some(m)
        }
        None => None,
    };
    let mut reachable_now = 0;
    let mut gauges = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            event = session.next_event() => {
                if live {
                    session.output.clear_live_status();
                }
                let event = event.map_err(|e| (op, e))?;
                if let Some(m) = &mut metrics {
                    m.event(&event);
                    if let Event::Probed(found) = &event {
                        reachable_now = u64::from(found.reachable);
                    }
                    update_gauges(m, session, reachable_now);
                }
                match event {
                    Event::Completed(outcome) => {
                        // Our contact as it stands now: a NAT rewrite may have changed it.
                        session.output.completed(&outcome, &session.shown_contact());
                        // The next request the core sends on its own is a refresh.
                        op = OpKind::Refresh;
                    }
                    Event::Failed { op, error } => return Err((op, error.into())),
                    other => session.output.event(&other),
                }
            }
            _ = probe.tick(), if probing.is_some() => {
                // Only while bound: a probe between a lost binding and its recovery
                // would only say what the status line already does.
                if session.reg().is_registered() && session.reg().probe_call_id().is_none() {
                    session.start_probe();
                }
            }
            _ = gauges.tick(), if metrics.is_some() => {
                if let Some(m) = &mut metrics {
                    update_gauges(m, session, reachable_now);
                }
            }
            _ = redraw.tick(), if live => {
                session.output.live_status(session.reg().standing(), crate::net::now());
            }
            () = stop.next() => break,
            () = &mut limit => break,
        }
    }
    if live {
        session.output.clear_live_status();
    }
    if args.keep_binding {
        return Ok(());
    }
    unregister_before_exit(session, &mut stop)
        .await
        .map_err(|e| (OpKind::Unregister, e))
}

/// Removes our binding, bounded by the transaction timeout. A second Ctrl-C or
/// SIGTERM exits at once with 130.
async fn unregister_before_exit(session: &mut Session, stop: &mut StopSignals) -> Result<()> {
    let unregister = Operation::Unregister(UnregisterTarget::Ours);
    let contact = session.shown_contact();
    // Until when the registrar keeps the binding if the removal does not get through.
    let left = match session.reg().standing() {
        crate::core::Standing::Registered { expires_at, .. } => {
            Some(expires_at.saturating_duration_since(crate::net::now()))
        }
        _ => None,
    };
    session.output.notice(&format!(
        "removing binding {contact} (Ctrl-C again to leave it)"
    ));
    let still = |what: &str| {
        let until = left.map_or_else(String::new, |d| {
            format!(
                " for about {}",
                humantime::format_duration(Duration::from_secs(d.as_secs()))
            )
        });
        format!("{what}: {contact} stays registered{until}")
    };
    tokio::select! {
        outcome = session.run(unregister) => match outcome {
            Ok(outcome) => {
                session.output.completed(&outcome, &session.shown_contact());
                Ok(())
            }
            Err(e) => {
                session.output.notice(&still("the removal failed"));
                Err(e)
            }
        },
        () = stop.next() => {
            session.output.notice(&still("left"));
            std::process::exit(INTERRUPTED_TWICE)
        }
    }
}
