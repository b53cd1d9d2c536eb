//! `-o nagios` (issue 14): one line in the monitoring-plugins format and their exit
//! statuses (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), against the scripted registrar.
//! The performance data is read back with a parser written here from the
//! monitoring-plugins development guidelines' grammar:
//! `'label'=value[UOM];[warn];[crit];[min];[max]`, space separated.

mod scripted;
mod support;

use assert_cmd::Command;
use scripted::registrar::ScriptedRegistrar;
use scripted::{ok_with_contact, respond, Req};
use std::collections::HashMap;
use std::time::Duration;
use support::run::Run;

const AOR: &str = "sip:alice@sipreg.test";

fn sipreg(args: &[&str]) -> Run {
    let out = Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env("SIPREG_PASSWORD", "pw")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    Run::from(out)
}

/// One performance datum: value, unit and the optional thresholds and range.
#[derive(Debug, PartialEq)]
struct Datum {
    value: f64,
    unit: String,
    warn: Option<String>,
    crit: Option<String>,
    min: Option<String>,
    max: Option<String>,
}

/// The guidelines' grammar: a label (quoted when it has spaces or `=`), `=`, a value
/// with an optional unit of s, ms, us, %, B, KB, MB, TB or c (or none), then up to
/// four `;`-separated fields, each possibly empty.
fn perfdata(text: &str) -> HashMap<String, Datum> {
    let mut out = HashMap::new();
    for item in text.split_whitespace() {
        let (label, rest) = item.split_once('=').expect("label=value");
        let label = label.trim_matches('\'').to_string();
        let mut fields = rest.split(';');
        let first = fields.next().unwrap();
        let split = first
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(first.len());
        let (number, unit) = first.split_at(split);
        assert!(
            ["", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"].contains(&unit),
            "unit {unit:?} in {item}"
        );
        let field = |f: Option<&str>| f.filter(|v| !v.is_empty()).map(str::to_string);
        let datum = Datum {
            value: number.parse().unwrap_or_else(|_| panic!("value of {item}")),
            unit: unit.to_string(),
            warn: field(fields.next()),
            crit: field(fields.next()),
            min: field(fields.next()),
            max: field(fields.next()),
        };
        assert!(fields.next().is_none(), "too many fields in {item}");
        out.insert(label, datum);
    }
    out
}

/// `SIPREG STATE - text | perfdata`: the state, the text and the parsed data.
fn plugin_line(run: &Run) -> (String, String, HashMap<String, Datum>) {
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one line: {:?} / {}",
        run.stdout,
        run.stderr
    );
    let rest = lines[0].strip_prefix("SIPREG ").expect("SIPREG first");
    let (state, rest) = rest.split_once(" - ").expect("STATE - text");
    let (text, data) = match rest.split_once(" | ") {
        Some((t, d)) => (t, perfdata(d)),
        None => (rest, HashMap::new()),
    };
    (state.to_string(), text.to_string(), data)
}

/// Grants what is asked after `delay` (the registrar is slow, not the test); a query
/// lists one binding.
fn answering(delay: Duration) -> ScriptedRegistrar {
    ScriptedRegistrar::start(Box::new(move |req: &Req, _| {
        std::thread::sleep(delay);
        match req.contact_uri() {
            Some(_) => vec![ok_with_contact(req, 3600)],
            None => vec![respond(
                req,
                200,
                "OK",
                &["Contact: <sip:alice@192.0.2.1:5060>;expires=600".to_string()],
            )],
        }
    }))
}

