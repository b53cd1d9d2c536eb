//! deploy/: what deploy/README.md promises of the Indexed Job is in the manifest, its
//! arguments are ones sipreg accepts, the README's commands name what the manifest
//! names, and the Containerfile copies the binary scripts/build-static.sh makes.
//!
//! There is no cluster here, so this reads the files; `kubernetes-validate` (PyPI)
//! checks the manifest against the API schema where it is installed, by hand. The one
//! process run sends nothing: it stops at the shard, before any address is looked up,
//! and its registrar is on loopback all the same.

use assert_cmd::Command;
use clap::Parser;
use serde_norway::Value;
use sipreg::bulk::Shard;
use sipreg::cli::{BulkCommand, Cli, Command as SipregCommand};
use std::path::Path;

const MUSL_BINARY: &str = "target/x86_64-unknown-linux-musl/release/sipreg";

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn manifest() -> Value {
    serde_norway::from_str(&read("deploy/bulk-job.yaml")).expect("deploy/bulk-job.yaml is YAML")
}

/// `v` at a path of map keys, or a failure naming the path.
fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, key| {
        v.get(key)
            .unwrap_or_else(|| panic!("bulk-job.yaml has no {}", path.join(".")))
    })
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    at(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("{} is not a string", path.join(".")))
}

fn the_container(job: &Value) -> &Value {
    let containers = at(job, &["spec", "template", "spec", "containers"])
        .as_sequence()
        .expect("containers is a list");
    assert_eq!(containers.len(), 1, "one container, sipreg");
    &containers[0]
}

/// The container's arguments. Each must be a YAML string: the API takes strings
/// only, and an unquoted 10000 or date would reach it as a number or a timestamp.
fn args(job: &Value) -> Vec<String> {
    at(the_container(job), &["args"])
        .as_sequence()
        .expect("args is a list")
        .iter()
        .map(|a| match a {
            Value::String(s) => s.clone(),
            other => panic!("argument {other:?} is not a string: quote it"),
        })
        .collect()
}

/// The value that follows `option` in the arguments.
fn value_of<'a>(args: &'a [String], option: &str) -> &'a str {
    let i = args
        .iter()
        .position(|a| a == option)
        .unwrap_or_else(|| panic!("the Job's arguments lack {option}: {args:?}"));
    args.get(i + 1)
        .unwrap_or_else(|| panic!("{option} has no value"))
}

/// N: completions, which parallelism and `--shard auto/N` must equal.
fn shards(job: &Value) -> u64 {
    let n = at(job, &["spec", "completions"])
        .as_u64()
        .expect("completions is a whole number");
    assert!(n >= 1);
    n
}

#[test]
fn the_job_runs_n_indexed_pods_one_shard_each_at_one_start() {
    let job = manifest();
    assert_eq!(text(&job, &["apiVersion"]), "batch/v1");
    assert_eq!(text(&job, &["kind"]), "Job");
    // JOB_COMPLETION_INDEX exists only in Indexed Jobs.
    assert_eq!(text(&job, &["spec", "completionMode"]), "Indexed");
    let n = shards(&job);
    assert_eq!(
        at(&job, &["spec", "parallelism"]).as_u64(),
        Some(n),
        "parallelism must be completions: every shard at the shared start"
    );
    let args = args(&job);
    assert_eq!(&args[..2], ["bulk", "register"]);
    assert_eq!(value_of(&args, "--shard"), format!("auto/{n}"));
    sipreg::cli::parse_start_at(value_of(&args, "--start-at")).expect("--start-at is a time");
    assert!(
        args.iter().any(|a| a == "--json"),
        "the summaries go to bulk merge as JSON"
    );
    // Once per shard: a rerun would start late and register its AORs twice.
    assert_eq!(
        text(&job, &["spec", "template", "spec", "restartPolicy"]),
        "Never"
    );
    assert_eq!(
        at(&job, &["spec", "backoffLimitPerIndex"]).as_u64(),
        Some(0)
    );
    assert!(
        job["spec"].get("backoffLimit").is_none(),
        "backoffLimit would fail the whole Job, and stop the other shards, at the first failed pod"
    );
}

#[test]
fn the_password_comes_from_a_secret_only() {
    let job = manifest();
    let env = at(the_container(&job), &["env"])
        .as_sequence()
        .expect("env is a list");
    let password: Vec<&Value> = env
        .iter()
        .filter(|e| e.get("name").and_then(Value::as_str) == Some("SIPREG_PASSWORD"))
        .collect();
    assert_eq!(password.len(), 1, "SIPREG_PASSWORD once in env");
    assert!(
        password[0].get("value").is_none(),
        "no password in the manifest"
    );
    let secret = at(password[0], &["valueFrom", "secretKeyRef"]);
    assert!(!text(secret, &["name"]).is_empty());
    assert!(!text(secret, &["key"]).is_empty());
    let args = args(&job);
    for option in [
        "-p",
        "--password",
        "--password-file",
        "--password-stdin",
        "--ha1",
    ] {
        assert!(
            !args.iter().any(|a| a == option),
            "{option} in the arguments"
        );
    }
}

