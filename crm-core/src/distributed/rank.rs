//! Exact global ranks from per-task value distributions.

use super::wire::{Reader, Writer};
use crate::error::Result;
use crate::rank::ordered_bits;

/// The exact distribution of a set of values: each distinct value (as an order-preserving
/// key; -0.0 and 0.0 are one value) with how many times it occurs. Merging adds the
/// counts, so the merged distribution of the tasks is the distribution of the whole base,
/// whatever the partitioning and the order of merges.
///
/// Its size is the number of distinct values, at most the number of values: small for
/// days and purchase counts, at most one entry per customer for money.
///
/// ```
/// use crm_core::distributed::ValueDistribution;
/// let mut d = ValueDistribution::from_values([3.0, 1.0, 1.0]);
/// d.merge(&ValueDistribution::from_values([2.0, 1.0, 10.0, 9.0]));
/// assert_eq!(d.len(), 7);
/// // The same scores as ranking all seven values on one machine.
/// let all = [3.0, 1.0, 1.0, 2.0, 1.0, 10.0, 9.0];
/// let t = d.quantile_thresholds(5);
/// let scores: Vec<u8> = all.iter().map(|&v| t.score(v)).collect();
/// assert_eq!(scores, crm_core::rank::quantile_scores(&all, 5));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueDistribution {
    /// Distinct keys, ascending.
    keys: Vec<u64>,
    /// How often each key occurs (> 0).
    counts: Vec<u64>,
}

impl ValueDistribution {
    /// The distribution of `values` (finite numbers expected, as the engine's figures are).
    pub fn from_values(values: impl IntoIterator<Item = f64>) -> Self {
        let mut keys: Vec<u64> = values.into_iter().map(ordered_bits).collect();
        keys.sort_unstable();
        let mut d = ValueDistribution::default();
        for k in keys {
            match d.keys.last() {
                Some(&last) if last == k => *d.counts.last_mut().expect("same length") += 1,
                _ => {
                    d.keys.push(k);
                    d.counts.push(1);
                }
            }
        }
        d
    }

    /// Number of values (not distinct values).
    pub fn len(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Number of distinct values.
    pub fn distinct(&self) -> usize {
        self.keys.len()
    }

    /// The values with their counts, lowest first.
    pub(crate) fn runs(&self) -> Vec<(f64, u64)> {
        self.keys.iter().map(|&k| crate::rank::from_ordered_bits(k)).zip(self.counts.iter().copied()).collect()
    }

    /// Distinct values (as their order keys, ascending) with their counts.
    pub(crate) fn entries(&self) -> impl DoubleEndedIterator<Item = (u64, u64)> + '_ {
        self.keys.iter().copied().zip(self.counts.iter().copied())
    }

    /// Adds another distribution's values (a merge of two sorted lists).
    pub fn merge(&mut self, other: &ValueDistribution) {
        let (a, b) = (std::mem::take(self), other);
        let mut out = ValueDistribution {
            keys: Vec::with_capacity(a.keys.len() + b.keys.len()),
            counts: Vec::with_capacity(a.keys.len() + b.keys.len()),
        };
        let (mut i, mut j) = (0, 0);
        while i < a.keys.len() || j < b.keys.len() {
            let take_a = j == b.keys.len() || (i < a.keys.len() && a.keys[i] <= b.keys[j]);
            let take_b = i == a.keys.len() || (j < b.keys.len() && b.keys[j] <= a.keys[i]);
            let key = if take_a { a.keys[i] } else { b.keys[j] };
            let mut count = 0;
            if take_a {
                count += a.counts[i];
                i += 1;
            }
            if take_b {
                count += b.counts[j];
                j += 1;
            }
            out.keys.push(key);
            out.counts.push(count);
        }
        *self = out;
    }

