//! Prediction intervals for `crm.lifetimes` (crm-core `models::uncertainty`): the
//! parameters' covariance, and per-row predictions with quantiles over the parameters'
//! uncertainty. Models and parameters travel as in `models.rs`; the fit data come along
//! (the Hessian is evaluated on them, the bootstrap resamples them).

use crate::analytics::core;
use crate::arrays::Values;
use crate::errors::{Failure, Fallible, detached};
use crm_core::models::uncertainty::{
    Fitted, Interval, IntervalMethod, IntervalOptions, ParameterUncertainty, Prediction, SpendData, clv_intervals,
};
use crm_core::models::{
    BetaGeo, BetaGeoBetaBinom, FitOptions, GammaGamma, ModifiedBetaGeo, ParetoNbd, RfmData, ShiftedBetaGeo,
};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

fn owned(a: Option<PyReadonlyArray1<'_, f64>>) -> Option<Vec<f64>> {
    a.map(|a| a.values())
}

/// A model's fit data, owned.
enum FitData {
    Rfm(RfmData),
    Spend(SpendData),
    Cohort(Vec<f64>),
}

fn params_of(params: &[f64], n: usize) -> Fallible<()> {
    if params.len() == n {
        Ok(())
    } else {
        Err(Failure::config("params", format!("{} values, expected {n}", params.len())))
    }
}

impl FitData {
    /// `a, b, c, weights` as `_fit_model` takes them; sBG: `a` holds the cohort counts.
    fn new(model: &str, a: Vec<f64>, b: Option<Vec<f64>>, c: Option<Vec<f64>>, w: Option<Vec<f64>>) -> Fallible<Self> {
        let need =
            |v: Option<Vec<f64>>, name: &str| v.ok_or_else(|| Failure::config(name, "is required for this model"));
        Ok(match model {
            "sbg" => FitData::Cohort(a),
            "gammagamma" => {
                let b = need(b, "monetary_value")?;
                let n = a.len();
                if b.len() != n {
                    return Err(Failure::config("monetary_value", format!("{} values for {n} rows", b.len())));
                }
                FitData::Spend(SpendData {
                    frequency: a,
                    monetary_value: b,
                    weights: w.unwrap_or_else(|| vec![1.0; n]),
                })
            }
            _ => {
                let (b, c) = (need(b, "recency")?, need(c, "T")?);
                FitData::Rfm(
                    match w {
                        Some(w) => RfmData::with_weights(a, b, c, w),
                        None => RfmData::new(a, b, c),
                    }
                    .map_err(core)?,
                )
            }
        })
    }

    fn fitted<'a>(&'a self, model: &str, p: &[f64]) -> Fallible<Fitted<'a>> {
        let k = if matches!(model, "sbg") {
            2
        } else if model == "gammagamma" {
            3
        } else {
            4
        };
        params_of(p, k)?;
        Ok(match (model, self) {
            ("bgnbd", FitData::Rfm(d)) => Fitted::BetaGeo(BetaGeo::from_params(p), d),
            ("mbgnbd", FitData::Rfm(d)) => Fitted::ModifiedBetaGeo(ModifiedBetaGeo::from_params(p), d),
            ("paretonbd", FitData::Rfm(d)) => Fitted::ParetoNbd(ParetoNbd::from_params(p), d),
            ("bgbb", FitData::Rfm(d)) => {
                Fitted::BetaGeoBetaBinom(BetaGeoBetaBinom { alpha: p[0], beta: p[1], gamma: p[2], delta: p[3] }, d)
            }
            ("gammagamma", FitData::Spend(s)) => Fitted::GammaGamma(GammaGamma { p: p[0], q: p[1], v: p[2] }, s),
            ("sbg", FitData::Cohort(c)) => Fitted::ShiftedBetaGeo(ShiftedBetaGeo { alpha: p[0], beta: p[1] }, c),
            (other, _) => return Err(Failure::config("model", format!("unknown model {other:?}"))),
        })
    }
}

