//! The user-agent server at our contact (issue 12): what answers the requests that
//! arrive there. Its server transactions come first; the routing of requests to a
//! registration and the choice of each answer build on them.

mod server;
mod transaction;

pub use server::{
    reason_of, Answer, IncomingRequest, Origin, Server, TxKey, UasConfig, UasEvent, ACCEPT, ALLOW,
    MAX_TRANSACTIONS,
};
pub use transaction::{Retransmitted, ServerKind, ServerTimer, ServerTransaction, T4};
