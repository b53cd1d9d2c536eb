//! The command line, as clap definitions only. The contract lives in DESIGN.md.

use crate::exit::ExitStatus;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// The help headings the options are grouped under (in --help and the man pages).
const CONNECTION: &str = "Connection";
const CREDENTIALS: &str = "Credentials";
const REGISTRATION: &str = "Registration";
const OUTPUT: &str = "Output";
const EXPECTATIONS: &str = "Expectations";
const PROFILES: &str = "Profiles";
const POPULATION: &str = "Population";
const PACING: &str = "Pacing";
const AT_THE_CONTACT: &str = "At the contact";

/// The end of `sipreg --help`: the exit statuses, where the shared options may
/// go, and examples.
fn main_after_help() -> String {
    format!(
        "{}

The connection and output options (-r, -t, -u, -v, -q, -o, --json, --ca-file, …)
may come before the command as well as after it: sipreg -v query sip:alice@example.com

Examples:
  SIPREG_PASSWORD=secret sipreg register sip:alice@example.com --once
  sipreg register @work --for 1h
  sipreg -v query sip:alice@example.com -r sips:pbx.example.com
  sipreg unregister sip:alice@example.com --all",
        ExitStatus::TABLE
    )
}

const REGISTER_EXAMPLES: &str = "Examples:
  SIPREG_PASSWORD=secret sipreg register sip:alice@example.com --once
  sipreg register sip:alice@example.com -r sip:pbx.example.com -e 10m --for 1h
  sipreg register @work --once -q --expect-expires-at-least 30m --max-time 10s
  sipreg register sip:alice@example.com -r sips:192.0.2.1 --tls-server-name pbx.example.com \\
      --ca-file ca.pem --once";

const QUERY_EXAMPLES: &str = "Examples:
  sipreg query sip:alice@example.com
  sipreg -v query sip:alice@example.com -r 192.0.2.1:5060 --json
  sipreg query @work --expect-contact sip:alice@192.0.2.10:5060";

const UNREGISTER_EXAMPLES: &str = "Examples:
  sipreg unregister sip:alice@example.com --contact sip:alice@192.0.2.10:5060
  sipreg unregister sip:alice@example.com --all";

const BULK_REGISTER_EXAMPLES: &str = "Examples:
  sipreg bulk register --aor 'sip:bench{n:04}@example.test' --count 1000 \\
      --password-template 'pw{n:04}' -r 192.0.2.1 --rate 200 --once
  sipreg bulk register --users users.csv -t tcp --connections 10 --for 10m";

const BULK_MERGE_EXAMPLES: &str = "Examples:
  sipreg bulk merge shard-*.json
  kubectl logs -l batch.kubernetes.io/job-name=sipreg-bulk --tail=-1 | sipreg bulk merge -";

/// What this build of sipreg can do, for `--version` (`-V` prints the version only).
fn long_version() -> String {
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!(
        "{}
TLS: rustls 0.23 with the ring crypto provider (TLS 1.2 and 1.3), trusting the system's roots and --ca-file
transports: udp, tcp, tls, ws, wss (SIP over WebSocket, RFC 7118)
features: RFC 3263 location (NAPTR, SRV, A/AAAA), digest (MD5, SHA-256, SHA-512-256),
  outbound and keep-alives (RFC 5626), GRUU, profiles, bulk mode
build: {build}",
        env!("CARGO_PKG_VERSION")
    )
}

#[derive(Debug, Parser)]
#[command(
    name = "sipreg",
    version,
    long_version = long_version(),
    about = "SIP registration client: register, query and unregister bindings",
    long_about = "sipreg registers a contact for a SIP address-of-record (RFC 3261 §10), keeps it \
registered, lists the bindings a registrar holds and removes them, with digest \
authentication and an exit status a script can trust.",
    after_help = main_after_help(),
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Whether a command line asks for `-o nagios` (or `monitoring`), read without clap:
/// for a usage error that clap found, which must still come in the plugin format.
pub fn asks_for_nagios(args: &[std::ffi::OsString]) -> bool {
    let words: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let plugin = |v: &str| matches!(v, "nagios" | "monitoring");
    words.iter().enumerate().any(|(i, w)| {
        let next = words.get(i + 1).copied().unwrap_or_default();
        ((*w == "-o" || *w == "--output") && plugin(next))
            || w.strip_prefix("--output=").is_some_and(plugin)
            || w.strip_prefix("-o").is_some_and(plugin)
    })
}

