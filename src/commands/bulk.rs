//! `sipreg bulk register|query|unregister`: the command line of bulk mode wired to
//! the population, the sockets, the event loop and the summary.

use super::credentials::PASSWORD_ENV;
use crate::bulk::population::{self, Shaping, Source};
use crate::bulk::template::Template;
use crate::bulk::{
    cpu, fd_limit, observe, ramp, report, BulkError, End, Engine, Member, Mode, Plan, Shard,
};
use crate::cli::{BulkArgs, BulkCommand, OutputFormat};
use crate::core::{Operation, TransportKind};
use crate::error::{Error, Result};
use crate::exit::{ExitStatus, INTERRUPTED_TWICE};
use crate::net::carriers::{self, Carriers};
use crate::net::streams::{StreamPlan, Streams};
use crate::net::Opening;
use crate::net::{locate, now, DnsSettings, Target};
use crate::settings::{
    dns_settings, expires_secs, insecure_warning, output_format, parse_locals, parse_next_hop_arg,
    timers, tls_settings, transport_before_dns, uas_config, user_agent, ws_path,
};
use sha2::Digest as _;
use std::collections::HashMap;
use std::net::SocketAddr;
/// More sockets than this would only waste descriptors.
const MAX_SOCKETS: u32 = 1024;

pub async fn run(command: BulkCommand) -> ExitStatus {
    let (args, mode) = match command {
        BulkCommand::Register(args) => {
            let mode = match (args.once, args.duration) {
                (true, Some(_)) => {
                    return usage_error(&args, "--once and --for exclude each other: --once registers and exits, --for stays registered that long");
                }
                (true, None) => Mode::RegisterOnce,
                (false, duration) => Mode::Stay { duration },
            };
            (args, mode)
        }
        BulkCommand::Query(args) => (args, Mode::Query),
        BulkCommand::Unregister(args) => (args, Mode::Unregister),
        BulkCommand::Merge(args) => return super::bulk_merge::run(&args),
    };
    if output_format(&args.shared) == OutputFormat::Nagios {
        return usage_error(
            &args,
            "-o nagios checks one AOR (register --once, query, unregister); bulk has --json",
        );
    }
    if !mode.stays() && args.keepalive.is_some() {
        return usage_error(
            &args,
            "--keepalive applies to a staying bulk register (leave out --once)",
        );
    }
    if mode != Mode::RegisterOnce && !mode.stays() && args.duration.is_some() {
        return usage_error(&args, "--for applies to bulk register only");
    }
    let at_contact = args.at_contact.answer.is_some() || args.at_contact.ring.is_some();
    if mode.operation() != Operation::Register && (at_contact || args.expect_reachable) {
        return usage_error(
            &args,
            "--answer, --ring and --expect-reachable apply to bulk register only (a contact must be bound)",
        );
    }
    match setup(&args, mode).await {
        Ok(prepared) => {
            wait_for_start(&args).await;
            run_engine(prepared, &args, mode).await
        }
        Err(e) => {
            if !args.shared.quiet {
                eprintln!("sipreg: error: {e}");
            }
            e.exit_status()
        }
    }
}

fn usage_error(args: &BulkArgs, message: &str) -> ExitStatus {
    if !args.shared.quiet {
        eprintln!("sipreg: error: {message}");
    }
    ExitStatus::Usage
}

/// The shared flags bulk mode cannot honour yet: refused by name rather than
/// silently ignored, so that a load test never measures something other than asked.
fn refuse_unsupported(args: &BulkArgs) -> Result<()> {
    let shared = &args.shared;
    let unsupported = [
        (
            shared.proxy.is_some(),
            "--proxy is not available in bulk mode yet",
        ),
        (
            shared.user.is_some(),
            "--user is not available in bulk mode yet: give --user-template",
        ),
        (
            shared.realm.is_some(),
            "--realm is not available in bulk mode yet",
        ),
    ];
    match unsupported.iter().find(|(given, _)| *given) {
        Some((_, message)) => Err(Error::Usage((*message).into())),
        None => Ok(()),
    }
}

struct Prepared {
    engine: Engine,
    shard: Shard,
    test: report::TestId,
}

