//! Bulk mode (issue #6): register, refresh, query and remove many AORs at a chosen
//! rate from one process, for load tests of registrars.
//!
//! Every AOR is an ordinary `core::Registration` with its own Call-ID, From-tag, CSeq
//! and nonce state. They all live on one current-thread event loop (`engine`) and
//! share a few UDP sockets (`sockets`) or TCP/TLS connections (`connect`, `streams`);
//! responses are routed to their registration by Call-ID (`demux`); deadlines wait
//! in one heap; `pacer` spaces new transactions evenly, and at high rates `ticker`
//! wakes the loop once a millisecond instead of once per datagram.
//! The population comes from a CSV file (`csv`) or from templates (`template`), cut
//! to one shard (`shard`) of a load test spread over several machines.

pub mod connect;
pub mod cpu;
pub mod csv;
pub mod datagrams;
pub mod demux;
pub mod engine;
mod error;
pub mod fd_limit;
mod nonces;
pub mod observe;
pub mod pacer;
pub mod plan;
pub mod population;
pub mod report;
pub mod rng;
pub mod shard;
mod signals;
pub mod slot;
pub mod sockets;
pub mod stats;
pub mod streams;
pub mod template;
pub mod ticker;

pub use engine::{End, Engine, Observer, Tally};
pub use error::BulkError;
pub use plan::{Mode, Plan};
pub use population::Member;
pub use shard::Shard;
