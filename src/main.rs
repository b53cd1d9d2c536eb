//! The sipreg binary: parse arguments, run the command, exit with its status.

use clap::{CommandFactory, FromArgMatches};
use sipreg::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap exits with status 2 on a usage error, as the contract says.
    let args = sipreg::cli::shared_options_behind_command(std::env::args_os().collect());
    // Parsed as Parser::try_parse_from does, but the command tree is never freed:
    // building it is most of sipreg's own start-up and freeing it as much again,
    // for nothing, as the process ends when the command does.
    let mut command = Cli::command();
    let parsed = command
        .try_get_matches_from_mut(&args)
        .and_then(|m| Cli::from_arg_matches(&m).map_err(|e| e.format(&mut command)));
    std::mem::forget(command);
    let cli = match parsed {
        Ok(cli) => cli,
        // A monitoring system reads one line and the plugin statuses: UNKNOWN.
        Err(e) if e.use_stderr() && sipreg::cli::asks_for_nagios(&args) => {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("usage error");
            println!("SIPREG UNKNOWN - {}", first.trim_start_matches("error: "));
            return ExitCode::from(sipreg::exit::PluginState::Unknown as u8);
        }
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sipreg: error: cannot start the runtime: {e}");
            return ExitCode::from(sipreg::ExitStatus::Failure.code());
        }
    };
    let status = runtime.block_on(sipreg::commands::run(cli));
    ExitCode::from(status.code())
}
