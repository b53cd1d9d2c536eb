//! The sipreg binary: parse arguments, run the command, exit with its status.

use clap::Parser;
use sipreg::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap exits with status 2 on a usage error, as the contract says.
    let args = sipreg::cli::shared_options_behind_command(std::env::args_os().collect());
    let cli = Cli::parse_from(args);
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
