//! Fast likelihoods for fitting: the data as indices into tables of its distinct values.
//!
//! After collapsing, a million customers leave a few hundred thousand distinct
//! `(x, t_x, T)` rows but only hundreds of distinct `x` and about a thousand distinct `t_x`
//! and `T` (days over a few years). So the log-gamma and digamma terms are evaluated once
//! per distinct `x`, the logarithms once per distinct time, and each row costs one
//! `exp` and one `ln_1p` for the value and the analytic gradient together.

use super::RfmData;
use super::data::Interner;
use super::special::{digamma, ln_gamma, trigamma};
use crate::parallel::{fold_chunks, fold_chunks_of};

/// Rows per chunk of the BG/NBD likelihood's sum: a chunk costs tens of microseconds, so
/// that a fit of ten thousand customers already uses two threads (fixed, so the sums are grouped the
/// same way for any thread count).
const ROWS_PER_CHUNK: usize = 2048;

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
    /// The tables by hashing (the distinct values come out sorted, as ranks), which is far
    /// cheaper than sorting and binary-searching every value of a large collapse.
    pub fn new(d: &RfmData) -> Compiled {
        let xs = Interner::new([d.frequency.as_slice()]);
        let times = Interner::new([d.recency.as_slice(), d.t.as_slice()]);
        let mut x_weight = vec![0.0; xs.values.len()];
        let rows = (0..d.len())
            .map(|i| {
                let xi = xs.get(d.frequency[i]);
                x_weight[xi] += d.weights[i];
                (xi as u32, times.get(d.recency[i]) as u32, times.get(d.t[i]) as u32, d.weights[i])
            })
            .collect();
        Compiled { xs: xs.values, x_weight, times: times.values, rows }
    }
}

/// A value, its gradient and its Hessian in the natural parameters.
pub(crate) type Vgh = (f64, Vec<f64>, Vec<Vec<f64>>);

/// BG/NBD (`modified` false) or MBG/NBD (true) log-likelihood and gradient in
/// (r, α, a, b).
pub(crate) fn bg_value_gradient(p: &[f64], c: &Compiled, modified: bool) -> (f64, Vec<f64>) {
    let (v, g, _) = bg_value_gradient_hessian(p, c, modified);
    (v, g)
}

/// Index of (i, j), i <= j, in a packed symmetric 4 x 4 matrix.
const fn sym4(i: usize, j: usize) -> usize {
    [[0, 1, 2, 3], [1, 4, 5, 6], [2, 5, 7, 8], [3, 6, 8, 9]][i][j]
}

fn unpack<const N: usize>(h: &[f64], at: impl Fn(usize, usize) -> usize) -> Vec<Vec<f64>> {
    (0..N).map(|i| (0..N).map(|j| h[at(i, j)]).collect()).collect()
}

