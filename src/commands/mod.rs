//! Each command wires the command line to the core, the network and the output.

mod arguments;
mod bulk;
mod bulk_merge;
mod chosen_profile;
mod credentials;
mod dry_run;
mod expect;
pub mod generate;
mod instance;
mod profiles;
mod query;
mod register;
mod session;
mod unregister;

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

/// Runs one command line to its exit status. Errors have been reported by then.
pub async fn run(cli: Cli) -> ExitStatus {
    let monitored = |common: &crate::cli::Common| {
        crate::settings::output_format(&common.shared) == crate::cli::OutputFormat::Nagios
    };
    // -o nagios: whatever ended the command, in the monitoring plugins' statuses.
    let plugin = |monitoring: bool, status: ExitStatus| match monitoring {
        true => status.as_plugin(),
        false => status,
    };
    match cli.command {
        Command::Register(args) => plugin(monitored(&args.common), register::run(args).await),
        Command::Query(args) => plugin(monitored(&args.common), query::run(args).await),
        Command::Unregister(args) => plugin(monitored(&args.common), unregister::run(args).await),
        Command::Profiles { config } => profiles::run(config),
        Command::Bulk(command) => bulk::run(command).await,
        Command::Completions { shell } => generate::completions(shell),
        Command::Man => generate::man(),
    }
}

/// The contacts after the first of a repeated `-c`, checked.
fn further_contacts(given: &[String]) -> crate::Result<Vec<crate::sip::SipUri>> {
    given
        .iter()
        .skip(1)
        .map(|c| crate::settings::parse_contact_arg(c))
        .collect()
}

/// Reports an error met before any request was sent (bad argument, bind, resolve).
fn report_setup_error(common: &crate::cli::Common, error: &crate::Error) -> ExitStatus {
    crate::output::Output::new(common, common.aor.clone()).failed(None, error);
    error.exit_status()
}
