//! Shifted-beta-geometric model of contractual churn (Fader & Hardie 2007, "How to project
//! customer retention"): each period a customer cancels with probability θ ~ Beta(α, β).

use super::special::{ln_beta, ln_hyp2f1};
use super::{FitOptions, FitSummary, fit_positive};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The sBG model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShiftedBetaGeo {
    /// Beta α.
    pub alpha: f64,
    /// Beta β.
    pub beta: f64,
}

/// The log-likelihood of a cohort's counts at (α, β).
pub(crate) fn log_likelihood(p: &[f64], alive: &[f64]) -> f64 {
    let (a, b) = (p[0], p[1]);
    let k = alive.len() - 1;
    let lb = ln_beta(a, b);
    let mut out = 0.0;
    for t in 1..=k {
        let churned = alive[t - 1] - alive[t];
        if churned > 0.0 {
            out += churned * (ln_beta(a + 1.0, b + t as f64 - 1.0) - lb);
        }
    }
    if alive[k] > 0.0 {
        out += alive[k] * (ln_beta(a, b + k as f64) - lb);
    }
    out
}

impl ShiftedBetaGeo {
    /// Parameter names, in order.
    pub const NAMES: [&'static str; 2] = ["alpha", "beta"];

    /// Fits on the customers still active at the start of periods 0, 1, ..., k (a cohort:
    /// the first value is its size; the counts never rise).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming a count that is negative, not finite or above the
    /// one before; fit errors as [`super::BetaGeo::fit`].
    pub fn fit(alive: &[f64], options: &FitOptions) -> Result<(Self, FitSummary)> {
        if alive.len() < 2 {
            return Err(Error::config("alive", "needs the cohort size and at least one later count"));
        }
        for (i, &v) in alive.iter().enumerate() {
            if !(v.is_finite() && v >= 0.0) || (i > 0 && v > alive[i - 1]) {
                return Err(Error::invalid(i, "alive", format!("{v} is not a count <= the one before")));
            }
        }
        let f = |p: &[f64]| log_likelihood(p, alive);
        let s = fit_positive("sBG", &Self::NAMES, &f, alive[0], alive.len(), options)?;
        Ok((ShiftedBetaGeo { alpha: s.params[0], beta: s.params[1] }, s))
    }

    /// P(T > t): the share of a cohort still active after `t` periods.
    pub fn survival(&self, t: f64) -> f64 {
        (ln_beta(self.alpha, self.beta + t) - ln_beta(self.alpha, self.beta)).exp()
    }

    /// Retention rate in period t (t >= 1): (β + t - 1) / (α + β + t - 1).
    pub fn retention_rate(&self, t: f64) -> f64 {
        (self.beta + t - 1.0) / (self.alpha + self.beta + t - 1.0)
    }

    /// Discounted expected residual lifetime of a customer who has made `renewals` renewals,
    /// at discount rate `d` per period (Fader & Hardie 2010).
    pub fn discounted_expected_residual_lifetime(&self, d: f64, renewals: f64) -> f64 {
        let (a, b, n) = (self.alpha, self.beta, renewals + 1.0);
        (b + n - 1.0) / (a + b + n - 1.0) * ln_hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + d)).exp()
    }
}
