//! BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel & Filiztekin 2007).
//!
//! Purchases while alive follow a Poisson process with rate λ ~ Gamma(r, α); after each
//! purchase (BG/NBD) or also at time 0 (MBG/NBD) the customer drops out with probability
//! p ~ Beta(a, b).

use super::special::{ln_beta, ln_gamma, ln_hyp2f1, log_add_exp};
use super::{FitOptions, FitSummary, RfmData};
use crate::error::Result;
use crate::parallel::fold_chunks;
use serde::{Deserialize, Serialize};

/// Sums `f(row)` over the rows of `d` with their weights, in fixed chunks (deterministic).
pub(crate) fn weighted_sum(d: &RfmData, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    fold_chunks(d.len(), |range| range.map(|i| d.weights[i as usize] * f(i as usize)).sum::<f64>()).into_iter().sum()
}

/// The BG/NBD model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaGeo {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Dropout beta a.
    pub a: f64,
    /// Dropout beta b.
    pub b: f64,
}

/// The MBG/NBD model (customers may also drop out at time 0, so a customer with no repeat
/// purchase is not certainly alive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModifiedBetaGeo {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// Dropout beta a.
    pub a: f64,
    /// Dropout beta b.
    pub b: f64,
}

fn bg_ll(p: &[f64], d: &RfmData, modified: bool) -> f64 {
    weighted_sum(d, |i| bg_ll_row(p, d.frequency[i], d.recency[i], d.t[i], modified))
}

fn bg_ll_row(p: &[f64], x: f64, tx: f64, t: f64, modified: bool) -> f64 {
    let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
    let shift = if modified { 1.0 } else { 0.0 };
    let head =
        -ln_gamma(r) + r * alpha.ln() + ln_gamma(a + b) - ln_gamma(b) + ln_gamma(r + x) + ln_gamma(b + x + shift)
            - ln_gamma(a + b + x + shift);
    let a3 = -(r + x) * (alpha + t).ln();
    if modified {
        let a4 = a.ln() - (b + x).ln() - (r + x) * (alpha + tx).ln();
        head + log_add_exp(a3, a4)
    } else if x > 0.0 {
        let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + tx).ln();
        head + log_add_exp(a3, a4)
    } else {
        head + a3
    }
}

/// lifetimes' time scale while fitting (`_scale`): one over the largest age (1 when no age
/// is positive). It fits in those units, so its penalty sees the scale parameters (α, and
/// β of Pareto/NBD) in them; fitting the same way gives its penalised optimum.
pub(crate) fn time_scale(d: &RfmData) -> f64 {
    let max = d.t.iter().copied().fold(0.0, f64::max);
    if max > 0.0 && max.is_finite() { 1.0 / max } else { 1.0 }
}

/// `d` with recency and T multiplied by `scale`.
pub(crate) fn scaled(d: &RfmData, scale: f64) -> RfmData {
    RfmData {
        frequency: d.frequency.clone(),
        recency: d.recency.iter().map(|v| v * scale).collect(),
        t: d.t.iter().map(|v| v * scale).collect(),
        weights: d.weights.clone(),
    }
}

/// A fit on times scaled by `scale` brought back to the data's units: the scale
/// parameters at `scale_params` (and their standard errors) divided by `scale`, and the
/// log-likelihood of the unscaled data (each purchase's density gains ln(scale)).
pub(crate) fn unscale(s: &mut FitSummary, d: &RfmData, scale: f64, scale_params: &[usize]) {
    for &i in scale_params {
        s.params[i] /= scale;
        s.std_errors[i] /= scale;
    }
    let purchases: f64 = d.frequency.iter().zip(&d.weights).map(|(x, w)| x * w).sum();
    s.log_likelihood += scale.ln() * purchases;
}

/// The options for a fit on scaled times: starting values of the scale parameters scaled.
pub(crate) fn scaled_options(options: &FitOptions, scale: f64, scale_params: &[usize]) -> FitOptions {
    let mut o = options.clone();
    if let Some(init) = o.initial.as_mut() {
        for &i in scale_params {
            if let Some(v) = init.get_mut(i) {
                *v *= scale;
            }
        }
    }
    o
}

