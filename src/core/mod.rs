//! The sans-IO protocol core. Nothing here reads a clock, opens a socket or draws
//! randomness on its own: time and received bytes come in as arguments, bytes to send
//! and events come out of `poll_*` calls, and the random source is injected. That is
//! what lets every timer be tested in virtual time.

mod backoff;
mod branches;
mod config;
pub mod endpoint;
mod error;
mod event;
mod ids;
mod nat;
mod refresh;
mod registration;
mod rng;
pub mod stun;
mod transaction;
pub mod uas;

pub use backoff::CAP as BACKOFF_CAP;
pub use config::{Operation, RegistrationConfig, SharedConfig, TransportKind, UnregisterTarget};
pub use endpoint::{Dispatch, Endpoint, EndpointConfig, EndpointEvent, Handle, Tally};
pub use error::RegError;
pub use event::{Binding, Event, OpKind, Outcome, Reachability, Responder, Transmit};
pub use ids::random_hex;
pub use refresh::{refresh_delay, CHALLENGE_ALLOWANCE};
pub use registration::{Registration, Standing, RETRY_AFTER_FLOOR};
pub use transaction::{ClientTransaction, TimerOutcome, Timers};
