//! One registration of an endpoint and what the endpoint knows about it.

use crate::core::Registration;
use std::time::Instant;

/// The population's operation was started on it.
pub const STARTED: u16 = 1;
/// Counted among the transactions in flight.
pub const BUSY: u16 = 1 << 1;
/// Counted among the registered AORs.
pub const REGISTERED: u16 = 1 << 2;
/// The population's operation completed.
pub const MAIN_DONE: u16 = 1 << 3;
/// Some operation of this AOR failed for good.
pub const FAILED: u16 = 1 << 4;
/// Waiting in the queue of due deadlines for a pacing slot.
pub const QUEUED: u16 = 1 << 5;
/// Its removal (at the end of a staying run) was started.
pub const REMOVING: u16 = 1 << 6;
/// Its removal completed.
pub const REMOVED: u16 = 1 << 7;
/// Staying mode: no binding, a new attempt planned after a back-off.
pub const RETRYING: u16 = 1 << 8;

pub struct Slot {
    pub reg: Registration,
    /// The deadline this slot has in the timer heap; entries that differ are stale.
    pub scheduled: Option<Instant>,
    /// The socket or connection it sends on.
    pub carrier: u32,
    /// Targets left to fail over to (RFC 3263), as the driver said.
    pub fallbacks: u8,
    pub flags: u16,
}

impl Slot {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    pub fn set(&mut self, flag: u16, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}
