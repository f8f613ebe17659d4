//! Prediction intervals from the parameters' uncertainty.
//!
//! A fit gives point estimates; the data support a range of parameters around them. Two
//! ways to turn that range into per-customer intervals:
//!
//! - [`IntervalMethod::Normal`]: the asymptotic normal of the log-parameters, centred at the
//!   optimum with covariance the inverse of the negative log-likelihood's Hessian in
//!   log-parameter space (analytic for BG/NBD, MBG/NBD and Gamma-Gamma, central
//!   differences otherwise). Draws are cheap: no refit.
//! - [`IntervalMethod::Delta`]: the same normal, the prediction linearised in the
//!   log-parameters (on a log or logit scale) instead of drawn: the fast choice for
//!   millions of customers.
//! - [`IntervalMethod::Bootstrap`]: the nonparametric bootstrap; the customers are resampled
//!   with replacement (a multinomial over the distinct rows) and the model refitted from
//!   the point estimate, once per draw.
//!
//! Each parameter draw gives each customer a prediction; the customer's interval is the
//! quantiles of those predictions (linear interpolation between order statistics, numpy's
//! default). Draws come from one seeded generator in draw order, and customers are
//! evaluated independently of each other, so results are identical bit for bit for any
//! thread count. Customers sharing a history are evaluated once.
//!
//! # Examples
//! ```
//! use crm_core::models::uncertainty::{Fitted, IntervalOptions, Prediction};
//! use crm_core::models::{BetaGeo, FitOptions, RfmData};
//!
//! let truth = BetaGeo { r: 0.25, alpha: 4.0, a: 0.8, b: 2.5 };
//! let ages: Vec<f64> = (0..2000).map(|i| 20.0 + (i % 20) as f64).collect();
//! let data = truth.simulate(&ages, 7);
//! let (model, _) = BetaGeo::fit(&data, &FitOptions::default()).unwrap();
//! let fitted = Fitted::BetaGeo(model, &data);
//! let se = fitted.parameter_uncertainty().unwrap().std_errors;
//! assert!(se.iter().all(|s| *s > 0.0));
//! let rows = RfmData::new(vec![0.0, 3.0], vec![0.0, 15.0], vec![30.0, 30.0]).unwrap();
//! let opts = IntervalOptions { draws: 200, ..IntervalOptions::default() };
//! let out = fitted.intervals(Prediction::ExpectedPurchases { horizon: 10.0 }, &rows, None, &opts).unwrap();
//! assert_eq!(out.levels, [0.05, 0.95]);
//! for i in 0..2 {
//!     assert!(out.bounds[0][i] <= out.point[i] && out.point[i] <= out.bounds[1][i]);
//! }
//! ```

mod predict;

pub use predict::{Prediction, clv_intervals};

use super::compiled::{Compiled, SpendRows, bg_value_gradient_hessian, gg_value_gradient_hessian};
use super::optim::invert;
use super::{BetaGeo, BetaGeoBetaBinom, FitOptions, GammaGamma, ModifiedBetaGeo, ParetoNbd, RfmData, ShiftedBetaGeo};
use crate::error::{Error, Result};
use crate::sample::Rng;
use serde::{Deserialize, Serialize};

/// Where the parameter draws come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// The asymptotic normal of the log-parameters (inverse Hessian at the optimum).
    Normal,
    /// Nonparametric bootstrap: customers resampled with replacement, model refitted.
    Bootstrap,
    /// The same asymptotic normal as [`Self::Normal`], without draws: each prediction is
    /// linearised in the log-parameters (central differences, step 1e-4) on its log scale
    /// (probabilities: logit scale), and its quantiles are those of the resulting normal.
    /// About 2k + 1 evaluations per customer instead of one per draw; `draws` is not used.
    Delta,
}

