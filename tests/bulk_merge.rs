//! Issue 15 against a real Kamailio: four shards run as four processes with a shared
//! `--start-at` add up, through `sipreg bulk merge`, to the same population run by
//! one process; merged percentiles are those of the shards' histograms added (exact,
//! the histogram keeps 3 significant digits, 0.1 %); a missing and a duplicated shard
//! are named; thresholds pass and fail, single and merged.

mod support;

use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::kamailio::{Kamailio, KamailioOptions};

const USERS: u32 = 400;

fn kamailio() -> Kamailio {
    let users = (1..=USERS)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    Kamailio::start(KamailioOptions {
        users,
        ..KamailioOptions::default()
    })
}

/// `sipreg bulk register --once` of `count` bench users, with `extra` options.
fn register(kam: &Kamailio, count: u32, extra: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("sipreg"));
    c.args(["bulk", "register", "--once"])
        .args(["--aor", "sip:bench{n:04}@sipreg.test"])
        .args(["--count", &count.to_string()])
        .args(["--password-template", "pw{n:04}"])
        .args(["-r", &kam.registrar_uri(), "--rate", "400", "--json"])
        .args(extra)
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    fn summary(&self) -> Value {
        let lines = self.lines();
        let last = lines.last().expect("a summary").clone();
        assert_eq!(last["event"], "bulk_summary", "{last}");
        last
    }
}

