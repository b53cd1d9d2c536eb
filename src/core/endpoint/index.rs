//! From a response's Call-ID to the registration it belongs to.
//!
//! The map keeps a 64-bit keyed hash of each Call-ID instead of the string, which
//! saves one allocation per registration. A response whose Call-ID merely collides
//! with one of ours reaches that registration, which compares the whole Call-ID (and
//! branch and CSeq) itself and ignores it; two of our own Call-IDs are never allowed
//! to collide (`insert` refuses the second).

use std::collections::hash_map::{Entry, RandomState};
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// The keys are hashes already: use them as they are.
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in all the same.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub struct CallIdIndex {
    keys: RandomState,
    map: HashMap<u64, u32, BuildHasherDefault<KeyIsHash>>,
}

impl CallIdIndex {
    pub fn with_capacity(n: usize) -> CallIdIndex {
        CallIdIndex {
            keys: RandomState::new(),
            map: HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default()),
        }
    }

    pub fn reserve(&mut self, n: usize) {
        self.map.reserve(n);
    }

    fn key(&self, call_id: &str) -> u64 {
        self.keys.hash_one(call_id.as_bytes())
    }

    /// Records `index` for `call_id`. False, recording nothing, when the key is taken.
    pub fn insert(&mut self, call_id: &str, index: u32) -> bool {
        match self.map.entry(self.key(call_id)) {
            Entry::Occupied(_) => false,
            Entry::Vacant(v) => {
                v.insert(index);
                true
            }
        }
    }

    pub fn get(&self, call_id: &str) -> Option<u32> {
        self.map.get(&self.key(call_id)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_refuses_duplicates() {
        let mut index = CallIdIndex::with_capacity(4);
        assert!(index.insert("a1b2", 0));
        assert!(index.insert("c3d4", 1));
        assert!(!index.insert("a1b2", 7));
        assert_eq!(index.get("a1b2"), Some(0));
        assert_eq!(index.get("c3d4"), Some(1));
        assert_eq!(index.get("unknown"), None);
    }
}
