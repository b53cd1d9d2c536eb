//! The SIP message layer: URIs, the REGISTER we send, the responses we read.
//!
//! Parsing is delegated to `ezk-sip-types` behind this module; nothing outside `sip/`
//! names that crate, so the parser can be replaced without touching the protocol core.

mod challenge;
mod contact;
mod error;
mod framing;
mod head;
mod headers;
mod lexer;
mod params;
mod received;
mod reply;
mod request;
mod response;
mod uri;
mod via;

pub use contact::{ContactParts, ContactValue};
pub use error::ParseError;
pub use framing::{Framed, StreamFramer, MAX_MESSAGE_SIZE};
pub use head::Head;
pub use headers::{canonical_name, split_list};
pub use received::{is_request, ReceivedRequest};
pub use reply::{has_tag, tag_of, Reply};
pub use request::{OutgoingRequest, RequestContact, ViaSpec};
pub use response::Response;
pub use uri::{displays_as, ipv4_text, Host, SipUri};
pub use via::{stamp_source, Via, ViaView};
