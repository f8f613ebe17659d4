//! Per-customer predictions under every parameter draw, reduced to quantiles.
//!
//! Customers are grouped by their inputs (sorted by x, then T, then t_x, so that work
//! depending on (x, T) only, the BG/NBD hypergeometric series, is done once per run of
//! rows); each group is evaluated under every draw, its values sorted and the quantiles
//! read off. Groups are split over threads in fixed consecutive ranges and each group's
//! result depends on that group alone: the output does not depend on the thread count.

use super::{Fitted, Interval, IntervalMethod, IntervalOptions};
use crate::error::{Error, Result};
use crate::models::special::ln_hyp2f1;
use crate::models::split;
use crate::models::{BetaGeo, BetaGeoBetaBinom, GammaGamma, ModifiedBetaGeo, ParetoNbd, PurchaseModel, RfmData};
use crate::models::{SeriesCache, ShiftedBetaGeo};
use serde::{Deserialize, Serialize};

/// What to predict per customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prediction {
    /// BG/NBD, MBG/NBD, Pareto/NBD: expected purchases in `(T, T + horizon]`; BG/BB:
    /// expected transactions in the next `horizon` opportunities.
    ExpectedPurchases {
        /// Length of the future window in the data's unit (BG/BB: opportunities).
        horizon: f64,
    },
    /// P(alive) at T (BG/BB: at opportunity n + 1).
    ProbabilityAlive,
    /// BG/BB: P(alive `periods` opportunities after the n observed), lifetimes'
    /// `m_periods_in_future` (0: through the observed ones; 1 is [`Self::ProbabilityAlive`]).
    ProbabilityAliveAfter {
        /// Opportunities after the n observed (finite, >= 0).
        periods: f64,
    },
    /// Gamma-Gamma: expected spend per transaction from `frequency` and `monetary_value`.
    AverageProfit,
    /// sBG: the share of a cohort still active after `t` periods (the `t` column).
    Survival,
}

/// Rows grouped by a key: `order` lists the rows group by group, `start[g]..start[g + 1]`
/// is group g's slice of it.
struct Groups {
    order: Vec<u32>,
    start: Vec<usize>,
}

