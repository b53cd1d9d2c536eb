use crate::exit::ExitStatus;
use std::path::PathBuf;

/// `sipreg profiles`: not built yet (issue #5).
pub fn run(_config: Option<PathBuf>) -> ExitStatus {
    eprintln!("sipreg: error: profiles are not available in this build yet");
    ExitStatus::Usage
}