#[test]
fn sipreg_parses_the_arguments_and_each_index_to_its_shard() {
    let job = manifest();
    let n = shards(&job);
    let mut line: Vec<std::ffi::OsString> = vec!["sipreg".into()];
    line.extend(args(&job).into_iter().map(Into::into));
    // As main does: the shared options may stand anywhere.
    let line = sipreg::cli::shared_options_behind_command(line);
    let cli = Cli::try_parse_from(&line)
        .unwrap_or_else(|e| panic!("sipreg refuses the Job's arguments:\n{e}"));
    let SipregCommand::Bulk(BulkCommand::Register(bulk)) = cli.command else {
        panic!("not bulk register");
    };
    let shard = bulk.shard.expect("--shard");
    assert!(bulk.start_at.is_some());
    // What Kubernetes gives the N pods, 0 to N-1, makes slices 1 to N; beyond, none.
    let n32 = u32::try_from(n).unwrap();
    for index in 0..n32 {
        assert_eq!(
            Shard::parse_with(&shard, Some(&index.to_string())).unwrap(),
            Shard {
                index: index + 1,
                count: n32
            }
        );
    }
    assert!(Shard::parse_with(&shard, Some(&n.to_string())).is_err());
}

/// The Job's arguments with the registrar on loopback (port 9, discard) and a start
/// time sipreg takes, so that the run stops at nothing but the shard.
fn runnable_args(job: &Value) -> Vec<String> {
    let mut args = args(job);
    // Without a shard to refuse, the run would go ahead (to loopback, bounded by
    // the timeout, but for nothing): make sure there is one.
    assert!(value_of(&args, "--shard").starts_with("auto/"));
    for (option, value) in [("-r", "sip:127.0.0.1:9".to_string()), ("--start-at", now())] {
        value_of(&args, option);
        let i = args.iter().position(|a| a == option).unwrap();
        args[i + 1] = value;
    }
    args
}

fn now() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    since.as_secs().to_string()
}

#[test]
fn the_binary_takes_the_shard_from_job_completion_index_or_refuses() {
    let job = manifest();
    let n = shards(&job);
    let args = runnable_args(&job);
    let run = |index: Option<String>| {
        let mut cmd = Command::cargo_bin("sipreg").unwrap();
        cmd.args(&args)
            .env_remove("JOB_COMPLETION_INDEX")
            .env("SIPREG_PASSWORD", "unused")
            .timeout(std::time::Duration::from_secs(30));
        if let Some(index) = index {
            cmd.env("JOB_COMPLETION_INDEX", index);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (status, stderr) = run(Some(n.to_string()));
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "JOB_COMPLETION_INDEX={n} is out of range for {n} shards (0 to {})",
            n - 1
        )),
        "{stderr}"
    );
    let (status, stderr) = run(None);
    assert_eq!(status, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "reads JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job), which is not set"
        ),
        "{stderr}"
    );
}

#[test]
fn the_readme_commands_name_what_the_manifest_names() {
    let job = manifest();
    let readme = read("deploy/README.md");
    let name = text(&job, &["metadata", "name"]);
    let logs = format!(
        "kubectl logs -l batch.kubernetes.io/job-name={name} --tail=-1 | sipreg bulk merge -"
    );
    assert!(readme.contains(&logs), "deploy/README.md lacks: {logs}");
    assert!(
        readme.contains(&format!(" job/{name} --timeout=")),
        "the wait names job/{name}"
    );
    // The label the README selects the pods by is the one the pods spread by.
    let spread = at(
        &job,
        &["spec", "template", "spec", "topologySpreadConstraints"],
    )
    .as_sequence()
    .unwrap();
    for c in spread {
        let label = at(
            c,
            &[
                "labelSelector",
                "matchLabels",
                "batch.kubernetes.io/job-name",
            ],
        );
        assert_eq!(label.as_str(), Some(name));
    }
    // The Secret the README creates is the one the pods read.
    let env = at(the_container(&job), &["env"]).as_sequence().unwrap();
    let secret = text(&env[0], &["valueFrom", "secretKeyRef", "name"]);
    assert!(readme.contains(&format!("kubectl create secret generic {secret} ")));
    // The README's sed replaces the manifest's placeholder start, so it must be it.
    let start = value_of(&args(&job), "--start-at").to_string();
    assert!(
        readme.contains(&format!(
            "sed \"s/{start}/$START_AT/\" deploy/bulk-job.yaml"
        )),
        "the README's sed does not replace --start-at {start}"
    );
}

#[test]
fn the_containerfile_copies_the_static_binary_and_runs_it() {
    let containerfile = read("deploy/Containerfile");
    let instructions: Vec<Vec<&str>> = containerfile
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let copy = instructions
        .iter()
        .find(|i| i[0] == "COPY")
        .expect("a COPY instruction");
    assert_eq!(copy[1..], [MUSL_BINARY, "/usr/local/bin/sipreg"]);
    assert!(instructions
        .iter()
        .any(|i| i[0] == "ENTRYPOINT" && i[1] == "[\"/usr/local/bin/sipreg\"]"));
    // The ignore file lets that one file through and nothing else.
    let ignore = read("deploy/Containerfile.dockerignore");
    let rules: Vec<&str> = ignore
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(rules, ["*", &format!("!{MUSL_BINARY}")]);
    // And it is where scripts/build-static.sh puts it.
    let script = read("scripts/build-static.sh");
    assert!(script.contains("TARGET=x86_64-unknown-linux-musl\n"));
    assert!(script.contains("BIN=${CARGO_TARGET_DIR:-$ROOT/target}/$TARGET/release/sipreg"));
}