/// How to compute intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntervalOptions {
    /// Normal draws or bootstrap refits.
    pub method: IntervalMethod,
    /// Parameter draws (bootstrap: refits), 2 to [`MAX_DRAWS`]. Default 500.
    pub draws: usize,
    /// Quantiles reported per customer, each in (0, 1). Default 0.05 and 0.95.
    pub levels: Vec<f64>,
    /// Seed of the draws.
    pub seed: u64,
    /// The options the model was fitted with: the bootstrap refits with them (from the
    /// point estimate), and the normal and delta methods take the Hessian of the objective
    /// with their penalizer ([`Fitted::parameter_uncertainty_penalized`]).
    pub fit: FitOptions,
    /// In a CLV interval, the options the Gamma-Gamma model was fitted with (`None`: those
    /// of [`Self::fit`]); `fit` is then the purchase model's.
    pub spend_fit: Option<FitOptions>,
}

/// The most draws an interval may ask for.
pub const MAX_DRAWS: usize = 100_000;

impl Default for IntervalOptions {
    fn default() -> Self {
        IntervalOptions {
            method: IntervalMethod::Normal,
            draws: 500,
            levels: vec![0.05, 0.95],
            seed: 0,
            fit: FitOptions::default(),
            spend_fit: None,
        }
    }
}

impl IntervalOptions {
    /// The quantiles of a central interval at `level` (0.9: 0.05 and 0.95).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `level` is not in (0, 1).
    pub fn central(level: f64) -> Result<Vec<f64>> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::config("level", format!("{level} is not in (0, 1)")));
        }
        Ok(vec![(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    }

    /// Checks the ranges.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming `draws` or `levels`.
    pub fn check(&self) -> Result<()> {
        if !(2..=MAX_DRAWS).contains(&self.draws) {
            return Err(Error::config("draws", format!("{} is not in 2..={MAX_DRAWS}", self.draws)));
        }
        if self.levels.is_empty() {
            return Err(Error::config("levels", "at least one quantile is needed"));
        }
        if let Some(q) = self.levels.iter().find(|q| !(**q > 0.0 && **q < 1.0)) {
            return Err(Error::config("levels", format!("{q} is not in (0, 1)")));
        }
        Ok(())
    }
}

/// Per-customer predictions with their quantiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The quantiles, as asked.
    pub levels: Vec<f64>,
    /// The prediction at the point estimate, per customer.
    pub point: Vec<f64>,
    /// One column per level: that quantile of the prediction over the draws, per customer.
    pub bounds: Vec<Vec<f64>>,
}

/// The parameters' estimated sampling distribution at the optimum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterUncertainty {
    /// Parameter names.
    pub names: Vec<String>,
    /// The point estimate.
    pub params: Vec<f64>,
    /// Covariance of the log-parameters: the inverse Hessian of the negative log-likelihood
    /// in log-parameter space.
    pub log_covariance: Vec<Vec<f64>>,
    /// Covariance of the parameters (delta method: θ_i θ_j times the log covariance).
    pub covariance: Vec<Vec<f64>>,
    /// Standard errors of the parameters (square roots of the covariance's diagonal).
    pub std_errors: Vec<f64>,
}

/// Data for the Gamma-Gamma model: repeat buyers' frequency (x >= 1) and mean spend, with
/// weights.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendData {
    /// Repeat purchases.
    pub frequency: Vec<f64>,
    /// Mean spend of the repeat purchases.
    pub monetary_value: Vec<f64>,
    /// Customers per row.
    pub weights: Vec<f64>,
}