fn finish(child: std::process::Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn merge(files: &[&std::path::Path], extra: &[&str]) -> Run {
    let out = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["bulk", "merge"])
        .args(files)
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn histogram(summary: &Value) -> Histogram<u64> {
    use base64::Engine as _;
    let text = summary["latency_hdr"].as_str().expect("latency_hdr");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap();
    let mut h: Histogram<u64> = Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .unwrap();
    // Another shard's may reach further: let it grow, as sipreg's own does.
    h.auto(true);
    h
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

#[test]
fn four_shards_merge_into_the_run_of_one() {
    let kam = kamailio();
    let dir = tempfile::tempdir().unwrap();
    let start_at = SystemTime::now() + Duration::from_secs(3);
    let start_unix = start_at.duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    let at = format!("{start_unix:.3}");
    let children: Vec<_> = (1..=4)
        .map(|i| {
            let shard = format!("{i}/4");
            register(
                &kam,
                USERS,
                &["--shard", &shard, "--start-at", &at, "--interval", "250ms"],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    let shards: Vec<Run> = children.into_iter().map(finish).collect();
    let mut files = Vec::new();
    for (i, run) in shards.iter().enumerate() {
        assert_eq!(run.code, 0, "shard {}: {}", i + 1, run.stderr);
        let s = run.summary();
        assert_eq!(s["population"], USERS / 4);
        assert!(s["start_at"].is_string(), "{s}");
        // Synchronised: no shard began before the shared instant.
        let first = s["first_start_unix"].as_f64().unwrap();
        assert!(
            first >= start_unix - 0.002,
            "shard {} began at {first}",
            i + 1
        );
        let path = dir.path().join(format!("shard{}.json", i + 1));
        std::fs::write(&path, &run.stdout).unwrap();
        files.push(path);
    }
    let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    let merged = merge(&paths, &["--json"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let m = merged.summary();
    assert_eq!(m["shard"], "*/4");

    // The same population run by one process.
    let single = finish(register(&kam, USERS, &[]).spawn().unwrap());
    assert_eq!(single.code, 0, "{}", single.stderr);
    let one = single.summary();
    for count in [
        "population",
        "attempted",
        "succeeded",
        "failed",
        "registered",
        "unfinished",
        "not_started",
    ] {
        assert_eq!(m[count], one[count], "{count}: merged {m}\nsingle {one}");
    }
    assert_eq!(m["succeeded"], USERS);
    assert_eq!(m["test"]["population"], one["test"]["population"]);
    assert_eq!(m["test"]["shards"], 4);

    // Percentiles: those of the four histograms added, and between the shards' own.
    let mut sum = histogram(&shards[0].summary());
    for s in &shards[1..] {
        sum.add(histogram(&s.summary())).unwrap();
    }
    assert_eq!(sum.len(), u64::from(USERS));
    for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99_9", 0.999)] {
        let got = m["latency_ms"][name].as_f64().unwrap();
        assert_eq!(got, ms(&sum, q), "{name}");
        let own: Vec<f64> = shards
            .iter()
            .map(|s| s.summary()["latency_ms"][name].as_f64().unwrap())
            .collect();
        let (lo, hi) = own
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        assert!(lo <= got && got <= hi, "{name} {got} outside {own:?}");
    }
    let max = shards
        .iter()
        .map(|s| s.summary()["latency_ms"]["max"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(m["latency_ms"]["max"], max);
    // The intervals add up to the population too.
    let started: u64 = merged
        .lines()
        .iter()
        .filter(|l| l["event"] == "bulk_interval")
        .map(|l| l["started"].as_u64().unwrap())
        .sum();
    assert_eq!(started, u64::from(USERS));

    // A missing shard and a duplicated one are named, and nothing is summed.
    let gap = merge(&[paths[0], paths[1], paths[1], paths[3]], &[]);
    assert_eq!(gap.code, 1, "{}", gap.stdout);
    assert!(gap.stdout.is_empty(), "{}", gap.stdout);
    assert!(gap.stderr.contains("shard 3/4 missing"), "{}", gap.stderr);
    assert!(
        gap.stderr.contains("shard 2/4 given 2 times"),
        "{}",
        gap.stderr
    );
    // A summary of another test is refused by name.
    let other = finish(register(&kam, 8, &[]).spawn().unwrap());
    let stranger = dir.path().join("other.json");
    std::fs::write(&stranger, &other.stdout).unwrap();
    let mixed = merge(&[paths[0], &stranger], &[]);
    assert_eq!(mixed.code, 1);
    assert!(mixed.stderr.contains("another test"), "{}", mixed.stderr);

    // Thresholds on the merged result: one met, one not.
    let checked = merge(&paths, &["--expect-success-rate", "100%"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert!(
        checked.stdout.contains("met    success rate 100 %"),
        "{}",
        checked.stdout
    );
    let unmet = merge(
        &paths,
        &["--expect-p50", "1us", "--expect-success-rate", "99%"],
    );
    assert_eq!(unmet.code, 6, "{}", unmet.stdout);
    let failed: Vec<&str> = unmet
        .stderr
        .lines()
        .filter(|l| l.starts_with("sipreg: expectation failed: "))
        .collect();
    assert_eq!(failed.len(), 1, "{}", unmet.stderr);
    assert!(failed[0].contains("p50 latency"), "{}", failed[0]);
}

/// Thresholds on one run: a population with AORs the registrar does not know fails
/// without thresholds (exit 5), passes a success-rate threshold it meets and fails
/// one it does not (exit 6, the line says why, the JSON lists each check).
#[test]
fn thresholds_pass_and_fail_a_single_run() {
    let kam = kamailio();
    // 100 AORs, of which the last 4 are not provisioned: 96 % succeed.
    let first = (USERS - 95).to_string();
    let extra = |more: &[&str]| {
        let mut args = vec!["--first", first.as_str()];
        args.extend_from_slice(more);
        args.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let run = |more: &[&str]| {
        let args = extra(more);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        finish(register(&kam, 100, &args).spawn().unwrap())
    };
    let plain = run(&[]);
    assert_eq!(plain.code, 5, "{}", plain.stderr);
    assert_eq!(plain.summary()["failed"], 4);

    let lenient = run(&["--expect-success-rate", "95%", "--expect-p99", "30s"]);
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
    let checks = lenient.summary()["expectations"].clone();
    assert_eq!(checks.as_array().unwrap().len(), 2, "{checks}");
    assert!(checks.as_array().unwrap().iter().all(|c| c["met"] == true));

    let strict = run(&[
        "--expect-success-rate",
        "99.9%",
        "--expect-rate",
        "1000000/s",
    ]);
    assert_eq!(strict.code, 6, "{}", strict.stderr);
    assert!(
        strict.stderr.contains(
            "sipreg: expectation failed: success rate 96 % (96 of 100 AORs), asked at least 99.9 %"
        ),
        "{}",
        strict.stderr
    );
    assert!(
        strict.stderr.contains("asked at least 1000000/s"),
        "{}",
        strict.stderr
    );
    assert_eq!(strict.summary()["exit_status"], 6);
}

#[test]
fn bad_threshold_and_start_values_are_usage_errors() {
    for (option, value, says) in [
        ("--expect-success-rate", "120%", "percentage from 0 to 100"),
        ("--expect-rate", "fast", "not a rate"),
        ("--start-at", "tomorrow", "RFC 3339"),
        ("--interval", "10ms", "at least 100ms"),
        ("--interval", "2days", "at most 24h"),
    ] {
        let out = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
            .args(["bulk", "register", "--once", "--aor", "sip:a{n}@x.test"])
            .args([option, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{option} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{option} {value}: {err}");
    }
    let far = (SystemTime::now() + Duration::from_secs(3 * 86400))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let out = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
        .args(["bulk", "register", "--once", "--aor", "sip:a{n}@127.0.0.1"])
        .args(["--start-at", &far, "-r", "127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than a day ahead"));
}

/// Hostile or corrupt input: text that is not JSON is named by file and line; absurd
/// figures add up without overflowing; a histogram that is not one is refused.
#[test]
fn corrupt_summaries_are_refused_or_added_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let summary = |shard: &str, count: u64, hdr: Value| {
        serde_json::json!({
            "event": "bulk_summary", "command": "register", "mode": "once",
            "shard": shard, "population": count, "attempted": count, "succeeded": count,
            "failed": 0, "failures": [{"operation": "register", "status": 503,
            "reason": "x", "count": count}], "latency_hdr": hdr,
            "test": {"population": "--aor a", "size": 2, "shards": 2},
        })
        .to_string()
    };
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let huge = u64::MAX - 1;
    // No samples: sipreg writes null.
    let a = write("a.json", summary("1/2", huge, Value::Null));
    let b = write("b.json", summary("2/2", huge, Value::Null));
    let sum = merge(&[&a, &b], &["--json"]);
    // The sums are capped, not wrapped (nor a panic).
    assert_eq!(sum.code, 0, "{}", sum.stderr);
    let s = sum.summary();
    assert_eq!(s["attempted"], u64::MAX, "{s}");
    assert_eq!(s["failures"][0]["count"], u64::MAX, "{s}");
    let junk = write("junk.json", "{\"event\": \"bulk_summary\", oops\n".into());
    let bad = merge(&[&a, &junk], &[]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("junk.json:1: not JSON"),
        "{}",
        bad.stderr
    );
    let c = write("c.json", summary("2/2", 1, "bm90IGEgaGlzdG9ncmFt".into()));
    let bad = merge(&[&a, &c], &[]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("latency_hdr"), "{}", bad.stderr);
}