/// The command line with the shared options given before the command moved behind
/// it (`sipreg -v query …` reads as `sipreg query -v …`), so that they reach the
/// command's own [`SharedArgs`]. A value given both ways: the one after the command
/// wins (`args_override_self`). Done before clap runs rather than with hidden global
/// copies of every shared option, which clap would copy into every subcommand on
/// each start (0.2 ms of every run).
pub fn shared_options_behind_command(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let leading = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| a.starts_with('-') && !matches!(a, "-h" | "--help" | "-V" | "--version"));
    if !leading {
        return args;
    }
    let shared = SharedArgs::augment_args(clap::Command::new("shared"));
    let known: Vec<&clap::Arg> = shared.get_arguments().collect();
    let takes_value = |arg: &clap::Arg| {
        !matches!(
            arg.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse | clap::ArgAction::Count
        )
    };
    // How many tokens after the program name are shared options (with their values).
    let mut i = 1;
    while let Some(token) = args.get(i).and_then(|a| a.to_str()) {
        let width = if let Some(long) = token.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            match known.iter().find(|a| a.get_long() == Some(name)) {
                Some(arg) if takes_value(arg) && !inline => 2,
                Some(_) => 1,
                None => break,
            }
        } else if let Some(cluster) = token.strip_prefix('-').filter(|c| !c.is_empty()) {
            let mut width = None;
            for (at, c) in cluster.char_indices() {
                match known.iter().find(|a| a.get_short() == Some(c)) {
                    Some(arg) if takes_value(arg) => {
                        // The rest of the cluster is its value, else the next token.
                        width = Some(if at + c.len_utf8() < cluster.len() {
                            1
                        } else {
                            2
                        });
                        break;
                    }
                    Some(_) => width = Some(1),
                    None => {
                        width = None;
                        break;
                    }
                }
            }
            match width {
                Some(w) => w,
                None => break,
            }
        } else {
            break;
        };
        if i + width > args.len() {
            break;
        }
        i += width;
    }
    if i == 1 || i >= args.len() {
        return args; // nothing to move, or no command after it: clap says what is wrong
    }
    // The command path: one word, two after `bulk` (`bulk register`).
    let mut path_end = i + 1;
    if args[i].to_str() == Some("bulk")
        && args
            .get(path_end)
            .and_then(|a| a.to_str())
            .is_some_and(|a| !a.starts_with('-'))
    {
        path_end += 1;
    }
    let mut out = Vec::with_capacity(args.len());
    out.push(args[0].clone());
    out.extend_from_slice(&args[i..path_end]);
    out.extend_from_slice(&args[1..i]);
    out.extend_from_slice(&args[path_end..]);
    out
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bind a contact and keep it refreshed until interrupted, then remove it
    /// (--once: bind and exit).
    #[command(after_help = REGISTER_EXAMPLES)]
    Register(RegisterArgs),
    /// List the bindings of an address-of-record (REGISTER without Contact).
    #[command(after_help = QUERY_EXAMPLES)]
    Query(QueryArgs),
    /// Remove our contact, the one given with --contact, or every binding with --all.
    #[command(after_help = UNREGISTER_EXAMPLES)]
    Unregister(UnregisterArgs),
    /// List the profiles of the config file (no secrets shown).
    Profiles {
        /// Config file (default: $XDG_CONFIG_HOME/sipreg/config.toml)
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Register, query or unregister many AORs at a chosen rate (load tests).
    #[command(subcommand)]
    Bulk(BulkCommand),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    /// One line in the monitoring-plugins format (Nagios, Icinga, …) and the exit
    /// status such plugins use: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    #[value(alias = "monitoring")]
    Nagios,
}