impl Groups {
    fn new(n: usize, key: impl Fn(usize) -> (u64, u64, u64)) -> Groups {
        let mut keyed: Vec<((u64, u64, u64), u32)> = (0..n).map(|i| (key(i), i as u32)).collect();
        keyed.sort_unstable();
        let mut start = Vec::new();
        for k in 0..n {
            if k == 0 || keyed[k].0 != keyed[k - 1].0 {
                start.push(k);
            }
        }
        start.push(n);
        Groups { order: keyed.into_iter().map(|(_, i)| i).collect(), start }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn first(&self, g: usize) -> usize {
        self.order[self.start[g]] as usize
    }

    fn members(&self, g: usize) -> &[u32] {
        &self.order[self.start[g]..self.start[g + 1]]
    }
}

/// Writes the quantiles of `values` at `levels` into `out` (reorders `values`): each by
/// selection in linear time; the same numbers as interpolating linearly between the
/// order statistics of the sorted values (numpy's default).
fn quantiles_into(values: &mut [f64], levels: &[f64], out: &mut Vec<f64>) {
    let n = values.len();
    for q in levels {
        let h = (n - 1) as f64 * q;
        let lo = h.floor() as usize;
        let (_, at, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
        let v = *at;
        let next = above.iter().copied().min_by(f64::total_cmp).unwrap_or(v);
        out.push(v + (h - lo as f64) * (next - v));
    }
}

/// Per group: the point value and the draws' values (written into the slice, one per
/// draw); `S` is scratch a thread keeps from group to group.
trait GroupEval: Sync {
    type Scratch: Default;
    fn point(&self, row: usize) -> f64;
    fn draws(&self, row: usize, out: &mut [f64], scratch: &mut Self::Scratch);
}

/// How a row's values under the parameter points become its quantiles.
pub(crate) enum Reduce {
    /// The values under parameter draws: their quantiles.
    Draws,
    /// The values at the log-parameters moved by ±`STEP` one at a time (parameter k at 2k
    /// and 2k + 1): a normal on the prediction's log (`logit`: logit) scale with the
    /// linearised variance `∇ᵀ Σ ∇`; `z` holds the normal quantiles of the levels.
    Delta { log_covariance: Vec<Vec<f64>>, logit: bool, z: Vec<f64> },
}

/// The step of the delta method's central differences in log-parameter space.
const STEP: f64 = 1e-4;

impl Reduce {
    /// The parameter points to evaluate and how to reduce the values there.
    pub(crate) fn of(fitted: &Fitted<'_>, options: &IntervalOptions, logit: bool) -> Result<(Vec<Vec<f64>>, Reduce)> {
        if options.method != IntervalMethod::Delta {
            return Ok((fitted.parameter_draws(options)?, Reduce::Draws));
        }
        options.check()?;
        let u = fitted.parameter_uncertainty_penalized(options.fit.penalizer)?;
        Ok((moved(&u.params), Reduce::delta(u.log_covariance, logit, &options.levels)))
    }

    fn delta(log_covariance: Vec<Vec<f64>>, logit: bool, levels: &[f64]) -> Reduce {
        Reduce::Delta { log_covariance, logit, z: levels.iter().map(|q| super::normal_quantile(*q)).collect() }
    }

    fn apply(&self, point: f64, values: &mut [f64], levels: &[f64], out: &mut Vec<f64>) {
        let Reduce::Delta { log_covariance, logit, z } = self else {
            return quantiles_into(values, levels, out);
        };
        // The scale: log for positive predictions, logit for probabilities, linear when a
        // value is on the boundary (0, or 1 for a probability).
        let inside = |v: f64| if *logit { v > 0.0 && v < 1.0 } else { v > 0.0 };
        let scaled = values.iter().all(|v| inside(*v)) && inside(point);
        let fwd = |v: f64| match (scaled, logit) {
            (false, _) => v,
            (true, false) => v.ln(),
            (true, true) => (v / (1.0 - v)).ln(),
        };
        let back = |g: f64| match (scaled, logit) {
            (false, _) => g,
            (true, false) => g.exp(),
            (true, true) => 1.0 / (1.0 + (-g).exp()),
        };
        let k = log_covariance.len();
        let grad: Vec<f64> = (0..k).map(|i| (fwd(values[2 * i]) - fwd(values[2 * i + 1])) / (2.0 * STEP)).collect();
        let var: f64 = (0..k).map(|i| (0..k).map(|j| grad[i] * log_covariance[i][j] * grad[j]).sum::<f64>()).sum();
        let (center, sd) = (fwd(point), var.max(0.0).sqrt());
        out.extend(z.iter().map(|z| back(center + z * sd)));
    }
}

/// The parameters with each log-parameter moved by +STEP and -STEP in turn.
fn moved(params: &[f64]) -> Vec<Vec<f64>> {
    let mut out = Vec::with_capacity(2 * params.len());
    for k in 0..params.len() {
        for sign in [1.0, -1.0] {
            let mut p = params.to_vec();
            p[k] *= (sign * STEP).exp();
            out.push(p);
        }
    }
    out
}

/// Evaluates each group at every parameter point and spreads the reduced values to its
/// members.
fn grouped<E: GroupEval>(
    eval: &E,
    groups: &Groups,
    n: usize,
    draws: usize,
    reduce: &Reduce,
    levels: &[f64],
) -> Interval {
    let per_group: Vec<(f64, Vec<f64>)> = split(groups.len(), draws * 20, |range| {
        let mut scratch = E::Scratch::default();
        let mut values = vec![0.0; draws];
        range
            .map(|g| {
                let row = groups.first(g);
                eval.draws(row, &mut values, &mut scratch);
                let point = eval.point(row);
                let mut q = Vec::with_capacity(levels.len());
                reduce.apply(point, &mut values, levels, &mut q);
                (point, q)
            })
            .collect()
    });
    let mut point = vec![0.0; n];
    let mut bounds = vec![vec![0.0; n]; levels.len()];
    for (g, (p, q)) in per_group.iter().enumerate() {
        for &i in groups.members(g) {
            point[i as usize] = *p;
            for (col, v) in bounds.iter_mut().zip(q) {
                col[i as usize] = *v;
            }
        }
    }
    Interval { levels: levels.to_vec(), point, bounds }
}

/// A model's per-row function, evaluated under the point estimate and each draw.
struct PerRow<M, F> {
    point: M,
    models: Vec<M>,
    f: F,
}

impl<M: Sync, F: Fn(&M, usize) -> f64 + Sync> GroupEval for PerRow<M, F> {
    type Scratch = ();
    fn point(&self, row: usize) -> f64 {
        (self.f)(&self.point, row)
    }
    fn draws(&self, row: usize, out: &mut [f64], _: &mut ()) {
        for (o, m) in out.iter_mut().zip(&self.models) {
            *o = (self.f)(m, row);
        }
    }
}

/// BG/NBD expected purchases with the hypergeometric series per draw kept while (x, T)
/// stays the same (rows are grouped in (x, T, t_x) order).
struct BgExpected<'a> {
    point: BetaGeo,
    models: Vec<BetaGeo>,
    rows: &'a RfmData,
    horizon: f64,
}

#[derive(Default)]
struct SeriesPerDraw {
    key: Option<(u64, u64)>,
    ln_f: Vec<f64>,
}

impl GroupEval for BgExpected<'_> {
    type Scratch = SeriesPerDraw;
    fn point(&self, row: usize) -> f64 {
        let d = self.rows;
        self.point.conditional_expected_purchases(self.horizon, d.frequency[row], d.recency[row], d.t[row])
    }
    fn draws(&self, row: usize, out: &mut [f64], scratch: &mut SeriesPerDraw) {
        let (x, tx, t, h) = (self.rows.frequency[row], self.rows.recency[row], self.rows.t[row], self.horizon);
        let key = Some((x.to_bits(), t.to_bits()));
        if scratch.key != key {
            scratch.ln_f.clear();
            scratch.ln_f.extend(
                self.models.iter().map(|m| ln_hyp2f1(m.r + x, m.b + x, m.a + m.b + x - 1.0, h / (m.alpha + t + h))),
            );
            scratch.key = key;
        }
        for ((o, m), f) in out.iter_mut().zip(&self.models).zip(&scratch.ln_f) {
            let mut v = [0.0];
            m.expected_from_series(&[h], x, tx, t, &[*f], &mut v);
            *o = v[0];
        }
    }
}

