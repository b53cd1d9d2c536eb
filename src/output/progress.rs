//! Progress events of a registration (everything but a completed operation): a line
//! on stderr at some verbosity, and in JSON mode an object on stdout.

use super::json::event_object;
use super::Verbosity;
use crate::auth::ChallengeKind;
use crate::core::{Event, OpKind};
use serde_json::{json, Value};

pub(super) struct Progress {
    /// The least verbosity at which the line is shown, and the line.
    pub line: Option<(Verbosity, String)>,
    pub json: Option<Value>,
}

fn op_word(op: OpKind) -> &'static str {
    match op {
        OpKind::Register => "registration",
        OpKind::Refresh => "refresh",
        OpKind::Query => "query",
        OpKind::Unregister => "unregistration",
    }
}

pub(super) fn describe(aor: &str, event: &Event) -> Progress {
    let (line, json) = match event {
        Event::Challenged {
            kind,
            realm,
            algorithm,
            stale,
        } => {
            let which = match kind {
                ChallengeKind::Www => "401",
                ChallengeKind::Proxy => "407",
            };
            let stale = if *stale { ", stale nonce" } else { "" };
            let line =
                format!("answering {which} challenge for realm \"{realm}\" ({algorithm}{stale})");
            (Some((Verbosity::Events, line)), None)
        }
        Event::IntervalTooBrief { min_expires } => (
            Some((
                Verbosity::Events,
                format!("423 Interval Too Brief: retrying with expires {min_expires}"),
            )),
            None,
        ),
        // At -v, next to the ladder line of what was ignored, so that it says why.
        Event::Ignored { reason } => (
            Some((Verbosity::Events, format!("ignored: {reason}"))),
            None,
        ),
        Event::Retrying { op, error, after } => {
            let secs = after.as_secs_f64().round() as u64;
            let line = format!(
                "{} failed: {error}; next attempt in {}",
                op_word(*op),
                humantime::format_duration(std::time::Duration::from_secs(secs))
            );
            let mut v = event_object("failed", aor, error.status(), &error.to_string());
            v["operation"] = json!(super::json::op_name(*op));
            v["retry_in"] = json!(secs);
            v["exit_status"] = Value::Null;
            (Some((Verbosity::Normal, line)), Some(v))
        }
        Event::Refreshing => (
            Some((
                Verbosity::Events,
                "refreshing before the grant runs out".into(),
            )),
            Some(event_object("refreshing", aor, None, "grant running out")),
        ),
        Event::BindingLost => (
            Some((
                Verbosity::Normal,
                "the registrar no longer lists our contact: registering again".into(),
            )),
            Some(event_object(
                "binding-lost",
                aor,
                None,
                "our contact was not listed",
            )),
        ),
        Event::NatDetected { public, rewriting } => {
            let what = if *rewriting {
                "re-registering with that address and removing the old contact"
            } else {
                "keeping our contact"
            };
            let line = format!("the registrar sees us at {public} (NAT): {what}");
            let mut v = event_object("nat-detected", aor, None, &line);
            v["public"] = json!(public.to_string());
            v["rewriting"] = json!(rewriting);
            (Some((Verbosity::Events, line)), Some(v))
        }
        Event::OutboundUnsupported => {
            let line = "439 First Hop Lacks Outbound Support: registering without outbound";
            (
                Some((Verbosity::Normal, line.into())),
                Some(event_object("outbound-unsupported", aor, Some(439), line)),
            )
        }
        Event::Redirected { target, .. } => {
            let line = format!("redirected to {target}");
            let mut v = event_object("redirected", aor, None, &line);
            v["target"] = json!(target.to_string());
            (Some((Verbosity::Events, line)), Some(v))
        }
        Event::FlowFailed { reason } => {
            let line = format!("flow failed ({reason}): registering again");
            (
                Some((Verbosity::Normal, line.clone())),
                Some(event_object("flow-failed", aor, None, &line)),
            )
        }
        Event::Probed(r) => {
            let mut v = event_object("probed", aor, r.status, &r.detail);
            super::json::add_reachability(&mut v, r);
            (
                Some((Verbosity::Normal, super::human::reachability_line(aor, r))),
                Some(v),
            )
        }
        Event::Completed(_) | Event::Failed { .. } => (None, None),
    };
    Progress { line, json }
}