/// The network and output options of every command that talks to a registrar:
/// `register`, `query`, `unregister` and each `bulk` command read them the same way
/// (`settings`). Bulk mode refuses by name the few it cannot honour yet.
#[derive(Debug, Clone, Args)]
pub struct SharedArgs {
    /// Where to send requests (default: the AOR's domain)
    #[arg(help_heading = CONNECTION, short = 'r', long, value_name = "URI")]
    pub registrar: Option<String>,

    /// Outbound proxy, sent as a loose Route
    #[arg(help_heading = CONNECTION, long, value_name = "URI")]
    pub proxy: Option<String>,

    /// Authentication user name (default: the AOR's user part)
    #[arg(help_heading = CREDENTIALS, short = 'u', long, value_name = "NAME")]
    pub user: Option<String>,

    /// Answer challenges for this realm only
    #[arg(help_heading = CREDENTIALS, long, value_name = "REALM")]
    pub realm: Option<String>,

    /// Transport
    #[arg(help_heading = CONNECTION, short = 't', long, value_enum, value_name = "TRANSPORT")]
    pub transport: Option<TransportArg>,

    /// Local address to bind: IP or IP:PORT. Bulk mode: several source addresses,
    /// AOR i from address i % n, repeated or comma-separated, each IP[:PORT], a CIDR
    /// block (127.0.0.2/31) or a range (127.0.0.2-127.0.0.5, 127.0.0.2-5); UDP binds
    /// at least one socket per address; further sockets or connections on an
    /// address with a PORT take PORT+1, …
    #[arg(help_heading = CONNECTION, long, value_name = "ADDR")]
    pub local: Vec<String>,

    /// Give up on a request after this long (default 32s, 64*T1)
    #[arg(help_heading = CONNECTION, long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,

    /// User-Agent header value (default: sipreg/VERSION)
    #[arg(help_heading = REGISTRATION, long, value_name = "TEXT")]
    pub user_agent: Option<String>,

    /// Add this header to every request, e.g. -H 'X-Tenant: 42' (repeatable; not one
    /// sipreg writes itself)
    #[arg(help_heading = REGISTRATION, short = 'H', long = "header", value_name = "'NAME: VALUE'",
          value_parser = crate::settings::header_line)]
    pub headers: Vec<String>,

    /// Display name in From and To, e.g. --display-name 'Alice Smith'
    #[arg(help_heading = REGISTRATION, long, value_name = "NAME",
          value_parser = crate::settings::quoted_display_name)]
    pub display_name: Option<String>,

    /// Origin to send on the WebSocket upgrade (ws, wss), e.g. https://phone.example.com
    #[arg(help_heading = CONNECTION, long, value_name = "URL", value_parser = crate::settings::origin)]
    pub origin: Option<String>,

    /// Write every SIP message sent and received (and keep-alives) to FILE as a pcap
    /// capture for Wireshark or sngrep; TLS and WSS as their clear SIP over TCP
    #[arg(help_heading = OUTPUT, long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,

    /// Send every SIP message sent and received as HEPv3 over UDP to a Homer capture
    /// server at ADDR:PORT (IP address and port)
    #[arg(help_heading = OUTPUT, long, value_name = "ADDR:PORT")]
    pub hep: Option<std::net::SocketAddr>,

    /// Output format (bulk mode: of the summary)
    #[arg(help_heading = OUTPUT, short = 'o', long, value_enum, default_value = "human")]
    pub output: OutputFormat,

    /// Short for --output json
    #[arg(help_heading = OUTPUT, long)]
    pub json: bool,

    /// -v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode:
    /// one line per failure)
    #[arg(help_heading = OUTPUT, short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print nothing; only the exit status tells
    #[arg(help_heading = OUTPUT, short = 'q', long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Trust this PEM CA certificate (TLS, WSS) besides the system's roots
    #[arg(help_heading = CONNECTION, long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Do not verify the registrar's TLS certificate (dangerous; for tests only)
    #[arg(help_heading = CONNECTION, long)]
    pub insecure: bool,

    /// Check the registrar's TLS certificate against NAME and send it as SNI, whatever
    /// address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)
    #[arg(help_heading = CONNECTION, long, value_name = "NAME", value_parser = parse_tls_server_name)]
    pub tls_server_name: Option<String>,

    /// Client certificate for TLS and WSS (PEM, the chain from the leaf up), for
    /// registrars that authenticate clients by certificate (needs --key)
    #[arg(help_heading = CONNECTION, long, value_name = "FILE", requires = "key")]
    pub cert: Option<std::path::PathBuf>,

    /// The private key of --cert (PEM); only its owner may read the file
    #[arg(help_heading = CONNECTION, long, value_name = "FILE", requires = "cert")]
    pub key: Option<std::path::PathBuf>,

    /// DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353
    #[arg(help_heading = CONNECTION, long, value_name = "ADDR")]
    pub dns_server: Option<String>,
}

