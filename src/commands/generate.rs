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
The same for every command:
.TP
.B 0
success (for \fBregister\fR interrupted by Ctrl\-C/SIGTERM: the binding was removed)
.TP
.B 1
failure not listed below: I/O, DNS, TLS, malformed response
.TP
.B 2
usage error: bad arguments, unparsable URI, a config file or profile in error
.TP
.B 3
authentication failed: credentials rejected (403, or a repeated challenge that is not stale), or none available
.TP
.B 4
no response: transaction timeout, registrar unreachable, \fB\-\-max\-time\fR ran out
.TP
.B 5
registrar refused with another final response
.TP
.B 6
an expectation option (\fB\-\-expect\-...\fR) did not hold
.PP
With \fB\-\-expect\-...\fR options (\fBregister \-\-once\fR and \fBquery\fR), a 2xx
answer exits 0 when every expectation holds and 6 otherwise. A refusal whose status is
the one \fB\-\-expect\-status\fR names was expected: 0, or 6 when another expectation
failed. Any other failure keeps its own status (1, 3, 4 or 5).
.PP
With \fB\-o nagios\fR (or \fB\-o monitoring\fR: \fBregister \-\-once\fR, \fBquery\fR,
\fBunregister\fR) this table does not apply: sipreg prints one line,
\fBSIPREG\fR \fISTATE\fR \fB\-\fR \fItext\fR \fB|\fR \fIperformance data\fR, and exits
as monitoring plugins do:
.TP
.B 0
OK
.TP
.B 1
WARNING: the answer took longer than \fB\-\-warning\-time\fR
.TP
.B 2
CRITICAL: refused, no answer, credentials rejected, an \fB\-\-expect\-...\fR option
failed, or longer than \fB\-\-critical\-time\fR
.TP
.B 3
UNKNOWN: a usage error or a local failure (the check could not be made)
.SH ENVIRONMENT
.TP
.B SIPREG_PASSWORD
the password, when neither the command line nor the profile gives one
.TP
.B SIPREG_HA1
an HA1 instead of a password (as \fB\-\-ha1\fR), ranked like SIPREG_PASSWORD
.TP
.B SIPREG_PROFILE
the profile to use, as \fB\-\-profile\fR; an AOR given as @NAME wins
.TP
.B XDG_CONFIG_HOME
where the config file is looked for (default: $HOME/.config)
.TP
.B NO_COLOR
when set, output is never styled
.SH FILES
.TP
.I $XDG_CONFIG_HOME/sipreg/config.toml
Profiles: one \fB[profiles.NAME]\fR table per account, used as
\fBsipreg register @NAME\fR or with \fB\-\-profile NAME\fR; \fB\-\-config PATH\fR
reads another file. Options on the command line override the profile's values.
Keys: \fBaor\fR, \fBregistrar\fR, \fBuser\fR, \fBtransport\fR, \fBproxy\fR,
\fBcontact\fR, \fBexpires\fR (seconds or a duration such as "1h"), and one password
source: \fBpassword_env\fR (a variable name), \fBpassword_file\fR (its first line;
relative to the config file's directory), \fBpassword_command\fR (the first line
it prints; run with sh \-c) or \fBpassword\fR, which is refused unless the file is
readable by its owner alone (chmod 600). A password option on the command line
comes before the profile's source, which comes before SIPREG_PASSWORD.
.PP
.nf
[profiles.work]
aor = "sip:alice@example.com"
registrar = "sip:pbx.example.com"
expires = "1h"
password_command = "pass show sip/alice"
.fi
.SH EXAMPLES
.nf
export SIPREG_PASSWORD=secret
sipreg register sip:alice@example.com \-\-once
sipreg register sip:alice@example.com \-r sip:pbx.example.com \-\-for 1h
sipreg query sip:alice@example.com \-\-json
sipreg unregister sip:alice@example.com \-\-all
.fi
.PP
A check for CI or cron: the registrar must accept the account, grant at least
30 minutes and answer within 10 seconds.
.PP
.nf
sipreg register @work \-\-once \-q \-\-expect\-status 200 \e
    \-\-expect\-expires\-at\-least 30m \-\-max\-time 10s
.fi
.PP
A disabled account must be refused, and the phone must still be registered:
.PP
.nf
sipreg register @former \-\-once \-\-expect\-status 403
sipreg query @work \-\-expect\-contact sip:alice@192.0.2.10:5060
.fi
.PP
Show the REGISTER a profile would send, without sending it:
.PP
.nf
sipreg register @work \-\-dry\-run
.fi
"#;

pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    Ok(out)
}

/// One page per subcommand (`sipreg-register.1`, …), the pages the main page's SEE
/// ALSO names: (file name, roff). Nested ones (`sipreg-bulk-register.1`) too.
pub fn subcommand_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(
        cmd: &clap::Command,
        prefix: &str,
        pages: &mut Vec<(String, Vec<u8>)>,
    ) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{prefix}-{}", sub.get_name());
            let mut out = Vec::new();
            clap_mangen::Man::new(sub.clone().name(name.clone())).render(&mut out)?;
            pages.push((format!("{name}.1"), out));
            walk(sub, &name, pages)?;
        }
        Ok(())
    }
    let mut pages = Vec::new();
    let mut root = Cli::command();
    root.build();
    walk(&root, "sipreg", &mut pages)?;
    Ok(pages)
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
