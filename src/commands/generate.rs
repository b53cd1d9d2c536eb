//! `sipreg completions SHELL` and `sipreg man`: generated from the clap definitions.
//! The same functions produce the committed files under completions/ and man/, and a
//! test checks that those are current.

use crate::cli::Cli;
use crate::exit::ExitStatus;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// The shells with a committed completion file, and that file's name.
pub const COMPLETION_FILES: [(Shell, &str); 5] = [
    (Shell::Bash, "sipreg.bash"),
    (Shell::Zsh, "_sipreg"),
    (Shell::Fish, "sipreg.fish"),
    (Shell::PowerShell, "_sipreg.ps1"),
    (Shell::Elvish, "sipreg.elv"),
];

pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sipreg", &mut out);
    out
}

/// Hand-written sections clap does not generate.
const EXTRA_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
.B 0
success (for \fBregister\fR interrupted by Ctrl\-C/SIGTERM: the binding was removed)
.TP
.B 1
failure not listed below: I/O, DNS, TLS, malformed response
.TP
.B 2
usage error: bad arguments, unparsable URI
.TP
.B 3
authentication failed: credentials rejected (403, or a repeated challenge that is not stale), or none available
.TP
.B 4
no response: transaction timeout, registrar unreachable
.TP
.B 5
registrar refused with another final response
.TP
.B 6
an expectation option (\-\-expect\-...) did not hold
.SH ENVIRONMENT
.TP
.B SIPREG_PASSWORD
the password, when no other source is given
.TP
.B SIPREG_HA1
an HA1 instead of a password (as \-\-ha1)
.TP
.B NO_COLOR
when set, output is never styled
.SH EXAMPLES
.nf
export SIPREG_PASSWORD=secret
sipreg register sip:alice@example.com \-\-once
sipreg register sip:alice@example.com \-r sip:pbx.example.com \-\-for 1h
sipreg query sip:alice@example.com \-\-json
sipreg unregister sip:alice@example.com \-\-all
.fi
"#;

pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    Ok(out)
}

pub fn completions(shell: Shell) -> ExitStatus {
    write_stdout(&completion_script(shell))
}

pub fn man() -> ExitStatus {
    match man_page() {
        Ok(page) => write_stdout(&page),
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
