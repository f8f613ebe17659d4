//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987), likelihood as in Fader & Hardie
//! (2005), "A note on implementing the Pareto/NBD model in MATLAB".
//!
//! Purchase rate λ ~ Gamma(r, α), lifetime exponential with rate μ ~ Gamma(s, β). The
//! likelihood's hypergeometric term is evaluated in log space with the argument kept in
//! [0, 1) by the α ≥ β / α < β case split, and the difference of its two terms by
//! `log_sub_exp`, so heavy buyers (hundreds of purchases) stay finite.

use super::bgnbd::{scaled, scaled_options, time_scale, unscale, weighted_sum};
use super::special::{ln_beta, ln_gamma, ln_hyp2f1, log_add_exp, log_sub_exp};
use super::{FitOptions, FitSummary, RfmData, fit_positive};
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// The Pareto/NBD model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Shape of the dropout-rate gamma.
    pub s: f64,
    /// Scale of the dropout-rate gamma.
    pub beta: f64,
}

/// Above this estimate of the hypergeometric series' length, [`ln_a0`] integrates instead.
const SERIES_TERMS: f64 = 5_000.0;

/// How far the fit lets a parameter go (α and β in units of the largest T): data with
/// less spread than the model's (no dropout, one purchase rate for all, as in a synthetic
/// base) have no finite maximum, and the fit walks off towards the Poisson limit, where
/// r and α grow together and the likelihood's terms cancel to rounding. Within the bound
/// the likelihood is a few 1e-8 from that limit.
const PARAM_BOUND: f64 = 1e6;

/// The parameters clamped to [1 / [`PARAM_BOUND`], [`PARAM_BOUND`]]: beyond, the objective
/// is flat, so the walk stops there.
fn bounded(p: &[f64]) -> [f64; 4] {
    std::array::from_fn(|i| p[i].clamp(1.0 / PARAM_BOUND, PARAM_BOUND))
}

/// ln A0 of the note (the part of the likelihood from dying in (t_x, T]).
fn ln_a0(p: &[f64], x: f64, tx: f64, t: f64) -> f64 {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let rsx = r + s + x;
    let (big, b_arg, small_gap) =
        if alpha >= beta { (alpha, s + 1.0, alpha - beta) } else { (beta, r + x, beta - alpha) };
    // The series at z = gap / (big + t_x) needs about (b + 40) / (1 - z) terms: when one
    // rate's scale dwarfs the other's (the fit walking towards the Poisson limit, where α
    // and r grow together), millions.
    if tx >= t {
        // The interval is empty.
        return f64::NEG_INFINITY;
    }
    let small = big - small_gap;
    if (b_arg + 40.0) * (big + tx) > SERIES_TERMS * (small + tx) {
        let (c, d) = if alpha >= beta { (s + 1.0, r + x) } else { (r + x, s + 1.0) };
        return rsx.ln() + ln_integral(c, d, small, big, tx, t);
    }
    ln_a0_series(rsx, big, b_arg, small_gap, tx, t)
}

/// ln A0 by the note's hypergeometric series (the difference of its values at t_x and T).
fn ln_a0_series(rsx: f64, big: f64, b_arg: f64, small_gap: f64, tx: f64, t: f64) -> f64 {
    let term = |u: f64| ln_hyp2f1(rsx, b_arg, rsx + 1.0, small_gap / (big + u)) - rsx * (big + u).ln();
    let (at_tx, at_t) = (term(tx), term(t));
    if at_t >= at_tx {
        // Rounding: the interval is as good as empty.
        return f64::NEG_INFINITY;
    }
    log_sub_exp(at_tx, at_t)
}

/// ln ∫ (small + τ)^-c (big + τ)^-d dτ over (t_x, T], small <= big: A0 / (r + s + x) as
/// the integral it is (dying at τ after the last purchase), for when the series is long.
///
/// In w = ln((small + τ) / (small + t_x)) the integrand is e^φ(w) times constants, with
/// φ(w) = (1 - c) w - d ln(1 + q (e^w - 1)), q = (small + t_x) / (big + t_x): φ is
/// concave, so 16-point Gauss-Legendre panels short enough that φ changes by about one
/// per panel are exact to rounding, and the tail past a panel is at most e^φ / |φ'|.
fn ln_integral(c: f64, d: f64, small: f64, big: f64, tx: f64, t: f64) -> f64 {
    let q = (small + tx) / (big + tx);
    let width = ((t - tx) / (small + tx)).ln_1p();
    let phi = |w: f64| (1.0 - c) * w - d * (w.exp_m1() * q).ln_1p();
    let slope = |w: f64| (1.0 - c) - d * q * w.exp() / (1.0 + w.exp_m1() * q);
    let (nodes, weights) = gauss_legendre_16();
    let (mut w, mut total) = (0.0f64, f64::NEG_INFINITY);
    for _ in 0..100_000 {
        if w >= width {
            break;
        }
        let (at, k) = (phi(w), slope(w));
        // Past the peak, the rest is below e^φ / |φ'|: stop when that is negligible.
        if k < 0.0 && at - (-k).ln() < total - 40.0 {
            break;
        }
        let len = (1.0 / k.abs().max(2.0)).min(width - w);
        let (mid, half) = (w + 0.5 * len, 0.5 * len);
        let panel: f64 = nodes.iter().zip(weights).map(|(u, v)| v * (phi(mid + half * u) - at).exp()).sum();
        total = log_add_exp(total, at + (panel * half).ln());
        w += len;
    }
    (1.0 - c) * (small + tx).ln() - d * (big + tx).ln() + total
}

