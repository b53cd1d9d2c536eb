//! The branches of recently finished transactions, to tell a late answer to one of
//! ours from a stranger's. Only for the diagnostic, so a 64-bit hash of each branch
//! in a small fixed ring is enough: no allocation per registration, which matters
//! when a bulk run keeps thousands of them.

const REMEMBERED: usize = 8;

#[derive(Debug, Default)]
pub struct RecentBranches {
    hashes: [u64; REMEMBERED],
    next: usize,
}

/// FNV-1a: a hash the core computes without a random source or a hasher state.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl RecentBranches {
    pub fn remember(&mut self, branch: &str) {
        self.hashes[self.next] = fnv1a(branch);
        self.next = (self.next + 1) % REMEMBERED;
    }

    pub fn contains(&self, branch: &str) -> bool {
        let h = fnv1a(branch);
        self.hashes.iter().any(|x| *x == h && h != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_eight() {
        let mut r = RecentBranches::default();
        for i in 0..10 {
            r.remember(&format!("z9hG4bK{i}"));
        }
        assert!(!r.contains("z9hG4bK0") && !r.contains("z9hG4bK1"));
        assert!((2..10).all(|i| r.contains(&format!("z9hG4bK{i}"))));
        assert!(!r.contains("z9hG4bKstranger"));
    }
}
