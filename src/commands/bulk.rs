use crate::cli::BulkCommand;
use crate::exit::ExitStatus;

/// `sipreg bulk …`: not built yet (issue #6).
pub async fn run(_command: BulkCommand) -> ExitStatus {
    eprintln!("sipreg: error: bulk mode is not available in this build yet");
    ExitStatus::Usage
}
