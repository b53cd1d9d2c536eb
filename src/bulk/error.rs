use thiserror::Error;

/// What is wrong with the description of a bulk run. Every one of these is a usage
/// error (exit status 2) found before anything is sent.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BulkError {
    #[error("{option} {template:?}: {why}")]
    Template {
        option: &'static str,
        template: String,
        why: String,
    },
    /// A problem in the `--users` file, at a line and column (both from 1).
    #[error("{path}:{line}:{column}: {why}")]
    Csv {
        path: String,
        line: usize,
        column: usize,
        why: String,
    },
    #[error("--ramp {text:?}: {why}")]
    Ramp { text: String, why: String },
    #[error("--shard {text:?}: {why}")]
    Shard { text: String, why: String },
    #[error("{0}")]
    Usage(String),
}
