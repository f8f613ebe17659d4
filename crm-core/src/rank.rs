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
    let n = values.len();
    // Sort (order-preserving bits, index) pairs: no indirection in the comparisons.
    let mut keyed: Vec<(u64, u32)> = values.iter().enumerate().map(|(i, v)| (ordered_bits(*v), i as u32)).collect();
    keyed.sort_unstable();
    let mut scores = vec![0u8; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        let score = (start * q as usize / n) as u8 + 1;
        for &(_, i) in &keyed[start..end] {
            scores[i as usize] = score;
        }
        start = end;
    }
    scores
}

/// A u64 that sorts like the f64 (total order; -0.0 and 0.0 are made equal).
fn ordered_bits(v: f64) -> u64 {
    let b = (if v == 0.0 { 0.0f64 } else { v }).to_bits();
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
