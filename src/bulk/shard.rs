//! `--shard I/N`: the I-th of N slices of the population, so that N machines (one pod
//! per shard of an indexed Kubernetes Job, say) share one load test.
//!
//! How slices are cut: the population (the template's `--count` members, or the CSV's
//! rows, in file order) is split into N contiguous slices whose sizes differ by at most
//! one; slice I holds the members with positions `floor((I-1)·P/N)` up to, not
//! including, `floor(I·P/N)`, counting positions from 0 in a population of P. Every
//! member is in exactly one slice, so the counts of the N JSON summaries (attempted,
//! registered, failed, failures by reason, retransmissions, latency buckets) add up to
//! those of one run over the whole population.

use super::error::BulkError;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole population as one slice.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Reads `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard, BulkError> {
        let bad = |why: &str| BulkError::Shard {
            text: text.to_string(),
            why: why.to_string(),
        };
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| bad("write it as I/N, e.g. 2/4 for the second of four slices"))?;
        let parse = |s: &str| s.trim().parse::<u32>().ok();
        let (Some(index), Some(count)) = (parse(i), parse(n)) else {
            return Err(bad("I and N must be whole numbers, e.g. 2/4"));
        };
        if count == 0 || index == 0 || index > count {
            return Err(bad("I must be from 1 to N, and N at least 1"));
        }
        Ok(Shard { index, count })
    }

    /// The positions of this slice within a population of `population` members.
    pub fn slice(self, population: u64) -> Range<u64> {
        let cut = |k: u32| population * u64::from(k) / u64::from(self.count);
        cut(self.index - 1)..cut(self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { index: 2, count: 4 });
        assert_eq!(Shard::parse(" 1 / 1 ").unwrap(), Shard::WHOLE);
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "-1/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slices_cover_the_population_once_in_order() {
        for population in [0u64, 1, 2, 3, 7, 10, 999, 1000, 1001, 10_007] {
            for count in 1..=12u32 {
                let mut next = 0;
                let mut sizes = Vec::new();
                for index in 1..=count {
                    let r = Shard { index, count }.slice(population);
                    assert_eq!(r.start, next, "P={population} {index}/{count}");
                    next = r.end;
                    sizes.push(r.end - r.start);
                }
                assert_eq!(next, population, "P={population} N={count}");
                let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(max - min <= 1, "P={population} N={count}: {sizes:?}");
            }
        }
    }

    #[test]
    fn the_example_of_the_docs() {
        // 1000 AORs over 4 pods: 250 each, the second pod takes positions 250..500.
        assert_eq!(Shard { index: 2, count: 4 }.slice(1000), 250..500);
        // 10 over 3: 3, 3, 4.
        let sizes: Vec<u64> = (1..=3)
            .map(|i| Shard { index: i, count: 3 }.slice(10))
            .map(|r| r.end - r.start)
            .collect();
        assert_eq!(sizes, vec![3, 3, 4]);
    }
}
