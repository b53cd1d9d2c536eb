//! Issue 15, `--ramp` and several `--local` addresses at the command line: a bad ramp
//! or address list is refused with exit 2 and one line saying what to fix; a ramped
//! run against Kamailio completes; and AORs spread over 127.0.0.2–127.0.0.5 reach
//! Kamailio from those four addresses (its own log of each REGISTER's source), over
//! UDP and over TCP, with each binding's Contact on the address it left from.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;
use support::kamailio::{Kamailio, KamailioOptions};

const AORS: u32 = 8;

fn sipreg(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("sipreg")
        .unwrap()
        .args(args)
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// Exit status and stderr of a command that must stop before sending anything.
fn refused(args: &[&str]) -> (i32, String) {
    let out = sipreg(args);
    assert!(out.stdout.is_empty(), "{out:?}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const POPULATION: [&str; 6] = [
    "--aor",
    "sip:bench{n:04}@sipreg.test",
    "--count",
    "8",
    "-r",
    // Nothing listens on the discard port; nothing is sent anyway.
    "sip:127.0.0.1:9",
];

#[test]
fn a_bad_ramp_is_refused_in_one_line_that_says_what_to_fix() {
    for (ramp, says) in [
        ("0..5000/s", "--ramp \"0..5000/s\": no duration: write FROM..TO/s over DURATION, e.g. 0..5000/s over 60s"),
        ("0..0/s over 60s", "end rate must be a number above 0"),
        ("0..100/s over soon", "the duration"),
        ("fast", "no duration"),
    ] {
        let mut args = vec!["bulk", "register", "--once", "--ramp", ramp];
        args.extend(POPULATION);
        let (code, stderr) = refused(&args);
        assert_eq!(code, 2, "{ramp}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("sipreg: error: --ramp "), "{stderr}");
        assert!(stderr.contains(says), "{ramp}: {stderr}");
    }
    // --ramp replaces --rate: both at once is a contradiction, not a precedence rule.
    let mut args = vec![
        "bulk",
        "query",
        "--rate",
        "50",
        "--ramp",
        "0..100/s over 10s",
    ];
    args.extend(POPULATION);
    let (code, stderr) = refused(&args);
    assert_eq!(code, 2, "{stderr}");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains("cannot be used with")
            && first.contains("'--ramp <FROM..TO/s over DURATION>'")
            && first.contains("'--rate <N>'"),
        "{stderr}"
    );
}

#[test]
fn several_local_addresses_are_for_bulk_only_and_checked() {
    for local in [
        &["--local", "127.0.0.2,127.0.0.3"][..],
        &["--local", "127.0.0.2", "--local", "127.0.0.3"],
        &["--local", "127.0.0.2/31"],
    ] {
        let mut args = vec!["register", "--once", "sip:alice@127.0.0.1:9"];
        args.extend(local);
        let (code, stderr) = refused(&args);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(
            stderr.trim_end(),
            "sipreg: error: --local takes one address for a single AOR; several (a list, a CIDR block, a range) are for sipreg bulk"
        );
    }
    for (local, says) in [
        (
            "127.0.0.0/8",
            "--local \"127.0.0.0/8\": that block holds more than 1024 addresses",
        ),
        (
            "127.0.0.5-127.0.0.2",
            "the range's first address comes after its last",
        ),
        ("127.0.0.2,[::1]", "--local mixes IPv4 and IPv6"),
    ] {
        let mut args = vec!["bulk", "register", "--once", "--local", local];
        args.extend(POPULATION);
        let (code, stderr) = refused(&args);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{local}: {stderr}");
    }
}

fn kamailio(tcp: bool) -> Kamailio {
    let users = (1..=AORS)
        .map(|n| (format!("bench{n:04}"), format!("pw{n:04}")))
        .collect();
    Kamailio::start_with_defines(
        KamailioOptions {
            users,
            tcp,
            ..KamailioOptions::default()
        },
        &["LOG_SOURCES"],
    )
}

/// `sipreg bulk ARGS` over the 8 provisioned AORs: exit status and JSON lines.
fn bulk(kam: &Kamailio, registrar: &str, args: &[&str]) -> (i32, Vec<Value>, String) {
    let count = AORS.to_string();
    let mut all = vec!["bulk"];
    all.extend(args);
    all.extend([
        "--aor",
        "sip:bench{n:04}@sipreg.test",
        "--count",
        &count,
        "--password-template",
        "pw{n:04}",
        "-r",
        registrar,
        "--json",
    ]);
    let out = sipreg(&all);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    assert_eq!(code, 0, "{stderr}\n{}", kam.stderr_log());
    (code, lines, stderr)
}

/// What Kamailio logged for each AOR (LOG_SOURCES): the source IP of its REGISTERs
/// over `proto`, by AOR number.
fn sources_seen(kam: &Kamailio, proto: &str) -> BTreeMap<u32, Vec<String>> {
    let mut seen: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for line in kam.stderr_log().lines() {
        let Some((_, rest)) = line.split_once("REGISTER for sip:bench") else {
            continue;
        };
        // "0003@sipreg.test from 127.0.0.4:40123 over udp"
        let n: u32 = rest[..4].parse().unwrap();
        let (_, from) = rest.split_once(" from ").unwrap();
        let (addr, over) = from.split_once(" over ").unwrap();
        assert_eq!(over.trim(), proto, "{line}");
        let (ip, _port) = addr.rsplit_once(':').unwrap();
        seen.entry(n).or_default().push(ip.to_string());
    }
    seen
}

/// AOR n (from 1) is the (n-1)-th of the population: it leaves from address (n-1) % 4.
fn expected_source(n: u32) -> String {
    format!("127.0.0.{}", 2 + (n - 1) % 4)
}

fn spread_over_four_addresses(tcp: bool, local: &[&str]) {
    let kam = kamailio(tcp);
    let (registrar, proto) = if tcp {
        (kam.registrar_uri_tcp(), "tcp")
    } else {
        (kam.registrar_uri(), "udp")
    };
    let mut args = vec!["register", "--once"];
    args.extend(local);
    let (_, lines, _) = bulk(&kam, &registrar, &args);
    let summary = lines.last().unwrap();
    assert_eq!(summary["registered"], AORS, "{summary}");

    // What the registrar saw: every AOR's REGISTERs (the challenged one and the
    // answer) from its own address, two AORs on each of the four.
    let seen = sources_seen(&kam, proto);
    assert_eq!(seen.len(), AORS as usize, "{seen:?}\n{}", kam.stderr_log());
    for (n, ips) in &seen {
        assert!(!ips.is_empty());
        for ip in ips {
            assert_eq!(*ip, expected_source(*n), "AOR {n}: {seen:?}");
        }
    }
    let mut per_address: BTreeMap<&str, u32> = BTreeMap::new();
    for ips in seen.values() {
        *per_address.entry(ips[0].as_str()).or_default() += 1;
    }
    assert_eq!(
        per_address.into_iter().collect::<Vec<_>>(),
        vec![
            ("127.0.0.2", 2),
            ("127.0.0.3", 2),
            ("127.0.0.4", 2),
            ("127.0.0.5", 2)
        ]
    );

    // What it keeps: each binding's Contact on the address its AOR left from.
    let mut args = vec!["query", "-v"];
    args.extend(local);
    let (_, lines, _) = bulk(&kam, &registrar, &args);
    let per_aor: Vec<&Value> = lines.iter().filter(|o| o["event"] == "bindings").collect();
    assert_eq!(per_aor.len(), AORS as usize);
    for o in per_aor {
        let aor = o["aor"].as_str().unwrap();
        let n: u32 = aor["sip:bench".len().."sip:bench".len() + 4]
            .parse()
            .unwrap();
        let bindings = o["bindings"].as_array().unwrap();
        assert_eq!(bindings.len(), 1, "{o}");
        let contact = bindings[0]["contact"].as_str().unwrap();
        let host = format!("sip:bench{n:04}@{}:", expected_source(n));
        assert!(contact.starts_with(&host), "{aor}: {contact}");
    }
}

#[test]
fn aors_spread_over_four_source_addresses_reach_kamailio_from_each_over_udp() {
    // A list, the option repeated, and a CIDR block together.
    spread_over_four_addresses(
        false,
        &["--local", "127.0.0.2,127.0.0.3", "--local", "127.0.0.4/31"],
    );
}

#[test]
fn aors_spread_over_four_source_addresses_reach_kamailio_from_each_over_tcp() {
    spread_over_four_addresses(true, &["--local", "127.0.0.2-5", "-t", "tcp"]);
}

#[test]
fn a_ramped_run_registers_everyone_and_reports_its_end_rate() {
    let kam = kamailio(false);
    let registrar = kam.registrar_uri();
    // 0 to 200/s over 1 s: 100 starts are due by then, so all 8 within 0.3 s.
    let (_, lines, _) = bulk(
        &kam,
        &registrar,
        &["register", "--once", "--ramp", "0..200/s over 1s"],
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["registered"], AORS, "{summary}");
    assert_eq!(summary["rate_asked"], 200.0, "{summary}");
}