macro_rules! common_api {
    ($t:ident, $name:literal, $modified:literal) => {
        impl $t {
            /// Parameter names, in order.
            pub const NAMES: [&'static str; 4] = ["r", "alpha", "a", "b"];

            /// The model from its parameters in [`Self::NAMES`] order.
            pub fn from_params(p: &[f64]) -> Self {
                $t { r: p[0], alpha: p[1], a: p[2], b: p[3] }
            }

            /// The parameters in [`Self::NAMES`] order.
            pub fn params(&self) -> [f64; 4] {
                [self.r, self.alpha, self.a, self.b]
            }

            /// The log-likelihood of the data (weighted).
            pub fn log_likelihood(&self, data: &RfmData) -> f64 {
                bg_ll(&self.params(), data, $modified)
            }

            /// The log-likelihood of one customer.
            pub fn log_likelihood_row(&self, x: f64, tx: f64, t: f64) -> f64 {
                bg_ll_row(&self.params(), x, tx, t, $modified)
            }

            /// Fits the model by maximum likelihood on the collapsed data. As lifetimes,
            /// the fit measures time in units of the largest T, so that the penalty
            /// ([`FitOptions::penalizer`]) sees α in those units; the parameters come back
            /// in the data's units.
            ///
            /// # Errors
            /// [`crate::Error::Fit`] when the likelihood cannot be evaluated;
            /// [`crate::Error::InvalidConfig`] for bad options.
            pub fn fit(data: &RfmData, options: &FitOptions) -> Result<(Self, FitSummary)> {
                let scale = time_scale(data);
                let d = data.collapse();
                let (_, mut s) = Self::fit_in_units(&scaled(&d, scale), &scaled_options(options, scale, &[1]))?;
                unscale(&mut s, &d, scale, &[1]);
                Ok((Self::from_params(&s.params), s))
            }

            /// The fit on rows already collapsed (distinct, sorted: `fit` collapses them,
            /// and every n-th of them stays so).
            fn fit_in_units(d: &RfmData, options: &FitOptions) -> Result<(Self, FitSummary)> {
                let compiled = super::compiled::Compiled::new(&d);
                let grad = |p: &[f64]| super::compiled::bg_value_gradient(p, &compiled, $modified);
                let hess = |p: &[f64]| super::compiled::bg_value_gradient_hessian(p, &compiled, $modified);
                let ll = |p: &[f64]| grad(p).0;
                // Beyond a few thousand distinct rows: warm-start by Newton on every 16th
                // distinct row (at 10,000 customers the ten-odd iterations from the start
                // then cost a tenth), itself started, on large data, from a fit on every
                // 256th, so that each stage needs only a few iterations on its rows.
                let sample = (d.len() > 4_000).then(|| d.every_nth(16));
                let sample_c = sample.as_ref().map(super::compiled::Compiled::new);
                let sample_hess = |p: &[f64]| {
                    super::compiled::bg_value_gradient_hessian(p, sample_c.as_ref().expect("sample"), $modified)
                };
                let warm = sample.as_ref().map(|s| (&sample_hess as super::LogLikHess<'_>, s.customers()));
                let coarse = (d.len() > 50_000).then(|| Self::fit_in_units(&d.every_nth(256), options).ok()).flatten();
                // A failed coarse fit leaves the caller's start.
                let options = &match coarse {
                    Some((m, _)) => FitOptions { initial: Some(m.params().to_vec()), ..options.clone() },
                    None => options.clone(),
                };
                let s = super::fit_positive_with(
                    $name,
                    &Self::NAMES,
                    &ll,
                    Some(&grad),
                    warm,
                    Some(&hess),
                    d.customers(),
                    d.len(),
                    options,
                )?;
                Ok((Self::from_params(&s.params), s))
            }
        }
    };
}

common_api!(BetaGeo, "BG/NBD", false);
common_api!(ModifiedBetaGeo, "MBG/NBD", true);

impl BetaGeo {
    /// P(alive | x, t_x, T).
    pub fn probability_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let ln_ratio = a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + t).ln() - (alpha + tx).ln());
        1.0 / (1.0 + ln_ratio.exp())
    }

    /// Expected purchases in `(T, T + horizon]` of a customer with history `(x, t_x, T)`.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let z = horizon / (alpha + t + horizon);
        let ln_f = ln_hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let ln_pow = (r + x) * ((alpha + t).ln() - (alpha + t + horizon).ln());
        let bracket = -(ln_pow + ln_f).exp_m1();
        let numer = (a + b + x - 1.0) / (a - 1.0) * bracket;
        let denom = if x > 0.0 {
            1.0 + (a / (b + x - 1.0)) * ((r + x) * ((alpha + t).ln() - (alpha + tx).ln())).exp()
        } else {
            1.0
        };
        numer / denom
    }

    /// [`Self::conditional_expected_purchases`] for several horizons at once: the
    /// hypergeometric series is shared, so twelve monthly horizons cost about one.
    pub fn conditional_expected_purchases_many(&self, horizons: &[f64], x: f64, tx: f64, t: f64, out: &mut [f64]) {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let zs: Vec<f64> = horizons.iter().map(|h| h / (alpha + t + h)).collect();
        let mut ln_f = vec![0.0; horizons.len()];
        super::special::ln_hyp2f1_many(r + x, b + x, a + b + x - 1.0, &zs, &mut ln_f);
        self.expected_from_series(horizons, x, tx, t, &ln_f, out);
    }

    /// The conditional expectation from the logs of its hypergeometric terms (which depend
    /// on x and T only).
    pub(crate) fn expected_from_series(
        &self,
        horizons: &[f64],
        x: f64,
        tx: f64,
        t: f64,
        ln_f: &[f64],
        out: &mut [f64],
    ) {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let denom = if x > 0.0 {
            1.0 + (a / (b + x - 1.0)) * ((r + x) * ((alpha + t).ln() - (alpha + tx).ln())).exp()
        } else {
            1.0
        };
        for ((o, h), f) in out.iter_mut().zip(horizons).zip(ln_f) {
            let ln_pow = (r + x) * ((alpha + t).ln() - (alpha + t + h).ln());
            *o = (a + b + x - 1.0) / (a - 1.0) * -(ln_pow + f).exp_m1() / denom;
        }
    }

    /// Expected purchases of a new customer in `(0, t]`.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let ln_f = ln_hyp2f1(r, b, a + b - 1.0, t / (alpha + t));
        let ln_pow = r * (alpha.ln() - (alpha + t).ln());
        (a + b - 1.0) / (a - 1.0) * -(ln_pow + ln_f).exp_m1()
    }

    /// P(X(t) = n) for a new customer.
    pub fn probability_of_purchases(&self, t: f64, n: u32) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let x = n as f64;
        let q = t / (alpha + t);
        let ln_nb =
            |j: f64| ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0) + r * (alpha / (alpha + t)).ln() + j * q.ln();
        let first = (ln_beta(a, b + x) - ln_beta(a, b) + ln_nb(x)).exp();
        if n == 0 {
            return first;
        }
        let tail: f64 = (0..n).map(|j| ln_nb(j as f64).exp()).sum();
        first + (ln_beta(a + 1.0, b + x - 1.0) - ln_beta(a, b)).exp() * (1.0 - tail)
    }
}

