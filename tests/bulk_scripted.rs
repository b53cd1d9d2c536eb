//! `sipreg bulk` against the in-process bulk registrar: demultiplexing (responses out
//! of order, twice, for unknown Call-IDs, garbage), per-AOR challenges, 423, AORs that
//! never get an answer, pre-emptive answers, CSV input, shards, staying mode.

mod scripted;

use scripted::bulk_registrar::{
    digest_is_valid, digest_params, per_aor_digest, to_user, AorRules, BulkRegistrar, Delivery,
    Policy,
};
use scripted::{respond, Req};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const REALM: &str = "sipreg.test";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    /// The summary object: the last line.
    fn summary(&self) -> Value {
        let all = self.json();
        let last = all.last().cloned().expect("a summary line");
        assert_eq!(last["event"], "bulk_summary", "{last}");
        last
    }
}

fn command(args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sipreg"));
    cmd.arg("bulk")
        .args(args)
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .env("NO_COLOR", "1");
    cmd
}

fn bulk(args: &[&str]) -> Run {
    let out = assert_cmd::Command::from_std(command(args))
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `bulk register --once` of `count` template AORs (`bench01`… with `digits`
/// digits, passwords by `numbered_password`) against `registrar`, then `extra`.
fn register_once(registrar: &str, count: u32, digits: usize, extra: &[&str]) -> Run {
    let aor = format!("sip:bench{{n:0{digits}}}@sipreg.test");
    let password = format!("pw{{n:0{digits}}}");
    let count = count.to_string();
    let mut args = vec![
        "register",
        "--once",
        "--aor",
        &aor,
        "--count",
        &count,
        "--password-template",
        &password,
        "-r",
        registrar,
    ];
    args.extend_from_slice(extra);
    bulk(&args)
}

/// `pw01` for `bench01`: the password scheme of the template tests.
fn numbered_password(user: &str) -> String {
    user.replace("bench", "pw")
}

fn rules(entries: &[(&str, AorRules)]) -> HashMap<String, AorRules> {
    entries
        .iter()
        .map(|(u, r)| (u.to_string(), r.clone()))
        .collect()
}

/// Checks what every AOR must keep across its requests: one Call-ID, one From-tag,
/// CSeq rising by one; and that no two AORs share a Call-ID or a Contact.
fn assert_dialog_state_per_aor(by_user: &HashMap<String, Vec<Req>>) {
    let mut call_ids = HashSet::new();
    let mut contacts = HashSet::new();
    for (user, reqs) in by_user {
        let call_id = reqs[0].call_id().to_string();
        let tag = reqs[0].tag_of_from();
        for pair in reqs.windows(2) {
            assert_eq!(pair[1].call_id(), call_id, "{user}: Call-ID changed");
            assert_eq!(pair[1].tag_of_from(), tag, "{user}: From-tag changed");
            let (a, b) = (pair[0].cseq(), pair[1].cseq());
            assert!(
                b == a + 1 || (b == a && pair[0].branch() == pair[1].branch()),
                "{user}: CSeq {a} then {b} (only a retransmission may repeat one)"
            );
        }
        assert!(call_ids.insert(call_id), "{user}: Call-ID shared");
        if let Some(c) = reqs[0].contact_uri() {
            assert!(
                c.starts_with(&format!("sip:{user}@")),
                "{user}: contact {c}"
            );
            assert!(contacts.insert(c), "{user}: contact shared");
        }
    }
}

#[test]
fn per_aor_nonces_423_and_silent_aors() {
    let reg = BulkRegistrar::start(
        per_aor_digest(
            REALM,
            numbered_password,
            rules(&[
                (
                    "bench03",
                    AorRules {
                        min_expires: Some(7200),
                        ..AorRules::default()
                    },
                ),
                (
                    "bench07",
                    AorRules {
                        min_expires: Some(7200),
                        ..AorRules::default()
                    },
                ),
                (
                    "bench05",
                    AorRules {
                        silent: true,
                        ..AorRules::default()
                    },
                ),
                (
                    "bench11",
                    AorRules {
                        silent: true,
                        ..AorRules::default()
                    },
                ),
            ]),
        ),
        Delivery::default(),
    );
    let r = register_once(
        &reg.uri(),
        20,
        2,
        &["--rate", "500", "--timeout", "1s", "--json", "-v"],
    );
    assert_eq!(r.code, 5, "some AORs failed: {}\n{}", r.stdout, r.stderr);
    let s = r.summary();
    assert_eq!(s["population"], 20);
    assert_eq!(s["attempted"], 20);
    assert_eq!(s["succeeded"], 18);
    assert_eq!(s["failed"], 2);
    assert_eq!(s["registered"], 18);
    assert_eq!(s["interval_too_brief"], 2);
    assert_eq!(
        s["challenges"], 18,
        "each answering AOR had a nonce of its own"
    );
    let failures = s["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0]["count"], 2);
    assert_eq!(failures[0]["operation"], "register");
    assert_eq!(failures[0]["status"], Value::Null);
    assert!(failures[0]["reason"]
        .as_str()
        .unwrap()
        .contains("no response"));
    // -v: one line per failure, naming the AOR
    let failed: HashSet<String> = r.json()[..r.json().len() - 1]
        .iter()
        .filter(|o| o["event"] == "failed")
        .map(|o| o["aor"].as_str().unwrap().to_string())
        .collect();
    let expected: HashSet<String> = ["sip:bench05@sipreg.test", "sip:bench11@sipreg.test"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(failed, expected);

    let by_user = reg.by_user();
    assert_eq!(by_user.len(), 20);
    assert_dialog_state_per_aor(&by_user);
    for (user, reqs) in &by_user {
        let last = reqs.last().unwrap();
        match user.as_str() {
            "bench05" | "bench11" => {
                assert!(
                    reqs.len() >= 2,
                    "{user}: Timer E retransmits before the timeout"
                );
                assert!(
                    reqs.iter().all(|q| q.branch() == reqs[0].branch()),
                    "{user}"
                );
            }
            _ => {
                let nonce = format!("nonce-{user}");
                assert!(
                    digest_is_valid(last, user, &numbered_password(user), REALM, &nonce),
                    "{user}: last REGISTER does not answer its own nonce: {:?}",
                    last.header("authorization")
                );
                let asked = if user == "bench03" || user == "bench07" {
                    7200
                } else {
                    3600
                };
                assert_eq!(last.expires(), Some(asked), "{user}");
            }
        }
    }
}

/// `count` AORs against a registrar that answers in reversed batches of `batch`,
/// sends every response twice and adds strays: each AOR must still get exactly its
/// own answers, the copies and strays be ignored.
fn scrambled_delivery_is_sorted_out(count: u32, digits: usize, batch: usize, rate: &str) {
    let reg = BulkRegistrar::start(
        per_aor_digest(REALM, numbered_password, HashMap::new()),
        Delivery {
            reverse_batches: Some(batch),
            duplicate: true,
            strays: true,
        },
    );
    let concurrency = count.to_string();
    let r = register_once(
        &reg.uri(),
        count,
        digits,
        &["--rate", rate, "--concurrency", &concurrency, "--json"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let s = r.summary();
    assert_eq!(s["succeeded"], count, "{s}");
    assert_eq!(s["registered"], count, "{s}");
    // Every response came twice: the second 401 and the second 200 of each AOR are
    // ignored, and so is every response for a Call-ID nobody used.
    assert!(
        s["ignored"].as_u64().unwrap() >= 2 * u64::from(count),
        "{s}"
    );
    assert!(s["unreadable"].as_u64().unwrap() >= 1, "{s}");
    let by_user = reg.by_user();
    assert_eq!(by_user.len(), count as usize);
    assert_dialog_state_per_aor(&by_user);
    for (user, reqs) in &by_user {
        let cseqs: HashSet<u32> = reqs.iter().map(Req::cseq).collect();
        assert_eq!(cseqs.len(), 2, "{user}: one challenge, one answer");
        let nonce = format!("nonce-{user}");
        let last = reqs.last().unwrap();
        assert!(
            digest_is_valid(last, user, &numbered_password(user), REALM, &nonce),
            "{user}"
        );
    }
}

#[test]
fn responses_out_of_order_twice_and_stray_are_sorted_out() {
    scrambled_delivery_is_sorted_out(40, 2, 8, "2000");
}

/// Bursts of over a hundred datagrams queued at once (60 replies, each twice, and
/// the strays) take several batched reads; every response must still reach its AOR.
#[test]
fn bursts_larger_than_one_read_are_all_read_and_routed() {
    scrambled_delivery_is_sorted_out(120, 3, 60, "20000");
}

/// A 200 that lists the request's Contact with an hour's grant.
fn bound_for_an_hour(req: &Req) -> Vec<u8> {
    let contact = req.contact_uri().unwrap_or_default();
    respond(
        req,
        200,
        "OK",
        &[format!("Contact: <{contact}>;expires=3600")],
    )
}

/// Like Kamailio: one nonce for the whole realm, valid for every AOR. With
/// `check_nc` (Kamailio's `nonce_count`), a request with it is refused (a new
/// challenge) unless its nc is above every nc seen before.
fn shared_nonce_policy(check_nc: bool) -> Policy {
    let mut highest_nc = 0u32;
    Box::new(move |req: &Req| {
        let user = to_user(req);
        let valid = digest_is_valid(req, &user, &numbered_password(&user), REALM, "shared");
        let nc = req
            .header("authorization")
            .map(digest_params)
            .and_then(|p| u32::from_str_radix(&p["nc"], 16).ok())
            .unwrap_or(0);
        if valid && (!check_nc || nc > highest_nc) {
            highest_nc = highest_nc.max(nc);
            vec![bound_for_an_hour(req)]
        } else {
            vec![scripted::challenge_401(req, REALM, "shared", "")]
        }
    })
}

#[test]
fn a_realm_wide_nonce_is_answered_pre_emptively() {
    let reg = BulkRegistrar::start(shared_nonce_policy(false), Delivery::default());
    let r = register_once(
        &reg.uri(),
        10,
        2,
        &["--rate", "1000", "--concurrency", "1", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["succeeded"], 10);
    assert_eq!(s["challenges"], 1, "only the first AOR waited for a 401");
    let reqs = reg.requests();
    assert_eq!(reqs.len(), 11);
    // One at a time: AOR k is the k-th request with the nonce, and says so.
    for (k, req) in reqs.iter().enumerate().skip(2) {
        let user = to_user(req);
        let p = digest_params(req.header("authorization").expect("pre-emptive answer"));
        assert_eq!(p["nc"], format!("{k:08x}"), "{user}");
        assert!(digest_is_valid(
            req,
            &user,
            &numbered_password(&user),
            REALM,
            "shared"
        ));
    }
}

#[test]
fn a_registrar_that_checks_nc_sees_it_rise_across_the_population() {
    let reg = BulkRegistrar::start(shared_nonce_policy(true), Delivery::default());
    let r = register_once(
        &reg.uri(),
        20,
        2,
        &["--rate", "2000", "--concurrency", "1", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["succeeded"], 20);
    assert_eq!(
        s["challenges"], 1,
        "a count restarting at 1 for every AOR would be refused each time"
    );
    assert_eq!(reg.requests().len(), 21);
}

/// One realm-wide nonce that goes stale after every `uses` accepted requests: a
/// request with the old one gets `stale=true` and the new nonce.
fn rotating_nonce_policy(uses: u32) -> Policy {
    let mut accepted = 0u32;
    Box::new(move |req: &Req| {
        let user = to_user(req);
        let current = format!("n{}", accepted / uses);
        let answered = req
            .header("authorization")
            .map(digest_params)
            .and_then(|p| p.get("nonce").cloned());
        let password = numbered_password(&user);
        if digest_is_valid(req, &user, &password, REALM, &current) {
            accepted += 1;
            return vec![bound_for_an_hour(req)];
        }
        let stale = answered.is_some_and(|n| digest_is_valid(req, &user, &password, REALM, &n));
        let extra = if stale { ", stale=true" } else { "" };
        vec![scripted::challenge_401(req, REALM, &current, extra)]
    })
}

#[test]
fn a_stale_shared_nonce_is_replaced_for_the_aors_that_follow() {
    let reg = BulkRegistrar::start(rotating_nonce_policy(5), Delivery::default());
    let r = register_once(
        &reg.uri(),
        20,
        2,
        &["--rate", "2000", "--concurrency", "1", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = r.summary();
    assert_eq!(s["succeeded"], 20, "{s}");
    // The first 401, then one stale 401 each time the nonce turns (after 5, 10 and
    // 15 accepted): the AORs after a turn answer the new nonce at once. Keeping the
    // stale nonce would draw a 401 for every AOR after the first turn.
    assert_eq!(s["challenges"], 4, "{s}");
    let stale_answers = reg
        .requests()
        .iter()
        .filter_map(|req| req.header("authorization").map(digest_params))
        .filter(|p| p["nonce"] == "n0")
        .count();
    assert_eq!(
        stale_answers,
        5 + 1,
        "five accepted with n0, then one refused"
    );
}

#[test]
fn csv_population_with_quoted_fields_and_own_contacts() {
    fn password(user: &str) -> String {
        match user {
            "alice" => "se,cret \"quoted\"".into(),
            other => format!("pw-{other}"),
        }
    }
    let reg = BulkRegistrar::start(
        per_aor_digest(REALM, password, HashMap::new()),
        Delivery::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.csv");
    std::fs::write(
        &path,
        "aor,user,password,contact\r\n\
         sip:alice@sipreg.test,,\"se,cret \"\"quoted\"\"\",\r\n\
         \"sip:bob@sipreg.test\",bob,pw-bob,sip:bob@192.0.2.7:5070\r\n",
    )
    .unwrap();
    let r = bulk(&[
        "register",
        "--once",
        "--users",
        path.to_str().unwrap(),
        "-r",
        &reg.uri(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.summary()["succeeded"], 2);
    let by_user = reg.by_user();
    assert_eq!(
        by_user["bob"][0].contact_uri().as_deref(),
        Some("sip:bob@192.0.2.7:5070")
    );
    assert!(by_user["alice"][0]
        .contact_uri()
        .unwrap()
        .starts_with("sip:alice@127.0.0.1:"));
}

#[test]
fn csv_mistakes_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "aor,user,password\nsip:a@x,a,p\nsip:b@x,b\"q,p\n",
            "users.csv:3:10:",
        ),
        ("aor,user,password\nsip:a@x,a,\"p\n", "users.csv:2:11:"),
        (
            "aor,user,password\nsip:a@x,a,p\nnot a uri,b,p\n",
            "users.csv:3:1:",
        ),
        ("aor,name\n", "users.csv:1:5:"),
    ];
    for (text, position) in cases {
        let path = dir.path().join("users.csv");
        std::fs::write(&path, text).unwrap();
        let r = bulk(&[
            "register",
            "--once",
            "--users",
            path.to_str().unwrap(),
            "-r",
            "sip:127.0.0.1:9",
        ]);
        assert_eq!(r.code, 2, "{text:?}: {}", r.stderr);
        assert!(r.stderr.contains(position), "{text:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
}

#[test]
fn query_lists_bindings_per_aor_and_unregister_removes_all() {
    let policy: Policy = Box::new(|req: &Req| {
        let user = to_user(req);
        match req.header("contact") {
            None => vec![respond(
                req,
                200,
                "OK",
                &[format!(
                    "Contact: <sip:{user}@192.0.2.1:5060>;expires=60, <sip:{user}@192.0.2.2:5060>;expires=90"
                )],
            )],
            Some(_) => vec![respond(req, 200, "OK", &[])],
        }
    });
    let reg = BulkRegistrar::start(policy, Delivery::default());
    let uri = reg.uri();
    let template = ["--aor", "sip:bench{n:02}@sipreg.test", "--count", "6", "-r"];
    let mut args = vec!["query"];
    args.extend(template);
    args.extend([uri.as_str(), "--json", "-v"]);
    let r = bulk(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = r.json();
    let s = r.summary();
    assert_eq!(s["bindings"], 12);
    assert_eq!(s["aors_with_bindings"], 6);
    let per_aor: Vec<&Value> = lines.iter().filter(|o| o["event"] == "bindings").collect();
    assert_eq!(per_aor.len(), 6);
    for o in per_aor {
        let aor = o["aor"].as_str().unwrap();
        let user = aor.trim_start_matches("sip:").split('@').next().unwrap();
        let contacts: Vec<&str> = o["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["contact"].as_str().unwrap())
            .collect();
        assert_eq!(
            contacts,
            [
                format!("sip:{user}@192.0.2.1:5060"),
                format!("sip:{user}@192.0.2.2:5060")
            ]
        );
    }

    let before = reg.requests().len();
    let mut args = vec!["unregister"];
    args.extend(template);
    args.extend([uri.as_str(), "--json"]);
    let r = bulk(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.summary()["unregistered"], 6);
    let removals = &reg.requests()[before..];
    assert_eq!(removals.len(), 6);
    for q in removals {
        assert_eq!(q.header("contact"), Some("*"));
        assert_eq!(q.expires(), Some(0));
    }
}

/// `count` AORs stay registered for 3 s with 4 s grants at `rate`, then go.
fn staying_mode_refreshes_then_removes_after_for(count: u32, rate: &str) {
    let reg = BulkRegistrar::start(
        per_aor_digest(REALM, numbered_password, HashMap::new()),
        Delivery::default(),
    );
    let count_arg = count.to_string();
    let r = bulk(&[
        "register",
        "--aor",
        "sip:bench{n:02}@sipreg.test",
        "--count",
        &count_arg,
        "--password-template",
        "pw{n:02}",
        "-r",
        &reg.uri(),
        "-e",
        "4",
        "--timeout",
        "1s",
        "--for",
        "3s",
        "--rate",
        rate,
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let s = r.summary();
    assert_eq!(s["mode"], "stay");
    assert_eq!(s["succeeded"], count);
    assert_eq!(s["registered"], count);
    assert!(
        s["refreshed"].as_u64().unwrap() >= u64::from(count),
        "a 4 s grant is refreshed within 3 s: {s}"
    );
    // Refreshes have latencies of their own, apart from the registrations'.
    assert!(s["refresh_latency_ms"]["p50"].as_f64().is_some(), "{s}");
    assert!(s["refresh_latency_hdr"].is_string(), "{s}");
    assert_eq!(s["unregistered"], count);
    let by_user = reg.by_user();
    assert_dialog_state_per_aor(&by_user);
    for (user, reqs) in &by_user {
        let last = reqs.last().unwrap();
        assert_eq!(
            last.expires(),
            Some(0),
            "{user}: the last request removes the binding"
        );
        assert!(last
            .header("contact")
            .unwrap()
            .contains(&format!("sip:{user}@")));
    }
}

#[test]
fn staying_mode_refreshes_then_removes_after_for_at_a_low_rate() {
    staying_mode_refreshes_then_removes_after_for(5, "100");
}

/// At 5000/s the loop ticks while refreshes or removals wait to start, and waits on
/// the socket between them: every switch must leave the socket read.
#[test]
fn staying_mode_refreshes_then_removes_after_for_at_a_high_rate() {
    staying_mode_refreshes_then_removes_after_for(60, "5000");
}

/// A staying-mode sipreg, killed when dropped so that a failed assertion leaves no
/// process behind.
struct Staying(std::process::Child);

impl Staying {
    fn start(registrar: &str, count: &str) -> Staying {
        let child = command(&[
            "register",
            "--aor",
            "sip:bench{n:02}@sipreg.test",
            "--count",
            count,
            "--password-template",
            "pw{n:02}",
            "-r",
            registrar,
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        Staying(child)
    }

    fn signal(&self, name: &str) {
        let sent = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.0.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Exit status and the summary, waiting at most `limit`.
    fn finish(&mut self, limit: Duration) -> (Option<i32>, Value) {
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "sipreg did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut text = String::new();
        std::io::Read::read_to_string(self.0.stdout.as_mut().unwrap(), &mut text).unwrap();
        let summary = serde_json::from_str(text.lines().last().unwrap_or("null")).unwrap();
        (status.code(), summary)
    }
}

impl Drop for Staying {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits (bounded) until the registrar has seen `n` requests.
fn wait_for_requests(reg: &BulkRegistrar, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while reg.requests().len() < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reg.requests().len(), n, "all registered before the signal");
}

#[test]
fn sigterm_removes_every_binding() {
    let reg = BulkRegistrar::start(shared_nonce_policy(false), Delivery::default());
    let mut sipreg = Staying::start(&reg.uri(), "8");
    // one 401 round trip, then one REGISTER per AOR
    wait_for_requests(&reg, 9);
    sipreg.signal("TERM");
    let (code, summary) = sipreg.finish(Duration::from_secs(10));
    assert_eq!(code, Some(0), "{summary}");
    assert_eq!(summary["unregistered"], 8, "{summary}");
    let removals: Vec<Req> = reg.requests().into_iter().skip(9).collect();
    assert_eq!(removals.len(), 8);
    assert!(removals.iter().all(|q| q.expires() == Some(0)));
}

#[test]
fn a_second_signal_cuts_the_removal_short() {
    // Registrations are answered, removals never: the removal would take Timer F.
    let policy: Policy = {
        let mut inner = shared_nonce_policy(false);
        Box::new(move |req: &Req| {
            if req.expires() == Some(0) {
                vec![]
            } else {
                inner(req)
            }
        })
    };
    let reg = BulkRegistrar::start(policy, Delivery::default());
    let mut sipreg = Staying::start(&reg.uri(), "3");
    wait_for_requests(&reg, 4);
    sipreg.signal("INT");
    wait_for_requests(&reg, 7);
    sipreg.signal("TERM");
    let (code, summary) = sipreg.finish(Duration::from_secs(10));
    assert_eq!(code, Some(130), "{summary}");
    assert_eq!(summary["exit_status"], 130);
    assert_eq!(summary["unregistered"], 0);
}

#[test]
fn a_shard_registers_only_its_slice() {
    let reg = BulkRegistrar::start(shared_nonce_policy(false), Delivery::default());
    let r = register_once(&reg.uri(), 10, 2, &["--shard", "2/3", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.summary()["population"], 3);
    assert_eq!(r.summary()["shard"], "2/3");
    let mut users: Vec<String> = reg.by_user().into_keys().collect();
    users.sort();
    assert_eq!(users, ["bench04", "bench05", "bench06"]);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let base = [
        "register",
        "--once",
        "--aor",
        "sip:b{n}@x.test",
        "-r",
        "sip:127.0.0.1:9",
    ];
    let cases: [(&[&str], &str); 6] = [
        (&["--rate", "0"], "--rate"),
        (&["-t", "ws", "--sockets", "2"], "--sockets"),
        (&["--shard", "5/4"], "--shard"),
        (&["--for", "10s"], "--for"),
        (&["--count", "3", "--aor", "sip:same@x.test"], "{n}"),
        (&["--concurrency", "0"], "--concurrency"),
    ];
    for (extra, mention) in cases {
        let mut args: Vec<&str> = base.to_vec();
        if extra.contains(&"--aor") {
            args = vec!["register", "--once", "-r", "sip:127.0.0.1:9"];
        }
        args.extend(extra);
        let r = bulk(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(mention), "{args:?}: {}", r.stderr);
    }
}

/// The flags bulk shares with the other commands but cannot honour yet are refused
/// by name, never silently ignored.
#[test]
fn shared_flags_bulk_cannot_honour_are_usage_errors() {
    let base = [
        "register",
        "--once",
        "--aor",
        "sip:b{n}@x.test",
        "-r",
        "sip:127.0.0.1:9",
    ];
    for (extra, flag) in [
        (["--proxy", "sip:edge.x.test"], "--proxy"),
        (["--user", "alice"], "--user"),
        (["--realm", "x.test"], "--realm"),
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let r = bulk(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(flag), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
}

#[test]
fn sockets_share_the_population_and_each_aor_keeps_its_own() {
    let reg = BulkRegistrar::start(shared_nonce_policy(false), Delivery::default());
    let r = register_once(&reg.uri(), 9, 2, &["--sockets", "3", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut aors_per_port: HashMap<String, HashSet<String>> = HashMap::new();
    for q in reg.requests() {
        let via = q.header("via").unwrap();
        let sent_by = via
            .split_whitespace()
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap();
        let port = sent_by.rsplit(':').next().unwrap().to_string();
        let contact = q.contact_uri().unwrap();
        assert!(
            contact.ends_with(&format!(":{port}")),
            "{contact} from {sent_by}"
        );
        aors_per_port.entry(port).or_default().insert(to_user(&q));
    }
    assert_eq!(aors_per_port.len(), 3, "{aors_per_port:?}");
    assert!(
        aors_per_port.values().all(|aors| aors.len() == 3),
        "{aors_per_port:?}"
    );
}

/// `sipreg bulk ARGS` with stderr (and stdout) on a terminal: util-linux's `script`
/// runs it on a pseudo-terminal and copies what it drew.
fn bulk_on_a_terminal(args: &[&str]) -> String {
    let mut line = format!(
        "'{}' bulk",
        assert_cmd::cargo::cargo_bin("sipreg").display()
    );
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let out = assert_cmd::Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .env_remove("SIPREG_PASSWORD")
        .env_remove("SIPREG_HA1")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(30))
        .output()
        .expect("util-linux's script (scripts/install-deps.sh installs it)");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// On a terminal, stderr shows a progress line (done, failed, rate, in flight) that
/// is cleared before the summary; `-q`, or stderr that is no terminal, shows none.
#[test]
fn a_terminal_shows_progress_and_a_pipe_does_not() {
    let reg = BulkRegistrar::start(
        per_aor_digest(REALM, numbered_password, HashMap::new()),
        Delivery::default(),
    );
    let uri = reg.uri();
    let args = [
        "register",
        "--once",
        "--aor",
        "sip:bench{n:02}@sipreg.test",
        "--count",
        "10",
        "--password-template",
        "pw{n:02}",
        "-r",
        &uri,
        "--rate",
        "40",
    ];
    let drawn = bulk_on_a_terminal(&args);
    // Redrawn every 100 ms while the 10 AORs take 250 ms.
    assert!(drawn.contains("/10 done"), "{drawn}");
    assert!(drawn.contains(" 0 failed, "), "{drawn}");
    assert!(
        drawn.contains("/s, ") && drawn.contains(" in flight"),
        "{drawn}"
    );
    // Cleared (erase line) before the summary comes.
    let summary = drawn.find("bulk register: 10 of 10").expect("a summary");
    assert!(drawn[..summary].ends_with("\r\u{1b}[2K"), "{drawn:?}");

    let mut quiet = args.to_vec();
    quiet.push("-q");
    let drawn = bulk_on_a_terminal(&quiet);
    assert!(!drawn.contains(" done"), "{drawn}");

    let piped = bulk(&args);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
    assert!(!piped.stderr.contains(" done"), "{}", piped.stderr);
}

/// Issue 15, lapses: a registrar that refuses every request for 3 s (503 with
/// Retry-After: 3) while 2 s grants run out. Each AOR's grant lapses once and comes
/// back; the summary counts the lapses, the intervals show AORs lapsed meanwhile, and
/// all are registered again by the end.
#[test]
fn a_staying_run_counts_lapses() {
    let mut outage: Option<(Instant, Instant)> = None;
    let reg = BulkRegistrar::start(
        Box::new(move |req: &Req| {
            let now = Instant::now();
            let (from, to) = *outage.get_or_insert((
                now + Duration::from_millis(500),
                now + Duration::from_millis(3500),
            ));
            if req.expires() == Some(0) || !(from..to).contains(&now) {
                vec![scripted::ok_with_contact(req, 2)]
            } else {
                vec![respond(
                    req,
                    503,
                    "Service Unavailable",
                    &["Retry-After: 3".into()],
                )]
            }
        }),
        Delivery::default(),
    );
    let r = bulk(&[
        "register",
        "--aor",
        "sip:bench{n:02}@sipreg.test",
        "--count",
        "3",
        "-r",
        &reg.uri(),
        "-e",
        "2",
        "--for",
        "7s",
        "--interval",
        "1s",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let s = r.summary();
    assert_eq!(s["lapses"], 3, "{s}");
    assert_eq!(s["registered_at_end"], 3, "{s}");
    let lapsed: Vec<u64> = r
        .json()
        .iter()
        .filter(|l| l["event"] == "bulk_interval")
        .map(|l| l["lapsed"].as_u64().unwrap())
        .collect();
    assert!(lapsed.contains(&3), "{lapsed:?}");
    assert_eq!(lapsed.last(), Some(&0), "{lapsed:?}");
}

/// `--start-at` already past: the run starts at once and says so, and the summary
/// reports the instant asked for.
#[test]
fn a_start_time_already_past_starts_at_once_with_a_warning() {
    let reg = BulkRegistrar::start(
        Box::new(|req: &Req| vec![scripted::ok_with_contact(req, 3600)]),
        Delivery::default(),
    );
    let r = bulk(&[
        "register",
        "--once",
        "--aor",
        "sip:bench{n:02}@sipreg.test",
        "--count",
        "3",
        "-r",
        &reg.uri(),
        "--start-at",
        "1",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--start-at 1970-01-01T00:00:01.000Z has passed: starting now"),
        "{}",
        r.stderr
    );
    let s = r.summary();
    assert_eq!(s["start_at"], "1970-01-01T00:00:01.000Z", "{s}");
    assert_eq!(s["succeeded"], 3, "{s}");
}
