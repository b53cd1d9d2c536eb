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

/// Options every command shares.
#[derive(Debug, Args)]
pub struct Common {
    /// Address-of-record, e.g. sip:alice@example.com
    #[arg(value_name = "AOR")]
    pub aor: String,

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

    /// Local address to bind: IP or IP:PORT
    #[arg(long, value_name = "ADDR")]
    pub local: Option<String>,

    /// Give up on a request after this long (default 32s, 64*T1)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// User-Agent header value
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value = "human")]
    pub output: OutputFormat,

    /// Short for --output json
    #[arg(long)]
    pub json: bool,

    /// -v: events and a message ladder on stderr; -vv: whole SIP messages
    #[arg(short = 'v', long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print nothing; only the exit status tells
    #[arg(short = 'q', long, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Where the secret comes from. SIPREG_PASSWORD is read from the environment too;
/// with nothing given, sipreg asks on the terminal when challenged.
#[derive(Debug, Args)]
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

    /// Requested expiry, e.g. 3600, 10m, 1h
    #[arg(short = 'e', long, value_name = "DURATION", value_parser = parse_duration,
          default_value = "3600")]
    pub expires: Duration,

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
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub common: Common,
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
    let t = s.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(t)
        .map_err(|e| format!("{e}: give seconds (3600) or a duration like 90s, 10m, 1h"))
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