/// Options of the commands for one address-of-record.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Address-of-record (sip:alice@example.com) or @PROFILE; optional with --profile
    #[arg(
        value_name = "AOR",
        required_unless_present = "profile",
        default_value = "",
        hide_default_value = true
    )]
    pub aor: String,

    #[command(flatten)]
    pub shared: SharedArgs,

    /// Use this profile of the config file (also: AOR given as @NAME)
    #[arg(help_heading = PROFILES, long, value_name = "NAME", env = "SIPREG_PROFILE")]
    pub profile: Option<String>,

    /// Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)
    #[arg(help_heading = PROFILES, long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Print the first REGISTER exactly as it would be sent, and exit without sending
    #[arg(help_heading = OUTPUT, long)]
    pub dry_run: bool,

    /// Give up on the whole command after this long (challenges and retransmissions included)
    #[arg(help_heading = CONNECTION, long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<Duration>,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Where the secret comes from. SIPREG_PASSWORD is read from the environment too;
/// with nothing given, sipreg asks on the terminal when challenged.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// Password on the command line (visible to ps: prefer the options below)
    #[arg(help_heading = CREDENTIALS, short = 'p', long, value_name = "PASSWORD")]
    pub password: Option<String>,

    /// Read the password from the first line of this file
    #[arg(help_heading = CREDENTIALS, long, value_name = "PATH", conflicts_with = "password")]
    pub password_file: Option<PathBuf>,

    /// Read the password from the first line of standard input
    #[arg(help_heading = CREDENTIALS, long, conflicts_with_all = ["password", "password_file"])]
    pub password_stdin: bool,

    /// HA1 = H(user:realm:password) in hex instead of a password
    #[arg(help_heading = CREDENTIALS, long, value_name = "HEX", env = "SIPREG_HA1", hide_env_values = true,
          conflicts_with_all = ["password", "password_file", "password_stdin"])]
    pub ha1: Option<String>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub common: Common,

    /// Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used);
    /// give it again to bind several in one REGISTER
    #[arg(help_heading = REGISTRATION, short = 'c', long, value_name = "URI")]
    pub contact: Vec<String>,

    /// Requested expiry, e.g. 3600, 10m, 1h (default: the profile's, else 3600)
    #[arg(help_heading = REGISTRATION, short = 'e', long, value_name = "DURATION", value_parser = parse_duration,
          allow_hyphen_values = true)]
    pub expires: Option<Duration>,

    /// Register once and exit, leaving the binding in place
    #[arg(help_heading = REGISTRATION, long)]
    pub once: bool,

    /// Stay registered this long, then unregister and exit
    #[arg(help_heading = REGISTRATION, long = "for", value_name = "DURATION", value_parser = parse_duration,
          conflicts_with = "once")]
    pub duration: Option<Duration>,

    /// Leave the binding in place when exiting
    #[arg(help_heading = REGISTRATION, long)]
    pub keep_binding: bool,

    /// Contact q value (0 to 1)
    #[arg(help_heading = REGISTRATION, long = "q", value_name = "VALUE", value_parser = parse_q)]
    pub q: Option<f32>,

    /// +sip.instance URN (RFC 5626), e.g. urn:uuid:...
    #[arg(help_heading = REGISTRATION, long, value_name = "URN")]
    pub instance: Option<String>,

    /// reg-id (RFC 5626)
    #[arg(help_heading = REGISTRATION, long, value_name = "N")]
    pub reg_id: Option<u32>,

    /// Re-register with the address the registrar saw (Via received/rport) when it
    /// differs from our Contact (default: on for the default contact, off with --contact)
    #[arg(help_heading = REGISTRATION, long, overrides_with = "no_nat_rewrite")]
    pub nat_rewrite: bool,

    /// Never rewrite the Contact after NAT detection
    #[arg(help_heading = REGISTRATION, long, overrides_with = "nat_rewrite")]
    pub no_nat_rewrite: bool,

    /// Keep retrying with back-off after authentication failures instead of exiting 3
    #[arg(help_heading = CREDENTIALS, long)]
    pub retry_auth: bool,

    /// Send keep-alives this often: CRLF ping on TCP/TLS/WS, STUN on UDP (RFC 5626)
    #[arg(help_heading = CONNECTION, long, value_name = "DURATION", value_parser = parse_duration)]
    pub keepalive: Option<Duration>,

    /// Serve Prometheus metrics at http://ADDR:PORT/metrics while staying registered
    /// (PORT alone: on 127.0.0.1)
    #[arg(help_heading = OUTPUT, long, value_name = "ADDR:PORT", value_parser = parse_metrics_addr)]
    pub metrics: Option<std::net::SocketAddr>,

    #[command(flatten)]
    pub at_contact: ContactArgs,

    #[command(flatten)]
    pub probe: ProbeArgs,

    #[command(flatten)]
    pub expect: ExpectArgs,
}

