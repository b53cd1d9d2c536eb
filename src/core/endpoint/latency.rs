//! Latencies of a bulk run in an HDR histogram (HdrHistogram's V2 format): recorded
//! in O(1) whatever the run's size, and serialised into the JSON summary so that the
//! histograms of the shards of one load test add up exactly (`sipreg bulk merge`),
//! percentiles included, which no list of percentiles could do.
//!
//! Precision: microseconds with 3 significant digits, so any percentile read off the
//! histogram is within 0.1 % of the sample it stands for (one recorded by one process
//! or merged from many: merging loses nothing).

use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use std::time::Duration;

/// Upper bounds (ms) of the fixed buckets in the JSON summary, kept for readers
/// that plot them; the histogram is what merges.
pub const LATENCY_BUCKETS_MS: [f64; 16] = [
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0,
    10000.0, 30000.0,
];

/// Significant decimal digits kept: 0.1 % relative error.
const SIGNIFICANT_DIGITS: u8 = 3;

/// Whole-operation latencies, in microseconds. The histogram is made at the first
/// sample: a run that records none (a single registration, the refreshes of a run
/// that never refreshes) pays nothing for it.
#[derive(Debug, Clone, Default)]
pub struct Latencies {
    histogram: Option<Histogram<u64>>,
}

/// An empty histogram that grows as longer latencies arrive: no ceiling to guess.
fn empty() -> Histogram<u64> {
    let mut histogram = Histogram::new(SIGNIFICANT_DIGITS).expect("3 significant digits are valid");
    histogram.auto(true);
    histogram
}

impl Latencies {
    pub fn new() -> Latencies {
        Latencies::default()
    }

    pub fn record(&mut self, elapsed: Duration) {
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        // Auto-resizing: recording fails only past u64 range, which no latency reaches.
        let _ = self.histogram.get_or_insert_with(empty).record(us.max(1));
    }

    pub fn len(&self) -> u64 {
        self.histogram.as_ref().map_or(0, Histogram::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds another histogram's samples (another shard's, another interval's).
    pub fn add(&mut self, other: &Latencies) {
        if let Some(theirs) = &other.histogram {
            // Both grow on demand, so adding cannot overflow the range.
            let _ = self.histogram.get_or_insert_with(empty).add(theirs);
        }
    }

    /// Takes the samples recorded so far, leaving none (one interval's worth).
    pub fn take(&mut self) -> Latencies {
        std::mem::take(self)
    }

    /// The histogram as text for JSON: HdrHistogram's V2 compressed encoding in
    /// base64, as HdrHistogram's own tools write it into their logs.
    pub fn encode(&self) -> String {
        let mut bytes = Vec::new();
        let histogram = self.histogram.clone().unwrap_or_else(empty);
        // Writing into a Vec fails only for a histogram too large to encode.
        let _ = V2DeflateSerializer::new().serialize(&histogram, &mut bytes);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Reads what `encode` wrote.
    pub fn decode(text: &str) -> Result<Latencies, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| format!("not base64: {e}"))?;
        let mut histogram: Histogram<u64> = Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| format!("not an HdrHistogram V2 histogram: {e:?}"))?;
        histogram.auto(true);
        Ok(Latencies {
            histogram: Some(histogram),
        })
    }

    /// The figures of the summary; None without samples.
    pub fn figures(&self) -> Option<Latency> {
        let h = self.histogram.as_ref().filter(|h| !h.is_empty())?;
        let at = |q: f64| ms(h.value_at_quantile(q));
        let mut buckets = vec![0u64; LATENCY_BUCKETS_MS.len() + 1];
        for v in h.iter_recorded() {
            // The bottom of its bucket: a sample of exactly 5 ms belongs under "le 5".
            let value = ms(h.lowest_equivalent(v.value_iterated_to()));
            let i = LATENCY_BUCKETS_MS
                .iter()
                .position(|&bound| value <= bound)
                .unwrap_or(LATENCY_BUCKETS_MS.len());
            buckets[i] += v.count_at_value();
        }
        Some(Latency {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
            buckets,
        })
    }
}

/// Latency figures in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
    /// Counts per bucket of `LATENCY_BUCKETS_MS`, and one more for longer.
    pub buckets: Vec<u64>,
}

/// Microseconds as milliseconds, to the microsecond.
fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(samples_us: impl IntoIterator<Item = u64>) -> Latencies {
        let mut l = Latencies::new();
        for us in samples_us {
            l.record(Duration::from_micros(us));
        }
        l
    }

    /// Within the histogram's precision (0.1 %), and never below the true value.
    fn close(got: f64, want: f64) -> bool {
        got >= want && got <= want * 1.001
    }

    #[test]
    fn percentiles_within_a_tenth_of_a_percent() {
        let l = of((1..=100).map(|i| i * 1000)).figures().unwrap();
        for (got, want) in [
            (l.p50, 50.0),
            (l.p90, 90.0),
            (l.p99, 99.0),
            (l.p999, 100.0),
            (l.max, 100.0),
        ] {
            assert!(close(got, want), "{got} for {want}");
        }
        assert!((l.mean - 50.5).abs() < 0.1, "{}", l.mean);
        assert_eq!(l.buckets.iter().sum::<u64>(), 100);
        // 1 ms, 2 ms, then 3..=5, 6..=10, 11..=20, 21..=50, 51..=100
        assert_eq!(&l.buckets[2..9], &[1, 1, 3, 5, 10, 30, 50]);
        assert!(Latencies::new().figures().is_none());
        let one = of([700]).figures().unwrap();
        assert!(close(one.p50, 0.7) && close(one.max, 0.7), "{one:?}");
    }

    #[test]
    fn shards_merged_through_text_equal_one_run() {
        let samples: Vec<u64> = (0..10_000).map(|i| 200 + (i * 7919) % 90_000).collect();
        let whole = of(samples.iter().copied());
        let mut merged = Latencies::new();
        for shard in samples.chunks(2500) {
            let text = of(shard.iter().copied()).encode();
            merged.add(&Latencies::decode(&text).unwrap());
        }
        assert_eq!(merged.len(), 10_000);
        assert_eq!(merged.figures(), whole.figures());
    }

    #[test]
    fn long_latencies_grow_the_histogram_and_take_empties_it() {
        let mut l = of([100, 45_000_000]);
        assert!(close(l.figures().unwrap().max, 45_000.0));
        let taken = l.take();
        assert_eq!(taken.len(), 2);
        assert!(l.is_empty());
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        assert!(Latencies::decode("not base64!")
            .unwrap_err()
            .contains("base64"));
        assert!(Latencies::decode("aGVsbG8=")
            .unwrap_err()
            .contains("HdrHistogram"));
    }
}