impl ModifiedBetaGeo {
    /// P(X(t) = n) for a new customer (who may also drop out at time 0).
    pub fn probability_of_purchases(&self, t: f64, n: u32) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let x = n as f64;
        let q = t / (alpha + t);
        let ln_nb =
            |j: f64| ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0) + r * (alpha / (alpha + t)).ln() + j * q.ln();
        let first = (ln_beta(a, b + x + 1.0) - ln_beta(a, b) + ln_nb(x)).exp();
        let tail: f64 = (0..n).map(|j| ln_nb(j as f64).exp()).sum();
        first + (ln_beta(a + 1.0, b + x) - ln_beta(a, b)).exp() * (1.0 - tail)
    }

    /// P(alive | x, t_x, T).
    pub fn probability_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let ln_ratio = a.ln() - (b + x).ln() + (r + x) * ((alpha + t).ln() - (alpha + tx).ln());
        1.0 / (1.0 + ln_ratio.exp())
    }

    /// Expected purchases in `(T, T + horizon]` of a customer with history `(x, t_x, T)`.
    pub fn conditional_expected_purchases(&self, horizon: f64, x: f64, tx: f64, t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let z = horizon / (alpha + t + horizon);
        let ln_f = ln_hyp2f1(r + x, b + x + 1.0, a + b + x, z);
        let ln_pow = (r + x) * ((alpha + t).ln() - (alpha + t + horizon).ln());
        let bracket = -(ln_pow + ln_f).exp_m1();
        let numer = (a + b + x) / (a - 1.0) * bracket;
        let denom = 1.0 + (a / (b + x)) * ((r + x) * ((alpha + t).ln() - (alpha + tx).ln())).exp();
        numer / denom
    }

    /// Expected purchases of a new customer in `(0, t]`.
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let ln_f = ln_hyp2f1(r, b + 1.0, a + b, t / (alpha + t));
        let ln_pow = r * (alpha.ln() - (alpha + t).ln());
        b / (a - 1.0) * -(ln_pow + ln_f).exp_m1()
    }
}