/// `--start-at`: sleeps until then (sockets and connections are ready by now, so
/// the first transactions leave at that instant). A time already past starts at once.
async fn wait_for_start(args: &BulkArgs) {
    let Some(at) = args.start_at else {
        return;
    };
    let Ok(wait) = at.duration_since(std::time::SystemTime::now()) else {
        if !args.shared.quiet {
            eprintln!(
                "sipreg: warning: --start-at {} has passed: starting now",
                humantime::format_rfc3339_millis(at)
            );
        }
        return;
    };
    if args.shared.verbose > 0 {
        eprintln!(
            "sipreg: starting at {} (in {:.1} s)",
            humantime::format_rfc3339_millis(at),
            wait.as_secs_f64()
        );
    }
    // On the runtime's timer: the metrics server goes on answering meanwhile.
    tokio::time::sleep(wait).await;
}

/// How far ahead `--start-at` may be: further is a mistake (a date typed wrong).
const START_AT_HORIZON: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

async fn setup(args: &BulkArgs, mode: Mode) -> Result<Prepared> {
    refuse_unsupported(args)?;
    check_pacing(args)?;
    if let Some(at) = args.start_at {
        if at
            .duration_since(std::time::SystemTime::now())
            .is_ok_and(|wait| wait > START_AT_HORIZON)
        {
            return Err(Error::Usage(format!(
                "--start-at {} is more than a day ahead: check the date",
                humantime::format_rfc3339_seconds(at)
            )));
        }
    }
    let ramp = args
        .ramp
        .as_deref()
        .map(ramp::parse)
        .transpose()
        .map_err(usage)?;
    let shard = match &args.shard {
        Some(text) => Shard::parse(text).map_err(usage)?,
        None => Shard::WHOLE,
    };
    let (members, test) = read_population(args, shard, mode)?;
    let shared = &args.shared;
    let registrar = shared
        .registrar
        .as_deref()
        .map(|r| parse_next_hop_arg("--registrar", r))
        .transpose()?;
    let transport = transport(args, registrar.as_ref())?;
    let origin = shared.origin.as_deref();
    if let Some(e) = crate::settings::origin_without_websocket(origin, std::iter::once(transport)) {
        return Err(e);
    }
    let dns = dns_settings(shared)?;
    let routes = destinations(&members, registrar.as_ref(), transport, &dns).await?;
    let targets = &routes.first;
    let local = parse_locals(&shared.local)?;
    // Every destination of one run must be reachable from the same sockets.
    let toward = targets.first().cloned().unwrap_or_else(|| {
        let addr = SocketAddr::from(([127, 0, 0, 1], 5060));
        Target {
            addr,
            transport,
            host: crate::sip::Host::from(addr.ip()),
        }
    });
    if targets
        .iter()
        .any(|d| d.addr.is_ipv4() != toward.addr.is_ipv4())
    {
        return Err(Error::Usage(
            "the AORs' registrars mix IPv4 and IPv6: run the two families separately, or give -r"
                .into(),
        ));
    }
    let destinations: Vec<SocketAddr> = targets.iter().map(|t| t.addr).collect();
    let expires = expires_secs(args.expires)?;
    let timers = timers(shared.timeout);
    let carriers = match transport {
        TransportKind::Udp => {
            Carriers::Udp(carriers::bind(args.sockets, &local, toward.addr).await?)
        }
        _ => {
            let plan = StreamPlan {
                transport,
                peers: peers(args, targets, toward, local.len())?,
                local,
                opening: Opening {
                    tls: tls_config(args, transport)?,
                    server_name: tls_server_name(args)?,
                    ws_path: ws_path(shared),
                    origin: shared.origin.clone(),
                    limit: timers.timeout,
                },
                in_flight: args.concurrency as usize,
                lazy: false,
            };
            fd_limit::ensure_room_for(plan.peers.len() as u64).map_err(Error::Usage)?;
            Carriers::Streams(Streams::open(plan).await?)
        }
    };
    let plan = Plan {
        mode,
        rate: args.rate,
        ramp,
        concurrency: args.concurrency,
        timers,
        expires,
        user_agent: user_agent(shared.user_agent.as_deref()),
        headers: shared.headers.clone(),
        display_name: shared.display_name.clone(),
        keepalive: args.keepalive,
        answer: matches!(mode.operation(), Operation::Register)
            .then(|| uas_config(shared, &args.at_contact)),
        probe: args.expect_reachable,
    };
    let progress = !shared.quiet && console::Term::stderr().is_term();
    let reporter = observe::Reporter::new(
        output_format(shared),
        shared.verbose > 0,
        progress,
        members.len() as u64,
    );
    let mut engine = Engine::new(plan, members, &destinations, carriers, Box::new(reporter));
    let routes = crate::net::Routes::new(routes.lists, routes.of_member);
    if routes.has_fallbacks() {
        engine.set_routes(routes);
    }
    engine.set_dns(dns);
    if let Some(capture) = crate::output::Capture::open(shared.pcap.as_deref(), shared.hep)? {
        engine.set_capture(capture);
    }
    if let Some(addr) = args.metrics {
        let metrics = crate::output::Metrics::new();
        crate::net::metrics_server::serve(addr, metrics.registry()).await?;
        engine.set_metrics(metrics);
    }
    // Interval lines are output: none with -q.
    if let Some(every) = args.interval.filter(|_| !shared.quiet) {
        let name = format!("{}/{}", shard.index, shard.count);
        engine.set_intervals(crate::bulk::interval::Intervals::new(every, name));
    }
    Ok(Prepared {
        engine,
        shard,
        test,
    })
}

