//! `sipreg completions SHELL` and `sipreg man`: generated from the clap definitions.

use crate::cli::Cli;
use crate::exit::ExitStatus;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell) -> ExitStatus {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "sipreg", &mut out);
    write_stdout(&out)
}

pub fn man() -> ExitStatus {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => write_stdout(&out),
        Err(e) => {
            eprintln!("sipreg: error: cannot render the man page: {e}");
            ExitStatus::Failure
        }
    }
}

fn write_stdout(bytes: &[u8]) -> ExitStatus {
    match std::io::stdout().lock().write_all(bytes) {
        Ok(()) => ExitStatus::Success,
        Err(_) => ExitStatus::Failure,
    }
}