/// Nodes and weights of 16-point Gauss-Legendre quadrature on [-1, 1] (Newton's method on
/// the Legendre polynomial, computed once).
fn gauss_legendre_16() -> &'static ([f64; 16], [f64; 16]) {
    static RULE: std::sync::OnceLock<([f64; 16], [f64; 16])> = std::sync::OnceLock::new();
    RULE.get_or_init(|| {
        const N: usize = 16;
        let (mut nodes, mut weights) = ([0.0; N], [0.0; N]);
        for i in 0..N {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
            let mut deriv = 1.0;
            for _ in 0..100 {
                // P_N(x) and P_N'(x) by the three-term recurrence.
                let (mut p0, mut p1) = (1.0f64, x);
                for k in 2..=N {
                    let kf = k as f64;
                    (p0, p1) = (p1, ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf);
                }
                deriv = N as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / deriv;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            nodes[i] = x;
            weights[i] = 2.0 / ((1.0 - x * x) * deriv * deriv);
        }
        (nodes, weights)
    })
}

/// ln of the part shared by likelihood and P(alive): ln[ (α+T)^-(r+x) (β+T)^-s ].
fn ln_alive_part(p: &[f64], x: f64, t: f64) -> f64 {
    -(p[0] + x) * (p[1] + t).ln() - p[2] * (p[3] + t).ln()
}

fn ll_row(p: &[f64], x: f64, tx: f64, t: f64) -> f64 {
    let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3]);
    let head = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
    let dead = (s / (r + s + x)).ln() + ln_a0(p, x, tx, t);
    head + log_add_exp(ln_alive_part(p, x, t), dead)
}

impl ParetoNbd {
    /// Parameter names, in order.
    pub const NAMES: [&'static str; 4] = ["r", "alpha", "s", "beta"];

    /// The model from its parameters in [`Self::NAMES`] order.
    pub fn from_params(p: &[f64]) -> Self {
        ParetoNbd { r: p[0], alpha: p[1], s: p[2], beta: p[3] }
    }

    /// The parameters in [`Self::NAMES`] order.
    pub fn params(&self) -> [f64; 4] {
        [self.r, self.alpha, self.s, self.beta]
    }

    /// The log-likelihood of one customer.
    pub fn log_likelihood_row(&self, x: f64, tx: f64, t: f64) -> f64 {
        ll_row(&self.params(), x, tx, t)
    }

    /// The log-likelihood of the data (weighted).
    pub fn log_likelihood(&self, data: &RfmData) -> f64 {
        let p = self.params();
        weighted_sum(data, |i| ll_row(&p, data.frequency[i], data.recency[i], data.t[i]))
    }

    /// ln A0 of Fader & Hardie's note (lifetimes' `_log_A_0`): the part of the likelihood
    /// from dropping out in (t_x, T], without its constant; -inf when t_x = T.
    pub fn log_a0(&self, x: f64, tx: f64, t: f64) -> f64 {
        ln_a0(&self.params(), x, tx, t)
    }

    /// Fits the model by maximum likelihood on the collapsed data. As lifetimes, the fit
    /// measures time in units of the largest T (so the penalty sees α and β in those
    /// units), and lifetimes divides its Pareto/NBD objective by the mean weight rather
    /// than the sum, so the penalty ([`FitOptions::penalizer`]) is divided by the number of
    /// rows given (before identical rows are merged). Each parameter stays within
    /// [1e-6, 1e6] (α and β in those units): data without a finite maximum (no sign of
    /// dropout, less spread than a Poisson process's) stop there, near the Poisson limit,
    /// with NaN standard errors (the likelihood is flat beyond the bound).
    ///
    /// # Errors
    /// As [`super::BetaGeo::fit`].
    pub fn fit(data: &RfmData, options: &FitOptions) -> Result<(Self, FitSummary)> {
        let scale = time_scale(data);
        let rows = data.len().max(1) as f64;
        let d = scaled(&data.collapse(), scale);
        let mut o = scaled_options(options, scale, &[1, 3]);
        o.penalizer /= rows;
        let ll = |p: &[f64]| {
            let p = bounded(p);
            weighted_sum(&d, |i| ll_row(&p, d.frequency[i], d.recency[i], d.t[i]))
        };
        let mut s = fit_positive("Pareto/NBD", &Self::NAMES, &ll, d.customers(), d.len(), &o)?;
        s.params = bounded(&s.params).to_vec();
        unscale(&mut s, &d, scale, &[1, 3]);
        Ok((Self::from_params(&s.params), s))
    }

    /// P(n purchases in (T, T + t] | x, t_x, T) (Fader, Hardie & Lee's note 013 / lifetimes'
    /// `conditional_probability_of_n_purchases_up_to_time`); 0 when `t <= 0`.
    pub fn conditional_probability_of_purchases(&self, n: u32, t: f64, x: f64, tx: f64, big_t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        let nf = n as f64;
        let (big, p_arg, gap) =
            if alpha < beta { (beta, r + x + nf, beta - alpha) } else { (alpha, s + 1.0, alpha - beta) };
        let ln_l = ll_row(&self.params(), x, tx, big_t);
        let base = r * alpha.ln() + s * beta.ln() - ln_gamma(r);
        let ln_p_zero = ln_gamma(r + x) + base - (r + x) * (alpha + big_t).ln() - s * (beta + big_t).ln() - ln_l;
        let ln_b1 = ln_gamma(r + x + nf) + base - (r + x + nf) * (alpha + big_t + t).ln() - s * (beta + big_t + t).ln();
        let rsx = r + s + x;
        let ln_b_at = |i: f64, at: f64| {
            base + ln_gamma(rsx + i)
                + ln_beta(r + x + nf, s + 1.0)
                + ln_hyp2f1(rsx + i, p_arg, rsx + nf + 1.0, gap / (big + at))
                - ln_gamma(s)
                - (rsx + i) * (big + at).ln()
        };
        let zeroth = if n == 0 { 1.0 - ln_p_zero.exp() } else { 0.0 };
        let first = nf * t.ln() - ln_gamma(nf + 1.0) + ln_b1 - ln_l;
        let second = ln_b_at(0.0, big_t) - ln_l;
        let third = (0..=n)
            .map(|i| {
                let i = i as f64;
                i * t.ln() - ln_gamma(i + 1.0) + ln_b_at(i, big_t + t) - ln_l
            })
            .fold(f64::NEG_INFINITY, log_add_exp);
        // A difference of exponentials: rounding can leave it a few 1e-18 outside [0, 1].
        (zeroth + (log_add_exp(first, second).exp() - third.exp())).clamp(0.0, 1.0)
    }

    /// P(alive | x, t_x, T) = (alive part) / (likelihood without its constant).
    pub fn probability_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        let p = self.params();
        let alive = ln_alive_part(&p, x, t);
        let dead = (self.s / (self.r + self.s + x)).ln() + ln_a0(&p, x, tx, t);
        (alive - log_add_exp(alive, dead)).exp()
    }