#[test]
fn ok_with_the_grant_and_performance_data() {
    let reg = answering(Duration::ZERO);
    let run = sipreg(&[
        "register",
        AOR,
        "--once",
        "-o",
        "nagios",
        "-r",
        &reg.uri(),
        "--warning-time",
        "5s",
        "--critical-time",
        "10s",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (state, text, data) = plugin_line(&run);
    assert_eq!(state, "OK");
    assert!(
        text.starts_with("sip:alice@sipreg.test registered, expires 3600s (200 OK)"),
        "{text}"
    );
    let time = &data["time"];
    assert_eq!(time.unit, "s");
    assert!(time.value > 0.0 && time.value < 5.0, "{time:?}");
    assert_eq!(time.warn.as_deref(), Some("5"));
    assert_eq!(time.crit.as_deref(), Some("10"));
    assert_eq!(time.min.as_deref(), Some("0"));
    assert_eq!(data["expires"].value, 3600.0);
    assert_eq!(data["expires"].unit, "s");
    assert_eq!(data["bindings"].value, 1.0);
    assert_eq!(data["bindings"].unit, "");
    // -o monitoring is the same thing.
    let run = sipreg(&["query", AOR, "-o", "monitoring", "-r", &reg.uri()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (state, text, data) = plugin_line(&run);
    assert_eq!(state, "OK");
    assert!(
        text.contains("bindings") || text.contains("binding"),
        "{text}"
    );
    assert!(data.contains_key("bindings"));
}

#[test]
fn warning_when_slower_than_warning_time_and_critical_past_critical_time() {
    let reg = answering(Duration::from_millis(60));
    let run = sipreg(&[
        "register",
        AOR,
        "--once",
        "-o",
        "nagios",
        "-r",
        &reg.uri(),
        "--warning-time",
        "10ms",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (state, text, data) = plugin_line(&run);
    assert_eq!(state, "WARNING");
    assert!(text.contains("over --warning-time 10ms"), "{text}");
    assert_eq!(data["time"].warn.as_deref(), Some("0.01"));
    let run = sipreg(&[
        "register",
        AOR,
        "--once",
        "-o",
        "nagios",
        "-r",
        &reg.uri(),
        "--warning-time",
        "5ms",
        "--critical-time",
        "10ms",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(plugin_line(&run).0, "CRITICAL");
}

#[test]
fn critical_when_refused_unanswered_or_an_expectation_fails() {
    let refusing = ScriptedRegistrar::start(Box::new(|req: &Req, _| {
        vec![respond(req, 503, "Service Unavailable", &[])]
    }));
    let run = sipreg(&[
        "register",
        AOR,
        "--once",
        "-o",
        "nagios",
        "-r",
        &refusing.uri(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let (state, text, _) = plugin_line(&run);
    assert_eq!(state, "CRITICAL");
    assert!(text.contains("503"), "{text}");
    assert!(
        run.stderr.is_empty(),
        "monitoring reads stdout: {}",
        run.stderr
    );

    let silent = ScriptedRegistrar::start(Box::new(|_: &Req, _| vec![]));
    let run = sipreg(&[
        "query",
        AOR,
        "-o",
        "nagios",
        "-r",
        &silent.uri(),
        "--timeout",
        "1s",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(plugin_line(&run).0, "CRITICAL");

    let reg = answering(Duration::ZERO);
    let run = sipreg(&[
        "query",
        AOR,
        "-o",
        "nagios",
        "-r",
        &reg.uri(),
        "--expect-bindings",
        ">=3",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let (state, text, data) = plugin_line(&run);
    assert_eq!(state, "CRITICAL");
    assert!(text.contains("--expect-bindings: expected >=3"), "{text}");
    assert!(data.contains_key("time"), "the data still comes: {text}");

    // A refusal that --expect-status asked for is OK.
    let run = sipreg(&[
        "register",
        AOR,
        "--once",
        "-o",
        "nagios",
        "-r",
        &refusing.uri(),
        "--expect-status",
        "503",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(plugin_line(&run).0, "OK");
}

#[test]
fn unknown_for_usage_errors_clap_or_ours() {
    for args in [
        vec!["register", "not a uri", "--once", "-o", "nagios"],
        vec!["query", AOR, "-o", "nagios", "--bogus"],
        vec!["-o", "nagios", "register", AOR],
        vec!["query", AOR, "--output=nagios", "--timeout", "0s"],
    ] {
        let run = sipreg(&args);
        assert_eq!(run.code, 3, "{args:?}: {} / {}", run.stdout, run.stderr);
        let (state, text, _) = plugin_line(&run);
        assert_eq!(state, "UNKNOWN", "{args:?}");
        assert!(!text.is_empty());
    }
    // Thresholds mean something only to a monitoring system.
    let run = sipreg(&[
        "query",
        AOR,
        "--warning-time",
        "1s",
        "-r",
        "sip:127.0.0.1:9",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("thresholds of -o nagios"),
        "{}",
        run.stderr
    );
}
