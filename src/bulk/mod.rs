//! Bulk mode (issue #6): register, refresh, query and remove many AORs at a chosen
//! rate from one process, for load tests of registrars.
//!
//! Every AOR is an ordinary `core::Registration` of one `core::Endpoint`, which routes
//! responses by Call-ID, keeps the deadlines in one heap, paces new transactions and
//! counts outcomes; the same `net::Driver` that runs a single registration moves its
//! bytes and time over the run's carriers (a few batch UDP sockets, or stream
//! connections). `engine` sets the run up and reports each outcome to the observer.
//! The population comes from a CSV file (`csv`) or from templates (`template`), cut
//! to one shard (`shard`) of a load test spread over several machines.

pub mod configs;
pub mod cpu;
pub mod csv;
pub mod engine;
mod error;
pub mod fd_limit;
pub mod interval;
pub mod observe;
pub mod plan;
pub mod population;
pub mod ramp;
pub mod report;
pub mod shard;
pub mod template;
pub mod thresholds;

pub use crate::core::endpoint::{latency, stats};

pub use engine::{End, Engine, Observer, Tally};
pub use error::BulkError;
pub use plan::{Mode, Plan};
pub use population::Member;
pub use shard::Shard;