/// The (x, T, t_x) grouping key of the rows (x first, then T, so that runs share (x, T)).
fn history_key(d: &RfmData) -> impl Fn(usize) -> (u64, u64, u64) + '_ {
    |i| (d.frequency[i].to_bits(), d.t[i].to_bits(), d.recency[i].to_bits())
}

fn unsupported(model: &str, what: Prediction) -> Error {
    Error::config("prediction", format!("{what:?} is not a prediction of {model}"))
}

/// Checks the prediction rows: a history (x whole >= 0, 0 <= t_x <= T), BG/BB rows whole.
fn check_rows(fitted: &Fitted<'_>, what: Prediction, rows: &RfmData, monetary: Option<&[f64]>) -> Result<()> {
    let check_history = || RfmData::new(rows.frequency.clone(), rows.recency.clone(), rows.t.clone()).map(|_| ());
    match (fitted, what) {
        (Fitted::GammaGamma(..), Prediction::AverageProfit) => {
            let m = monetary.ok_or_else(|| Error::config("monetary_value", "is required for AverageProfit"))?;
            crate::transaction::check_len("monetary_value", m.len(), "frequency", rows.len())?;
            for (i, &x) in rows.frequency.iter().enumerate() {
                if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
                    return Err(Error::invalid(i, "frequency", format!("{x} is not a whole number >= 0")));
                }
                if !m[i].is_finite() {
                    return Err(Error::invalid(i, "monetary_value", format!("{} is not finite", m[i])));
                }
            }
            Ok(())
        }
        (Fitted::ShiftedBetaGeo(..), Prediction::Survival) => {
            match rows.t.iter().position(|t| !(t.is_finite() && *t >= 0.0)) {
                Some(i) => Err(Error::invalid(i, "t", format!("{} is not a finite number >= 0", rows.t[i]))),
                None => Ok(()),
            }
        }
        (Fitted::BetaGeoBetaBinom(..), _) => {
            check_history()?;
            let whole = |v: f64| v.fract() == 0.0;
            match (0..rows.len()).find(|&i| {
                !(whole(rows.frequency[i]) && whole(rows.recency[i]) && whole(rows.t[i]))
                    || rows.frequency[i] > rows.recency[i]
            }) {
                Some(i) => Err(Error::invalid(
                    i,
                    "frequency",
                    format!(
                        "({}, {}, {}) is not whole 0 <= x <= t_x <= n",
                        rows.frequency[i], rows.recency[i], rows.t[i]
                    ),
                )),
                None => Ok(()),
            }
        }
        _ => check_history(),
    }
}

