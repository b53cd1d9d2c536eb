//! One registration of an endpoint and what the endpoint knows about it.

use crate::core::Registration;
use std::time::Instant;

/// The population's operation was started on it.
pub const STARTED: u8 = 1;
/// Counted among the transactions in flight.
pub const BUSY: u8 = 1 << 1;
/// Counted among the registered AORs.
pub const REGISTERED: u8 = 1 << 2;
/// The population's operation completed.
pub const MAIN_DONE: u8 = 1 << 3;
/// Some operation of this AOR failed for good.
pub const FAILED: u8 = 1 << 4;
/// Waiting in the queue of due deadlines for a pacing slot.
pub const QUEUED: u8 = 1 << 5;
/// Its removal (at the end of a staying run) was started.
pub const REMOVING: u8 = 1 << 6;
/// Its removal completed.
pub const REMOVED: u8 = 1 << 7;

pub struct Slot {
    pub reg: Registration,
    /// The deadline this slot has in the timer heap; entries that differ are stale.
    pub scheduled: Option<Instant>,
    /// The socket or connection it sends on.
    pub carrier: u32,
    /// Targets left to fail over to (RFC 3263), as the driver said.
    pub fallbacks: u8,
    pub flags: u8,
}

impl Slot {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}
