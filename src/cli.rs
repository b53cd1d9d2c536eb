//! The command line, as clap definitions only. The contract lives in DESIGN.md.

use crate::exit::ExitStatus;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "sipreg",
    version,
    about = "SIP registration client: register, query and unregister bindings",
    long_about = "sipreg registers a contact for a SIP address-of-record (RFC 3261 §10), keeps it \
registered, lists the bindings a registrar holds and removes them, with digest \
authentication and an exit status a script can trust.",
    after_help = ExitStatus::TABLE
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bind a contact and keep it refreshed until interrupted, then remove it
    /// (--once: bind and exit).
    Register(RegisterArgs),
    /// List the bindings of an address-of-record (REGISTER without Contact).
    Query(QueryArgs),
    /// Remove our contact, the one given with --contact, or every binding with --all.
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
}

/// The network and output options of every command that talks to a registrar:
/// `register`, `query`, `unregister` and each `bulk` command read them the same way
/// (`settings`). Bulk mode refuses by name the few it cannot honour yet.
#[derive(Debug, Clone, Args)]
pub struct SharedArgs {
    /// Where to send requests (default: the AOR's domain)
    #[arg(short = 'r', long, value_name = "URI")]
    pub registrar: Option<String>,

    /// Outbound proxy, sent as a loose Route
    #[arg(long, value_name = "URI")]
    pub proxy: Option<String>,

    /// Authentication user name (default: the AOR's user part)
    #[arg(short = 'u', long, value_name = "NAME")]
    pub user: Option<String>,

    /// Answer challenges for this realm only
    #[arg(long, value_name = "REALM")]
    pub realm: Option<String>,

    /// Transport
    #[arg(short = 't', long, value_enum, value_name = "TRANSPORT")]
    pub transport: Option<TransportArg>,

    /// Local address to bind: IP or IP:PORT (bulk mode: each further socket or
    /// connection PORT+1, …)
    #[arg(long, value_name = "ADDR")]
    pub local: Option<String>,

    /// Give up on a request after this long (default 32s, 64*T1)
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub timeout: Option<Duration>,

    /// User-Agent header value (default: sipreg/VERSION)
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,

    /// Output format (bulk mode: of the summary)
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    pub output: OutputFormat,

    /// Short for --output json
    #[arg(long)]
    pub json: bool,

    /// -v: events and a message ladder on stderr; -vv: whole SIP messages (bulk mode:
    /// one line per failure)
    #[arg(short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print nothing; only the exit status tells
    #[arg(short = 'q', long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Trust this PEM CA certificate (TLS, WSS) besides the system's roots
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Do not verify the registrar's TLS certificate (dangerous; for tests only)
    #[arg(long)]
    pub insecure: bool,

    /// Check the registrar's TLS certificate against NAME and send it as SNI, whatever
    /// address -r leads to (e.g. -r sips:192.0.2.1 --tls-server-name pbx.example.com)
    #[arg(long, value_name = "NAME", value_parser = parse_tls_server_name)]
    pub tls_server_name: Option<String>,

    /// DNS server for locating the registrar (RFC 3263), e.g. 127.0.0.1:5353
    #[arg(long, value_name = "ADDR")]
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
    #[arg(long, value_name = "NAME", env = "SIPREG_PROFILE")]
    pub profile: Option<String>,

    /// Config file with profiles (default: $XDG_CONFIG_HOME/sipreg/config.toml)
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Print the first REGISTER exactly as it would be sent, and exit without sending
    #[arg(long)]
    pub dry_run: bool,

    /// Give up on the whole command after this long (challenges and retransmissions included)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<Duration>,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Where the secret comes from. SIPREG_PASSWORD is read from the environment too;
/// with nothing given, sipreg asks on the terminal when challenged.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// Password on the command line (visible to ps: prefer the options below)
    #[arg(short = 'p', long, value_name = "PASSWORD")]
    pub password: Option<String>,

    /// Read the password from the first line of this file
    #[arg(long, value_name = "PATH", conflicts_with = "password")]
    pub password_file: Option<PathBuf>,

    /// Read the password from the first line of standard input
    #[arg(long, conflicts_with_all = ["password", "password_file"])]
    pub password_stdin: bool,

