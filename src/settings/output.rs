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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_short_for_output_json() {
        assert_eq!(
            output_format(&super::super::shared_args(&[])),
            OutputFormat::Human
        );
        assert_eq!(
            output_format(&super::super::shared_args(&["--json"])),
            OutputFormat::Json
        );
        assert_eq!(
            output_format(&super::super::shared_args(&["-o", "json"])),
            OutputFormat::Json
        );
    }
}
