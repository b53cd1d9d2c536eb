//! Lines from a child process's output, each waited for at most a deadline, so that
//! a broken build fails the test instead of hanging it.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

pub struct Lines {
    rx: Receiver<String>,
    limit: Duration,
}

impl Lines {
    /// Reads `from` on a thread of its own; `next` waits at most `limit` per line.
    pub fn new(from: impl Read + Send + 'static, limit: Duration) -> Lines {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(from).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines { rx, limit }
    }

    /// The next line, or `None` at the end of the output. Panics when no line comes
    /// within the limit.
    pub fn next(&mut self) -> Option<String> {
        match self.rx.recv_timeout(self.limit) {
            Ok(line) => Some(line),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => {
                panic!("no line from the child process within {:?}", self.limit)
            }
        }
    }

    /// Every line to the end of the output.
    pub fn rest(&mut self) -> Vec<String> {
        std::iter::from_fn(|| self.next()).collect()
    }
}