/// The interval options. `draws` and `seed` come as Python ints of any sign and size: one
/// out of range (a negative one too) is a `ConfigError` naming it, not an `OverflowError`.
fn options(
    method: &str,
    draws: i128,
    levels: Option<Vec<f64>>,
    seed: i128,
    penalizer: f64,
) -> Fallible<IntervalOptions> {
    let draws = usize::try_from(draws).map_err(|_| {
        Failure::config("draws", format!("{draws} is not in 2..={}", crm_core::models::uncertainty::MAX_DRAWS))
    })?;
    let seed = u64::try_from(seed).map_err(|_| Failure::config("seed", format!("{seed} is not a seed in 0..2^64")))?;
    let method = match method {
        "normal" => IntervalMethod::Normal,
        "bootstrap" => IntervalMethod::Bootstrap,
        "delta" => IntervalMethod::Delta,
        other => {
            return Err(Failure::config("method", format!("{other:?} is not \"normal\", \"delta\" or \"bootstrap\"")));
        }
    };
    let o = IntervalOptions {
        method,
        draws,
        levels: levels.unwrap_or_else(|| IntervalOptions::default().levels),
        seed,
        fit: FitOptions { penalizer, ..FitOptions::default() },
        spend_fit: None,
    };
    o.check().map_err(core)?;
    Ok(o)
}

/// (point, one array per level).
type IntervalArrays<'py> = (Bound<'py, PyArray1<f64>>, Vec<Bound<'py, PyArray1<f64>>>);

fn arrays(py: Python<'_>, out: Interval) -> IntervalArrays<'_> {
    (PyArray1::from_vec(py, out.point), out.bounds.into_iter().map(|b| PyArray1::from_vec(py, b)).collect())
}

/// The parameters' covariance at the optimum: (names, covariance rows, log-parameter
/// covariance rows, standard errors).
#[pyfunction]
#[pyo3(signature = (model, params, a, b=None, c=None, weights=None))]
#[allow(clippy::type_complexity)]
pub(crate) fn _parameter_covariance(
    py: Python<'_>,
    model: &str,
    params: Vec<f64>,
    a: PyReadonlyArray1<'_, f64>,
    b: Option<PyReadonlyArray1<'_, f64>>,
    c: Option<PyReadonlyArray1<'_, f64>>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
) -> Fallible<(Vec<String>, Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>)> {
    let data = FitData::new(model, a.values(), owned(b), owned(c), owned(weights))?;
    let model = model.to_owned();
    let u: ParameterUncertainty =
        detached(py, move || data.fitted(&model, &params)?.parameter_uncertainty().map_err(core))?;
    Ok((u.names, u.covariance, u.log_covariance, u.std_errors))
}

/// Per-row predictions with quantiles over the parameters' uncertainty. `what`:
/// "conditional" (expected purchases in the next `horizon`), "alive", "average_profit"
/// (Gamma-Gamma: `x` frequency, `monetary_value`), "survival" (sBG: periods in `big_t`).
/// The fit data `a, b, c, weights` as `_fit_model` (sBG: `a` the cohort counts).
#[pyfunction]
#[pyo3(signature = (model, params, what, a, b=None, c=None, weights=None, x=None, tx=None, big_t=None,
    monetary_value=None, horizon=0.0, method="normal", draws=500, levels=None, seed=0, penalizer=0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _predict_interval<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    what: &str,
    a: PyReadonlyArray1<'_, f64>,
    b: Option<PyReadonlyArray1<'_, f64>>,
    c: Option<PyReadonlyArray1<'_, f64>>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    x: Option<PyReadonlyArray1<'_, f64>>,
    tx: Option<PyReadonlyArray1<'_, f64>>,
    big_t: Option<PyReadonlyArray1<'_, f64>>,
    monetary_value: Option<PyReadonlyArray1<'_, f64>>,
    horizon: f64,
    method: &str,
    draws: i128,
    levels: Option<Vec<f64>>,
    seed: i128,
    penalizer: f64,
) -> Fallible<IntervalArrays<'py>> {
    let o = options(method, draws, levels, seed, penalizer)?;
    let data = FitData::new(model, a.values(), owned(b), owned(c), owned(weights))?;
    let prediction = match what {
        "conditional" => Prediction::ExpectedPurchases { horizon },
        "alive" => Prediction::ProbabilityAlive,
        "alive_after" => Prediction::ProbabilityAliveAfter { periods: horizon },
        "average_profit" => Prediction::AverageProfit,
        "survival" => Prediction::Survival,
        other => return Err(Failure::config("what", format!("unknown prediction {other:?}"))),
    };
    let (x, tx, bt, m) = (owned(x), owned(tx), owned(big_t), owned(monetary_value));
    let n = [&x, &tx, &bt].iter().find_map(|v| v.as_ref().map(Vec::len)).unwrap_or(0);
    let rows = RfmData {
        weights: vec![1.0; n],
        frequency: x.unwrap_or_else(|| vec![0.0; n]),
        recency: tx.unwrap_or_else(|| vec![0.0; n]),
        t: bt.unwrap_or_else(|| vec![0.0; n]),
    };
    for (name, v) in [("tx", &rows.recency), ("T", &rows.t)] {
        if v.len() != n {
            return Err(Failure::config(name, format!("{} values for {n} rows", v.len())));
        }
    }
    let model = model.to_owned();
    let out = detached(py, move || {
        data.fitted(&model, &params)?.intervals(prediction, &rows, m.as_deref(), &o).map_err(core)
    })?;
    Ok(arrays(py, out))
}

