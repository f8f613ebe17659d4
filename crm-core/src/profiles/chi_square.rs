//! The chi-square test of one categorical attribute in one group against the rest of the
//! base: does the distribution of the attribute's values differ?

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Pearson's chi-square test of independence on the 2 x k table (the group, the rest of the
/// base) x (the attribute's values, missing included), without continuity correction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ChiSquare {
    pub(super) statistic: f64,
    /// k - 1 (0 when there is nothing to test).
    pub(super) df: usize,
    pub(super) p_value: f64,
    /// Some expected count is below 5: the chi-square approximation is rough.
    pub(super) low_expected: bool,
}

/// The test for a group with `in_group[v]` customers of each value, `base[v]` in the whole
/// base (every `base[v]` > 0) and `size` customers in all, of `n`. A group that is empty or
/// the whole base, or an attribute with one value, has nothing to test: statistic 0, df 0,
/// p 1.
pub(super) fn chi_square(in_group: &[usize], base: &[usize], size: usize, n: usize) -> ChiSquare {
    let k = base.len();
    if size == 0 || size == n || k < 2 {
        return ChiSquare { statistic: 0.0, df: 0, p_value: 1.0, low_expected: false };
    }
    let (size, rest, total) = (size as f64, (n - size) as f64, n as f64);
    let mut statistic = 0.0;
    let mut low_expected = false;
    for (&o, &b) in in_group.iter().zip(base) {
        let (expected_in, expected_out) = (size * b as f64 / total, rest * b as f64 / total);
        let (o_in, o_out) = (o as f64, (b - o) as f64);
        statistic += (o_in - expected_in).powi(2) / expected_in + (o_out - expected_out).powi(2) / expected_out;
        low_expected |= expected_in < 5.0 || expected_out < 5.0;
    }
    let df = k - 1;
    let p_value = ChiSquared::new(df as f64).map_or(f64::NAN, |d| d.sf(statistic));
    ChiSquare { statistic, df, p_value, low_expected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_and_two_by_three_by_hand() {
        // [[4, 2], [3, 3]]: expected 3.5, 2.5 in both rows, statistic 1/7 + 1/5 = 12/35,
        // df 1, p = erfc(sqrt(6/35)) (scipy chi2_contingency(..., correction=False):
        // 0.34285714, p 0.55820...).
        let t = chi_square(&[4, 2], &[7, 5], 6, 12);
        assert!((t.statistic - 12.0 / 35.0).abs() < 1e-12);
        assert_eq!(t.df, 1);
        assert!((t.p_value - crate::stats::erfc((6.0f64 / 35.0).sqrt())).abs() < 1e-9, "{t:?}");
        assert!(t.low_expected);
        // All 6 of the group in one of three values (6, 5, 1 in the base): statistic 12, df 2,
        // p = exp(-12 / 2).
        let t = chi_square(&[6, 0, 0], &[6, 5, 1], 6, 12);
        assert!((t.statistic - 12.0).abs() < 1e-12);
        assert!((t.p_value - (-6.0f64).exp()).abs() < 1e-12);
        assert_eq!(
            chi_square(&[3], &[3], 3, 3),
            ChiSquare { statistic: 0.0, df: 0, p_value: 1.0, low_expected: false }
        );
    }
}
