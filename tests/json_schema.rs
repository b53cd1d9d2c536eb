//! Every kind of JSON object sipreg prints validates against the committed schema,
//! and the schema is strict enough to reject what it should.

mod scripted;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/sipreg-output.schema.json"
    ))
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn lines(reg: &ScriptedRegistrar, args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .args(["-r", &reg.uri(), "-o", "json", "--timeout", "1s"])
        .env("SIPREG_PASSWORD", "pw")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn assert_valid(v: &Value) {
    let s = schema();
    let errors: Vec<String> = s.iter_errors(v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{v}\n{errors:#?}");
}

#[test]
fn every_event_kind_validates() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        let mut lines = vec![
            "Contact: <sip:other@192.0.2.1:5060;ob>;expires=100;q=0.5;+sip.instance=\"<urn:uuid:1>\";reg-id=1".to_string(),
            "Service-Route: <sip:orig@edge.sipreg.test;lr>".to_string(),
        ];
        if let Some(c) = req.contact_uri() {
            lines.push(format!("Contact: <{c}>;expires=60"));
        }
        vec![respond(req, 200, "OK", &lines)]
    }));
    let aor = "sip:alice@sipreg.test";
    let mut seen = Vec::new();
    for args in [
        vec!["register", aor, "--once"],
        vec!["register", aor, "--for", "1s"],
        vec!["query", aor],
        vec!["unregister", aor],
        vec!["unregister", aor, "--all"],
    ] {
        for v in lines(&reg, &args) {
            assert_valid(&v);
            seen.push(v["event"].as_str().unwrap().to_string());
        }
    }
    for kind in ["registered", "bindings", "unregistered"] {
        assert!(
            seen.iter().any(|s| s == kind),
            "{kind} not produced: {seen:?}"
        );
    }
}

#[test]
fn failures_validate() {
    let silent = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    let timeout = lines(&silent, &["query", "sip:alice@sipreg.test"]);
    assert_eq!(timeout[0]["exit_status"], 4);
    assert_valid(&timeout[0]);
    let refusing = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(req, 480, "Temporarily Unavailable", &[])]
    }));
    let refused = lines(&refusing, &["register", "sip:alice@sipreg.test", "--once"]);
    assert_eq!(refused[0]["status"], 480);
    assert_valid(&refused[0]);
    let usage = lines(&refusing, &["query", "sip:nouser.example"]);
    assert_eq!(usage[0]["exit_status"], 2);
    assert_valid(&usage[0]);
}

#[test]
fn refreshed_event_validates() {
    // A 2 s grant refreshes at 1 s; --for 1500ms sees one refresh.
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| match req.contact_uri() {
        Some(_) if req.expires() != Some(0) => vec![ok_with_contact(req, 2)],
        _ => vec![respond(req, 200, "OK", &[])],
    }));
    let out = lines(
        &reg,
        &["register", "sip:alice@sipreg.test", "--for", "1500ms"],
    );
    let refreshed: Vec<_> = out.iter().filter(|v| v["event"] == "refreshed").collect();
    assert_eq!(refreshed.len(), 1, "{out:?}");
    for v in &out {
        assert_valid(v);
    }
}

#[test]
fn schema_rejects_what_it_should() {
    let s = schema();
    let good = serde_json::json!({"event":"bindings","aor":"sip:a@b","status":200,"reason":"OK","bindings":[],"elapsed_ms":1.0});
    assert!(s.is_valid(&good));
    for bad in [
        serde_json::json!({"event":"bindings","aor":"sip:a@b","status":200,"reason":"OK"}),
        serde_json::json!({"event":"nonsense","aor":"sip:a@b","status":200,"reason":"OK","bindings":[],"elapsed_ms":1.0}),
        serde_json::json!({"event":"bindings","aor":"sip:a@b","status":200,"reason":"OK","bindings":[{"contact":"sip:x"}],"elapsed_ms":1.0}),
        serde_json::json!({"event":"registered","aor":"sip:a@b","status":200,"reason":"OK","bindings":[],"elapsed_ms":1.0}),
        serde_json::json!({"event":"failed","aor":"sip:a@b","status":null,"reason":"x","bindings":[]}),
    ] {
        assert!(!s.is_valid(&bad), "accepted {bad}");
    }
}