/// How the user agent at our contact answers what arrives there while registered.
#[derive(Debug, Args, Default, Clone)]
pub struct ContactArgs {
    /// Final response to an incoming INVITE, after 100 Trying (default 480; 486, 603
    /// and 404 are common). sipreg sets up no calls, so not a 2xx
    #[arg(help_heading = AT_THE_CONTACT, long, value_name = "CODE", value_parser = parse_answer)]
    pub answer: Option<u16>,

    /// Let an incoming INVITE ring this long before that answer (a CANCEL meanwhile
    /// gets 200 and the INVITE 487)
    #[arg(help_heading = AT_THE_CONTACT, long, value_name = "DURATION", value_parser = parse_duration)]
    pub ring: Option<Duration>,
}

/// Whether requests for the AOR reach our contact through the registrar.
#[derive(Debug, Args, Default, Clone)]
pub struct ProbeArgs {
    /// While registered, check this often that an OPTIONS for the AOR sent to the
    /// registrar arrives at our contact (a `probed` event each time)
    #[arg(help_heading = AT_THE_CONTACT, long, value_name = "DURATION", value_parser = parse_probe_every)]
    pub probe_every: Option<Duration>,
}

/// Checks for scripts: any that fails makes the exit status 6 (register --once, query).
#[derive(Debug, Args, Default, Clone)]
pub struct ExpectArgs {
    /// The final SIP status must be CODE
    #[arg(help_heading = EXPECTATIONS, long, value_name = "CODE")]
    pub expect_status: Option<u16>,

    /// Number of bindings: N, >=N or <=N
    #[arg(help_heading = EXPECTATIONS, long, value_name = "N", allow_hyphen_values = true)]
    pub expect_bindings: Option<String>,

    /// A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)
    #[arg(help_heading = EXPECTATIONS, long, value_name = "URI")]
    pub expect_contact: Option<String>,

    /// Our binding must be granted at least this long
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expect_expires_at_least: Option<Duration>,

    /// After registering, an OPTIONS for the AOR sent to the registrar must arrive at
    /// our contact and our answer come back (register --once)
    #[arg(help_heading = EXPECTATIONS, long)]
    pub expect_reachable: bool,

    /// -o nagios: WARNING when the answer took longer than this
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub warning_time: Option<Duration>,