    /// Expected purchases in `(T, T + horizon]` of a customer with history `(x, t_x, T)`.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        let alive = self.probability_alive(x, tx, t);
        let factor = if (s - 1.0).abs() < 1e-12 {
            // Limit s -> 1: (β+T) ln((β+T+t)/(β+T)).
            (beta + t) * ((beta + t + horizon) / (beta + t)).ln()
        } else {
            (beta + t) / (s - 1.0) * -(((s - 1.0) * ((beta + t).ln() - (beta + t + horizon).ln())).exp_m1())
        };
        alive * (r + x) / (alpha + t) * factor
    }

    /// Expected purchases of a new customer in `(0, t]`.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        if (s - 1.0).abs() < 1e-12 {
            return r * beta / alpha * ((beta + t) / beta).ln();
        }
        r * beta / (alpha * (s - 1.0)) * -(((s - 1.0) * (beta.ln() - (beta + t).ln())).exp_m1())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The series and the quadrature on both sides of the switch, both α >= β and α < β.
    #[test]
    fn integral_matches_the_series() {
        for &(r, alpha, s, beta) in &[
            (0.55, 0.27, 0.61, 0.3),
            (2.0, 40.0, 0.3, 0.2),
            (0.8, 0.05, 1.7, 9.0),
            (30.0, 3.0, 0.02, 900.0),
            (1.0, 100.0, 0.5, 1.0),
            (1.0, 1000.0, 0.5, 1.0),
            (5.0, 0.01, 0.4, 30.0),
            (300.0, 20.0, 1e-4, 5000.0),
        ] {
            for &(x, tx, t) in &[(0.0, 0.0, 1.0), (3.0, 0.4, 0.9), (12.0, 0.95, 1.0), (1.0, 0.0, 0.3)] {
                let rsx = r + s + x;
                let (big, b_arg, gap) =
                    if alpha >= beta { (alpha, s + 1.0, alpha - beta) } else { (beta, r + x, beta - alpha) };
                let (c, d) = if alpha >= beta { (s + 1.0, r + x) } else { (r + x, s + 1.0) };
                let series = ln_a0_series(rsx, big, b_arg, gap, tx, t);
                let integral = rsx.ln() + ln_integral(c, d, big - gap, big, tx, t);
                assert!(
                    (series - integral).abs() < 1e-12 * series.abs().max(1.0),
                    "{r} {alpha} {s} {beta} {x} {tx} {t}: {series} {integral}"
                );
            }
        }
    }
}