    /// The boundaries of quantile scores 1..=`q` over these values, with the tie rule of
    /// [`crate::rank::quantile_scores`]: with all values sorted ascending, a value whose
    /// group of ties starts at 0-based position `p` of `n` scores `floor(p x q / n) + 1`.
    pub fn quantile_thresholds(&self, q: u8) -> QuantileThresholds {
        let n = self.len();
        let mut thresholds = Vec::with_capacity(q.saturating_sub(1) as usize);
        // The threshold after score s is the k-th smallest value, k = ceil(s x n / q) - 1:
        // a value scores above s exactly when it exceeds it.
        let (mut at, mut below) = (0, 0u64);
        for s in 1..q as u64 {
            let k = (s * n).div_ceil(q as u64).saturating_sub(1);
            if k >= n {
                break;
            }
            while below + self.counts[at] <= k {
                below += self.counts[at];
                at += 1;
            }
            thresholds.push(self.keys[at]);
        }
        QuantileThresholds { keys: thresholds }
    }

    /// The byte form (see [`Self::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(b"CRMD");
        self.write(&mut w);
        w.finish()
    }

    /// Reads [`Self::to_bytes`].
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] (field `value distribution`) for bytes that are not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, b"CRMD", "value distribution")?;
        let d = Self::read(&mut r)?;
        r.end()?;
        Ok(d)
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u64s(&self.keys);
        w.u64s(&self.counts);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        let (keys, counts) = (r.u64s()?, r.u64s()?);
        let sorted = keys.windows(2).all(|w| w[0] < w[1]);
        if keys.len() != counts.len() || !sorted || counts.contains(&0) {
            return Err(crate::Error::config("value distribution", "keys and counts are inconsistent"));
        }
        Ok(ValueDistribution { keys, counts })
    }
}

/// The q - 1 boundaries of quantile scores found by [`ValueDistribution::quantile_thresholds`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuantileThresholds {
    keys: Vec<u64>,
}

impl QuantileThresholds {
    /// The score of a value: 1 + the number of boundaries it exceeds.
    pub fn score(&self, value: f64) -> u8 {
        let key = ordered_bits(value);
        1 + self.keys.iter().filter(|&&t| key > t).count() as u8
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.u64s(&self.keys);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        let keys = r.u64s()?;
        if keys.len() > u8::MAX as usize || !keys.windows(2).all(|w| w[0] <= w[1]) {
            return Err(crate::Error::config("quantile thresholds", "boundaries are not ascending"));
        }
        Ok(QuantileThresholds { keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::quantile_scores;

    #[test]
    fn merged_partitions_score_as_the_whole() {
        let mut state = 11u64;
        for n in [0usize, 1, 2, 5, 13, 200, 1_003] {
            for levels in [1u64, 3, 17, 1_000_000] {
                let values: Vec<f64> = (0..n)
                    .map(|_| {
                        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        ((state >> 33) % levels) as f64 - (levels / 3) as f64
                    })
                    .collect();
                for parts in [1usize, 2, 7, 64] {
                    let mut merged = ValueDistribution::default();
                    for p in 0..parts {
                        let part = values.iter().enumerate().filter(|(i, _)| i % parts == p).map(|(_, v)| *v);
                        let d = ValueDistribution::from_values(part);
                        merged.merge(&ValueDistribution::from_bytes(&d.to_bytes()).unwrap());
                    }
                    assert_eq!(merged.len(), n as u64);
                    for q in [1u8, 2, 5, 10] {
                        let t = merged.quantile_thresholds(q);
                        let got: Vec<u8> = values.iter().map(|&v| t.score(v)).collect();
                        assert_eq!(got, quantile_scores(&values, q), "n {n} levels {levels} parts {parts} q {q}");
                    }
                }
            }
        }
    }

    #[test]
    fn bad_bytes_are_errors() {
        let good = ValueDistribution::from_values([1.0, 2.0]).to_bytes();
        for cut in 0..good.len() {
            assert!(ValueDistribution::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = good.clone();
        extra.push(0);
        assert!(ValueDistribution::from_bytes(&extra).is_err());
        assert!(ValueDistribution::from_bytes(b"CRMX\x01").is_err());
    }
}
