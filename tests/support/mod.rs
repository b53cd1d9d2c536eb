//! Shared helpers for the integration tests.
//!
//! Use from a `tests/*.rs` file with `mod support;` at the top, then e.g.
//! `use support::kamailio::{Kamailio, KamailioOptions, KamAuth};`.
//!
//! Every test binary compiles this whole module but uses only part of it.
#![allow(dead_code)]

pub mod ejabberd;
pub mod kamailio;
pub mod lines;
pub mod relay;
pub mod run;
pub mod sipp;
pub mod staying;