fn usage(e: BulkError) -> Error {
    Error::Usage(e.to_string())
}

fn check_pacing(args: &BulkArgs) -> Result<()> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        return Err(Error::Usage(
            "--rate must be a positive number of transactions per second, e.g. 500".into(),
        ));
    }
    if args.concurrency == 0 {
        return Err(Error::Usage("--concurrency must be at least 1".into()));
    }
    if args.sockets == 0 || args.sockets > MAX_SOCKETS {
        return Err(Error::Usage(format!(
            "--sockets must be from 1 to {MAX_SOCKETS}"
        )));
    }
    if args.connections == Some(0) {
        return Err(Error::Usage(
            "--connections must be at least 1 (leave it out for one connection per AOR)".into(),
        ));
    }
    Ok(())
}

/// The transport of the whole run, chosen as every command chooses it before DNS
/// (`-t`, else the `;transport=` of `-r`, TLS for a `sips:` one, else UDP): bulk mode
/// does not pick one by NAPTR, a load test says what it measures. Then the options
/// that only make sense over another transport are refused.
fn transport(args: &BulkArgs, registrar: Option<&crate::sip::SipUri>) -> Result<TransportKind> {
    let shared = &args.shared;
    let transport = transport_before_dns(shared.transport, registrar)?;
    match transport {
        TransportKind::Udp if args.connections.is_some() => Err(Error::Usage(
            "--connections applies to tcp, tls, ws and wss; over udp, spread the AORs with --sockets N"
                .into(),
        )),
        TransportKind::Tcp | TransportKind::Tls | TransportKind::Ws | TransportKind::Wss
            if args.sockets != 1 =>
        {
            Err(Error::Usage(
                "--sockets applies to udp; over a stream transport, share connections with --connections N"
                    .into(),
            ))
        }
        TransportKind::Udp | TransportKind::Tcp | TransportKind::Ws
            if shared.ca_file.is_some() || shared.insecure =>
        {
            Err(Error::Usage(
                "--ca-file and --insecure apply to tls and wss only".into(),
            ))
        }
        other => Ok(other),
    }
}

/// Where each connection goes: one per AOR to that AOR's registrar, or the
/// `--connections N` shared ones (AOR i on connection i % N) to the one registrar
/// they all must have then, as many on each of the `addresses` local addresses.
fn peers(
    args: &BulkArgs,
    targets: &[Target],
    toward: Target,
    addresses: usize,
) -> Result<Vec<Target>> {
    let Some(n) = args.connections else {
        if targets.is_empty() {
            return Ok(vec![toward]);
        }
        return Ok(targets.to_vec());
    };
    if targets.iter().any(|t| t.addr != toward.addr) {
        return Err(Error::Usage(
            "--connections shares connections to one registrar, but the AORs' domains lead to several: give -r, or leave --connections out for one connection per AOR".into(),
        ));
    }
    // More connections than AORs would carry nothing.
    let n = crate::settings::per_address(n as usize, addresses).min(targets.len().max(1));
    Ok(vec![toward; n])
}

