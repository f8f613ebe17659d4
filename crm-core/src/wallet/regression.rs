//! Linear quantile regression (Koenker & Bassett 1978), solved exactly: the wallet as the
//! tau-quantile of yearly spend given numeric attributes.
//!
//! The coefficients minimise the check (pinball) loss `sum_i rho(y_i - x_i b)`, with
//! `rho(u) = u (tau - [u < 0])`, a linear programme whose optimum lies at a vertex: `p`
//! observations fitted exactly (`p` = attributes + 1). The solver starts near the optimum
//! with iteratively reweighted least squares, takes the `p` best-fitted independent
//! observations as a vertex, then walks from vertex to vertex (simplex steps of the
//! Barrodale-Roberts kind): along each edge, leaving one basic observation above or below
//! the line, the loss is convex and piecewise linear, so the best step is the kink where
//! the slope turns non-negative. It stops when no edge descends: the exact LP optimum, up to
//! floating-point rounding.

use crate::error::{Error, Result};

/// Most simplex steps before giving up.
const MAX_STEPS: usize = 2_000;
/// Most steps in a row that do not lower the loss (steps of length 0 at a degenerate
/// vertex, where more than `p` observations are fitted exactly) before giving up: a
/// safeguard against cycling.
const MAX_STALLED: usize = 50;

/// The coefficients (intercept first, then one per column of `x`) of the linear
/// `tau`-quantile regression of `y` on the columns of `x`, minimising the check loss
/// exactly.
///
/// # Examples
///
/// ```
/// // Median (tau 0.5) of y given x: the line through (1, 1) and (3, 3) leaves (2, 4)
/// // above it; the loss is 0.5 x 2 = 1, and no other line does better.
/// let b = crm_core::wallet::quantile_regression(&[&[1.0, 2.0, 3.0]], &[1.0, 4.0, 3.0], 0.5)?;
/// assert!((b[0] - 0.0).abs() < 1e-12 && (b[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidConfig`] (field `regression`) when `tau` is not in (0, 1), the columns
/// and `y` differ in length or hold a non-finite value, there are fewer rows than
/// coefficients, or the columns are collinear (with the intercept) on these rows.
pub fn quantile_regression(x: &[&[f64]], y: &[f64], tau: f64) -> Result<Vec<f64>> {
    let bad = |why: String| Error::config("regression", why);
    if !(tau > 0.0 && tau < 1.0) {
        return Err(bad(format!("quantile {tau} is not in (0, 1)")));
    }
    let (n, p) = (y.len(), x.len() + 1);
    if x.iter().any(|c| c.len() != n) {
        return Err(bad("the columns and the spend differ in length".into()));
    }
    if y.iter().chain(x.iter().flat_map(|c| c.iter())).any(|v| !v.is_finite()) {
        return Err(bad("a value is not a finite number".into()));
    }
    if n < p {
        return Err(bad(format!("{n} row(s) for {p} coefficients")));
    }
    // Rows as [1, x1, ..., xk], contiguous.
    let mut rows = vec![1.0; n * p];
    for (i, row) in rows.chunks_exact_mut(p).enumerate() {
        for (j, col) in x.iter().enumerate() {
            row[j + 1] = col[i];
        }
    }
    let start = reweighted_start(&rows, y, p, tau);
    let mut basis = starting_basis(&rows, y, p, &start).ok_or_else(|| bad("the attributes are collinear".into()))?;
    let mut b = vec![0.0; p];
    let (mut best_loss, mut stalled) = (f64::INFINITY, 0);
    for _ in 0..MAX_STEPS {
        let inv = invert(&basis.iter().flat_map(|&i| rows[i * p..(i + 1) * p].iter().copied()).collect::<Vec<_>>(), p)
            .ok_or_else(|| bad("the attributes are collinear".into()))?;
        // b = B^-1 y_h.
        for (r, v) in b.iter_mut().enumerate() {
            *v = (0..p).map(|k| inv[r * p + k] * y[basis[k]]).sum();
        }
        let loss: f64 = rows.chunks_exact(p).zip(y).map(|(row, &v)| check(v - dot(row, &b), tau)).sum();
        if loss < best_loss * (1.0 - 1e-15) {
            (best_loss, stalled) = (loss, 0);
        } else {
            stalled += 1;
            if stalled > MAX_STALLED {
                return Err(bad("degenerate data: the simplex steps stall".into()));
            }
        }
        match best_edge(&rows, y, p, tau, &basis, &inv, &b) {
            None => return Ok(b),
            Some((j, entering)) => basis[j] = entering,
        }
    }
    Err(bad(format!("no optimum after {MAX_STEPS} simplex steps")))
}