/// [`bg_value_gradient`] with the analytic Hessian: per row, the softplus term adds
/// `σ(1-σ) ∇z ∇zᵀ + σ ∇²z`; the rest is per distinct x or per time.
pub(crate) fn bg_value_gradient_hessian(p: &[f64], c: &Compiled, modified: bool) -> Vgh {
    let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
    let s = if modified { 1.0 } else { 0.0 };
    // Per distinct x: the x-only part and its derivatives; ln(b + x - 1 + s) for the rows.
    let (mut ll, mut g, mut h) = (0.0, [0.0f64; 4], [0.0f64; 10]);
    let (dg_r, dg_ab, dg_b, lg_r, lg_ab, lg_b) =
        (digamma(r), digamma(a + b), digamma(b), ln_gamma(r), ln_gamma(a + b), ln_gamma(b));
    let (tg_r, tg_ab, tg_b) = (trigamma(r), trigamma(a + b), trigamma(b));
    let ln_alpha = alpha.ln();
    let mut ln_bx = Vec::with_capacity(c.xs.len());
    let mut inv_bx = Vec::with_capacity(c.xs.len());
    for (k, &x) in c.xs.iter().enumerate() {
        let w = c.x_weight[k];
        let (bx, abx) = (b + x + s, a + b + x + s);
        ll += w * (ln_gamma(r + x) - lg_r + r * ln_alpha + lg_ab + ln_gamma(bx) - lg_b - ln_gamma(abx));
        let (dg_abx, tg_abx) = (digamma(abx), trigamma(abx));
        g[0] += w * (digamma(r + x) - dg_r + ln_alpha);
        g[1] += w * r / alpha;
        g[2] += w * (dg_ab - dg_abx);
        g[3] += w * (dg_ab + digamma(bx) - dg_b - dg_abx);
        h[sym4(0, 0)] += w * (trigamma(r + x) - tg_r);
        h[sym4(0, 1)] += w / alpha;
        h[sym4(1, 1)] -= w * r / (alpha * alpha);
        h[sym4(2, 2)] += w * (tg_ab - tg_abx);
        h[sym4(2, 3)] += w * (tg_ab - tg_abx);
        h[sym4(3, 3)] += w * (tg_ab + trigamma(bx) - tg_b - tg_abx);
        ln_bx.push((b + x - 1.0 + s).ln());
        inv_bx.push(1.0 / (b + x - 1.0 + s));
    }
    let ln_t: Vec<f64> = c.times.iter().map(|t| (alpha + t).ln()).collect();
    let inv_t: Vec<f64> = c.times.iter().map(|t| 1.0 / (alpha + t)).collect();
    let (ln_a, inv_a) = (a.ln(), 1.0 / a);
    let parts = fold_chunks_of(ROWS_PER_CHUNK, c.rows.len(), |range| {
        let (mut l, mut d, mut hh) = (0.0, [0.0f64; 4], [0.0f64; 10]);
        for &(xi, txi, ti, w) in &c.rows[range.start as usize..range.end as usize] {
            let x = c.xs[xi as usize];
            let rx = r + x;
            let (lt, it) = (ln_t[ti as usize], inv_t[ti as usize]);
            l -= w * rx * lt;
            d[0] -= w * lt;
            d[1] -= w * rx * it;
            hh[sym4(0, 1)] -= w * it;
            hh[sym4(1, 1)] += w * rx * it * it;
            if x > 0.0 || modified {
                let (ltx, itx) = (ln_t[txi as usize], inv_t[txi as usize]);
                let ib = inv_bx[xi as usize];
                let z = ln_a - ln_bx[xi as usize] - rx * (ltx - lt);
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
                let dz = [lt - ltx, rx * (it - itx), inv_a, -ib];
                for k in 0..4 {
                    d[k] += ws * dz[k];
                }
                let wc = ws * (1.0 - sig);
                for i in 0..4 {
                    for j in i..4 {
                        hh[sym4(i, j)] += wc * dz[i] * dz[j];
                    }
                }
                hh[sym4(0, 1)] += ws * (it - itx);
                hh[sym4(1, 1)] += ws * rx * (itx * itx - it * it);
                hh[sym4(2, 2)] -= ws * inv_a * inv_a;
                hh[sym4(3, 3)] += ws * ib * ib;
            }
        }
        (l, d, hh)
    });
    for (l, d, hh) in parts {
        ll += l;
        for k in 0..4 {
            g[k] += d[k];
        }
        for k in 0..10 {
            h[k] += hh[k];
        }
    }
    (ll, g.to_vec(), unpack::<4>(&h, sym4))
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
    let (v, g, _) = gg_value_gradient_hessian(par, s);
    (v, g)
}

/// Index of (i, j) in a packed symmetric 3 x 3 matrix.
const fn sym3(i: usize, j: usize) -> usize {
    [[0, 1, 2], [1, 3, 4], [2, 4, 5]][i][j]
}

