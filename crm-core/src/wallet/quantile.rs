//! Type-7 quantiles (numpy's default) of peer spends: the high-quantile wallet estimate.

/// The type-7 quantile (numpy's default, linear interpolation between order statistics) of
/// `values`; NaN when empty. `q` is in `[0, 1]`. The values are reordered.
///
/// ```
/// let mut v = vec![5.0, 1.0, 4.0, 2.0, 3.0];
/// assert_eq!(crm_core::wallet::quantile(&mut v, 0.9), 4.6); // h = 4 x 0.9 = 3.6
/// assert_eq!(crm_core::wallet::quantile(&mut v, 0.5), 3.0);
/// ```
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    let (_, x, rest) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let x = *x;
    if frac == 0.0 || rest.is_empty() {
        return x;
    }
    let next = rest.iter().copied().min_by(f64::total_cmp).unwrap_or(x);
    x + frac * (next - x)
}

/// Several type-7 quantiles (see [`quantile`]) of `values` at once, `qs` ascending: each
/// selection works on the part above the previous one. NaN when empty. The values are
/// reordered.
pub(crate) fn quantiles<const K: usize>(values: &mut [f64], qs: [f64; K]) -> [f64; K] {
    let n = values.len();
    let mut out = [f64::NAN; K];
    if n == 0 {
        return out;
    }
    let mut start = 0;
    for (o, q) in out.iter_mut().zip(qs) {
        let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
        let lo = (h.floor() as usize).clamp(start, n - 1);
        let frac = h - lo as f64;
        let (_, x, rest) = values[start..].select_nth_unstable_by(lo - start, f64::total_cmp);
        let x = *x;
        *o = if frac <= 0.0 || rest.is_empty() {
            x
        } else {
            x + frac * (rest.iter().copied().min_by(f64::total_cmp).unwrap_or(x) - x)
        };
        start = lo;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_quantiles_at_once_match_one_at_a_time() {
        let mut state = 11u64;
        for n in [1usize, 2, 3, 4, 5, 10, 101, 1000] {
            let v: Vec<f64> = (0..n)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 40) % 50) as f64
                })
                .collect();
            let qs = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0];
            let together = quantiles(&mut v.clone(), qs);
            for (q, t) in qs.iter().zip(together) {
                assert_eq!(quantile(&mut v.clone(), *q), t, "n {n} q {q}");
            }
        }
        // numpy: np.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) = 1.75, 2.5, 3.25.
        assert_eq!(quantiles(&mut [4.0, 1.0, 3.0, 2.0], [0.25, 0.5, 0.75]), [1.75, 2.5, 3.25]);
    }
}
