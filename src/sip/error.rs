use thiserror::Error;

/// Why a message, header or URI could not be read. The text says what was wrong, so a
/// `-vv` trace or a bad `--contact` argument can be fixed from the message alone.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("message is not UTF-8 text in its head")]
    NotText,
    #[error("message head is incomplete (no blank line after the headers)")]
    Incomplete,
    #[error("message is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("not a SIP response status line: {0:?}")]
    StatusLine(String),
    #[error("not a SIP request line: {0:?}")]
    RequestLine(String),
    #[error("malformed header line: {0:?}")]
    HeaderLine(String),
    #[error("bad Content-Length: {0:?}")]
    ContentLength(String),
    /// Two Content-Length headers that disagree (RFC 4475 `mcl01`): no way to
    /// tell where the body ends, so the message is refused, and on a stream so is
    /// everything after it.
    #[error("conflicting Content-Length headers ({first} and {second})")]
    ConflictingContentLength { first: usize, second: usize },
    #[error("body is truncated: Content-Length says {declared} bytes, {present} arrived")]
    TruncatedBody { declared: usize, present: usize },
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("malformed {header} header: {value:?}")]
    Header { header: &'static str, value: String },
    #[error("not a valid SIP URI: {0:?}")]
    Uri(String),
}
