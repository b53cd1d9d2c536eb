//! A staying `sipreg register` for alice, left running while a test watches its JSON
//! events, each read with a deadline.

use super::lines::Lines;
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const AOR: &str = "sip:alice@sipreg.test";

pub struct Staying {
    child: Child,
    events: Lines,
}

impl Staying {
    pub fn start(registrar: &str, extra: &[&str]) -> Staying {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("sipreg"))
            .args(["register", AOR, "-r", registrar, "--json"])
            .args(extra)
            .env("SIPREG_PASSWORD", "secret-alice")
            .env_remove("SIPREG_HA1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Generous: the longest wait in these tests is one refresh interval or one
        // back-off (at most 60 s after a first failure).
        let events = Lines::new(child.stdout.take().unwrap(), Duration::from_secs(90));
        Staying { child, events }
    }

    /// The process ID of the running sipreg.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn next(&mut self) -> Value {
        let line = self.events.next().expect("sipreg ended early");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    /// Reads events until one named `name`, returning all read.
    pub fn until(&mut self, name: &str) -> Vec<Value> {
        self.until_any(&[name])
    }

    /// Reads events until one named any of `names`, returning all read.
    pub fn until_any(&mut self, names: &[&str]) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let v = self.next();
            let done = names.iter().any(|n| v["event"] == *n);
            seen.push(v);
            if done {
                return seen;
            }
        }
    }

    /// SIGTERM, then the remaining events and the exit code.
    pub fn stop(mut self) -> (Vec<Value>, Option<i32>) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let rest = (self.events.rest().iter())
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        (rest, self.child.wait().unwrap().code())
    }
}

impl Drop for Staying {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
