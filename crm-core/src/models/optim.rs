//! Maximum likelihood: BFGS on log-parameters (all model parameters are positive) with a
//! backtracking line search and central-difference gradients, then standard errors from a
//! central-difference Hessian of the log-likelihood in the natural parameters.

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub x: Vec<f64>,
    #[allow(dead_code)]
    pub value: f64,
    pub iterations: usize,
    pub converged: bool,
}

fn gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], fx: f64) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    let mut y = x.to_vec();
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        y[i] = x[i] + h;
        let up = f(&y);
        y[i] = x[i] - h;
        let down = f(&y);
        y[i] = x[i];
        g[i] = if up.is_finite() && down.is_finite() {
            (up - down) / (2.0 * h)
        } else if up.is_finite() {
            (up - fx) / h
        } else {
            (fx - down) / h
        };
    }
    g
}

/// A function's value and gradient together.
pub(crate) type ValueGradient<'a> = &'a dyn Fn(&[f64]) -> (f64, Vec<f64>);

/// Minimises `f` from `x0` by BFGS with central-difference gradients.
pub(crate) fn minimize(f: &dyn Fn(&[f64]) -> f64, x0: &[f64], max_iter: usize, tol: f64) -> Minimum {
    let fg = |x: &[f64]| {
        let v = f(x);
        (v, gradient(f, x, v))
    };
    minimize_with_gradient(&fg, x0, None, max_iter, tol).0
}

/// Minimises from `x0` by BFGS; `fg` returns the value and the gradient together. Starts
/// from the inverse Hessian `h0` when given (a warm start); returns the final one too.
pub(crate) fn minimize_with_gradient(
    fg: ValueGradient<'_>,
    x0: &[f64],
    h0: Option<Vec<Vec<f64>>>,
    max_iter: usize,
    tol: f64,
) -> (Minimum, Vec<Vec<f64>>) {
    let n = x0.len();
    let mut x = x0.to_vec();
    let (mut fx, mut g) = fg(&x);
    let mut h: Vec<Vec<f64>> =
        h0.unwrap_or_else(|| (0..n).map(|i| (0..n).map(|j| (i == j) as u8 as f64).collect()).collect());
    for it in 0..max_iter {
        let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if gnorm < tol {
            return (Minimum { x, value: fx, iterations: it, converged: true }, h);
        }
        let mut p: Vec<f64> = (0..n).map(|i| -(0..n).map(|j| h[i][j] * g[j]).sum::<f64>()).collect();
        let mut slope: f64 = p.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h = (0..n).map(|i| (0..n).map(|j| (i == j) as u8 as f64).collect()).collect();
            p = g.iter().map(|v| -v).collect();
            slope = -gnorm * gnorm;
        }
        // Keep steps in log space moderate.
        let pmax = p.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let mut step = if pmax > 5.0 { 5.0 / pmax } else { 1.0 };
        let mut accepted = None;
        for _ in 0..60 {
            let xn: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + step * b).collect();
            let (fn_, gn) = fg(&xn);
            if fn_.is_finite() && fn_ <= fx + 1e-4 * step * slope {
                accepted = Some((xn, fn_, gn));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fn_, gn)) = accepted else {
            return (Minimum { x, value: fx, iterations: it, converged: gnorm < tol.sqrt() }, h);
        };
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            let hy: Vec<f64> = (0..n).map(|i| (0..n).map(|j| h[i][j] * y[j]).sum()).collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i][j] += (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
        let change = (fx - fn_).abs();
        x = xn;
        fx = fn_;
        g = gn;
        if change < 1e-15 * fx.abs().max(1.0) && s.iter().all(|v| v.abs() < 1e-12) {
            return (Minimum { x, value: fx, iterations: it + 1, converged: true }, h);
        }
    }
    let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    (Minimum { x, value: fx, iterations: max_iter, converged: gnorm < tol.sqrt() }, h)
}

/// Cholesky solve of `a x = b`; `None` when `a` is not positive definite.
fn cholesky_solve(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - s;
                if !(d > 0.0 && d.is_finite()) {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - s) / l[j][j];
            }
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    Some(x)
}

/// A function's value, gradient and Hessian together.
pub(crate) type ValueGradientHessian<'a> = &'a dyn Fn(&[f64]) -> (f64, Vec<f64>, Vec<Vec<f64>>);

