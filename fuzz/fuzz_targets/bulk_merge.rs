//! `sipreg bulk merge` reads files it did not write itself (pod logs, files passed
//! around): the fuzzer's bytes as those lines. Summaries and interval lines are read
//! back, added up and written out again, human and JSON, with thresholds checked.
//! Whatever comes, nothing panics (no overflow, no histogram that cannot be added).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sipreg::bulk::interval::IntervalReport;
use sipreg::bulk::report::Report;
use sipreg::bulk::thresholds::Thresholds;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut sum: Option<Report> = None;
    let mut intervals: Option<IntervalReport> = None;
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let Ok(r) = Report::from_json(&v) {
            match &mut sum {
                Some(s) => s.add(&r),
                None => sum = Some(r),
            }
        }
        if let Ok(i) = IntervalReport::from_json(&v) {
            match &mut intervals {
                Some(s) => s.add(&i),
                None => intervals = Some(i),
            }
        }
    }
    if let Some(mut r) = sum {
        r.check(&Thresholds {
            success_rate: Some(99.9),
            p99: Some(Duration::from_millis(50)),
            rate: Some(100.0),
            ..Thresholds::default()
        });
        let _ = r.json().to_string();
        let _ = r.human();
    }
    if let Some(i) = intervals {
        let _ = i.json().to_string();
        let _ = i.human();
    }
});
