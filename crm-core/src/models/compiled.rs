//! Fast likelihoods for fitting: the data as indices into tables of its distinct values.
//!
//! After collapsing, a million customers leave a few hundred thousand distinct
//! `(x, t_x, T)` rows but only hundreds of distinct `x` and about a thousand distinct `t_x`
//! and `T` (days over a few years). So the log-gamma and digamma terms are evaluated once
//! per distinct `x`, the logarithms once per distinct time, and each row costs one
//! `exp` and one `ln_1p` for the value and the analytic gradient together.

use super::RfmData;
use super::special::{digamma, ln_gamma};
use crate::parallel::fold_chunks;

/// Rows as table indices with weights.
pub(crate) struct Compiled {
    pub xs: Vec<f64>,
    pub x_weight: Vec<f64>,
    pub times: Vec<f64>,
    rows: Vec<(u32, u32, u32, f64)>,
}

fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

fn index(table: &[f64], v: f64) -> u32 {
    table.binary_search_by(|p| p.total_cmp(&v)).expect("value in its table") as u32
}

impl Compiled {
    pub fn new(d: &RfmData) -> Compiled {
        let xs = distinct(d.frequency.iter().copied());
        let times = distinct(d.recency.iter().chain(&d.t).copied());
        let mut x_weight = vec![0.0; xs.len()];
        let rows = (0..d.len())
            .map(|i| {
                let xi = index(&xs, d.frequency[i]);
                x_weight[xi as usize] += d.weights[i];
                (xi, index(&times, d.recency[i]), index(&times, d.t[i]), d.weights[i])
            })
            .collect();
        Compiled { xs, x_weight, times, rows }
    }
}

/// BG/NBD (`modified` false) or MBG/NBD (true) log-likelihood and gradient in
/// (r, α, a, b).
pub(crate) fn bg_value_gradient(p: &[f64], c: &Compiled, modified: bool) -> (f64, Vec<f64>) {
    let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
    let s = if modified { 1.0 } else { 0.0 };
    // Per distinct x: the x-only part and its gradient; ln(b + x - 1 + s) for the rows.
    let (mut ll, mut g) = (0.0, [0.0f64; 4]);
    let (dg_r, dg_ab, dg_b, lg_r, lg_ab, lg_b) =
        (digamma(r), digamma(a + b), digamma(b), ln_gamma(r), ln_gamma(a + b), ln_gamma(b));
    let ln_alpha = alpha.ln();
    let mut ln_bx = Vec::with_capacity(c.xs.len());
    for (k, &x) in c.xs.iter().enumerate() {
        let w = c.x_weight[k];
        let (bx, abx) = (b + x + s, a + b + x + s);
        ll += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + lg_ab + ln_gamma(bx) - lg_b - ln_gamma(abx));
        g[0] += w * (digamma(r + x) - dg_r + ln_alpha);
        g[1] += w * r / alpha;
        g[2] += w * (dg_ab - digamma(abx));
        g[3] += w * (dg_ab + digamma(bx) - dg_b - digamma(abx));
        ln_bx.push((b + x - 1.0 + s).ln());
    }
    let ln_t: Vec<f64> = c.times.iter().map(|t| (alpha + t).ln()).collect();
    let inv_t: Vec<f64> = c.times.iter().map(|t| 1.0 / (alpha + t)).collect();
    let ln_a = a.ln();
    let parts = fold_chunks(c.rows.len(), |range| {
        let (mut l, mut d) = (0.0, [0.0f64; 4]);
        for &(xi, txi, ti, w) in &c.rows[range.start as usize..range.end as usize] {
            let x = c.xs[xi as usize];
            let (lt, it) = (ln_t[ti as usize], inv_t[ti as usize]);
            l -= w * (r + x) * lt;
            d[0] -= w * lt;
            d[1] -= w * (r + x) * it;
            if x > 0.0 || modified {
                let (ltx, itx) = (ln_t[txi as usize], inv_t[txi as usize]);
                let z = ln_a - ln_bx[xi as usize] - (r + x) * (ltx - lt);
                // softplus(z) and sigmoid(z), stably.
                let (soft, sig) = if z > 0.0 {
                    let e = (-z).exp();
                    (z + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = z.exp();
                    (e.ln_1p(), e / (1.0 + e))
                };
                l += w * soft;
                let ws = w * sig;
                d[0] -= ws * (ltx - lt);
                d[1] -= ws * (r + x) * (itx - it);
                d[2] += ws / a;
                d[3] -= ws / (b + x - 1.0 + s);
            }
        }
        (l, d)
    });
    for (l, d) in parts {
        ll += l;
        for k in 0..4 {
            g[k] += d[k];
        }
    }
    (ll, g.to_vec())
}