/// Minimises from `x0` by damped Newton steps with an analytic Hessian (one evaluation per
/// iteration when the full step is accepted): Levenberg damping until the Hessian is
/// positive definite, and a backtracking line search.
pub(crate) fn minimize_newton_exact(fgh: ValueGradientHessian<'_>, x0: &[f64], max_iter: usize, tol: f64) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let (mut fx, mut g, mut h) = fgh(&x);
    for it in 0..max_iter {
        let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
        if gnorm < tol {
            return Minimum { x, value: fx, iterations: it, converged: true };
        }
        let neg: Vec<f64> = g.iter().map(|v| -v).collect();
        let scale = (0..n).map(|i| h[i][i].abs()).fold(1e-12, f64::max);
        let mut lambda = 0.0;
        let p = loop {
            let damped: Vec<Vec<f64>> =
                (0..n).map(|i| (0..n).map(|j| h[i][j] + if i == j { lambda } else { 0.0 }).collect()).collect();
            if let Some(p) = cholesky_solve(&damped, &neg) {
                break p;
            }
            lambda = if lambda == 0.0 { 1e-8 * scale } else { lambda * 10.0 };
            if lambda > 1e12 * scale {
                break neg.clone();
            }
        };
        let slope: f64 = p.iter().zip(&g).map(|(a, b)| a * b).sum();
        let pmax = p.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let mut step = if pmax > 5.0 { 5.0 / pmax } else { 1.0 };
        let mut accepted = None;
        for _ in 0..60 {
            let xn: Vec<f64> = x.iter().zip(&p).map(|(a, b)| a + step * b).collect();
            let (fn_, gn, hn) = fgh(&xn);
            // Near the optimum the value only changes by rounding noise: the full step
            // is then taken when it shrinks the gradient.
            let noise = 1e-13 * fx.abs().max(1.0);
            let gn_norm = gn.iter().map(|v| v * v).sum::<f64>().sqrt();
            let flat = step == 1.0 && (fn_ - fx).abs() <= noise && gn_norm < 0.5 * gnorm;
            if fn_.is_finite() && (fn_ <= fx + 1e-4 * step * slope || flat) {
                accepted = Some((xn, fn_, gn, hn));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fn_, gn, hn)) = accepted else {
            return Minimum { x, value: fx, iterations: it, converged: gnorm < tol.sqrt() };
        };
        let moved = xn.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-13);
        x = xn;
        fx = fn_;
        g = gn;
        h = hn;
        if moved {
            let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            return Minimum { x, value: fx, iterations: it + 1, converged: gnorm < tol.sqrt() };
        }
    }
    let gnorm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    Minimum { x, value: fx, iterations: max_iter, converged: gnorm < tol.sqrt() }
}

/// Central-difference Hessian of `f` at `x`.
pub(crate) fn hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let h: Vec<f64> = x.iter().map(|v| 1e-4 * v.abs().max(1e-3)).collect();
    let mut out = vec![vec![0.0; n]; n];
    let mut y = x.to_vec();
    let f0 = f(x);
    for i in 0..n {
        for j in i..n {
            let v = if i == j {
                y[i] = x[i] + h[i];
                let up = f(&y);
                y[i] = x[i] - h[i];
                let down = f(&y);
                y[i] = x[i];
                (up - 2.0 * f0 + down) / (h[i] * h[i])
            } else {
                let mut at = |di: f64, dj: f64| {
                    y[i] = x[i] + di * h[i];
                    y[j] = x[j] + dj * h[j];
                    let v = f(&y);
                    y[i] = x[i];
                    y[j] = x[j];
                    v
                };
                (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0)) / (4.0 * h[i] * h[j])
            };
            out[i][j] = v;
            out[j][i] = v;
        }
    }
    out
}

/// Central-difference Jacobian of a vector function (a Hessian from a gradient),
/// symmetrised.
pub(crate) fn jacobian(g: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut out = vec![vec![0.0; n]; n];
    let mut y = x.to_vec();
    for j in 0..n {
        let h = 1e-5 * x[j].abs().max(1e-3);
        y[j] = x[j] + h;
        let up = g(&y);
        y[j] = x[j] - h;
        let down = g(&y);
        y[j] = x[j];
        for (i, row) in out.iter_mut().enumerate() {
            row[j] = (up[i] - down[i]) / (2.0 * h);
        }
    }
    let transposed: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| out[j][i]).collect()).collect();
    out.iter().zip(&transposed).map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x + y) / 2.0).collect()).collect()
}

/// Inverse of a small symmetric matrix by Gauss-Jordan; `None` when singular.
pub(crate) fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, r)| r.iter().copied().chain((0..n).map(|j| (i == j) as u8 as f64)).collect())
        .collect();
    for col in 0..n {
        let p = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[p][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, p);
        let d = a[col][col];
        a[col].iter_mut().for_each(|v| *v /= d);
        for r in 0..n {
            if r != col {
                let f = a[r][col];
                let pivot = a[col].clone();
                a[r].iter_mut().zip(&pivot).for_each(|(v, p)| *v -= f * p);
            }
        }
    }
    Some(a.into_iter().map(|r| r[n..].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimize(&f, &[-1.2, 1.0], 1000, 1e-9);
        assert!((m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5, "{m:?}");
        let h = hessian(&f, &[1.0, 1.0]);
        assert!((h[0][0] - 802.0).abs() < 1e-3 && (h[0][1] + 400.0).abs() < 1e-3);
        let inv = invert(&h).unwrap();
        assert!((inv[0][0] * h[0][0] + inv[0][1] * h[1][0] - 1.0).abs() < 1e-9);
    }
}
