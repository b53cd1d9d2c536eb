//! How much to print and in which format.

use crate::cli::{OutputFormat, SharedArgs};

/// `-o`, with `--json` as its short form.
pub fn output_format(shared: &SharedArgs) -> OutputFormat {
    if shared.json {
        OutputFormat::Json
    } else {
        shared.output
    }
}
