//! Predictive CLV models ("buy till you die"), fitted by maximum likelihood:
//! [`BetaGeo`] (BG/NBD), [`ModifiedBetaGeo`] (MBG/NBD), [`ParetoNbd`] (Pareto/NBD),
//! [`BetaGeoBetaBinom`] (BG/BB), [`GammaGamma`] (spend) and [`ShiftedBetaGeo`]
//! (contractual churn).
//!
//! Likelihoods are evaluated in log space; fits work on the sufficient statistics
//! (identical `(x, t_x, T)` rows collapse into one row with a weight), so a fit's cost
//! depends on the distinct rows, not on the customers. Parameters are optimised on the log
//! scale (they are all positive); standard errors come from the Hessian of the
//! log-likelihood at the optimum.

mod bgbb;
mod bgnbd;
mod compiled;
mod data;
mod gammagamma;
pub(crate) mod optim;
mod paretonbd;
mod sbg;
mod simulate;
pub mod special;
mod summary_pass;
pub mod uncertainty;

pub use crate::instants::Instants;
pub use bgbb::BetaGeoBetaBinom;
pub use bgnbd::{BetaGeo, ModifiedBetaGeo};
pub use data::{CalibrationHoldout, RfmData, RfmSummary, TimeUnit, calibration_and_holdout, summary_from_transactions};
pub use gammagamma::{
    GammaGamma, PurchaseModel, SeriesCache, collapse_spend, customer_lifetime_value, customer_lifetime_value_with_spend,
};
pub use paretonbd::ParetoNbd;
pub use sbg::ShiftedBetaGeo;
pub use simulate::{HoldoutRow, SimulatedCustomers, holdout_table};
pub use summary_pass::{summary_from_columns, summary_from_slices};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Runs `work` over consecutive ranges of `0..n`, one per thread when there is enough work
/// (`n x cost_per_item` above about 200,000 operations per thread: model work per item is
/// heavy, unlike the per-customer work `parallel` sizes for), and concatenates the results
/// in order. Each item's result must depend on that item alone (then the output is the
/// same for any thread count).
pub(crate) fn split<T: Send>(
    n: usize,
    cost_per_item: usize,
    work: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    let threads = crate::parallel::threads().min((n.saturating_mul(cost_per_item) / 200_000).max(1)).min(n.max(1));
    if threads <= 1 {
        return work(0..n);
    }
    let step = n.div_ceil(threads);
    let parts = crate::parallel::run_indexed(threads, |k| work((k * step).min(n)..((k + 1) * step).min(n)));
    let mut out = Vec::with_capacity(n);
    parts.into_iter().for_each(|p| out.extend(p));
    out
}

/// How to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FitOptions {
    /// L2 penalty on the parameters, lifetimes' `penalizer_coef`: added to the mean
    /// negative log-likelihood as `penalizer x sum(params^2)`, where BG/NBD, MBG/NBD and
    /// Pareto/NBD measure their time scale parameters (α, and β) in units of the largest T
    /// while fitting, and Pareto/NBD divides the penalty by the number of rows given
    /// (lifetimes divides that objective by the mean weight). Default 0.
    pub penalizer: f64,
    /// Starting parameters (natural scale); default 1 for each.
    pub initial: Option<Vec<f64>>,
    /// Iteration limit. Default 500.
    pub max_iterations: usize,
    /// The fit stops when the gradient of the objective (the penalised mean negative
    /// log-likelihood in the log-parameters) is shorter than this: scipy's BFGS `gtol`,
    /// which is what lifetimes' `tol` sets. Finite, > 0. Default 1e-10.
    pub tolerance: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { penalizer: 0.0, initial: None, max_iterations: 500, tolerance: 1e-10 }
    }
}

/// What a fit found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSummary {
    /// The model.
    pub model: String,
    /// Parameter names.
    pub names: Vec<String>,
    /// Parameter values.
    pub params: Vec<f64>,
    /// Standard errors (from the inverse Hessian; NaN when it is singular).
    pub std_errors: Vec<f64>,
    /// Log-likelihood at the optimum (without the penalty).
    pub log_likelihood: f64,
    /// Customers (sum of weights).
    pub customers: f64,
    /// Distinct rows the likelihood was evaluated on.
    pub distinct_rows: usize,
    /// Optimiser iterations.
    pub iterations: usize,
    /// Whether the optimiser converged.
    pub converged: bool,
}