fn tls_config(
    args: &BulkArgs,
    transport: TransportKind,
) -> Result<Option<std::sync::Arc<rustls::ClientConfig>>> {
    if !matches!(transport, TransportKind::Tls | TransportKind::Wss) {
        return Ok(None);
    }
    let settings = tls_settings(&args.shared);
    if let Some(warning) = insecure_warning(&settings, [transport]) {
        if !args.shared.quiet {
            eprintln!("sipreg: warning: {warning}");
        }
    }
    settings.client_config().map(Some)
}

/// `--tls-server-name`, checked once for the whole run.
fn tls_server_name(args: &BulkArgs) -> Result<Option<rustls::pki_types::ServerName<'static>>> {
    args.shared
        .tls_server_name
        .as_deref()
        .map(crate::net::tls_server_name)
        .transpose()
}

fn template(
    option: &'static str,
    text: &Option<String>,
    allow_user: bool,
) -> Result<Option<Template>> {
    text.as_deref()
        .map(|t| Template::parse(option, t, allow_user))
        .transpose()
        .map_err(usage)
}

/// The shard's members, and what identifies the whole population to `bulk merge`.
fn read_population(
    args: &BulkArgs,
    shard: Shard,
    mode: Mode,
) -> Result<(Vec<Member>, report::TestId)> {
    let test = |spec: String, size: u64| report::TestId {
        command: mode.name().to_string(),
        mode: if mode.stays() { "stay" } else { "once" }.to_string(),
        spec,
        size,
        shards: shard.count,
    };
    let contact = template("--contact-template", &args.contact_template, true)?;
    let default_password = std::env::var(PASSWORD_ENV).ok();
    let shaping = Shaping {
        contact: contact.as_ref(),
        default_password: default_password.as_deref(),
        shard,
    };
    let population = match (&args.users, &args.aor) {
        (Some(path), _) => {
            let bytes = std::fs::read(path).map_err(|e| {
                Error::Usage(format!("cannot read --users {}: {e}", path.display()))
            })?;
            let name = path.display().to_string();
            let text = std::str::from_utf8(&bytes).map_err(|e| {
                let (line, column) = position_of(&bytes, e.valid_up_to());
                Error::Usage(format!("{name}:{line}:{column}: not UTF-8 text"))
            })?;
            let members =
                population::build(Source::Csv { path: &name, text }, &shaping).map_err(usage)?;
            // The file's name and content, not its path: each machine may keep it
            // elsewhere.
            let digest = sha2::Sha256::digest(&bytes);
            let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            let rows = crate::bulk::csv::parse(text).map_or(0, |r| r.len().saturating_sub(1));
            (
                members,
                test(format!("--users {file} (sha256 {hex}…)"), rows as u64),
            )
        }
        (None, Some(aor)) => {
            if args.count == 0 {
                return Err(Error::Usage("--count must be at least 1".into()));
            }
            let source = Source::Templates {
                aor: Template::parse("--aor", aor, false).map_err(usage)?,
                count: args.count,
                first: args.first,
                user: template("--user-template", &args.user_template, false)?,
                password: template("--password-template", &args.password_template, false)?,
            };
            let members = population::build(source, &shaping).map_err(usage)?;
            let spec = format!("--aor {aor} --count {} --first {}", args.count, args.first);
            (members, test(spec, u64::from(args.count)))
        }
        (None, None) => {
            return Err(Error::Usage(
                "give the AORs with --users FILE or --aor TEMPLATE --count N".into(),
            ))
        }
    };
    Ok(population)
}