    /// -o nagios: CRITICAL when the answer took longer than this
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub critical_time: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub common: Common,

    #[command(flatten)]
    pub expect: ExpectArgs,
}

#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Register every AOR (--once: once each; otherwise keep them refreshed)
    #[command(after_help = BULK_REGISTER_EXAMPLES)]
    Register(BulkArgs),
    /// Query every AOR's bindings
    Query(BulkArgs),
    /// Remove every AOR's bindings
    Unregister(BulkArgs),
    /// Add up the JSON output of the shards of one load test (their summaries and
    /// --interval lines) into one summary, as if one machine had run it
    #[command(after_help = BULK_MERGE_EXAMPLES)]
    Merge(MergeArgs),
}

/// `bulk merge`: the files to read and what to check on the sum.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON output of the shards (`sipreg bulk … --json`), one file each or all in one; - for stdin
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format
    #[arg(help_heading = OUTPUT, short = 'o', long, value_enum, default_value = "human")]
    pub output: OutputFormat,

    /// Same as -o json
    #[arg(help_heading = OUTPUT, long)]
    pub json: bool,

    /// Print nothing; the exit status tells
    #[arg(help_heading = OUTPUT, short = 'q', long)]
    pub quiet: bool,

    #[command(flatten)]
    pub thresholds: ThresholdArgs,
}

/// Pass/fail thresholds of a load test, checked on the summary (exit 6 when unmet).
#[derive(Debug, Args, Default)]
pub struct ThresholdArgs {
    /// At least this share of the population must succeed, e.g. 99.9%
    #[arg(help_heading = EXPECTATIONS, long, value_name = "PERCENT", value_parser = crate::bulk::thresholds::parse_percent)]
    pub expect_success_rate: Option<f64>,

    /// Median latency at most this, e.g. 20ms
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expect_p50: Option<Duration>,

    /// 90th-percentile latency at most this
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expect_p90: Option<Duration>,

    /// 99th-percentile latency at most this, e.g. 50ms
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expect_p99: Option<Duration>,

    /// Longest latency at most this
    #[arg(help_heading = EXPECTATIONS, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expect_max: Option<Duration>,

    /// Operations started per second at least this, e.g. 500/s
    #[arg(help_heading = EXPECTATIONS, long, value_name = "N/s", value_parser = crate::bulk::thresholds::parse_rate)]
    pub expect_rate: Option<f64>,
}

impl ThresholdArgs {
    pub fn thresholds(&self) -> crate::bulk::thresholds::Thresholds {
        crate::bulk::thresholds::Thresholds {
            success_rate: self.expect_success_rate,
            p50: self.expect_p50,
            p90: self.expect_p90,
            p99: self.expect_p99,
            max: self.expect_max,
            rate: self.expect_rate,
        }
    }
}

