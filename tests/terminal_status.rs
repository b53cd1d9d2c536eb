//! The live status line of a staying registration on a real terminal (tmux): cut to
//! the terminal's width so that it never wraps, and out of the way of ladder lines.
//! Issue 13 item 17: at 40 columns the status used to wrap and leave a line behind
//! every second, and `registering…` stayed in front of the first ladder line.

mod transport_common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};
use transport_common::servers::UdpRegistrar;

const COLUMNS: usize = 40;
/// How long the whole run may take before the test gives up on it.
const DEADLINE: Duration = Duration::from_secs(40);

/// A tmux server of this test's own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("sipreg-status-{}", std::process::id()),
        };
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &COLUMNS.to_string(),
            "-y",
            "50",
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed (is tmux installed? scripts/install-deps.sh installs it): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux (scripts/install-deps.sh installs it)")
    }

    /// The pane's rows as shown (a wrapped line is two rows).
    fn rows(&self) -> Vec<String> {
        let out = self.run(&["capture-pane", "-p", "-S", "-", "-E", "-"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    /// Polls the pane until a row satisfies `found`, within the deadline.
    fn wait_for(&self, what: &str, found: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let rows = self.rows();
            if rows.iter().any(|r| found(r)) {
                return rows;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {DEADLINE:?}; the pane shows:\n{}",
                rows.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn the_status_line_fits_a_narrow_terminal_and_leaves_nothing_behind() {
    let registrar = UdpRegistrar::answering();
    let command = format!(
        "SIPREG_PASSWORD=secret {bin} -v register sip:alice@127.0.0.1 -r sip:{addr} \
         --for 4s; echo sipreg-exited-$?; sleep 60",
        bin = env!("CARGO_BIN_EXE_sipreg"),
        addr = registrar.addr,
    );
    let tmux = Tmux::start(&command);

    // While registered: one status row, cut to fit with the last column free.
    let rows = tmux.wait_for("status line", |r| r.starts_with("registered ·"));
    let status: Vec<&String> = rows.iter().filter(|r| r.contains("registered ·")).collect();
    assert_eq!(status.len(), 1, "{}", rows.join("\n"));
    assert!(
        status[0].chars().count() < COLUMNS && status[0].ends_with('…'),
        "status row not cut to {} columns: {:?}",
        COLUMNS - 1,
        status[0]
    );

    // After the run: no status left on any row (a wrapped one would leave its first
    // row each second), and no ladder line drawn after `registering…`.
    let rows = tmux.wait_for("exit", |r| r.starts_with("sipreg-exited-"));
    let all = rows.join("\n");
    assert!(all.contains("sipreg-exited-0"), "{all}");
    assert!(
        all.contains("REGISTER"),
        "the -v ladder is missing, the test proves nothing:\n{all}"
    );
    for row in &rows {
        assert!(
            !row.contains("registered ·") && !row.contains("registering…"),
            "a status line was left on the terminal: {row:?}\n{all}"
        );
    }
}