impl Fitted<'_> {
    /// The prediction `what` for each of `rows` (histories x, t_x, T; Gamma-Gamma:
    /// `frequency` with `monetary_value`; sBG: periods in `t`), at the point estimate and
    /// at the quantiles `options.levels` over the parameter draws.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a prediction the model does not make, a horizon that is
    /// not finite and >= 0, or options out of range; [`Error::InvalidValue`] naming the row
    /// and column of a bad input; as [`Self::parameter_draws`].
    pub fn intervals(
        &self,
        what: Prediction,
        rows: &RfmData,
        monetary_value: Option<&[f64]>,
        options: &IntervalOptions,
    ) -> Result<Interval> {
        options.check()?;
        if let Prediction::ExpectedPurchases { horizon } = what {
            if !(horizon.is_finite() && horizon >= 0.0) {
                return Err(Error::config("horizon", format!("{horizon} is not a finite number >= 0")));
            }
        }
        if let Prediction::ProbabilityAliveAfter { periods } = what {
            if !(periods.is_finite() && periods >= 0.0) {
                return Err(Error::config("periods", format!("{periods} is not a finite number >= 0")));
            }
        }
        let supported = matches!(
            (self, what),
            (
                Fitted::BetaGeo(..)
                    | Fitted::ModifiedBetaGeo(..)
                    | Fitted::ParetoNbd(..)
                    | Fitted::BetaGeoBetaBinom(..),
                Prediction::ExpectedPurchases { .. } | Prediction::ProbabilityAlive
            ) | (Fitted::BetaGeoBetaBinom(..), Prediction::ProbabilityAliveAfter { .. })
                | (Fitted::GammaGamma(..), Prediction::AverageProfit)
                | (Fitted::ShiftedBetaGeo(..), Prediction::Survival)
        );
        if !supported {
            return Err(unsupported(self.name(), what));
        }
        check_rows(self, what, rows, monetary_value)?;
        let probability = matches!(
            what,
            Prediction::ProbabilityAlive | Prediction::ProbabilityAliveAfter { .. } | Prediction::Survival
        );
        let (draws, reduce) = Reduce::of(self, options, probability)?;
        // sBG rows are periods in `t` alone.
        let n = if what == Prediction::Survival { rows.t.len() } else { rows.len() };
        let (d, levels) = (draws.len(), options.levels.as_slice());
        let history = Groups::new(if what == Prediction::Survival { 0 } else { n }, history_key(rows));
        macro_rules! per_row {
            ($m:ty, $build:expr, $groups:expr, $f:expr) => {{
                let build: fn(&[f64]) -> $m = $build;
                let eval =
                    PerRow { point: build(&self.params()), models: draws.iter().map(|p| build(p)).collect(), f: $f };
                Ok(grouped(&eval, $groups, n, d, &reduce, levels))
            }};
        }
        let (x, tx, t) = (&rows.frequency, &rows.recency, &rows.t);
        match (self, what) {
            (Fitted::BetaGeo(m, _), Prediction::ExpectedPurchases { horizon }) => {
                let eval = BgExpected {
                    point: *m,
                    models: draws.iter().map(|p| BetaGeo::from_params(p)).collect(),
                    rows,
                    horizon,
                };
                Ok(grouped(&eval, &history, n, d, &reduce, levels))
            }
            (Fitted::BetaGeo(..), _) => {
                per_row!(BetaGeo, |p| BetaGeo::from_params(p), &history, |m: &BetaGeo, i| m
                    .probability_alive(x[i], tx[i], t[i]))
            }
            (Fitted::ModifiedBetaGeo(..), Prediction::ExpectedPurchases { horizon }) => {
                per_row!(ModifiedBetaGeo, |p| ModifiedBetaGeo::from_params(p), &history, |m: &ModifiedBetaGeo, i| m
                    .conditional_expected_purchases(horizon, x[i], tx[i], t[i]))
            }
            (Fitted::ModifiedBetaGeo(..), _) => {
                per_row!(ModifiedBetaGeo, |p| ModifiedBetaGeo::from_params(p), &history, |m: &ModifiedBetaGeo, i| m
                    .probability_alive(x[i], tx[i], t[i]))
            }
            (Fitted::ParetoNbd(..), Prediction::ExpectedPurchases { horizon }) => {
                per_row!(ParetoNbd, |p| ParetoNbd::from_params(p), &history, |m: &ParetoNbd, i| m
                    .conditional_expected_purchases(horizon, x[i], tx[i], t[i]))
            }
            (Fitted::ParetoNbd(..), _) => {
                per_row!(ParetoNbd, |p| ParetoNbd::from_params(p), &history, |m: &ParetoNbd, i| m
                    .probability_alive(x[i], tx[i], t[i]))
            }
            (Fitted::BetaGeoBetaBinom(..), Prediction::ExpectedPurchases { horizon }) => {
                per_row!(BetaGeoBetaBinom, bgbb, &history, |m: &BetaGeoBetaBinom, i| m
                    .conditional_expected_purchases(horizon, x[i], tx[i], t[i]))
            }
            (Fitted::BetaGeoBetaBinom(..), Prediction::ProbabilityAliveAfter { periods }) => {
                per_row!(BetaGeoBetaBinom, bgbb, &history, |m: &BetaGeoBetaBinom, i| m
                    .probability_alive_after(periods, x[i], tx[i], t[i]))
            }
            (Fitted::BetaGeoBetaBinom(..), _) => {
                per_row!(BetaGeoBetaBinom, bgbb, &history, |m: &BetaGeoBetaBinom, i| m
                    .probability_alive(x[i], tx[i], t[i]))
            }
            (Fitted::GammaGamma(..), _) => {
                let m = monetary_value.unwrap_or_default();
                let spend = Groups::new(n, |i| (x[i].to_bits(), m[i].to_bits(), 0));
                per_row!(GammaGamma, gamma_gamma, &spend, |g: &GammaGamma, i| g
                    .conditional_expected_average_profit(x[i], m[i]))
            }
            (Fitted::ShiftedBetaGeo(..), _) => {
                let periods = Groups::new(n, |i| (t[i].to_bits(), 0, 0));
                per_row!(
                    ShiftedBetaGeo,
                    |p| ShiftedBetaGeo { alpha: p[0], beta: p[1] },
                    &periods,
                    |s: &ShiftedBetaGeo, i| s.survival(t[i])
                )
            }
        }
    }
}