/// The total weighted log-likelihood and its gradient in the natural parameters.
pub(crate) type LogLikGrad<'a> = &'a (dyn Fn(&[f64]) -> (f64, Vec<f64>) + Sync);

/// The penalised mean negative log-likelihood and its gradient on the log scale (chain
/// rule: d/du = theta x d/dtheta).
fn in_log_space<'a>(g: LogLikGrad<'a>, n: f64, penalizer: f64) -> impl Fn(&[f64]) -> (f64, Vec<f64>) + 'a {
    move |u: &[f64]| {
        let p: Vec<f64> = u.iter().map(|v| v.exp()).collect();
        let (l, dl) = g(&p);
        let v = -l / n + penalizer * p.iter().map(|x| x * x).sum::<f64>();
        let d: Vec<f64> = p.iter().zip(&dl).map(|(t, d)| t * (-d / n + 2.0 * penalizer * t)).collect();
        (if v.is_nan() { f64::INFINITY } else { v }, d)
    }
}

/// The total weighted log-likelihood, its gradient and its Hessian in the natural
/// parameters.
pub(crate) type LogLikHess<'a> = &'a (dyn Fn(&[f64]) -> compiled::Vgh + Sync);

/// A likelihood that remembers its last evaluation: a Newton stage ends where it last
/// evaluated (the summary needs the value and Hessian there again) and starts where the
/// starting values were checked, so each of those full passes over the rows is saved.
struct Memo<'a> {
    f: LogLikHess<'a>,
    last: std::sync::Mutex<Option<(Vec<f64>, compiled::Vgh)>>,
}

impl<'a> Memo<'a> {
    fn new(f: LogLikHess<'a>) -> Self {
        Memo { f, last: std::sync::Mutex::new(None) }
    }

    /// `f(p)`, from memory when `p` is (bit for bit) the last point asked for.
    fn call(&self, p: &[f64]) -> compiled::Vgh {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match last.as_ref() {
            Some((at, v)) if at.as_slice() == p => v.clone(),
            _ => {
                let v = (self.f)(p);
                *last = Some((p.to_vec(), v.clone()));
                v
            }
        }
    }
}

/// [`in_log_space`] with the Hessian: d²f/du_i du_j = θ_i θ_j f_ij + δ_ij θ_i f_i.
fn in_log_space_hess<'a>(h: &'a Memo<'_>, n: f64, penalizer: f64) -> impl Fn(&[f64]) -> compiled::Vgh + 'a {
    move |u: &[f64]| {
        let p: Vec<f64> = u.iter().map(|v| v.exp()).collect();
        let (l, dl, hl) = h.call(&p);
        let v = -l / n + penalizer * p.iter().map(|x| x * x).sum::<f64>();
        let k = p.len();
        let d: Vec<f64> = (0..k).map(|i| p[i] * (-dl[i] / n + 2.0 * penalizer * p[i])).collect();
        let hh: Vec<Vec<f64>> = (0..k)
            .map(|i| {
                (0..k)
                    .map(|j| {
                        let f_ij = -hl[i][j] / n + if i == j { 2.0 * penalizer } else { 0.0 };
                        p[i] * p[j] * f_ij + if i == j { d[i] } else { 0.0 }
                    })
                    .collect()
            })
            .collect();
        (if v.is_nan() { f64::INFINITY } else { v }, d, hh)
    }
}

/// Fits positive parameters maximising `ll` (the total weighted log-likelihood).
pub(crate) fn fit_positive(
    model: &str,
    names: &[&str],
    ll: &(dyn Fn(&[f64]) -> f64 + Sync),
    customers: f64,
    rows: usize,
    opts: &FitOptions,
) -> Result<FitSummary> {
    fit_positive_with(model, names, ll, None, None, None, customers, rows, opts)
}

