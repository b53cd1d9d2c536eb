//! SIPp as the calling side of the user-agent-server tests.
//!
//! `run_scenario("options.xml", target, "alice", &[])` runs one call of the
//! UAC scenario `tests/sipp/options.xml` against `target` (a Kamailio that
//! relays to sipreg's contact, or the contact itself) with the Request-URI
//! `sip:alice@TARGET`, and hands back a [`SippRun`]: sipp's exit code (0 when
//! every call succeeded) and the message trace, to count what was received.
//! `run_injected` runs one call per user of an injection file instead
//! (`tests/sipp/options_injected.xml`).
//!
//! Each run gets a private temp dir (trace files, stdout/stderr, the CSV), a
//! local port of its own on 127.0.0.1 (or ::1 for an IPv6 target), the control
//! socket on 127.0.0.1, and no stdin.  sipp stops itself at its own `-timeout`
//! (20 s unless the caller gives one), which counts as a failure
//! (`-timeout_error`); a hard deadline 10 s later kills it, so a broken build
//! fails instead of hanging.  sipp missing is a panic, not a skip.
//!
//! Only std and `tempfile`.  All traffic goes to loopback.

use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOT_INSTALLED: &str = "sipp not installed: run scripts/install-deps.sh as root";

/// sipp's own `-timeout` when the caller gives none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// How much longer than its `-timeout` sipp may take before it is killed.
const KILL_GRACE: Duration = Duration::from_secs(10);
/// Default call rate of `run_injected` (sipp's own default is 10 calls/s).
const INJECTED_RATE: u32 = 200;
/// Start attempts on fresh ports when the chosen port turned out to be taken.
const START_ATTEMPTS: u32 = 5;
/// sipp's exit code when it could not bind its socket (EADDRINUSE).
const EXIT_BIND_ERROR: i32 = 254;
/// Cap on each of sipp's log files (`-max_log_size`): a scenario gone wrong
/// can exchange tens of thousands of messages a second.
const MAX_LOG_BYTES: u64 = 20_000_000;

/// One direction of one message in sipp's `-trace_msg` log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Sent,
    Received,
}

/// What a finished sipp run left.
pub struct SippRun {
    /// sipp's exit code: 0 every call succeeded, 1 at least one failed,
    /// 255 fatal error (also its `-timeout` with `-timeout_error`), 254 bind
    /// error, 99 ended without processing a call; -1 when killed at the
    /// hard deadline (then `killed` is true).
    pub code: i32,
    /// Killed at the hard deadline (sipp ignored its own `-timeout`).
    pub killed: bool,
    /// The `-trace_msg` log: every message sent and received, in order.
    pub trace: String,
    /// The `-trace_err` log: unexpected messages, failed checks, timeouts.
    pub errors: String,
    /// sipp's stdout (its final statistics screen) and stderr.
    pub stdout: String,
    pub stderr: String,
    /// The command line, for messages.
    pub command: String,
}

impl SippRun {
    /// Exit code 0: every call of the scenario succeeded.
    pub fn ok(&self) -> bool {
        self.code == 0 && !self.killed
    }

    /// Panics with sipp's logs unless every call succeeded.
    pub fn assert_ok(&self) -> &Self {
        assert!(self.ok(), "sipp failed:\n{}", self.report());
        self
    }

    /// The messages of the trace, in order, with their direction; each text
    /// starts at the start line and ends after the body.
    pub fn messages(&self) -> Vec<(Direction, &str)> {
        parse_trace(&self.trace)
    }

    /// The texts of the messages sipp received (duplicates sipp absorbed as
    /// retransmissions included: they are received too).
    pub fn received(&self) -> Vec<&str> {
        self.messages_in(Direction::Received)
    }

    /// The texts of the messages sipp sent (its retransmissions included).
    pub fn sent(&self) -> Vec<&str> {
        self.messages_in(Direction::Sent)
    }

    /// How many received messages have a start line beginning with `start`,
    /// e.g. `"SIP/2.0 480"` or `"SIP/2.0 200"`.
    pub fn count_received(&self, start: &str) -> usize {
        count_starting(&self.received(), start)
    }

    /// How many sent messages have a start line beginning with `start`,
    /// e.g. `"ACK "` or `"OPTIONS "`.
    pub fn count_sent(&self, start: &str) -> usize {
        count_starting(&self.sent(), start)
    }

    /// Everything sipp left, for a panic message.
    pub fn report(&self) -> String {
        format!(
            "command: {}\nexit code: {}{}\n--- errors (-trace_err) ---\n{}\n--- messages (-trace_msg) ---\n{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.code,
            if self.killed {
                " (killed at the hard deadline)"
            } else {
                ""
            },
            self.errors,
            tail(&self.trace, 20_000),
            tail(&self.stdout, 4_000),
            self.stderr
        )
    }

    fn messages_in(&self, dir: Direction) -> Vec<&str> {
        self.messages()
            .into_iter()
            .filter(|(d, _)| *d == dir)
            .map(|(_, m)| m)
            .collect()
    }
}

impl std::fmt::Debug for SippRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.report())
    }
}