fn bgbb(p: &[f64]) -> BetaGeoBetaBinom {
    BetaGeoBetaBinom { alpha: p[0], beta: p[1], gamma: p[2], delta: p[3] }
}

fn gamma_gamma(p: &[f64]) -> GammaGamma {
    GammaGamma { p: p[0], q: p[1], v: p[2] }
}

/// Discounted purchases over the months of one history under one model (the sum CLV
/// multiplies by expected spend).
#[allow(clippy::too_many_arguments)]
fn discounted(
    m: &dyn PurchaseModel,
    horizons: &[f64],
    discounts: &[f64],
    x: f64,
    tx: f64,
    t: f64,
    upto: &mut [f64],
    cache: &mut SeriesCache,
) -> f64 {
    m.predict_many(horizons, x, tx, t, upto, cache);
    let (mut before, mut sum) = (0.0, 0.0);
    for (u, d) in upto.iter().zip(discounts) {
        sum += (u - before) / d;
        before = *u;
    }
    sum
}

/// CLV intervals: the purchase model's and the Gamma-Gamma model's parameters are drawn
/// independently (their likelihoods are separate), each draw pair gives each customer a
/// CLV (as [`crate::models::customer_lifetime_value`]: `months` months, `monthly_discount`
/// a month, `units_per_month` time units a month), and the quantiles are taken per
/// customer. The spend draws use the seed after `options.seed` (`seed + 1`) and
/// `options.spend_fit` when given (the Gamma-Gamma fit's own penalty).
///
/// # Errors
/// [`Error::InvalidConfig`] when `purchase` is not BG/NBD, MBG/NBD or Pareto/NBD, `spend`
/// not Gamma-Gamma, or a number is out of range; [`Error::InvalidValue`] for bad rows; as
/// [`Fitted::parameter_draws`].
#[allow(clippy::too_many_arguments)]
pub fn clv_intervals(
    purchase: &Fitted<'_>,
    spend: &Fitted<'_>,
    rows: &RfmData,
    monetary_value: &[f64],
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    options: &IntervalOptions,
) -> Result<Interval> {
    options.check()?;
    let Fitted::GammaGamma(..) = spend else {
        return Err(Error::config("spend", format!("{} is not a Gamma-Gamma model", spend.name())));
    };
    if !(monthly_discount.is_finite() && monthly_discount >= 0.0) {
        return Err(Error::config("monthly_discount", format!("{monthly_discount} is not a finite number >= 0")));
    }
    if !(units_per_month.is_finite() && units_per_month > 0.0) {
        return Err(Error::config("units_per_month", format!("{units_per_month} is not a number > 0")));
    }
    if !(1..=1200).contains(&months) {
        return Err(Error::config("months", format!("{months} is not in 1..=1200")));
    }
    let build: fn(&[f64]) -> Box<dyn PurchaseModel + Sync> = match purchase {
        Fitted::BetaGeo(..) => |p| Box::new(BetaGeo::from_params(p)),
        Fitted::ModifiedBetaGeo(..) => |p| Box::new(ModifiedBetaGeo::from_params(p)),
        Fitted::ParetoNbd(..) => |p| Box::new(ParetoNbd::from_params(p)),
        _ => return Err(Error::config("purchase", format!("{} does not predict purchases in time", purchase.name()))),
    };
    check_rows(purchase, Prediction::ProbabilityAlive, rows, None)?;
    check_rows(spend, Prediction::AverageProfit, rows, Some(monetary_value))?;
    let delta = options.method == IntervalMethod::Delta;
    // Each model with the options it was fitted with (its penalty).
    let spend_options = IntervalOptions {
        seed: options.seed.wrapping_add(1),
        fit: options.spend_fit.clone().unwrap_or_else(|| options.fit.clone()),
        ..options.clone()
    };
    let (purchase_draws, spend_draws, reduce) = if delta {
        // Both models' log-parameters, their covariance block-diagonal.
        let (pu, su) = (
            purchase.parameter_uncertainty_penalized(options.fit.penalizer)?,
            spend.parameter_uncertainty_penalized(spend_options.fit.penalizer)?,
        );
        let (kp, ks) = (pu.params.len(), su.params.len());
        let cov: Vec<Vec<f64>> = (0..kp + ks)
            .map(|i| {
                (0..kp + ks)
                    .map(|j| match (i < kp, j < kp) {
                        (true, true) => pu.log_covariance[i][j],
                        (false, false) => su.log_covariance[i - kp][j - kp],
                        _ => 0.0,
                    })
                    .collect()
            })
            .collect();
        (moved(&pu.params), moved(&su.params), Reduce::delta(cov, false, &options.levels))
    } else {
        (purchase.parameter_draws(options)?, spend.parameter_draws(&spend_options)?, Reduce::Draws)
    };
    let models: Vec<Box<dyn PurchaseModel + Sync>> = purchase_draws.iter().map(|p| build(p)).collect();
    let spends: Vec<GammaGamma> = spend_draws.iter().map(|p| gamma_gamma(p)).collect();
    let (point_model, point_spend) = (build(&purchase.params()), gamma_gamma(&spend.params()));
    let horizons: Vec<f64> = (1..=months).map(|m| m as f64 * units_per_month).collect();
    let discounts: Vec<f64> = (1..=months).map(|m| (1.0 + monthly_discount).powi(m as i32)).collect();
    let (n, d, levels) = (rows.len(), models.len(), options.levels.as_slice());
    if delta {
        // CLV is linear in the spend: the purchase points through the plain CLV (its
        // fastest path), the spend points by rescaling the CLV at the point.
        let clv = |m: &(dyn PurchaseModel + Sync)| {
            crate::models::customer_lifetime_value(
                m,
                &point_spend,
                rows,
                monetary_value,
                months,
                monthly_discount,
                units_per_month,
            )
        };
        let point = clv(point_model.as_ref());
        let moved: Vec<Vec<f64>> = models.iter().map(|m| clv(m.as_ref())).collect();
        let x = &rows.frequency;
        let bounds_by_row: Vec<Vec<f64>> = split(n, 50, |range| {
            let mut values = vec![0.0; d + spends.len()];
            range
                .map(|i| {
                    let s0 = point_spend.conditional_expected_average_profit(x[i], monetary_value[i]);
                    for (v, c) in values.iter_mut().zip(&moved) {
                        *v = c[i];
                    }
                    for (v, s) in values[d..].iter_mut().zip(&spends) {
                        *v = s.conditional_expected_average_profit(x[i], monetary_value[i]) / s0 * point[i];
                    }
                    let mut q = Vec::with_capacity(levels.len());
                    reduce.apply(point[i], &mut values, levels, &mut q);
                    q
                })
                .collect()
        });
        let bounds = (0..levels.len()).map(|k| bounds_by_row.iter().map(|q| q[k]).collect()).collect();
        return Ok(Interval { levels: levels.to_vec(), point, bounds });
    }
    let groups = Groups::new(n, history_key(rows));
    let (x, tx, t) = (&rows.frequency, &rows.recency, &rows.t);
    // Per history group: the discounted purchases under each draw, then each member's CLV
    // under each draw pair (member-specific through the spend).
    let per_customer: Vec<(u32, f64, Vec<f64>)> = split(groups.len(), d * 200, |range| {
        let mut upto = vec![0.0; horizons.len()];
        let mut caches: Vec<SeriesCache> = (0..d).map(|_| SeriesCache::default()).collect();
        let mut point_cache = SeriesCache::default();
        let (mut factors, mut values) = (vec![0.0; d], vec![0.0; d]);
        let mut out = Vec::new();
        for g in range {
            let row = groups.first(g);
            let (xi, txi, ti) = (x[row], tx[row], t[row]);
            for ((f, m), c) in factors.iter_mut().zip(&models).zip(caches.iter_mut()) {
                *f = discounted(m.as_ref(), &horizons, &discounts, xi, txi, ti, &mut upto, c);
            }
            let point_factor =
                discounted(point_model.as_ref(), &horizons, &discounts, xi, txi, ti, &mut upto, &mut point_cache);
            for &i in groups.members(g) {
                let m = monetary_value[i as usize];
                let spend0 = point_spend.conditional_expected_average_profit(xi, m);
                for ((v, f), s) in values.iter_mut().zip(&factors).zip(&spends) {
                    *v = s.conditional_expected_average_profit(xi, m) * f;
                }
                let mut q = Vec::with_capacity(levels.len());
                reduce.apply(spend0 * point_factor, &mut values, levels, &mut q);
                out.push((i, spend0 * point_factor, q));
            }
        }
        out
    });
    let mut point = vec![0.0; n];
    let mut bounds = vec![vec![0.0; n]; levels.len()];
    for (i, p, q) in per_customer {
        point[i as usize] = p;
        for (col, v) in bounds.iter_mut().zip(q) {
            col[i as usize] = v;
        }
    }
    Ok(Interval { levels: levels.to_vec(), point, bounds })
}

#[cfg(test)]
mod tests {
    use super::quantiles_into;

    #[test]
    fn selected_quantiles_equal_interpolated_order_statistics() {
        let values: Vec<f64> = (0..101).map(|i| ((i * 37) % 101) as f64 * 0.5).collect();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let levels = [0.05, 0.1234, 0.5, 0.95, 0.999];
        let mut out = Vec::new();
        quantiles_into(&mut values.clone(), &levels, &mut out);
        for (q, v) in levels.iter().zip(&out) {
            let h = 100.0 * q;
            let lo = h.floor() as usize;
            let expected = sorted[lo] + (h - lo as f64) * (sorted[(lo + 1).min(100)] - sorted[lo]);
            assert!((v - expected).abs() < 1e-12, "{q}: {v} vs {expected}");
        }
        // numpy.quantile(np.arange(5.0), [0.05, 0.95]) = [0.2, 3.8]
        let mut out = Vec::new();
        quantiles_into(&mut [4.0, 0.0, 3.0, 1.0, 2.0], &[0.05, 0.95], &mut out);
        assert!((out[0] - 0.2).abs() < 1e-12 && (out[1] - 3.8).abs() < 1e-12);
    }
}
