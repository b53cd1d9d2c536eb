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
//!
//! `--shard auto/N` takes I from the environment instead: a Kubernetes Indexed Job
//! gives each of its pods one index from 0 to N-1 in `JOB_COMPLETION_INDEX`, so one
//! pod template serves all N pods, and pod k runs slice k+1.

use super::error::BulkError;
use std::ops::Range;

/// Set by Kubernetes in the pods of an Indexed Job (`completionMode: Indexed`), from 0.
pub const INDEX_VARIABLE: &str = "JOB_COMPLETION_INDEX";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The whole population as one slice.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Reads `I/N` with 1 ≤ I ≤ N, or `auto/N` with I taken from
    /// `JOB_COMPLETION_INDEX` (plus one) in this process's environment.
    pub fn parse(text: &str) -> Result<Shard, BulkError> {
        // A value that is not UTF-8 is kept (lossily) rather than taken for "not set",
        // so the error names what is there instead of claiming it is missing.
        let index = std::env::var_os(INDEX_VARIABLE).map(|v| v.to_string_lossy().into_owned());
        Shard::parse_with(text, index.as_deref())
    }

    /// [`Shard::parse`] with the value of `JOB_COMPLETION_INDEX` given (`None`: not
    /// set), so that the parsing can be tested without changing the environment.
    pub fn parse_with(text: &str, completion_index: Option<&str>) -> Result<Shard, BulkError> {
        let bad = |why: &str| BulkError::Shard {
            text: text.to_string(),
            why: why.to_string(),
        };
        let (i, n) = text.split_once('/').ok_or_else(|| {
            bad("write it as I/N, e.g. 2/4 for the second of four slices, or auto/N in a Kubernetes Indexed Job")
        })?;
        let parse = |s: &str| s.trim().parse::<u32>().ok();
        if i.trim() == "auto" {
            let Some(count) = parse(n).filter(|&n| n >= 1) else {
                return Err(bad("N must be a whole number, at least 1, e.g. auto/4"));
            };
            return Shard::from_completion_index(count, completion_index).map_err(|why| bad(&why));
        }
        let (Some(index), Some(count)) = (parse(i), parse(n)) else {
            return Err(bad("I and N must be whole numbers, e.g. 2/4, or I is auto"));
        };
        if count == 0 || index == 0 || index > count {
            return Err(bad("I must be from 1 to N, and N at least 1"));
        }
        Ok(Shard { index, count })
    }

    /// Slice `JOB_COMPLETION_INDEX + 1` of `count`. The index must be in 0..count:
    /// an index beyond N means the Job's `completions` and the N of `auto/N` differ,
    /// and running anyway would leave members out or register some twice.
    fn from_completion_index(count: u32, completion_index: Option<&str>) -> Result<Shard, String> {
        let Some(value) = completion_index else {
            return Err(format!(
                "auto/{count} reads {INDEX_VARIABLE} (set by a Kubernetes Indexed Job), which is not set; \
                 outside such a Job give the slice as I/N, e.g. 1/{count}"
            ));
        };
        let Ok(zero_based) = value.trim().parse::<u32>() else {
            return Err(format!(
                "{INDEX_VARIABLE}={value:?} is not a whole number (a Kubernetes Indexed Job sets 0 to N-1)"
            ));
        };
        if zero_based >= count {
            return Err(format!(
                "{INDEX_VARIABLE}={zero_based} is out of range for {count} shards (0 to {}): \
                 the Job's completions and the N of auto/N must be the same",
                count - 1
            ));
        }
        Ok(Shard {
            index: zero_based + 1,
            count,
        })
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
    fn auto_takes_the_index_from_the_job_plus_one() {
        let auto = |text, env| Shard::parse_with(text, env);
        assert_eq!(
            auto("auto/4", Some("0")).unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert_eq!(
            auto("auto/4", Some("3")).unwrap(),
            Shard { index: 4, count: 4 }
        );
        assert_eq!(auto(" auto / 1 ", Some(" 0 ")).unwrap(), Shard::WHOLE);
        // I/N given outright ignores the environment, set or not.
        assert_eq!(
            auto("2/4", Some("0")).unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert_eq!(auto("2/4", None).unwrap(), Shard { index: 2, count: 4 });
    }

    #[test]
    fn auto_says_what_is_wrong_in_plain_words() {
        let why = |text: &str, env: Option<&str>| match Shard::parse_with(text, env) {
            Err(BulkError::Shard { text: t, why }) => {
                assert_eq!(t, text);
                why
            }
            other => panic!("{text} with {env:?}: {other:?}"),
        };
        let unset = why("auto/4", None);
        assert!(
            unset.starts_with(
                "auto/4 reads JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job), which is not set"
            ),
            "{unset}"
        );
        let beyond = why("auto/4", Some("7"));
        assert!(
            beyond.starts_with("JOB_COMPLETION_INDEX=7 is out of range for 4 shards (0 to 3)"),
            "{beyond}"
        );
        // N itself is the first index out of range (the index counts from 0).
        assert!(why("auto/4", Some("4")).contains("out of range"));
        for junk in ["", "-1", "one", "1.0", "4294967296"] {
            assert!(
                why("auto/4", Some(junk)).contains("is not a whole number"),
                "{junk:?}"
            );
        }
        for n in ["auto/0", "auto/", "auto/x", "auto/-2"] {
            assert!(
                why(n, Some("0")).contains("N must be a whole number"),
                "{n}"
            );
        }
        // Only the word auto stands for I; other words are still refused as I/N.
        assert!(why("AUTO/4", Some("0")).contains("I and N must be whole numbers"));
        // The whole message as the user sees it, through BulkError's Display.
        assert_eq!(
            Shard::parse_with("auto/2", Some("2"))
                .unwrap_err()
                .to_string(),
            "--shard \"auto/2\": JOB_COMPLETION_INDEX=2 is out of range for 2 shards (0 to 1): \
             the Job's completions and the N of auto/N must be the same"
        );
    }

    #[test]
    fn auto_slices_of_all_pods_cover_the_population_once() {
        // What N pods of one Indexed Job get between them: every member exactly once.
        let count = 5;
        let mut covered = Vec::new();
        for pod in 0..count {
            let shard =
                Shard::parse_with(&format!("auto/{count}"), Some(&pod.to_string())).unwrap();
            covered.extend(shard.slice(1003));
        }
        assert_eq!(covered, (0..1003).collect::<Vec<u64>>());
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
