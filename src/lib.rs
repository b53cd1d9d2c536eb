//! sipreg: a SIP registration client (RFC 3261 §10).
//!
//! `sip` reads and writes messages, `auth` computes digest answers, `core` is the
//! sans-IO protocol state machine, `net` moves its bytes over real sockets, `output`
//! renders what happened, `settings` turns the command line into what the core and
//! the network need, and `commands` wires the command line to all of them.

pub mod auth;
pub mod bulk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod core;
pub mod error;
pub mod exit;
pub mod net;
pub mod output;
pub mod settings;
pub mod sip;

pub use error::{Error, Result};
pub use exit::ExitStatus;