/// The population and pacing of a bulk run.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)
    #[arg(help_heading = POPULATION, long, value_name = "FILE", conflicts_with = "aor")]
    pub users: Option<PathBuf>,

    /// AOR template, e.g. 'sip:bench{n:04}@example.test'
    #[arg(help_heading = POPULATION, long, value_name = "TEMPLATE", required_unless_present = "users")]
    pub aor: Option<String>,

    /// How many AORs the template makes
    #[arg(help_heading = POPULATION, long, value_name = "N", default_value = "1")]
    pub count: u32,

    /// First value of {n}
    #[arg(help_heading = POPULATION, long, value_name = "N", default_value = "1")]
    pub first: u32,

    /// Password template, e.g. 'pw{n:04}'
    #[arg(help_heading = POPULATION, long, value_name = "TEMPLATE")]
    pub password_template: Option<String>,

    /// Auth user template (default: each AOR's user part)
    #[arg(help_heading = POPULATION, long, value_name = "TEMPLATE")]
    pub user_template: Option<String>,

    /// Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)
    #[arg(help_heading = POPULATION, long, value_name = "TEMPLATE")]
    pub contact_template: Option<String>,

    #[command(flatten)]
    pub shared: SharedArgs,

    /// New transactions per second, paced evenly
    #[arg(help_heading = PACING, long, value_name = "N", default_value = "100")]
    pub rate: f64,

    /// A gradual start instead of --rate: new transactions per second rise linearly
    /// from FROM to TO over DURATION, then stay at TO; the first starts at once even
    /// from 0, e.g. '0..5000/s over 60s'
    #[arg(help_heading = PACING, long, value_name = "FROM..TO/s over DURATION", conflicts_with = "rate")]
    pub ramp: Option<String>,

    /// At most this many transactions in flight
    #[arg(help_heading = PACING, long, value_name = "N", default_value = "1000")]
    pub concurrency: u32,

    /// Register each once and exit (bulk register)
    #[arg(help_heading = REGISTRATION, long)]
    pub once: bool,

    /// Stay registered this long, then unregister all and exit
    #[arg(help_heading = REGISTRATION, long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)
    #[arg(help_heading = CONNECTION, long, value_name = "DURATION", value_parser = parse_duration)]
    pub keepalive: Option<Duration>,

    /// Requested expiry
    #[arg(help_heading = REGISTRATION, short = 'e', long, value_name = "DURATION", value_parser = parse_duration,
          default_value = "3600", allow_hyphen_values = true)]
    pub expires: Duration,

    /// UDP sockets to spread the population over
    #[arg(help_heading = PACING, long, value_name = "N", default_value = "1")]
    pub sockets: u32,

    /// Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)
    #[arg(help_heading = PACING, long, value_name = "N")]
    pub connections: Option<u32>,

    /// Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4; auto/N
    /// takes I from JOB_COMPLETION_INDEX + 1, as set in the pods of a Kubernetes
    /// Indexed Job
    #[arg(help_heading = POPULATION, long, value_name = "I/N")]
    pub shard: Option<String>,

    /// Serve Prometheus metrics at http://ADDR:PORT/metrics during the run (PORT
    /// alone: on 127.0.0.1)
    #[arg(help_heading = OUTPUT, long, value_name = "ADDR:PORT", value_parser = parse_metrics_addr)]
    pub metrics: Option<std::net::SocketAddr>,

    /// Probe each AOR once after it registers: an OPTIONS for it sent to the
    /// registrar must arrive at its contact; the summary counts reachable AORs
    #[arg(help_heading = EXPECTATIONS, long)]
    pub expect_reachable: bool,

    #[command(flatten)]
    pub thresholds: ThresholdArgs,

    /// Begin at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z, or Unix seconds),
    /// so that generators started at different moments load the registrar together
    #[arg(help_heading = PACING, long, value_name = "TIME", value_parser = parse_start_at)]
    pub start_at: Option<std::time::SystemTime>,

    /// Print what happened in each interval of this length (JSON: one bulk_interval
    /// object per line), counted from the start
    #[arg(help_heading = OUTPUT, long, value_name = "DURATION", value_parser = parse_interval)]
    pub interval: Option<Duration>,

    #[command(flatten)]
    pub at_contact: ContactArgs,
}

#[derive(Debug, Args)]
pub struct UnregisterArgs {
    #[command(flatten)]
    pub common: Common,

    /// Remove every binding of the AOR (Contact: *, Expires: 0)
    #[arg(help_heading = REGISTRATION, long)]
    pub all: bool,

    /// Remove this contact instead of our own (again for several, in one request)
    #[arg(help_heading = REGISTRATION, short = 'c', long, value_name = "URI", conflicts_with = "all")]
    pub contact: Vec<String>,
}

/// Durations as plain seconds (`3600`) or humantime (`1h`, `90s`, `2m 30s`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    const HOW: &str = "give whole seconds (3600) or a duration like 90s, 10m, 1h";
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    if t.starts_with('-') {
        return Err(format!("a duration cannot be negative: {HOW}"));
    }
    if t.parse::<f64>().is_ok() {
        return Err(format!("plain numbers are whole seconds: {HOW}"));
    }
    humantime::parse_duration(t).map_err(|e| format!("{e}: {HOW}"))
}