/// Runs one call of the UAC scenario `scenario` (a file name in `tests/sipp`)
/// against `target`, with `-s user` (the user part of the Request-URI), plus
/// `extra` arguments (e.g. `["-t", "t1"]` for TCP; a `-m` or `-timeout` of
/// their own replaces the defaults `-m 1` and `-timeout 20s`).
pub fn run_scenario(scenario: &str, target: SocketAddr, user: &str, extra: &[&str]) -> SippRun {
    let mut args: Vec<String> = vec!["-s".into(), user.into()];
    if !has_flag(extra, "-m") {
        args.extend(["-m".into(), "1".into()]);
    }
    run(scenario, target, args, extra, None)
}

/// Runs `scenario` (made for an injection file, e.g. `options_injected.xml`)
/// once per user, with `[field0]` the user: writes the CSV (SEQUENTIAL, one
/// user a line), passes `-inf` and `-m users.len()`, a rate of 200 calls/s
/// unless `extra` gives `-r`, and a `-timeout` that grows with the number of
/// calls unless `extra` gives one.
pub fn run_injected<S: AsRef<str>>(
    scenario: &str,
    target: SocketAddr,
    users: &[S],
    extra: &[&str],
) -> SippRun {
    assert!(!users.is_empty(), "run_injected needs at least one user");
    let mut csv = String::from("SEQUENTIAL\n");
    for u in users {
        let u = u.as_ref();
        assert!(
            !u.is_empty() && !u.contains([';', '\n', '\r']),
            "user {u:?} cannot be a field of an injection file"
        );
        csv.push_str(u);
        csv.push_str(";\n");
    }
    let mut args: Vec<String> = Vec::new();
    if !has_flag(extra, "-m") {
        args.extend(["-m".into(), users.len().to_string()]);
    }
    if !has_flag(extra, "-r") {
        args.extend(["-r".into(), INJECTED_RATE.to_string()]);
    }
    let calls_time = Duration::from_secs(users.len() as u64 / INJECTED_RATE as u64);
    run(
        scenario,
        target,
        args,
        extra,
        Some((csv, DEFAULT_TIMEOUT + calls_time)),
    )
}

/// `tests/sipp` in this repository.
pub fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sipp")
}

/// The `sipp` binary: `$SIPREG_SIPP_BIN`, else `sipp` on `$PATH`.
pub fn sipp_bin() -> PathBuf {
    std::env::var_os("SIPREG_SIPP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("sipp"))
}

// -------------------------------------------------------------------------
// helpers

/// `injection`: the CSV text and the `-timeout` to use unless `extra` has one.
fn run(
    scenario: &str,
    target: SocketAddr,
    mut args: Vec<String>,
    extra: &[&str],
    injection: Option<(String, Duration)>,
) -> SippRun {
    let path = scenario_dir().join(scenario);
    assert!(path.is_file(), "no SIPp scenario {}", path.display());
    let dir = tempfile::Builder::new()
        .prefix("sipreg-sipp-")
        .tempdir()
        .expect("create temp dir for sipp");
    let default_timeout = match injection {
        Some((csv, timeout)) => {
            let csv_path = dir.path().join("users.csv");
            fs::write(&csv_path, csv).expect("write sipp injection file");
            args.extend(["-inf".into(), csv_path.to_string_lossy().into_owned()]);
            timeout
        }
        None => DEFAULT_TIMEOUT,
    };
    let timeout = match flag_value(extra, "-timeout") {
        Some(v) => parse_sipp_duration(v)
            .unwrap_or_else(|| panic!("cannot read sipp -timeout {v:?} (give e.g. 30s)")),
        None => {
            args.extend([
                "-timeout".into(),
                format!("{}s", default_timeout.as_secs().max(1)),
            ]);
            default_timeout
        }
    };
    args.extend(extra.iter().map(|s| s.to_string()));

    let mut last = None;
    for _ in 0..START_ATTEMPTS {
        let run = run_once(&path, target, &args, dir.path(), timeout + KILL_GRACE);
        if run.code != EXIT_BIND_ERROR || run.killed {
            return run;
        }
        last = Some(run);
    }
    panic!(
        "sipp could not bind a local port in {START_ATTEMPTS} attempts:\n{}",
        last.map(|r| r.report()).unwrap_or_default()
    );
}

fn run_once(
    scenario: &Path,
    target: SocketAddr,
    args: &[String],
    dir: &Path,
    deadline_after: Duration,
) -> SippRun {
    let local_ip: IpAddr = if target.is_ipv6() {
        Ipv6Addr::LOCALHOST.into()
    } else {
        Ipv4Addr::LOCALHOST.into()
    };
    let port = free_port(local_ip);
    let (trace_path, errors_path) = (dir.join("messages.log"), dir.join("errors.log"));
    let (stdout_path, stderr_path) = (dir.join("stdout.log"), dir.join("stderr.log"));
    for p in [&trace_path, &errors_path] {
        let _ = fs::remove_file(p);
    }
    let mut full: Vec<String> = vec![
        target.to_string(),
        "-sf".into(),
        scenario.to_string_lossy().into_owned(),
        "-i".into(),
        local_ip.to_string(),
        "-p".into(),
        port.to_string(),
        "-bind_local".into(),
        "-ci".into(),
        "127.0.0.1".into(),
        "-nostdin".into(),
        "-timeout_error".into(),
        "-trace_msg".into(),
        "-message_file".into(),
        trace_path.to_string_lossy().into_owned(),
        "-trace_err".into(),
        "-error_file".into(),
        errors_path.to_string_lossy().into_owned(),
        "-max_log_size".into(),
        MAX_LOG_BYTES.to_string(),
    ];
    full.extend(args.iter().cloned());
    let bin = sipp_bin();
    let command = format!("{} {}", bin.display(), full.join(" "));

    let stdout = fs::File::create(&stdout_path).expect("create sipp stdout file");
    let stderr = fs::File::create(&stderr_path).expect("create sipp stderr file");
    let mut child = match Command::new(&bin)
        .args(&full)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => panic!("{NOT_INSTALLED} ({e})"),
        Err(e) => panic!("spawning {command}: {e}"),
    };

    let deadline = Instant::now() + deadline_after;
    let mut killed = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => panic!("waiting for sipp: {e}"),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            killed = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    SippRun {
        code: status.and_then(|s| s.code()).unwrap_or(-1),
        killed,
        trace: read_lossy(&trace_path),
        errors: read_lossy(&errors_path),
        stdout: read_lossy(&stdout_path),
        stderr: read_lossy(&stderr_path),
        command,
    }
}