/// CLV with quantiles over both models' parameter uncertainty (lifetimes' CLV: `months`
/// months, `discount` a month, `units_per_month` time units a month); `penalizer` and
/// `gg_penalizer` those the two models were fitted with.
#[pyfunction]
#[pyo3(signature = (model, params, a, b, c, weights, gg_params, gg_x, gg_m, gg_weights, x, tx, big_t,
    monetary_value, months=12, discount=0.01, units_per_month=30.0, method="normal", draws=500, levels=None, seed=0,
    penalizer=0.0, gg_penalizer=0.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _clv_interval<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    a: PyReadonlyArray1<'_, f64>,
    b: PyReadonlyArray1<'_, f64>,
    c: PyReadonlyArray1<'_, f64>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    gg_params: Vec<f64>,
    gg_x: PyReadonlyArray1<'_, f64>,
    gg_m: PyReadonlyArray1<'_, f64>,
    gg_weights: Option<PyReadonlyArray1<'_, f64>>,
    x: PyReadonlyArray1<'_, f64>,
    tx: PyReadonlyArray1<'_, f64>,
    big_t: PyReadonlyArray1<'_, f64>,
    monetary_value: PyReadonlyArray1<'_, f64>,
    months: u32,
    discount: f64,
    units_per_month: f64,
    method: &str,
    draws: i128,
    levels: Option<Vec<f64>>,
    seed: i128,
    penalizer: f64,
    gg_penalizer: f64,
) -> Fallible<IntervalArrays<'py>> {
    // Each model with its own fit's penalty.
    let mut o = options(method, draws, levels, seed, penalizer)?;
    o.spend_fit = Some(FitOptions { penalizer: gg_penalizer, ..FitOptions::default() });
    let purchase = FitData::new(model, a.values(), owned(Some(b)), owned(Some(c)), owned(weights))?;
    let spend = FitData::new("gammagamma", gg_x.values(), owned(Some(gg_m)), None, owned(gg_weights))?;
    let rows = RfmData::new(x.values(), tx.values(), big_t.values()).map_err(core)?;
    let m = monetary_value.values();
    let model = model.to_owned();
    let out = detached(py, move || {
        let (p, s) = (purchase.fitted(&model, &params)?, spend.fitted("gammagamma", &gg_params)?);
        clv_intervals(&p, &s, &rows, &m, months, discount, units_per_month, &o).map_err(core)
    })?;
    Ok(arrays(py, out))
}