/// Gamma-Gamma rows grouped by x.
pub(crate) struct SpendRows {
    xs: Vec<f64>,
    x_weight: Vec<f64>,
    /// Σ w ln m per distinct x.
    x_ln_m: Vec<f64>,
    rows: Vec<(u32, f64, f64)>,
}

impl SpendRows {
    pub fn new(x: &[f64], m: &[f64], w: &[f64]) -> SpendRows {
        let xs = distinct(x.iter().copied());
        let (mut x_weight, mut x_ln_m) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
        let rows = (0..x.len())
            .map(|i| {
                let k = index(&xs, x[i]);
                x_weight[k as usize] += w[i];
                x_ln_m[k as usize] += w[i] * m[i].ln();
                (k, x[i] * m[i], w[i])
            })
            .collect();
        SpendRows { xs, x_weight, x_ln_m, rows }
    }
}

/// Gamma-Gamma log-likelihood and gradient in (p, q, v).
pub(crate) fn gg_value_gradient(par: &[f64], s: &SpendRows) -> (f64, Vec<f64>) {
    let (p, q, v) = (par[0], par[1], par[2]);
    let (mut ll, mut g) = (0.0, [0.0f64; 3]);
    let (lg_q, dg_q, ln_v) = (ln_gamma(q), digamma(q), v.ln());
    for (k, &x) in s.xs.iter().enumerate() {
        let (w, lm) = (s.x_weight[k], s.x_ln_m[k]);
        let px = p * x;
        ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + px * x.ln()) + (px - 1.0) * lm;
        g[0] += w * x * (digamma(px + q) - digamma(px) + x.ln()) + x * lm;
        g[1] += w * (digamma(px + q) - dg_q + ln_v);
        g[2] += w * q / v;
    }
    let parts = fold_chunks(s.rows.len(), |range| {
        let (mut l, mut d) = (0.0, [0.0f64; 3]);
        for &(k, xm, w) in &s.rows[range.start as usize..range.end as usize] {
            let x = s.xs[k as usize];
            let (ln_xmv, inv) = ((xm + v).ln(), 1.0 / (xm + v));
            l -= w * (p * x + q) * ln_xmv;
            d[0] -= w * x * ln_xmv;
            d[1] -= w * ln_xmv;
            d[2] -= w * (p * x + q) * inv;
        }
        (l, d)
    });
    for (l, d) in parts {
        ll += l;
        for k in 0..3 {
            g[k] += d[k];
        }
    }
    (ll, g.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> RfmData {
        RfmData::new(
            vec![0.0, 2.0, 2.0, 5.0, 1.0],
            vec![0.0, 30.43, 10.0, 38.0, 1.71],
            vec![38.86, 38.86, 20.0, 39.0, 38.86],
        )
        .unwrap()
    }

    #[test]
    fn bg_value_and_gradient_match_the_plain_likelihood_and_finite_differences() {
        let d = data();
        let c = Compiled::new(&d);
        for modified in [false, true] {
            let p = [0.3, 4.0, 0.8, 2.5];
            let (v, g) = bg_value_gradient(&p, &c, modified);
            let plain = if modified {
                super::super::ModifiedBetaGeo::from_params(&p).log_likelihood(&d)
            } else {
                super::super::BetaGeo::from_params(&p).log_likelihood(&d)
            };
            assert!((v - plain).abs() < 1e-10, "{v} {plain}");
            for k in 0..4 {
                let h = 1e-6;
                let (mut up, mut down) = (p, p);
                up[k] += h;
                down[k] -= h;
                let fd =
                    (bg_value_gradient(&up, &c, modified).0 - bg_value_gradient(&down, &c, modified).0) / (2.0 * h);
                assert!((g[k] - fd).abs() < 1e-5 * fd.abs().max(1.0), "{modified} {k}: {} vs {fd}", g[k]);
            }
        }
    }

    #[test]
    fn gg_gradient_matches_finite_differences() {
        let (x, m, w) = ([1.0, 2.0, 2.0, 7.0], [10.0, 25.5, 3.0, 12.0], [1.0, 1.0, 2.0, 1.0]);
        let rows = SpendRows::new(&x, &m, &w);
        let p = [6.0, 3.5, 15.0];
        let (v, g) = gg_value_gradient(&p, &rows);
        let gg = super::super::GammaGamma { p: 6.0, q: 3.5, v: 15.0 };
        let plain: f64 = (0..4).map(|i| w[i] * gg.log_likelihood_row(x[i], m[i])).sum();
        assert!((v - plain).abs() < 1e-10);
        for k in 0..3 {
            let h = 1e-6;
            let (mut up, mut down) = (p, p);
            up[k] += h;
            down[k] -= h;
            let fd = (gg_value_gradient(&up, &rows).0 - gg_value_gradient(&down, &rows).0) / (2.0 * h);
            assert!((g[k] - fd).abs() < 1e-5 * fd.abs().max(1.0), "{k}");
        }
    }
}