/// [`gg_value_gradient`] with the analytic Hessian. Per row only `ln(x m + v)` and
/// `1 / (x m + v)` are needed; everything else is per distinct x.
pub(crate) fn gg_value_gradient_hessian(par: &[f64], s: &SpendRows) -> Vgh {
    let (p, q, v) = (par[0], par[1], par[2]);
    let (mut ll, mut g, mut h) = (0.0, [0.0f64; 3], [0.0f64; 6]);
    let (lg_q, dg_q, tg_q, ln_v) = (ln_gamma(q), digamma(q), trigamma(q), v.ln());
    for (k, &x) in s.xs.iter().enumerate() {
        let (w, lm) = (s.x_weight[k], s.x_ln_m[k]);
        let px = p * x;
        let (dg_pxq, tg_pxq) = (digamma(px + q), trigamma(px + q));
        ll += w * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + px * x.ln()) + (px - 1.0) * lm;
        g[0] += w * x * (dg_pxq - digamma(px) + x.ln()) + x * lm;
        g[1] += w * (dg_pxq - dg_q + ln_v);
        g[2] += w * q / v;
        h[sym3(0, 0)] += w * x * x * (tg_pxq - trigamma(px));
        h[sym3(0, 1)] += w * x * tg_pxq;
        h[sym3(1, 1)] += w * (tg_pxq - tg_q);
        h[sym3(1, 2)] += w / v;
        h[sym3(2, 2)] -= w * q / (v * v);
    }
    // Per row: Σ w ln(xm+v) and Σ w / (xm+v), Σ w / (xm+v)², each plain and times x.
    let parts = fold_chunks(s.rows.len(), |range| {
        let mut acc = [0.0f64; 6];
        for &(k, xm, w) in &s.rows[range.start as usize..range.end as usize] {
            let x = s.xs[k as usize];
            let (ln_xmv, inv) = ((xm + v).ln(), 1.0 / (xm + v));
            let (wl, wi) = (w * ln_xmv, w * inv);
            let wii = wi * inv;
            acc[0] += wl;
            acc[1] += x * wl;
            acc[2] += wi;
            acc[3] += x * wi;
            acc[4] += wii;
            acc[5] += x * wii;
        }
        acc
    });
    let mut acc = [0.0f64; 6];
    for part in parts {
        for k in 0..6 {
            acc[k] += part[k];
        }
    }
    let [sl, sxl, si, sxi, sii, sxii] = acc;
    // -(p x + q) ln(x m + v) summed.
    ll -= p * sxl + q * sl;
    g[0] -= sxl;
    g[1] -= sl;
    g[2] -= p * sxi + q * si;
    h[sym3(0, 2)] -= sxi;
    h[sym3(1, 2)] -= si;
    h[sym3(2, 2)] += p * sxii + q * sii;
    (ll, g.to_vec(), unpack::<3>(&h, sym3))
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
    fn hessians_match_finite_differences_of_the_gradients() {
        let d = data();
        let c = Compiled::new(&d);
        for modified in [false, true] {
            let p = [0.3, 4.0, 0.8, 2.5];
            let (_, _, hs) = bg_value_gradient_hessian(&p, &c, modified);
            for k in 0..4 {
                let h = 1e-6;
                let (mut up, mut down) = (p, p);
                up[k] += h;
                down[k] -= h;
                let (gu, gd) = (bg_value_gradient(&up, &c, modified).1, bg_value_gradient(&down, &c, modified).1);
                for i in 0..4 {
                    let fd = (gu[i] - gd[i]) / (2.0 * h);
                    assert!(
                        (hs[i][k] - fd).abs() < 1e-4 * fd.abs().max(1.0),
                        "{modified} {i} {k}: {} vs {fd}",
                        hs[i][k]
                    );
                }
            }
        }
        let (x, m, w) = ([1.0, 2.0, 2.0, 7.0], [10.0, 25.5, 3.0, 12.0], [1.0, 1.0, 2.0, 1.0]);
        let rows = SpendRows::new(&x, &m, &w);
        let p = [6.0, 3.5, 15.0];
        let (_, _, hs) = gg_value_gradient_hessian(&p, &rows);
        for k in 0..3 {
            let h = 1e-6;
            let (mut up, mut down) = (p, p);
            up[k] += h;
            down[k] -= h;
            let (gu, gd) = (gg_value_gradient(&up, &rows).1, gg_value_gradient(&down, &rows).1);
            for i in 0..3 {
                let fd = (gu[i] - gd[i]) / (2.0 * h);
                assert!((hs[i][k] - fd).abs() < 1e-4 * fd.abs().max(1.0), "gg {i} {k}: {} vs {fd}", hs[i][k]);
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