#[test]
fn expectation_results_validate() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        let mut lines = vec!["Contact: <sip:other@192.0.2.1:5060>;expires=100".to_string()];
        if let Some(c) = req.contact_uri() {
            lines.push(format!("Contact: <{c}>;expires=60"));
        }
        vec![respond(req, 200, "OK", &lines)]
    }));
    let aor = "sip:alice@sipreg.test";
    let every = [
        "--expect-status",
        "200",
        "--expect-bindings",
        ">=3",
        "--expect-contact",
        "sip:other@192.0.2.1:5060",
        "--expect-expires-at-least",
        "1h",
    ];
    for command in [vec!["register", aor, "--once"], vec!["query", aor]] {
        let args: Vec<&str> = command.iter().chain(every.iter()).copied().collect();
        let out = lines(&reg, &args);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_valid(&out[0]);
        let names: Vec<&str> = out[0]["expectations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["status", "bindings", "contact", "expires_at_least"]);
    }

    // A refusal: expected by --expect-status (exit 0), and not (exit 5).
    let refusing = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(req, 480, "Temporarily Unavailable", &[])]
    }));
    for (expected, exit) in [("480", 0), ("200", 5)] {
        let out = lines(&refusing, &["query", aor, "--expect-status", expected]);
        assert_eq!(out[0]["event"], "failed");
        assert_eq!(out[0]["exit_status"], exit);
        assert_eq!(out[0]["expectations"][0]["actual"], 480);
        assert_valid(&out[0]);
    }
    // No answer at all: the check has nothing to compare (actual null), exit 4.
    let silent = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    let out = lines(&silent, &["query", aor, "--expect-status", "200"]);
    assert_eq!(out[0]["exit_status"], 4);
    assert_eq!(out[0]["expectations"][0]["actual"], Value::Null);
    assert_valid(&out[0]);
}

#[test]
fn dry_run_validates() {
    let reg = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    for args in [
        vec!["register", "sip:alice@sipreg.test", "--dry-run"],
        vec!["query", "sip:alice@sipreg.test", "--dry-run"],
        vec!["unregister", "sip:alice@sipreg.test", "--all", "--dry-run"],
    ] {
        let out = lines(&reg, &args);
        assert_eq!(out[0]["event"], "dry_run");
        assert_valid(&out[0]);
    }
    assert!(reg.requests().is_empty());
}

#[test]
fn schema_rejects_malformed_expectations_and_dry_runs() {
    let s = schema();
    let base = serde_json::json!({"event":"bindings","aor":"sip:a@b","status":200,"reason":"OK","bindings":[],"elapsed_ms":1.0});
    let with = |expectation: Value| {
        let mut v = base.clone();
        v["expectations"] = serde_json::json!([expectation]);
        v
    };
    assert!(s.is_valid(&with(
        serde_json::json!({"name":"bindings","expected":">=2","actual":1,"passed":false})
    )));
    for bad in [
        serde_json::json!({"name":"bindings","expected":">=2","actual":1}),
        serde_json::json!({"name":"bindings","expected":"two","actual":1,"passed":false}),
        serde_json::json!({"name":"status","expected":"200","actual":200,"passed":true}),
        serde_json::json!({"name":"colour","expected":1,"actual":1,"passed":true}),
        serde_json::json!({"name":"contact","expected":"sip:x","actual":"sip:x","passed":true}),
        serde_json::json!({"name":"status","expected":200,"actual":200,"passed":true,"extra":1}),
    ] {
        assert!(!s.is_valid(&with(bad.clone())), "accepted {bad}");
    }
    // exit_status 0 on a failure needs the expectations that made it so.
    let refused = serde_json::json!({"event":"failed","aor":"sip:a@b","status":403,"reason":"x","bindings":[],"operation":"register","exit_status":0});
    assert!(!s.is_valid(&refused));
    let dry = serde_json::json!({"event":"dry_run","aor":"sip:a@b","status":null,"reason":"not sent","bindings":[],"destination":"127.0.0.1:5060","transport":"UDP","message":"REGISTER …"});
    assert!(s.is_valid(&dry));
    let mut no_message = dry.clone();
    no_message.as_object_mut().unwrap().remove("message");
    assert!(!s.is_valid(&no_message));
    let mut message_elsewhere = base.clone();
    message_elsewhere["message"] = serde_json::json!("REGISTER …");
    assert!(!s.is_valid(&message_elsewhere));
}