/// Iteratively reweighted least squares for the check loss: a point near the optimum.
fn reweighted_start(rows: &[f64], y: &[f64], p: usize, tau: f64) -> Vec<f64> {
    let n = y.len();
    let scale = y.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1.0);
    let mut w = vec![1.0; n];
    let mut b = vec![0.0; p];
    for _ in 0..40 {
        // Normal equations of the weighted least squares.
        let mut m = vec![0.0; p * p];
        let mut v = vec![0.0; p];
        for (i, row) in rows.chunks_exact(p).enumerate() {
            for r in 0..p {
                v[r] += w[i] * row[r] * y[i];
                for c in 0..p {
                    m[r * p + c] += w[i] * row[r] * row[c];
                }
            }
        }
        let Some(inv) = invert(&m, p) else { break };
        let next: Vec<f64> = (0..p).map(|r| (0..p).map(|c| inv[r * p + c] * v[c]).sum()).collect();
        let moved = next.iter().zip(&b).map(|(a, c)| (a - c).abs()).fold(0.0, f64::max);
        b = next;
        for (i, row) in rows.chunks_exact(p).enumerate() {
            let r = y[i] - dot(row, &b);
            w[i] = if r >= 0.0 { tau } else { 1.0 - tau } / r.abs().max(1e-9 * scale);
        }
        if moved <= 1e-12 * scale {
            break;
        }
    }
    b
}

/// `p` linearly independent observations, best fitted by `b` first (a vertex near `b`).
fn starting_basis(rows: &[f64], y: &[f64], p: usize, b: &[f64]) -> Option<Vec<usize>> {
    let n = y.len();
    let mut order: Vec<usize> = (0..n).collect();
    let fit = |i: usize| (y[i] - dot(&rows[i * p..(i + 1) * p], b)).abs();
    order.sort_by(|&a, &c| fit(a).total_cmp(&fit(c)).then(a.cmp(&c)));
    // Gram-Schmidt on the rows taken in that order: keep a row that adds a dimension.
    let mut kept: Vec<usize> = Vec::with_capacity(p);
    let mut span: Vec<Vec<f64>> = Vec::with_capacity(p);
    for i in order {
        let row = &rows[i * p..(i + 1) * p];
        let norm = dot(row, row).sqrt();
        let mut v = row.to_vec();
        for u in &span {
            let d = dot(&v, u);
            v.iter_mut().zip(u).for_each(|(a, b)| *a -= d * b);
        }
        let len = dot(&v, &v).sqrt();
        if len > 1e-9 * norm.max(1e-300) {
            v.iter_mut().for_each(|a| *a /= len);
            span.push(v);
            kept.push(i);
            if kept.len() == p {
                return Some(kept);
            }
        }
    }
    None
}

