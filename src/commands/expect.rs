//! Expectation options (--expect-…): issue #5.