/// The events of a staying registration: failed with retry_in, nat-detected,
/// recovered, refreshing, refreshed, unregistered.
/// 503 with Retry-After first; then 200s whose Via says the registrar saw us at
/// another address; grants of 2 s so that a refresh happens within the run.
fn staying_registrar() -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(|req: &Req, i| {
        if i == 0 {
            return vec![respond(
                req,
                503,
                "Service Unavailable",
                &["Retry-After: 1".into()],
            )];
        }
        // Grant 2 s to each contact asked for, leave out those being removed.
        let granted: Vec<String> = req
            .header("contact")
            .unwrap_or_default()
            .split(", ")
            .filter(|c| !c.is_empty() && !c.contains("expires=0"))
            .map(|c| format!("Contact: {c};expires=2"))
            .collect();
        let text = String::from_utf8(respond(req, 200, "OK", &granted)).unwrap();
        let natted = text.replacen(
            ";rport;received=127.0.0.1",
            ";received=127.0.0.9;rport=40999",
            1,
        );
        vec![natted.into_bytes()]
    }))
}

#[test]
fn staying_events_validate() {
    let reg = staying_registrar();
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "register",
            "sip:alice@sipreg.test",
            "-r",
            &reg.uri(),
            "--json",
            "--for",
            "3500ms",
        ])
        .env("SIPREG_PASSWORD", "pw")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for v in &events {
        assert_valid(v);
    }
    let names: Vec<&str> = events
        .iter()
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    for kind in [
        "failed",
        "nat-detected",
        "recovered",
        "refreshing",
        "refreshed",
        "unregistered",
    ] {
        assert!(names.contains(&kind), "{kind} missing from {names:?}");
    }
    let nat = events
        .iter()
        .find(|v| v["event"] == "nat-detected")
        .unwrap();
    assert_eq!(nat["public"], "127.0.0.9:40999");
    assert_eq!(nat["rewriting"], true);
}

