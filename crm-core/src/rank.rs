//! Ranking helpers shared by RFM scores and value segments: quantile scores with a stated
//! tie rule, and share boundaries.

/// Splits `n` ranked items by cumulative shares: the boundary after share `k` is
/// `n x (s_1 + ... + s_k)` rounded half up. The counts always sum to `n`.
///
/// ```
/// // 10 customers split 20 / 50 / 30 % -> 2 / 5 / 3 (DOMAIN.md section 4).
/// assert_eq!(crm_core::rank::split_counts(10, &[0.2, 0.5, 0.3]), vec![2, 5, 3]);
/// assert_eq!(crm_core::rank::split_counts(5, &[0.2, 0.5, 0.3]), vec![1, 3, 1]);
/// ```
pub fn split_counts(n: usize, shares: &[f64]) -> Vec<usize> {
    let mut out = Vec::with_capacity(shares.len());
    let (mut cum, mut prev) = (0.0, 0usize);
    for (k, s) in shares.iter().enumerate() {
        cum += s;
        // A tiny tolerance keeps 0.7 x 10 = 7.000000000000001 from becoming 8 after
        // rounding half up, and keeps exact halves (3.5) going up.
        let b = if k + 1 == shares.len() { n } else { ((n as f64 * cum) + 0.5 + 1e-9).floor() as usize };
        let b = b.clamp(prev, n);
        out.push(b - prev);
        prev = b;
    }
    out
}

/// Quantile scores 1..=`q` of `values` (higher value, higher score).
///
/// Tie rule: equal values get the same score, the one of the lowest position in their
/// group: with values sorted ascending, the group starting at 0-based position `p` of `n`
/// scores `floor(p x q / n) + 1`. So a score never separates two equal values, and the
/// result does not depend on input order. NaN is not expected (inputs are finite).
///
/// ```
/// let s = crm_core::rank::quantile_scores(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 5);
/// assert_eq!(s, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
/// let t = crm_core::rank::quantile_scores(&[1.0, 1.0, 1.0, 2.0, 3.0], 5);
/// assert_eq!(t, vec![1, 1, 1, 4, 5]);
/// ```
pub fn quantile_scores(values: &[f64], q: u8) -> Vec<u8> {
    quantile_scores_of(|| values.iter().map(|&v| ordered_bits(v)), values.len(), q)
}

/// [`quantile_scores`] of `n` values given by their [`ordered_bits`] keys, which `keys()`
/// reads afresh each time (up to three passes): a caller that derives the values from its
/// own columns allocates the scores and no copy of the values. The summary's RFM scores of
/// 100,000 customers allocated 11.2 MB in blocks of 64 KiB or more with copies (grown by
/// doubling), 2.7 MB without; a fresh process's resident memory after the summary grew
/// 11 MiB instead of 17.
pub(crate) fn quantile_scores_of<I: Iterator<Item = u64>>(keys: impl Fn() -> I, n: usize, q: u8) -> Vec<u8> {
    // A value scores above s exactly when at least m = ceil(s x n / q) values are below it,
    // i.e. when it exceeds the m-th smallest: q - 1 order statistics (O(n)) replace a full
    // sort.
    let positions: Vec<usize> =
        (1..q as usize).map(|s| (s * n).div_ceil(q as usize).saturating_sub(1)).take_while(|&k| k < n).collect();
    let thresholds = order_statistics(&keys, n, &positions);
    let mut scores = Vec::with_capacity(n);
    scores.extend(keys().map(|key| 1 + thresholds.iter().filter(|&&t| key > t).count() as u8));
    debug_assert_eq!(scores.len(), n);
    scores
}

/// Below this many keys [`order_statistics`] selects on a copy; from it, it counts the
/// keys' top bits first (the count table costs as much as selecting among this many).
const RADIX_MIN: usize = 1 << 16;

/// The keys at the ascending sorted positions `positions` (each below `n`) of the `n`
/// keys `keys()` reads.
///
/// Many keys: one pass counts them by their top 16 bits, which tells the bucket and the
/// position within it of each wanted key; a second pass gathers the keys of those few
/// buckets, and selection among them finds each one. Two reads of the keys instead of a
/// selection per position over a copy (RFM scores of a million customers: three times
/// four positions).
fn order_statistics<I: Iterator<Item = u64>>(keys: &impl Fn() -> I, n: usize, positions: &[usize]) -> Vec<u64> {
    if n < RADIX_MIN || u32::try_from(n).is_err() || positions.len() >= u8::MAX as usize {
        let mut work: Vec<u64> = keys().collect();
        debug_assert_eq!(work.len(), n);
        let mut lo = 0;
        return positions
            .iter()
            .map(|&k| {
                // After the previous selection everything from `lo` on is >= the earlier ones.
                let (_, nth, _) = work[lo..].select_nth_unstable(k - lo);
                lo = k;
                *nth
            })
            .collect();
    }
    const TOP: u32 = 16;
    let bucket = |k: u64| (k >> (64 - TOP)) as usize;
    let mut counts = vec![0u32; 1 << TOP];
    for k in keys() {
        counts[bucket(k)] += 1;
    }
    // Each wanted key's bucket and position within it.
    let mut wanted = Vec::with_capacity(positions.len());
    let (mut b, mut before) = (0, 0);
    for &k in positions {
        while before + counts[b] as usize <= k {
            before += counts[b] as usize;
            b += 1;
        }
        wanted.push((b, k - before));
    }
    let mut buckets: Vec<usize> = wanted.iter().map(|w| w.0).collect();
    buckets.dedup();
    let mut slot = vec![u8::MAX; 1 << TOP];
    for (i, &b) in buckets.iter().enumerate() {
        slot[b] = i as u8;
    }
    let mut gathered: Vec<Vec<u64>> = buckets.iter().map(|&b| Vec::with_capacity(counts[b] as usize)).collect();
    for k in keys() {
        if let Some(g) = gathered.get_mut(slot[bucket(k)] as usize) {
            g.push(k);
        }
    }
    wanted
        .iter()
        .map(|&(b, r)| {
            let g = &mut gathered[slot[b] as usize];
            *g.select_nth_unstable(r).1
        })
        .collect()
}