/// The edge of steepest descent from the vertex `b` (basis `basis`, `inv` = its inverse):
/// `None` when none descends (optimal), else the basic position that leaves and the
/// observation that enters at the best step.
fn best_edge(
    rows: &[f64],
    y: &[f64],
    p: usize,
    tau: f64,
    basis: &[usize],
    inv: &[f64],
    b: &[f64],
) -> Option<(usize, usize)> {
    let n = y.len();
    let in_basis = |i: usize| basis.contains(&i);
    // a[i * p + j] = x_i . column j of B^-1: how observation i's fit moves when basic
    // observation j's fit moves by 1 and the other basic ones stay put.
    let mut a = vec![0.0; n * p];
    let mut r = vec![0.0; n];
    for i in 0..n {
        let row = &rows[i * p..(i + 1) * p];
        r[i] = y[i] - dot(row, b);
        for j in 0..p {
            a[i * p + j] = (0..p).map(|k| row[k] * inv[k * p + j]).sum();
        }
    }
    // Slope of the loss at the vertex along each edge: direction sign s moves the fit of
    // basic observation j by s (its residual by -s); observation i's residual moves by
    // -s a_ij.
    let mut best: Option<(f64, usize, f64)> = None;
    for j in 0..p {
        for s in [1.0, -1.0] {
            let own = if s > 0.0 { 1.0 - tau } else { tau };
            let mut slope = own;
            let mut size = 1.0;
            for i in (0..n).filter(|&i| !in_basis(i)) {
                let c = -s * a[i * p + j];
                slope += c * if r[i] > 0.0 || (r[i] == 0.0 && c > 0.0) { tau } else { tau - 1.0 };
                size += c.abs();
            }
            if slope < -1e-12 * size && best.is_none_or(|(bs, _, _)| slope < bs) {
                best = Some((slope, j, s));
            }
        }
    }
    let (slope, j, s) = best?;
    // Kinks along the edge: observation i's residual r_i - t s a_ij crosses 0 at
    // t = r_i / (s a_ij) > 0; the slope grows by |a_ij| there. The best step is the first
    // kink where it reaches 0.
    let mut kinks: Vec<(f64, f64, usize)> = (0..n)
        .filter(|&i| !in_basis(i))
        .filter_map(|i| {
            let c = s * a[i * p + j];
            let t = r[i] / c;
            (c != 0.0 && t > 0.0).then_some((t, c.abs(), i))
        })
        .collect();
    kinks.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cmp(&y.2)));
    let mut acc = slope;
    for (_, weight, i) in kinks {
        acc += weight;
        if acc >= 0.0 {
            return Some((j, i));
        }
    }
    // The loss falls without bound along the edge: impossible for 0 < tau < 1 with rows
    // spanning the space; stop here.
    None
}

