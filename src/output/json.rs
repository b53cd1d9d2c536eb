//! JSON output: one object per completed operation, one line each. The schema is
//! `schema/sipreg-output.schema.json`.

use crate::core::{Binding, OpKind, Outcome};
use serde_json::{json, Map, Value};

pub fn event_name(op: OpKind) -> &'static str {
    match op {
        OpKind::Register => "registered",
        OpKind::Refresh => "refreshed",
        OpKind::Query => "bindings",
        OpKind::Unregister => "unregistered",
    }
}

pub(super) fn op_name(op: OpKind) -> &'static str {
    match op {
        OpKind::Register => "register",
        OpKind::Refresh => "refresh",
        OpKind::Query => "query",
        OpKind::Unregister => "unregister",
    }
}

pub fn binding_json(b: &Binding) -> Value {
    let params: Map<String, Value> = b
        .params
        .iter()
        .map(|(n, v)| (n.clone(), v.clone().map_or(Value::Null, Value::String)))
        .collect();
    json!({
        "contact": b.contact,
        "expires": b.expires,
        "q": b.q.map(|q| (f64::from(q) * 1000.0).round() / 1000.0),
        "params": params,
        "ours": b.ours,
    })
}

/// The fields every JSON object has: event, aor, status, reason, bindings.
pub(super) fn event_object(event: &str, aor: &str, status: Option<u16>, reason: &str) -> Value {
    json!({
        "event": event,
        "aor": aor,
        "status": status,
        "reason": reason,
        "bindings": [],
    })
}

pub fn outcome_json(aor: &str, o: &Outcome, our_contact: &str) -> Value {
    let event = if o.recovered {
        "recovered"
    } else {
        event_name(o.op)
    };
    let mut v = json!({
        "event": event,
        "aor": aor,
        "status": o.status,
        "reason": o.reason,
        "bindings": o.bindings.iter().map(binding_json).collect::<Vec<_>>(),
        "elapsed_ms": (o.elapsed.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
    });
    if matches!(
        o.op,
        OpKind::Register | OpKind::Refresh | OpKind::Unregister
    ) {
        v["contact"] = json!(our_contact);
    }
    if let Some(g) = o.granted {
        v["expires"] = json!(g);
    }
    if let Some(r) = o.refresh_in {
        v["refresh_in"] = json!(r.as_secs_f64().round() as u64);
    }
    if !o.service_route.is_empty() {
        v["service_route"] = json!(o.service_route);
    }
    if !o.path.is_empty() {
        v["path"] = json!(o.path);
    }
    if let Some(g) = &o.pub_gruu {
        v["pub_gruu"] = json!(g);
    }
    if let Some(g) = &o.temp_gruu {
        v["temp_gruu"] = json!(g);
    }
    if let Some(server) = &o.server {
        v["server"] = json!(server);
    }
    if let Some(r) = &o.reachability {
        add_reachability(&mut v, r);
    }
    v
}

/// `reachable`, `probe_rtt_ms` and `probe` (what happened) of a reachability probe.
pub(super) fn add_reachability(v: &mut Value, r: &crate::core::Reachability) {
    v["reachable"] = json!(r.reachable);
    if let Some(rtt) = r.rtt {
        v["probe_rtt_ms"] = json!((rtt.as_secs_f64() * 1_000_000.0).round() / 1000.0);
    }
    v["probe"] = json!(r.detail);
}

pub fn failure_json(aor: &str, op: Option<OpKind>, error: &crate::Error) -> Value {
    let status = match error {
        crate::Error::Registration(e) => e.status(),
        _ => None,
    };
    json!({
        "event": "failed",
        "aor": aor,
        "operation": op.map(op_name),
        "status": status,
        "reason": error.to_string(),
        "bindings": [],
        "exit_status": error.exit_status().code(),
    })
}