/// Sort keys for ranking values from highest to lowest, ties by index (ascending): the
/// order of a stable sort by descending value, without indirection in the comparisons.
/// Equal values tie, -0.0 and 0.0 included.
pub(crate) fn descending_order(values: impl Iterator<Item = (u32, f64)>) -> Vec<u32> {
    descending_keys(values).into_iter().map(|k| k.1).collect()
}

/// The sort keys of [`descending_order`] in its order: each index with its value's key,
/// whose value [`descending_value`] gives back (0.0 for -0.0) without looking it up.
pub(crate) fn descending_keys(values: impl Iterator<Item = (u32, f64)>) -> Vec<(u64, u32)> {
    // Room for the iterator's upper bound (usually every customer, of which it keeps some):
    // address space more than memory, as slots past the last key are never written, where
    // collecting a filter grows by doubling and copies the keys up to five times (the
    // segments of 100,000 customers: 4 MB in blocks of 64 KiB to 2 MiB).
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(values.size_hint().1.unwrap_or(0));
    keyed.extend(values.map(|(i, v)| (!ordered_bits(v), i)));
    // The indices are distinct, so the keys are.
    crate::parallel::sort_distinct(&mut keyed);
    keyed
}

/// The value of a [`descending_keys`] key (0.0 for the key of -0.0).
#[inline]
pub(crate) fn descending_value(key: u64) -> f64 {
    from_ordered_bits(!key)
}

/// Highest value first, as [`descending_order`] ranks: equal values (-0.0 and 0.0
/// included) compare equal, so that the caller's tie rule (ascending id) decides.
pub(crate) fn descending(a: f64, b: f64) -> std::cmp::Ordering {
    ordered_bits(b).cmp(&ordered_bits(a))
}

/// A u64 that sorts like the f64 (total order; -0.0 and 0.0 are made equal).
pub(crate) fn ordered_bits(v: f64) -> u64 {
    total_bits(if v == 0.0 { 0.0f64 } else { v })
}

/// The value of an [`ordered_bits`] key (0.0 for the key of -0.0).
pub(crate) fn from_ordered_bits(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key & !(1 << 63) } else { !key })
}

/// A u64 that sorts as [`f64::total_cmp`] does.
pub(crate) fn total_bits(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// Checks that shares are finite, non-negative and sum to 1 (within 1e-9).
pub(crate) fn check_shares(field: &str, shares: &[f64]) -> crate::Result<()> {
    if let Some(s) = shares.iter().find(|s| !s.is_finite() || **s < 0.0) {
        return Err(crate::Error::config(field, format!("share {s} is not a finite number >= 0")));
    }
    let sum: f64 = shares.iter().sum();
    if (sum - 1.0).abs() > 1e-9 {
        return Err(crate::Error::config(field, format!("shares {shares:?} sum to {sum}, not 1")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: sort, and score each group of ties by its first position.
    fn by_sorting(values: &[f64], q: u8) -> Vec<u8> {
        let n = values.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| ordered_bits(values[a]).cmp(&ordered_bits(values[b])));
        let mut scores = vec![0u8; n];
        let mut start = 0;
        while start < n {
            let key = ordered_bits(values[order[start]]);
            let end = (start..n).find(|&e| ordered_bits(values[order[e]]) != key).unwrap_or(n);
            order[start..end].iter().for_each(|&i| scores[i] = (start * q as usize / n) as u8 + 1);
            start = end;
        }
        scores
    }

    #[test]
    fn selection_scores_match_the_sorting_definition() {
        let mut state = 7u64;
        // From RADIX_MIN keys on, the thresholds are found by counting top bits first.
        for n in [0usize, 1, 2, 3, 4, 5, 6, 7, 11, 50, 1_001, RADIX_MIN, 200_003] {
            for levels in [1u64, 2, 3, 10, 1_000_000] {
                let values: Vec<f64> = (0..n)
                    .map(|_| {
                        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        ((state >> 33) % levels) as f64 - (levels / 2) as f64
                    })
                    .collect();
                for q in [1u8, 2, 3, 4, 5, 10] {
                    assert_eq!(quantile_scores(&values, q), by_sorting(&values, q), "n {n} levels {levels} q {q}");
                }
            }
        }
        assert_eq!(quantile_scores(&[0.0, -0.0, 1.0], 3), vec![1, 1, 3]);
    }

    #[test]
    fn descending_order_breaks_ties_by_index() {
        let v = [1.0, 3.0, 2.0, 3.0, -1.0];
        assert_eq!(descending_order(v.iter().enumerate().map(|(i, &x)| (i as u32, x))), vec![1, 3, 2, 0, 4]);
        let zeros = [-0.0, 0.0, f64::NEG_INFINITY, f64::INFINITY];
        assert_eq!(descending_order(zeros.iter().enumerate().map(|(i, &x)| (i as u32, x))), vec![3, 0, 1, 2]);
    }
}
