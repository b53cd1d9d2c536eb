//! The engine's stop signals: the same handler as `register`'s, in `net::signals`.

pub use crate::net::StopSignals;