/// `sipreg bulk … -o json` ends with one `bulk_summary` object.
#[test]
fn bulk_summary_validates() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 3600)]));
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args([
            "bulk",
            "register",
            "--aor",
            "sip:bench{n:02}@sipreg.test",
            "--count",
            "5",
        ])
        .args([
            "--once",
            "--rate",
            "1000",
            "-r",
            &reg.uri(),
            "--json",
            "--timeout",
            "2s",
            "--interval",
            "100ms",
            "--expect-success-rate",
            "99%",
            "--expect-p99",
            "5s",
        ])
        .env("SIPREG_PASSWORD", "pw")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["event"], "bulk_summary");
    assert_eq!(summary["succeeded"], 5);
    assert_eq!(summary["expectations"].as_array().unwrap().len(), 2);
    let intervals: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "bulk_interval")
        .collect();
    assert!(!intervals.is_empty(), "{text}");
    for line in &lines {
        assert_valid(line);
    }
    let mut broken = summary.clone();
    broken["succeeded"] = serde_json::json!("five");
    assert!(!schema().is_valid(&broken));
    let mut broken = intervals[0].clone();
    broken["started"] = serde_json::json!(-1);
    assert!(!schema().is_valid(&broken));
    // The merge of that one shard is a summary of the same shape.
    let merged = Command::cargo_bin("sipreg")
        .unwrap()
        .args(["bulk", "merge", "-", "--json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0));
    for line in String::from_utf8(merged.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_valid(&v);
        if v["event"] == "bulk_summary" {
            assert_eq!(v["shard"], "*/1");
        }
    }
}

/// Sends `request` (with `{port}` for our own port) to `to` until an answer comes
/// (our contact stays silent until it is registered), within 15 s. Returns the
/// answers' status lines as they come, up to `answers`.
fn exchange(
    socket: &std::net::UdpSocket,
    to: std::net::SocketAddr,
    request: &str,
    answers: usize,
) -> Vec<String> {
    let port = socket.local_addr().unwrap().port();
    let bytes = request
        .replace("{port}", &port.to_string())
        .replace('\n', "\r\n");
    socket
        .set_read_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while got.len() < answers && std::time::Instant::now() < deadline {
        if got.is_empty() {
            socket.send_to(bytes.as_bytes(), to).unwrap();
        }
        if let Ok(n) = socket.recv(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            got.push(text.lines().next().unwrap_or("").to_string());
        }
    }
    got
}

/// What the user agent at our contact reports: a call it refused, a message, a
/// notification; each object validates, and the schema refuses one missing its parts.
#[test]
fn incoming_events_validate() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 60)]));
    let free = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let contact = free.local_addr().unwrap();
    drop(free);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args([
            "register",
            "sip:alice@sipreg.test",
            "-r",
            &reg.uri(),
            "-o",
            "json",
        ])
        .args([
            "--local",
            &contact.to_string(),
            "--for",
            "4s",
            "--answer",
            "603",
        ])
        .env("SIPREG_PASSWORD", "pw")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let caller = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let head = |method: &str, n: u32| {
        format!(
            "{method} sip:alice@{contact} SIP/2.0\n\
             Via: SIP/2.0/UDP 127.0.0.1:{{port}};branch=z9hG4bK{method}{n};rport\n\
             From: <sip:bob@sipreg.test>;tag=b{n}\nTo: <sip:alice@sipreg.test>\n\
             Call-ID: json-{method}-{n}\nCSeq: {n} {method}\n"
        )
    };
    let message = format!(
        "{}Content-Type: text/plain\nContent-Length: 5\n\nhello",
        head("MESSAGE", 1)
    );
    assert_eq!(exchange(&caller, contact, &message, 1), ["SIP/2.0 200 OK"]);
    let notify = format!(
        "{}Event: message-summary\nContent-Type: application/simple-message-summary\n\
         Content-Length: 22\n\nMessages-Waiting: yes\n",
        head("NOTIFY", 2)
    );
    assert_eq!(exchange(&caller, contact, &notify, 1), ["SIP/2.0 200 OK"]);
    let invite = format!("{}Content-Length: 0\n\n", head("INVITE", 3));
    assert_eq!(
        exchange(&caller, contact, &invite, 2),
        ["SIP/2.0 100 Trying", "SIP/2.0 603 Decline"]
    );
    let out = child.wait_with_output().unwrap();
    let objects: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for v in &objects {
        assert_valid(v);
    }
    let kinds: Vec<&str> = objects.iter().filter_map(|v| v["event"].as_str()).collect();
    for kind in ["message", "notify", "incoming-call"] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }
    let call = objects
        .iter()
        .find(|v| v["event"] == "incoming-call")
        .unwrap();
    assert_eq!(call["status"], 603);
    assert_eq!(call["from"], "sip:bob@sipreg.test");
    let message = objects.iter().find(|v| v["event"] == "message").unwrap();
    assert_eq!(message["text"], "hello");

    let s = schema();
    let mut partial = call.clone();
    partial.as_object_mut().unwrap().remove("call_id");
    assert!(!s.is_valid(&partial), "an incoming-call needs its call_id");
}

/// `--expect-reachable`: the outcome carries what the probe found, and its check.
#[test]
fn reachability_validates() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        if req.start.starts_with("REGISTER") {
            vec![ok_with_contact(req, 60)]
        } else {
            vec![respond(req, 404, "Not Found", &[])]
        }
    }));
    let objects = lines(
        &reg,
        &[
            "register",
            "sip:alice@sipreg.test",
            "--once",
            "--expect-reachable",
        ],
    );
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert_valid(&objects[0]);
    assert_eq!(objects[0]["reachable"], false);
    assert_eq!(objects[0]["expectations"][0]["name"], "reachable");
}

/// A staying bulk run's summary (lapses, registered at the end) and its intervals.
#[test]
fn staying_bulk_summary_validates() {
    let reg = ScriptedRegistrar::start(Box::new(|req: &Req, _| vec![ok_with_contact(req, 3600)]));
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(["bulk", "register", "--aor", "sip:bench{n:02}@sipreg.test"])
        .args([
            "--count",
            "3",
            "--for",
            "1s",
            "--interval",
            "400ms",
            "--json",
        ])
        .args(["-r", &reg.uri()])
        .env("SIPREG_PASSWORD", "pw")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["mode"], "stay", "{summary}");
    assert_eq!(summary["lapses"], 0, "{summary}");
    assert_eq!(summary["registered_at_end"], 3, "{summary}");
    // Intervals at 0.4 s and 0.8 s and more, and the last, shorter one to the end.
    let registered: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "bulk_interval")
        .map(|l| &l["registered"])
        .collect();
    assert!(registered.len() >= 3, "{text}");
    assert!(registered.iter().any(|r| *r == 3), "{text}");
    for line in &lines {
        assert_valid(line);
    }
}