/// A fitted model with the data it was fitted on (the bootstrap resamples it; the Hessian
/// is evaluated on it).
#[derive(Debug, Clone, Copy)]
pub enum Fitted<'a> {
    /// BG/NBD on (x, t_x, T).
    BetaGeo(BetaGeo, &'a RfmData),
    /// MBG/NBD on (x, t_x, T).
    ModifiedBetaGeo(ModifiedBetaGeo, &'a RfmData),
    /// Pareto/NBD on (x, t_x, T).
    ParetoNbd(ParetoNbd, &'a RfmData),
    /// BG/BB on (x, t_x, n) as `frequency`, `recency`, `t`.
    BetaGeoBetaBinom(BetaGeoBetaBinom, &'a RfmData),
    /// Gamma-Gamma on repeat buyers' spend.
    GammaGamma(GammaGamma, &'a SpendData),
    /// sBG on a cohort's counts still active at the start of each period.
    ShiftedBetaGeo(ShiftedBetaGeo, &'a [f64]),
}

impl Fitted<'_> {
    /// The model's name.
    pub fn name(&self) -> &'static str {
        match self {
            Fitted::BetaGeo(..) => "BG/NBD",
            Fitted::ModifiedBetaGeo(..) => "MBG/NBD",
            Fitted::ParetoNbd(..) => "Pareto/NBD",
            Fitted::BetaGeoBetaBinom(..) => "BG/BB",
            Fitted::GammaGamma(..) => "Gamma-Gamma",
            Fitted::ShiftedBetaGeo(..) => "sBG",
        }
    }

    fn names(&self) -> &'static [&'static str] {
        match self {
            Fitted::BetaGeo(..) | Fitted::ModifiedBetaGeo(..) => &BetaGeo::NAMES,
            Fitted::ParetoNbd(..) => &ParetoNbd::NAMES,
            Fitted::BetaGeoBetaBinom(..) => &BetaGeoBetaBinom::NAMES,
            Fitted::GammaGamma(..) => &GammaGamma::NAMES,
            Fitted::ShiftedBetaGeo(..) => &ShiftedBetaGeo::NAMES,
        }
    }

    /// The point estimate in the order of the model's `NAMES`.
    pub fn params(&self) -> Vec<f64> {
        match self {
            Fitted::BetaGeo(m, _) => m.params().to_vec(),
            Fitted::ModifiedBetaGeo(m, _) => m.params().to_vec(),
            Fitted::ParetoNbd(m, _) => m.params().to_vec(),
            Fitted::BetaGeoBetaBinom(m, _) => m.params().to_vec(),
            Fitted::GammaGamma(m, _) => m.params().to_vec(),
            Fitted::ShiftedBetaGeo(m, _) => vec![m.alpha, m.beta],
        }
    }

    /// The total log-likelihood of the fitted data at `p` (natural scale).
    fn log_likelihood(&self, p: &[f64]) -> f64 {
        match self {
            Fitted::BetaGeo(_, d) => BetaGeo::from_params(p).log_likelihood(d),
            Fitted::ModifiedBetaGeo(_, d) => ModifiedBetaGeo::from_params(p).log_likelihood(d),
            Fitted::ParetoNbd(_, d) => ParetoNbd::from_params(p).log_likelihood(d),
            Fitted::BetaGeoBetaBinom(_, d) => {
                let m = BetaGeoBetaBinom { alpha: p[0], beta: p[1], gamma: p[2], delta: p[3] };
                super::bgnbd::weighted_sum(d, |i| m.log_likelihood_row(d.frequency[i], d.recency[i], d.t[i]))
            }
            Fitted::GammaGamma(_, s) => {
                let m = GammaGamma { p: p[0], q: p[1], v: p[2] };
                (0..s.frequency.len())
                    .map(|i| s.weights[i] * m.log_likelihood_row(s.frequency[i], s.monetary_value[i]))
                    .sum()
            }
            Fitted::ShiftedBetaGeo(_, alive) => super::sbg::log_likelihood(p, alive),
        }
    }

    /// The Hessian of the negative log-likelihood in log-parameter space at the optimum:
    /// `θ_i θ_j (-ℓ_ij) + δ_ij θ_i (-ℓ_i)` from the analytic Hessian where there is one,
    /// central differences of `-ℓ(exp u)` (step 1e-4 in u) otherwise.
    fn log_hessian(&self) -> Vec<Vec<f64>> {
        let p = self.params();
        let k = p.len();
        let analytic = match self {
            Fitted::BetaGeo(_, d) => Some(bg_value_gradient_hessian(&p, &Compiled::new(&d.collapse()), false)),
            Fitted::ModifiedBetaGeo(_, d) => Some(bg_value_gradient_hessian(&p, &Compiled::new(&d.collapse()), true)),
            Fitted::GammaGamma(_, s) => {
                Some(gg_value_gradient_hessian(&p, &SpendRows::new(&s.frequency, &s.monetary_value, &s.weights)))
            }
            _ => None,
        };
        if let Some((_, g, h)) = analytic {
            return (0..k)
                .map(|i| (0..k).map(|j| -p[i] * p[j] * h[i][j] - if i == j { p[i] * g[i] } else { 0.0 }).collect())
                .collect();
        }
        let u: Vec<f64> = p.iter().map(|v| v.ln()).collect();
        // Central differences need 1 + 2k + 4 k(k-1)/2 likelihoods: on the distinct rows.
        let collapsed = match self {
            Fitted::ParetoNbd(_, d) | Fitted::BetaGeoBetaBinom(_, d) => Some(d.collapse()),
            _ => None,
        };
        let on = match (self, &collapsed) {
            (Fitted::ParetoNbd(m, _), Some(c)) => Fitted::ParetoNbd(*m, c),
            (Fitted::BetaGeoBetaBinom(m, _), Some(c)) => Fitted::BetaGeoBetaBinom(*m, c),
            _ => *self,
        };
        let f = |u: &[f64]| -on.log_likelihood(&u.iter().map(|v| v.exp()).collect::<Vec<_>>());
        central_hessian(&f, &u, 1e-4)
    }

    /// The log-space curvature of the penalty a fit with `penalizer` added, times the
    /// customers (the diagonal; 0 without a penalty): the fit minimises
    /// `-ℓ / n + λ Σ (c_i θ_i)²` with `c_i` 1 / the largest T for the time scales of
    /// BG/NBD, MBG/NBD and Pareto/NBD (1 otherwise) and λ the penalizer (Pareto/NBD: over
    /// the rows given), so `n` times its second derivative in `u_i = ln θ_i` is
    /// `4 n λ c_i² θ_i²`.
    fn penalty_curvature(&self, penalizer: f64) -> Vec<f64> {
        let p = self.params();
        let (n, lambda, scale, scaled): (f64, f64, f64, &[usize]) = match self {
            Fitted::BetaGeo(_, d) | Fitted::ModifiedBetaGeo(_, d) => {
                (d.customers(), penalizer, super::bgnbd::time_scale(d), &[1])
            }
            Fitted::ParetoNbd(_, d) => {
                (d.customers(), penalizer / d.len().max(1) as f64, super::bgnbd::time_scale(d), &[1, 3])
            }
            Fitted::BetaGeoBetaBinom(_, d) => (d.customers(), penalizer, 1.0, &[]),
            Fitted::GammaGamma(_, s) => (s.weights.iter().sum(), penalizer, 1.0, &[]),
            Fitted::ShiftedBetaGeo(_, alive) => (alive.first().copied().unwrap_or(0.0), penalizer, 1.0, &[]),
        };
        (0..p.len())
            .map(|i| {
                let c = if scaled.contains(&i) { scale } else { 1.0 };
                4.0 * n * lambda * (c * p[i]) * (c * p[i])
            })
            .collect()
    }

    /// Standard errors and covariance from the Hessian of the negative log-likelihood at
    /// the optimum.
    ///
    /// # Errors
    /// [`Error::Fit`] when the Hessian is not positive definite (the optimum is flat or not
    /// a maximum in some direction; the bootstrap still works).
    pub fn parameter_uncertainty(&self) -> Result<ParameterUncertainty> {
        self.parameter_uncertainty_penalized(0.0)
    }

    /// As [`Self::parameter_uncertainty`], from the Hessian of the objective a fit with
    /// `penalizer` ([`FitOptions::penalizer`]) minimised: the log-likelihood's plus the
    /// penalty's, as lifetimes' `variance_matrix_`. The normal and delta intervals use the
    /// penalizer of [`IntervalOptions::fit`], so they describe the estimate the fit made.
    ///
    /// # Errors
    /// As [`Self::parameter_uncertainty`]; [`Error::InvalidConfig`] naming `penalizer` when
    /// it is not a finite number >= 0.
    pub fn parameter_uncertainty_penalized(&self, penalizer: f64) -> Result<ParameterUncertainty> {
        if !(penalizer >= 0.0 && penalizer.is_finite()) {
            return Err(Error::config("penalizer", format!("{penalizer} is not >= 0")));
        }
        let p = self.params();
        let k = p.len();
        let mut h = self.log_hessian();
        if penalizer > 0.0 {
            for (i, c) in self.penalty_curvature(penalizer).into_iter().enumerate() {
                h[i][i] += c;
            }
        }
        let not_definite = || Error::Fit {
            model: self.name().into(),
            message: "the Hessian at the optimum is not positive definite: no normal approximation \
                      (refit, or use the bootstrap)"
                .into(),
        };
        cholesky(&h).ok_or_else(not_definite)?;
        let log_covariance = invert(&h).ok_or_else(not_definite)?;
        let covariance: Vec<Vec<f64>> =
            (0..k).map(|i| (0..k).map(|j| p[i] * p[j] * log_covariance[i][j]).collect()).collect();
        let std_errors = (0..k).map(|i| covariance[i][i].max(0.0).sqrt()).collect();
        Ok(ParameterUncertainty {
            names: self.names().iter().map(|s| (*s).to_owned()).collect(),
            params: p,
            log_covariance,
            covariance,
            std_errors,
        })
    }

    /// `options.draws` parameter vectors (natural scale) by the chosen method.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for options out of range; as
    /// [`Self::parameter_uncertainty`] for the normal method; a failed bootstrap refit is
    /// [`Error::Fit`] naming the draw.
    pub fn parameter_draws(&self, options: &IntervalOptions) -> Result<Vec<Vec<f64>>> {
        options.check()?;
        match options.method {
            IntervalMethod::Delta => Err(Error::config("method", "the delta method draws no parameters")),
            IntervalMethod::Normal => {
                let u = self.parameter_uncertainty_penalized(options.fit.penalizer)?;
                let mean: Vec<f64> = u.params.iter().map(|v| v.ln()).collect();
                let l = cholesky(&u.log_covariance).ok_or_else(|| Error::Fit {
                    model: self.name().into(),
                    message: "the covariance is not positive definite".into(),
                })?;
                let mut rng = Rng::new(options.seed);
                let k = mean.len();
                Ok((0..options.draws)
                    .map(|_| {
                        let z: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
                        (0..k).map(|i| (mean[i] + (0..=i).map(|j| l[i][j] * z[j]).sum::<f64>()).exp()).collect()
                    })
                    .collect())
            }
            IntervalMethod::Bootstrap => self.bootstrap(options),
        }
    }

    /// Refits on `options.draws` resamples of the customers.
    fn bootstrap(&self, options: &IntervalOptions) -> Result<Vec<Vec<f64>>> {
        let start = FitOptions { initial: Some(self.params()), ..options.fit.clone() };
        let mut seeds = Rng::new(options.seed);
        let mut out = Vec::with_capacity(options.draws);
        for draw in 0..options.draws {
            let mut rng = Rng::new(seeds.next_u64());
            let failed =
                |e: Error| Error::Fit { model: self.name().into(), message: format!("bootstrap draw {draw}: {e}") };
            let refit = match self {
                Fitted::BetaGeo(_, d) => BetaGeo::fit(&resample_rfm(d, &mut rng), &start).map(|f| f.1.params),
                Fitted::ModifiedBetaGeo(_, d) => {
                    ModifiedBetaGeo::fit(&resample_rfm(d, &mut rng), &start).map(|f| f.1.params)
                }
                Fitted::ParetoNbd(_, d) => {
                    // Pareto/NBD's penalty is per row given (lifetimes' objective over the
                    // mean weight): the resample, merged into its distinct rows here, stands
                    // for as many rows as `d`, so its penalty is the fit's.
                    let r = resample_rfm(d, &mut rng);
                    let penalizer = start.penalizer * r.len() as f64 / d.len() as f64;
                    ParetoNbd::fit(&r, &FitOptions { penalizer, ..start.clone() }).map(|f| f.1.params)
                }
                Fitted::BetaGeoBetaBinom(_, d) => {
                    let r = resample_rfm(d, &mut rng);
                    BetaGeoBetaBinom::fit(&r.frequency, &r.recency, &r.t, Some(&r.weights), &start).map(|f| f.1.params)
                }
                Fitted::GammaGamma(_, s) => {
                    let counts = multinomial(&s.weights, &mut rng);
                    let keep: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0.0).collect();
                    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
                    let w = pick(&counts);
                    GammaGamma::fit(&pick(&s.frequency), &pick(&s.monetary_value), Some(&w), &start).map(|f| f.1.params)
                }
                Fitted::ShiftedBetaGeo(_, alive) => {
                    // The cohort as counts per outcome (churned in period t, or still active).
                    let k = alive.len() - 1;
                    let mut outcome: Vec<f64> = (1..=k).map(|t| alive[t - 1] - alive[t]).collect();
                    outcome.push(alive[k]);
                    let counts = multinomial(&outcome, &mut rng);
                    let mut resampled = vec![counts.iter().sum::<f64>()];
                    for c in &counts[..k] {
                        resampled.push(resampled.last().copied().unwrap_or(0.0) - c);
                    }
                    ShiftedBetaGeo::fit(&resampled, &start).map(|f| f.1.params)
                }
            };
            out.push(refit.map_err(failed)?);
        }
        Ok(out)
    }
}

/// Counts of a multinomial resample of `round(Σ w)` customers over rows of weight `w`
/// (cumulative weights searched per customer: exact for whole weights).
fn multinomial(weights: &[f64], rng: &mut Rng) -> Vec<f64> {
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for w in weights {
        total += w;
        cumulative.push(total);
    }
    let n = total.round().max(1.0) as u64;
    let mut counts = vec![0.0; weights.len()];
    for _ in 0..n {
        let u = rng.uniform() * total;
        let i = cumulative.partition_point(|c| *c <= u).min(weights.len() - 1);
        counts[i] += 1.0;
    }
    counts
}

/// The rows of `d` drawn with replacement (weights: how often each row was drawn; rows
/// never drawn are left out).
fn resample_rfm(d: &RfmData, rng: &mut Rng) -> RfmData {
    let counts = multinomial(&d.weights, rng);
    let mut out = RfmData::default();
    for (i, &c) in counts.iter().enumerate() {
        if c > 0.0 {
            out.frequency.push(d.frequency[i]);
            out.recency.push(d.recency[i]);
            out.t.push(d.t[i]);
            out.weights.push(c);
        }
    }
    out
}

/// Central-difference Hessian of `f` at `x` with an absolute step `h` (in log space a
/// relative one of the parameters).
fn central_hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut out = vec![vec![0.0; n]; n];
    let mut y = x.to_vec();
    let f0 = f(x);
    for i in 0..n {
        for j in i..n {
            let mut at = |di: f64, dj: f64| {
                y[i] += di * h;
                y[j] += dj * h;
                let v = f(&y);
                y[i] = x[i];
                y[j] = x[j];
                v
            };
            let v = if i == j {
                (at(1.0, 0.0) - 2.0 * f0 + at(-1.0, 0.0)) / (h * h)
            } else {
                (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0)) / (4.0 * h * h)
            };
            out[i][j] = v;
            out[j][i] = v;
        }
    }
    out
}

/// Lower Cholesky factor; `None` when not positive definite.
fn cholesky(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
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
    Some(l)
}

/// The standard normal quantile function (Acklam's rational approximation, relative error
/// below 1.2e-9).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests;
