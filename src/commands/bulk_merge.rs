//! `sipreg bulk merge FILE…`: the JSON output of a load test's shards added up into
//! one summary (and one line per interval), as if one machine had run the whole
//! population; thresholds are checked on the sum.

use super::bulk::{outcome_status, print_report};
use crate::bulk::interval::IntervalReport;
use crate::bulk::report::Report;
use crate::cli::{MergeArgs, OutputFormat};
use crate::exit::ExitStatus;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub fn run(args: &MergeArgs) -> ExitStatus {
    let format = if args.json {
        OutputFormat::Json
    } else {
        args.output
    };
    match merge(args) {
        Ok((mut report, intervals)) => {
            let thresholds = args.thresholds.thresholds();
            report.check(&thresholds);
            let status = outcome_status(&report, &thresholds, false);
            report.exit_status = status.code();
            if !args.quiet {
                for interval in &intervals {
                    match format {
                        OutputFormat::Json => println!("{}", interval.json()),
                        _ => println!("{}", interval.human()),
                    }
                }
                print_report(&report, format);
            }
            status
        }
        Err(message) => {
            if !args.quiet {
                eprintln!("sipreg: error: {message}");
            }
            ExitStatus::Failure
        }
    }
}

/// One summary read, and where it came from (for messages).
struct Found {
    report: Report,
    place: String,
}

fn merge(args: &MergeArgs) -> Result<(Report, Vec<IntervalReport>), String> {
    let mut summaries: Vec<Found> = Vec::new();
    let mut intervals: BTreeMap<u64, IntervalReport> = BTreeMap::new();
    for path in &args.files {
        let (name, text) = read(path)?;
        for (n, line) in text.lines().enumerate() {
            let place = format!("{name}:{}", n + 1);
            // Other lines in a pod's log (warnings on stderr) are not ours to read.
            if !line.trim_start().starts_with('{') {
                continue;
            }
            let v: Value =
                serde_json::from_str(line).map_err(|e| format!("{place}: not JSON: {e}"))?;
            match v.get("event").and_then(Value::as_str) {
                Some("bulk_summary") => {
                    let report = Report::from_json(&v).map_err(|e| format!("{place}: {e}"))?;
                    summaries.push(Found { report, place });
                }
                Some("bulk_interval") => {
                    let interval =
                        IntervalReport::from_json(&v).map_err(|e| format!("{place}: {e}"))?;
                    intervals
                        .entry(interval.index)
                        .and_modify(|sum| sum.add(&interval))
                        .or_insert(interval);
                }
                // Per-AOR lines (-v) are part of a shard's output, not of its sum.
                _ => {}
            }
        }
    }
    check_shards(&summaries)?;
    let mut found = summaries.into_iter();
    let first = found
        .next()
        .ok_or("no bulk summary found in the input (run the shards with --json)")?;
    let mut merged = first.report;
    for f in found {
        merged.add(&f.report);
    }
    merged.shard_index = None;
    let shards = merged.test.as_ref().map_or(1, |t| t.shards);
    let intervals = intervals
        .into_values()
        .map(|mut i| {
            i.shard = format!("*/{shards}");
            i
        })
        .collect();
    Ok((merged, intervals))
}

fn read(path: &Path) -> Result<(String, String), String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(("stdin".into(), text));
    }
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok((name, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Every summary belongs to one test, and each of its shards is there exactly once.
fn check_shards(summaries: &[Found]) -> Result<(), String> {
    let Some(first) = summaries.first() else {
        return Ok(());
    };
    let test = first
        .report
        .test
        .as_ref()
        .ok_or("a summary without its test")?;
    for f in summaries {
        let Some(other) = &f.report.test else {
            continue;
        };
        if other != test {
            return Err(format!(
                "{} belongs to another test than {}: `{} {}` in {} shards, not `{} {}` in {}",
                f.place,
                first.place,
                other.command,
                other.spec,
                other.shards,
                test.command,
                test.spec,
                test.shards
            ));
        }
        if f.report.shard_index.is_none() {
            return Err(format!("{}: a merged summary, not a shard's", f.place));
        }
    }
    let mut seen: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for f in summaries {
        if let Some(i) = f.report.shard_index {
            seen.entry(i).or_default().push(&f.place);
        }
    }
    let mut problems = Vec::new();
    let missing: Vec<String> = (1..=test.shards)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{}", test.shards))
        .collect();
    if !missing.is_empty() {
        let noun = if missing.len() == 1 {
            "shard"
        } else {
            "shards"
        };
        problems.push(format!("{noun} {} missing", missing.join(", ")));
    }
    for (i, places) in &seen {
        if places.len() > 1 {
            problems.push(format!(
                "shard {i}/{} given {} times ({})",
                test.shards,
                places.len(),
                places.join(", ")
            ));
        }
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(format!("cannot merge: {}", problems.join("; "))),
    }
}
