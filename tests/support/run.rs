//! What a finished sipreg process left: its exit code and its output.

use serde_json::Value;
use std::borrow::BorrowMut;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Runs `cmd` to its end.
    pub fn of(mut cmd: impl BorrowMut<assert_cmd::Command>) -> Run {
        cmd.borrow_mut().output().unwrap().into()
    }

    /// stdout read as JSON lines (`-o json`), one value per line.
    pub fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}