/// As [`fit_positive`], with an analytic gradient when one is known, optionally the
/// gradient on a sample of the rows (with its customer count) for a warm start, and
/// damped Newton steps with the analytic Hessian `hess` instead of BFGS for the final
/// stage when it is given (few full-data evaluations from a warm start, and no crawling
/// along narrow valleys such as Gamma-Gamma's q and v); the standard errors then come
/// from that Hessian too.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_positive_with(
    model: &str,
    names: &[&str],
    ll: &(dyn Fn(&[f64]) -> f64 + Sync),
    grad: Option<LogLikGrad<'_>>,
    warm: Option<(LogLikHess<'_>, f64)>,
    hess: Option<LogLikHess<'_>>,
    customers: f64,
    rows: usize,
    opts: &FitOptions,
) -> Result<FitSummary> {
    let k = names.len();
    let init = opts.initial.clone().unwrap_or_else(|| vec![1.0; k]);
    if init.len() != k || init.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(Error::config("initial", format!("{model} needs {k} positive starting values")));
    }
    if !(opts.penalizer >= 0.0 && opts.penalizer.is_finite()) {
        return Err(Error::config("penalizer", format!("{} is not >= 0", opts.penalizer)));
    }
    if !(opts.tolerance > 0.0 && opts.tolerance.is_finite()) {
        return Err(Error::config("tolerance", format!("{} is not a finite number > 0", opts.tolerance)));
    }
    let tol = opts.tolerance;
    if customers <= 0.0 {
        return Err(Error::Fit { model: model.into(), message: "no customers to fit".into() });
    }
    let objective = |u: &[f64]| {
        let p: Vec<f64> = u.iter().map(|v| v.exp()).collect();
        let v = -ll(&p) / customers + opts.penalizer * p.iter().map(|x| x * x).sum::<f64>();
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let u0: Vec<f64> = init.iter().map(|v| v.ln()).collect();
    let (hess, warm) = (hess.map(Memo::new), warm.map(|(wh, wn)| (Memo::new(wh), wn)));
    // The first stage's first evaluation is at the start: check there (remembered).
    let start_value = match (&warm, &hess) {
        (Some((wh, wn)), _) => in_log_space_hess(wh, *wn, opts.penalizer)(&u0).0,
        (None, Some(hf)) => in_log_space_hess(hf, customers, opts.penalizer)(&u0).0,
        (None, None) => objective(&u0),
    };
    if !start_value.is_finite() {
        return Err(Error::Fit {
            model: model.into(),
            message: "the likelihood is not finite at the starting values".into(),
        });
    }
    let m = match grad {
        None => optim::minimize(&objective, &u0, opts.max_iterations, tol),
        Some(g) => {
            let in_log_space = |g, n| in_log_space(g, n, opts.penalizer);
            // Warm start: converge by Newton steps on a sample of the rows first (same
            // per-customer scale, a few cheap iterations), then finish on all rows.
            let u_start = match &warm {
                Some((wh, wn)) => {
                    let f = in_log_space_hess(wh, *wn, opts.penalizer);
                    optim::minimize_newton_exact(&f, &u0, opts.max_iterations, tol.max(1e-8)).x
                }
                None => u0.clone(),
            };
            if let Some(hf) = &hess {
                let f = in_log_space_hess(hf, customers, opts.penalizer);
                optim::minimize_newton_exact(&f, &u_start, opts.max_iterations, tol)
            } else {
                optim::minimize_with_gradient(&in_log_space(g, customers), &u_start, None, opts.max_iterations, tol).0
            }
        }
    };
    let params: Vec<f64> = m.x.iter().map(|v| v.exp()).collect();
    // With an analytic Hessian, one evaluation gives the likelihood and the curvature (and
    // the optimiser's last one was there).
    let at_optimum = hess.as_ref().map(|hf| hf.call(&params));
    let log_likelihood = at_optimum.as_ref().map_or_else(|| ll(&params), |v| v.0);
    if !log_likelihood.is_finite() {
        return Err(Error::Fit { model: model.into(), message: "the likelihood is not finite at the optimum".into() });
    }
    let h = match (at_optimum, grad) {
        (Some(v), _) => v.2.iter().map(|row| row.iter().map(|v| -v).collect()).collect(),
        // The Hessian as central differences of the analytic gradient.
        (None, Some(g)) => optim::jacobian(&|p: &[f64]| g(p).1.iter().map(|v| -v).collect(), &params),
        (None, None) => optim::hessian(&|p: &[f64]| -ll(p), &params),
    };
    let std_errors = optim::invert(&h)
        .map(|inv| (0..k).map(|i| if inv[i][i] >= 0.0 { inv[i][i].sqrt() } else { f64::NAN }).collect())
        .unwrap_or_else(|| vec![f64::NAN; k]);
    Ok(FitSummary {
        model: model.into(),
        names: names.iter().map(|s| (*s).to_owned()).collect(),
        params,
        std_errors,
        log_likelihood,
        customers,
        distinct_rows: rows,
        iterations: m.iterations,
        converged: m.converged,
    })
}