/// The check loss of a residual.
fn check(u: f64, tau: f64) -> f64 {
    u * if u < 0.0 { tau - 1.0 } else { tau }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The inverse of the `p` x `p` row-major matrix `m` (Gauss-Jordan with partial pivoting);
/// `None` when singular.
fn invert(m: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut a = m.to_vec();
    let mut inv = vec![0.0; p * p];
    for k in 0..p {
        inv[k * p + k] = 1.0;
    }
    let scale = m.iter().map(|v| v.abs()).fold(0.0, f64::max);
    for col in 0..p {
        let pivot = (col..p).max_by(|&x, &y| a[x * p + col].abs().total_cmp(&a[y * p + col].abs()))?;
        if a[pivot * p + col].abs() <= 1e-13 * scale {
            return None;
        }
        for k in 0..p {
            a.swap(col * p + k, pivot * p + k);
            inv.swap(col * p + k, pivot * p + k);
        }
        let d = a[col * p + col];
        for k in 0..p {
            a[col * p + k] /= d;
            inv[col * p + k] /= d;
        }
        for r in (0..p).filter(|&r| r != col) {
            let f = a[r * p + col];
            if f != 0.0 {
                for k in 0..p {
                    a[r * p + k] -= f * a[col * p + k];
                    inv[r * p + k] -= f * inv[col * p + k];
                }
            }
        }
    }
    Some(inv)
}

/// The check loss of `b` on the rows.
#[cfg(test)]
pub(crate) fn check_loss(x: &[&[f64]], y: &[f64], tau: f64, b: &[f64]) -> f64 {
    (0..y.len())
        .map(|i| {
            let fit = b[0] + x.iter().zip(&b[1..]).map(|(c, bj)| c[i] * bj).sum::<f64>();
            check(y[i] - fit, tau)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The best vertex by enumerating every pair of points (the optimum of a one-attribute
    /// regression passes through two of them).
    fn brute_force(x: &[f64], y: &[f64], tau: f64) -> (f64, Vec<f64>) {
        let mut best = (f64::INFINITY, vec![]);
        for i in 0..x.len() {
            for k in i + 1..x.len() {
                if x[i] == x[k] {
                    continue;
                }
                let slope = (y[k] - y[i]) / (x[k] - x[i]);
                let b = vec![y[i] - slope * x[i], slope];
                let loss = check_loss(&[x], y, tau, &b);
                if loss < best.0 {
                    best = (loss, b);
                }
            }
        }
        best
    }

    #[test]
    fn a_hand_worked_high_quantile_line() {
        // Employees 1..5, spend 10, 30, 20, 50, 40; tau 0.9. The line through (2, 30) and
        // (4, 50), y = 10 + 10 x, leaves every other point on or below it: residuals
        // 10 - 20 = -10, 0, 20 - 40 = -20, 0, 40 - 60 = -20, loss 0.1 x 50 = 5. Moving it
        // down lets a point above (loss 0.9 per unit) outweigh the four below (0.1 each);
        // tilting about either point loses as much: it is the optimum.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [10.0, 30.0, 20.0, 50.0, 40.0];
        let b = quantile_regression(&[&x], &y, 0.9).unwrap();
        assert!((b[0] - 10.0).abs() < 1e-9 && (b[1] - 10.0).abs() < 1e-9, "{b:?}");
        assert!((check_loss(&[&x], &y, 0.9, &b) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn the_optimum_matches_every_vertex_enumerated() {
        let mut state = 3u64;
        let mut next = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for (n, tau) in [(7, 0.5), (20, 0.9), (41, 0.75), (60, 0.25)] {
            let x: Vec<f64> = (0..n).map(|_| (next() * 100.0).round()).collect();
            let y: Vec<f64> = x.iter().map(|&v| 5.0 + 2.0 * v + (next() * 80.0).round()).collect();
            let b = quantile_regression(&[&x], &y, tau).unwrap();
            let (loss, _) = brute_force(&x, &y, tau);
            let got = check_loss(&[&x], &y, tau, &b);
            assert!((got - loss).abs() <= 1e-9 * loss.max(1.0), "n {n} tau {tau}: {got} vs {loss}");
        }
    }

    #[test]
    fn ties_everywhere_still_reach_the_optimum() {
        // Degenerate data: 5 distinct x, 4 distinct y, 200 rows (many vertices fit more
        // than two points exactly).
        let mut state = 17u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % m) as f64
        };
        let x: Vec<f64> = (0..200).map(|_| next(5)).collect();
        let y: Vec<f64> = x.iter().map(|&v| v + next(4)).collect();
        for tau in [0.5, 0.9] {
            let b = quantile_regression(&[&x], &y, tau).unwrap();
            let (loss, _) = brute_force(&x, &y, tau);
            assert!((check_loss(&[&x], &y, tau, &b) - loss).abs() <= 1e-9 * loss, "tau {tau}");
        }
    }

    #[test]
    fn intercept_only_is_an_order_statistic() {
        // Without attributes the optimum is a tau-quantile of y: with 10 values and tau
        // 0.85 the loss is minimised at the 9th smallest (8.5 of them must lie below).
        let y = [3.0, 9.0, 1.0, 7.0, 5.0, 10.0, 2.0, 8.0, 4.0, 6.0];
        let b = quantile_regression(&[], &y, 0.85).unwrap();
        assert_eq!(b, [9.0]);
    }

    #[test]
    fn bad_input_is_named() {
        assert!(quantile_regression(&[&[1.0, 1.0, 1.0]], &[1.0, 2.0, 3.0], 0.9).is_err()); // collinear
        assert!(quantile_regression(&[&[1.0]], &[1.0], 0.9).is_err()); // too few rows
        assert!(quantile_regression(&[&[1.0, 2.0]], &[1.0, f64::NAN], 0.9).is_err());
        assert!(quantile_regression(&[&[1.0, 2.0]], &[1.0, 2.0], 1.0).is_err());
    }
}
