//! Bulk mode (issue #6): register, refresh, query and remove many AORs at a chosen
//! rate from one process, for load tests of registrars.
//!
//! Every AOR is an ordinary `core::Registration` of one `core::Endpoint`, which routes
//! responses by Call-ID, keeps the deadlines in one heap, paces new transactions and
//! counts outcomes. The loop (`engine`) only moves bytes and time between the
//! endpoint and its carriers (`net::carriers`: a few batch UDP sockets, or stream
//! connections); at high rates `net::ticker` wakes it once a millisecond instead of
//! once per datagram.
//! The population comes from a CSV file (`csv`) or from templates (`template`), cut
//! to one shard (`shard`) of a load test spread over several machines.

pub mod configs;
pub mod cpu;
pub mod csv;
pub mod engine;
mod error;
pub mod fd_limit;
pub mod observe;
pub mod plan;
pub mod population;
pub mod report;
pub mod shard;
pub mod template;

pub use crate::core::endpoint::stats;

pub use engine::{End, Engine, Observer, Tally};
pub use error::BulkError;
pub use plan::{Mode, Plan};
pub use population::Member;
pub use shard::Shard;
