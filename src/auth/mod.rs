//! Digest authentication for SIP REGISTER (RFC 3261 §22, RFC 7616, RFC 8760).
//!
//! Sans-IO like the rest of the core: no clock, no sockets and no random
//! source of its own; the cnonce randomness is passed in by the caller.
//!
//! - [`digest`]: the pure computation of `response=` for MD5, SHA-256 and
//!   SHA-512-256, their `-sess` forms, and qop `auth`, `auth-int` or none.
//! - [`ha1`]: an HA1 given instead of a password, and which hash it serves.
//! - [`challenge`]: the parsed challenge and the choice of one per realm.
//! - [`Authenticator`]: the per-registration state (cached nonce, nonce
//!   count, stale handling) that turns challenges into header lines.
//!
//! No password or HA1 is ever printed: every type holding one implements
//! `Debug` by hand, redacted, and no error carries one.

mod authenticator;
pub mod challenge;
pub mod digest;
mod error;
pub mod ha1;
mod header;

pub use authenticator::{Authenticator, Credentials, Secret};
pub use challenge::{Challenge, ChallengeKind};
pub use digest::{Algorithm, Qop};
pub use error::AuthError;
pub use ha1::{Ha1, Ha1Error};