/// `--start-at`: RFC 3339 (`2026-12-06T10:00:00Z`, fractions and offsets allowed) or
/// Unix seconds (`1796551200`, as `date +%s` prints).
pub fn parse_start_at(s: &str) -> Result<std::time::SystemTime, String> {
    let text = s.trim();
    if let Ok(secs) = text.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(std::time::UNIX_EPOCH + Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_rfc3339_weak(text)
        .or_else(|_| humantime::parse_rfc3339(text))
        .map_err(|_| {
            format!("{s:?} is not a time: give RFC 3339 (2026-12-06T10:00:00Z) or Unix seconds")
        })
}

/// `--interval`: at least 100 ms, or the lines would outnumber what they report; at
/// most a day, which a week-long soak still cuts into seven.
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d < Duration::from_millis(100) {
        return Err(format!("{s:?} is too short for --interval: at least 100ms"));
    }
    if d > Duration::from_secs(24 * 3600) {
        return Err(format!("{s:?} is too long for --interval: at most 24h"));
    }
    Ok(d)
}

/// `--timeout`: a duration above zero (zero would give up before sending).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err("must be more than 0, e.g. 5s (default 32s)".into()),
        d => Ok(d),
    }
}

/// `--tls-server-name`: a host name or an IP address, as a certificate carries it.
fn parse_tls_server_name(s: &str) -> Result<String, String> {
    crate::net::tls_server_name(s)
        .map(|_| s.to_string())
        .map_err(|_| "not a host name or IP address a TLS certificate can carry".to_string())
}

/// `--metrics`: `ADDR:PORT`, or a port alone on loopback (nothing is exposed beyond
/// this host unless an address says so).
fn parse_metrics_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse()
        .map_err(|_| "give ADDR:PORT (e.g. 127.0.0.1:9464, [::1]:9464) or a port".into())
}

/// `--probe-every`: at least a second apart (each probe is a transaction).
fn parse_probe_every(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d < Duration::from_secs(1) => Err("at least 1s, e.g. 30s".into()),
        d => Ok(d),
    }
}

/// `--answer`: a final status that ends an INVITE without a call (3xx to 6xx).
fn parse_answer(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(code) if (300..=699).contains(&code) => Ok(code),
        Ok(code) if (200..300).contains(&code) => {
            Err("sipreg sets up no calls: give a status from 300 to 699, e.g. 486".into())
        }
        _ => Err("a SIP status from 300 to 699, e.g. 480, 486 or 603".into()),
    }
}

fn parse_q(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(q) if (0.0..=1.0).contains(&q) => Ok(q),
        _ => Err("q must be a number from 0 to 1, e.g. 0.5".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn moved(line: &str) -> String {
        let args = line.split(' ').map(std::ffi::OsString::from).collect();
        shared_options_behind_command(args)
            .iter()
            .map(|a| a.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn shared_options_before_the_command_move_behind_it() {
        assert_eq!(moved("sipreg -v query sip:a@b"), "sipreg query -v sip:a@b");
        assert_eq!(
            moved("sipreg -r sip:x -o json register sip:a@b --once"),
            "sipreg register -r sip:x -o json sip:a@b --once"
        );
        assert_eq!(
            moved("sipreg --json -vv -ojson --timeout=5s bulk register --count 2"),
            "sipreg bulk register --json -vv -ojson --timeout=5s --count 2"
        );
        // Nothing before the command, help and version, and unknown options stay.
        for line in [
            "sipreg query -v sip:a@b",
            "sipreg --help",
            "sipreg -V",
            "sipreg --bogus query sip:a@b",
            "sipreg -v",
            "sipreg -r",
        ] {
            assert_eq!(moved(line), line);
        }
        // An unknown option after known ones: those before it move, clap names it.
        assert_eq!(
            moved("sipreg -v --bogus query sip:a@b"),
            "sipreg --bogus -v query sip:a@b"
        );
    }

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("2m 30s"), Ok(Duration::from_secs(150)));
        assert!(parse_duration("soon").is_err());
    }
}