    /// HA1 = H(user:realm:password) in hex instead of a password
    #[arg(long, value_name = "HEX", env = "SIPREG_HA1", hide_env_values = true,
          conflicts_with_all = ["password", "password_file", "password_stdin"])]
    pub ha1: Option<String>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub common: Common,

    /// Contact URI to bind (default: sip:USER@LOCAL-ADDRESS:PORT of the socket used)
    #[arg(short = 'c', long, value_name = "URI")]
    pub contact: Option<String>,

    /// Requested expiry, e.g. 3600, 10m, 1h (default: the profile's, else 3600)
    #[arg(short = 'e', long, value_name = "DURATION", value_parser = parse_duration,
          allow_hyphen_values = true)]
    pub expires: Option<Duration>,

    /// Register once and exit, leaving the binding in place
    #[arg(long)]
    pub once: bool,

    /// Stay registered this long, then unregister and exit
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration,
          conflicts_with = "once")]
    pub duration: Option<Duration>,

    /// Leave the binding in place when exiting
    #[arg(long)]
    pub keep_binding: bool,

    /// Contact q value (0 to 1)
    #[arg(long = "q", value_name = "VALUE", value_parser = parse_q)]
    pub q: Option<f32>,

    /// +sip.instance URN (RFC 5626), e.g. urn:uuid:...
    #[arg(long, value_name = "URN")]
    pub instance: Option<String>,

    /// reg-id (RFC 5626)
    #[arg(long, value_name = "N")]
    pub reg_id: Option<u32>,

    /// Re-register with the address the registrar saw (Via received/rport) when it
    /// differs from our Contact (default: on for the default contact, off with --contact)
    #[arg(long, overrides_with = "no_nat_rewrite")]
    pub nat_rewrite: bool,

    /// Never rewrite the Contact after NAT detection
    #[arg(long, overrides_with = "nat_rewrite")]
    pub no_nat_rewrite: bool,

    /// Keep retrying with back-off after authentication failures instead of exiting 3
    #[arg(long)]
    pub retry_auth: bool,

    /// Send keep-alives this often: CRLF ping on TCP/TLS/WS, STUN on UDP (RFC 5626)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub keepalive: Option<Duration>,

    #[command(flatten)]
    pub expect: ExpectArgs,
}

/// Checks for scripts: any that fails makes the exit status 6 (register --once, query).
#[derive(Debug, Args, Default, Clone)]
pub struct ExpectArgs {
    /// The final SIP status must be CODE
    #[arg(long, value_name = "CODE")]
    pub expect_status: Option<u16>,

    /// Number of bindings: N, >=N or <=N
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub expect_bindings: Option<String>,

    /// A binding with this contact must be present (compared as URIs, RFC 3261 19.1.4)
    #[arg(long, value_name = "URI")]
    pub expect_contact: Option<String>,

    /// Our binding must be granted at least this long
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub expect_expires_at_least: Option<Duration>,
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
    Register(BulkArgs),
    /// Query every AOR's bindings
    Query(BulkArgs),
    /// Remove every AOR's bindings
    Unregister(BulkArgs),
}

/// The population and pacing of a bulk run.
#[derive(Debug, Args)]
pub struct BulkArgs {
    /// CSV file with a header line: aor,user,password[,contact] (quoted fields allowed)
    #[arg(long, value_name = "FILE", conflicts_with = "aor")]
    pub users: Option<PathBuf>,

    /// AOR template, e.g. 'sip:bench{n:04}@example.test'
    #[arg(long, value_name = "TEMPLATE", required_unless_present = "users")]
    pub aor: Option<String>,

    /// How many AORs the template makes
    #[arg(long, value_name = "N", default_value = "1")]
    pub count: u32,

    /// First value of {n}
    #[arg(long, value_name = "N", default_value = "1")]
    pub first: u32,

    /// Password template, e.g. 'pw{n:04}'
    #[arg(long, value_name = "TEMPLATE")]
    pub password_template: Option<String>,

    /// Auth user template (default: each AOR's user part)
    #[arg(long, value_name = "TEMPLATE")]
    pub user_template: Option<String>,

    /// Contact template (default: sip:USER@LOCAL-ADDRESS:PORT)
    #[arg(long, value_name = "TEMPLATE")]
    pub contact_template: Option<String>,

    #[command(flatten)]
    pub shared: SharedArgs,

    /// New transactions per second, paced evenly
    #[arg(long, value_name = "N", default_value = "100")]
    pub rate: f64,

    /// At most this many transactions in flight
    #[arg(long, value_name = "N", default_value = "1000")]
    pub concurrency: u32,

    /// Register each once and exit (bulk register)
    #[arg(long)]
    pub once: bool,

    /// Stay registered this long, then unregister all and exit
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Staying mode: keep-alives this often per AOR, CRLF ping on TCP/TLS, STUN on UDP (RFC 5626)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub keepalive: Option<Duration>,

    /// Requested expiry
    #[arg(short = 'e', long, value_name = "DURATION", value_parser = parse_duration,
          default_value = "3600", allow_hyphen_values = true)]
    pub expires: Duration,

    /// UDP sockets to spread the population over
    #[arg(long, value_name = "N", default_value = "1")]
    pub sockets: u32,

    /// Stream connections (TCP, TLS, WS, WSS) shared by the population, AOR i on connection i % N (default: one per AOR)
    #[arg(long, value_name = "N")]
    pub connections: Option<u32>,

    /// Only the I-th of N slices of the population (I from 1 to N), e.g. 2/4
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

#[derive(Debug, Args)]
pub struct UnregisterArgs {
    #[command(flatten)]
    pub common: Common,

    /// Remove every binding of the AOR (Contact: *, Expires: 0)
    #[arg(long)]
    pub all: bool,

    /// Remove this contact instead of our own
    #[arg(short = 'c', long, value_name = "URI", conflicts_with = "all")]
    pub contact: Option<String>,
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