/// 1-based line and column of byte `offset`.
fn position_of(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Every target of one registrar URI, best first, located as every other command
/// does it (RFC 3263 over the run's transport).
async fn located(
    uri: &crate::sip::SipUri,
    transport: TransportKind,
    dns: &DnsSettings,
) -> Result<Vec<Target>> {
    let targets = locate(uri, Some(transport), dns).await?;
    if targets.is_empty() {
        return Err(Error::Resolve {
            host: uri.host.to_string(),
            reason: "no target".into(),
        });
    }
    Ok(targets)
}

/// Where the members' requests go: each member's first target, and every target of
/// each registrar for failover (`lists[of_member[i]]`).
struct Located {
    first: Vec<Target>,
    lists: Vec<Vec<Target>>,
    of_member: Vec<u32>,
}

/// Each member's registrar: `-r` for all, else its AOR's domain (located once per
/// domain).
async fn destinations(
    members: &[Member],
    registrar: Option<&crate::sip::SipUri>,
    transport: TransportKind,
    dns: &DnsSettings,
) -> Result<Located> {
    if let Some(r) = registrar {
        let list = located(r, transport, dns).await?;
        return Ok(Located {
            first: vec![list[0].clone(); members.len()],
            lists: vec![list],
            of_member: vec![0; members.len()],
        });
    }
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut routes = Located {
        first: Vec::with_capacity(members.len()),
        lists: Vec::new(),
        of_member: Vec::with_capacity(members.len()),
    };
    for m in members {
        let domain = m.aor.domain_uri();
        let key = domain.to_string();
        let k = match index.get(&key) {
            Some(k) => *k,
            None => {
                routes.lists.push(located(&domain, transport, dns).await?);
                let k = (routes.lists.len() - 1) as u32;
                index.insert(key, k);
                k
            }
        };
        routes.first.push(routes.lists[k as usize][0].clone());
        routes.of_member.push(k);
    }
    Ok(routes)
}

async fn run_engine(prepared: Prepared, args: &BulkArgs, mode: Mode) -> ExitStatus {
    let Prepared {
        mut engine,
        shard,
        test,
    } = prepared;
    let end = engine.run().await;
    let finished_at = now();
    engine.finish_observer();
    let cpu = cpu::process_cpu_time();
    let tally = engine.tally();
    let stats = engine.stats();
    let thresholds = args.thresholds.thresholds();
    let mut report = report::Report::of_run(
        test,
        mode,
        shard,
        tally,
        stats,
        // With --ramp: the rate it ends at (the --rate default means nothing then).
        (args.ramp.as_deref().and_then(|t| ramp::parse(t).ok())).map_or(args.rate, |r| r.to()),
        args.start_at
            .map(|t| humantime::format_rfc3339_millis(t).to_string()),
        cpu,
        finished_at,
    );
    report.check(&thresholds);
    let status = match &end {
        End::Broken(e) => {
            if !args.shared.quiet {
                eprintln!("sipreg: error: {e}");
            }
            e.exit_status()
        }
        _ => outcome_status(&report, &thresholds, args.expect_reachable),
    };
    let twice = matches!(end, End::InterruptedTwice);
    report.exit_status = if twice {
        INTERRUPTED_TWICE as u8
    } else {
        status.code()
    };
    if !args.shared.quiet {
        print_report(&report, output_format(&args.shared));
    }
    if twice {
        std::process::exit(INTERRUPTED_TWICE);
    }
    // The process ends next: freeing every registration one by one would only cost
    // CPU time that exiting saves.
    std::mem::forget(engine);
    status
}

/// The exit status of a run (or a merge) that ran to its end. With thresholds, they
/// decide: a load test that asks for 99.9 % accepts a few failures. Without, every
/// AOR must succeed (and be reachable, with --expect-reachable).
pub(super) fn outcome_status(
    report: &report::Report,
    thresholds: &crate::bulk::thresholds::Thresholds,
    expect_reachable: bool,
) -> ExitStatus {
    if report.unmet().next().is_some() {
        ExitStatus::Expectation
    } else if !thresholds.is_empty() {
        ExitStatus::Success
    } else if report.succeeded < report.population {
        ExitStatus::Refused
    } else if expect_reachable && report.reachable < report.population {
        ExitStatus::Expectation
    } else {
        ExitStatus::Success
    }
}

/// The summary on stdout; unmet thresholds also on stderr, one line each, as the
/// single-AOR `--expect-*` options print them.
pub(super) fn print_report(report: &report::Report, format: OutputFormat) {
    match format {
        OutputFormat::Json => println!("{}", report.json()),
        OutputFormat::Human | OutputFormat::Nagios => {
            for line in report.human() {
                println!("{line}");
            }
        }
    }
    for check in report.unmet() {
        eprintln!("sipreg: expectation failed: {}", check.message);
    }
}