/// A port free on both UDP and TCP at `ip` (sipp binds both for `-t t1`).
/// Another process may still take it before sipp binds it: `run` then tries
/// again on another port (sipp exits 254).
fn free_port(ip: IpAddr) -> u16 {
    for _ in 0..50 {
        let Ok(udp) = UdpSocket::bind((ip, 0)) else {
            continue;
        };
        let Ok(addr) = udp.local_addr() else {
            continue;
        };
        if TcpListener::bind((ip, addr.port())).is_ok() {
            return addr.port();
        }
    }
    panic!("no free UDP+TCP port on {ip}");
}

/// Splits a `-trace_msg` log into its messages.  sipp logs each one as
///
/// ```text
/// ----------------------------------------------- 2026-01-01 12:00:00.000000
/// UDP message received [390] bytes :
///
/// SIP/2.0 200 OK
/// ...
/// ```
///
/// ("… message sent (N bytes):" for a sent one); a message ends at the next
/// dashed separator line.  Other entries are left out, e.g. "Unexpected UDP
/// message received:" (a repeat of a message already logged as received) or
/// "UDP message voluntary lost (while sending)." (which sipp does not even end
/// with a newline: the next separator follows on the same line).
fn parse_trace(trace: &str) -> Vec<(Direction, &str)> {
    const SEPARATOR: &str = "-----------------------------------------------";
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for l in trace.split_inclusive('\n') {
        lines.push((at, l));
        at += l.len();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let head = lines[i].1.trim_end();
        i += 1;
        let Some(dir) = head_direction(head) else {
            continue;
        };
        while i < lines.len() && lines[i].1.trim().is_empty() {
            i += 1;
        }
        let start = lines.get(i).map_or(trace.len(), |l| l.0);
        while i < lines.len() && !lines[i].1.starts_with(SEPARATOR) {
            i += 1;
        }
        let end = lines.get(i).map_or(trace.len(), |l| l.0);
        let msg = trace[start..end].trim_end();
        if !msg.is_empty() {
            out.push((dir, msg));
        }
    }
    out
}

/// "UDP message sent (362 bytes):" → Sent, "TCP message received [390] bytes :"
/// → Received (the transport word first, in capitals), anything else → None.
fn head_direction(line: &str) -> Option<Direction> {
    let (transport, rest) = line.split_once(' ')?;
    if transport.is_empty() || !transport.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if rest.starts_with("message sent (") {
        Some(Direction::Sent)
    } else if rest.starts_with("message received [") {
        Some(Direction::Received)
    } else {
        None
    }
}

fn count_starting(messages: &[&str], start: &str) -> usize {
    messages.iter().filter(|m| m.starts_with(start)).count()
}

fn has_flag(args: &[&str], flag: &str) -> bool {
    args.contains(&flag)
}

fn flag_value<'a>(args: &[&'a str], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| *a == flag)
        .and_then(|i| args.get(i + 1).copied())
}

/// sipp durations: a number with an optional unit ms, s (the default for
/// -timeout), m or h.
fn parse_sipp_duration(v: &str) -> Option<Duration> {
    let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let n: u64 = digits.parse().ok()?;
    match &v[digits.len()..] {
        "ms" => Some(Duration::from_millis(n)),
        "" | "s" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_secs(n * 60)),
        "h" => Some(Duration::from_secs(n * 3600)),
        _ => None,
    }
}

fn read_lossy(p: &Path) -> String {
    fs::read(p)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The last `max` bytes of `s` (at a char boundary), marked when cut.
fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut at = s.len() - max;
    while !s.is_char_boundary(at) {
        at += 1;
    }
    format!("[… {at} bytes cut …]\n{}", &s[at..])
}
