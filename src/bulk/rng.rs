//! One random generator for the whole population.
//!
//! Every registration needs randomness for its Call-ID, tags, branches and cnonces.
//! A generator each (a seeded `StdRng` is 300-odd bytes) would cost more memory than
//! the rest of an idle registration, so they all share one, seeded from the operating
//! system: it is cryptographically strong, and the event loop is a single thread, so
//! its lock is never contended.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone)]
pub struct SharedRng(Arc<Mutex<StdRng>>);

impl SharedRng {
    pub fn from_os() -> SharedRng {
        SharedRng(Arc::new(Mutex::new(StdRng::from_entropy())))
    }

    fn with<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        // A panic while holding the lock cannot leave a generator half-updated in a
        // way that matters: keep using it.
        let mut rng = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut rng)
    }
}

impl RngCore for SharedRng {
    fn next_u32(&mut self) -> u32 {
        self.with(|r| r.next_u32())
    }

    fn next_u64(&mut self) -> u64 {
        self.with(|r| r.next_u64())
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.with(|r| r.fill_bytes(dest))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.with(|r| r.try_fill_bytes(dest))
    }
}
