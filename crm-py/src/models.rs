//! The probabilistic models for `crm.lifetimes`: fit from numpy arrays, predict into numpy
//! arrays. Models are named "bgnbd", "mbgnbd", "paretonbd", "bgbb", "gammagamma" and "sbg"
//! (contractual churn, for `crm.ShiftedBetaGeo`); parameters travel as plain lists in the
//! core's order.

use crate::analytics::core;
use crate::arrays::Values;
use crate::errors::{Failure, Fallible, detached};
use crm_core::models::{
    BetaGeo, BetaGeoBetaBinom, FitOptions, GammaGamma, ModifiedBetaGeo, ParetoNbd, PurchaseModel, RfmData,
    ShiftedBetaGeo, TimeUnit, customer_lifetime_value, customer_lifetime_value_with_spend, summary_from_transactions,
};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;

fn vec(a: Option<PyReadonlyArray1<'_, f64>>, name: &str) -> Fallible<Vec<f64>> {
    let a = a.ok_or_else(|| Failure::config(name, "is required for this model"))?;
    Ok(a.values())
}

fn params_of(params: &[f64], n: usize) -> Fallible<()> {
    if params.len() == n {
        Ok(())
    } else {
        Err(Failure::config("params", format!("{} values, expected {n}", params.len())))
    }
}

/// What a fit found: (names, params, standard errors, log-likelihood, customers,
/// iterations, converged).
type FitOut = (Vec<String>, Vec<f64>, Vec<f64>, f64, f64, usize, bool);

/// Fits a model. `a, b, c` are frequency, recency, T (n_periods for "bgbb"); for
/// "gammagamma" frequency and monetary value; for "sbg" `a` is a cohort's customers still
/// active at the start of each period (`b` is not read).
#[pyfunction]
#[pyo3(signature = (model, a, b, c=None, weights=None, initial=None, penalizer=0.0, max_iterations=500, tolerance=1e-10))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _fit_model(
    py: Python<'_>,
    model: &str,
    a: PyReadonlyArray1<'_, f64>,
    b: PyReadonlyArray1<'_, f64>,
    c: Option<PyReadonlyArray1<'_, f64>>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    initial: Option<Vec<f64>>,
    penalizer: f64,
    max_iterations: usize,
    tolerance: f64,
) -> Fallible<FitOut> {
    let (x, y) = (a.values(), b.values());
    let model = model.to_owned();
    let c = c.map(|c| c.values());
    let w = weights.map(|w| w.values());
    let options = FitOptions { penalizer, initial, max_iterations, tolerance };
    let s = detached(py, move || {
        let rfm = |c: Option<Vec<f64>>| -> Fallible<RfmData> {
            let t = c.ok_or_else(|| Failure::config("T", "is required for this model"))?;
            match &w {
                Some(w) => RfmData::with_weights(x.clone(), y.clone(), t, w.clone()),
                None => RfmData::new(x.clone(), y.clone(), t),
            }
            .map_err(core)
        };
        let s = match model.as_str() {
            "bgnbd" => BetaGeo::fit(&rfm(c)?, &options).map_err(core)?.1,
            "mbgnbd" => ModifiedBetaGeo::fit(&rfm(c)?, &options).map_err(core)?.1,
            "paretonbd" => ParetoNbd::fit(&rfm(c)?, &options).map_err(core)?.1,
            "bgbb" => {
                let n = c.ok_or_else(|| Failure::config("n_periods", "is required"))?;
                BetaGeoBetaBinom::fit(&x, &y, &n, w.as_deref(), &options).map_err(core)?.1
            }
            "gammagamma" => GammaGamma::fit(&x, &y, w.as_deref(), &options).map_err(core)?.1,
            "sbg" => ShiftedBetaGeo::fit(&x, &options).map_err(core)?.1,
            other => return Err(Failure::config("model", format!("unknown model {other:?}"))),
        };
        Ok(s)
    })?;
    Ok((s.names, s.params, s.std_errors, s.log_likelihood, s.customers, s.iterations, s.converged))
}

/// Predicts per row. `what`: "alive" (P(alive) at T), "conditional" (expected purchases in
/// `t` more periods), "expected" (expected purchases of a new customer by `t`),
/// "probability" (P(n purchases by t) for BG/NBD, `n` in `x`), "log_likelihood" (per row),
/// "average_profit" (Gamma-Gamma: `x` frequency, `tx` monetary value); MBG/NBD
/// "probability" too; Pareto/NBD "log_a0" and "conditional_probability" (P(`n`
/// purchases in `t` more periods)); BG/BB "alive" is alive `t` opportunities after n
/// (lifetimes' m) and "probability" P(x transactions in the first `t` opportunities); sBG
/// "survival" (share of a cohort active after `t` periods), "retention_rate" (in period
/// `t`) and "residual_lifetime" (discounted at rate `t` a period, after `x` renewals).
#[pyfunction]
#[pyo3(signature = (model, params, what, t, x=None, tx=None, big_t=None, n=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _predict<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    what: &str,
    t: PyReadonlyArray1<'_, f64>,
    x: Option<PyReadonlyArray1<'_, f64>>,
    tx: Option<PyReadonlyArray1<'_, f64>>,
    big_t: Option<PyReadonlyArray1<'_, f64>>,
    n: Option<PyReadonlyArray1<'_, f64>>,
) -> Fallible<Bound<'py, PyArray1<f64>>> {
    let t = t.values();
    let counts = n.map(|a| a.values());
    let n = t.len();
    let zeros = || vec![0.0; n];
    let x = x.map_or_else(|| Ok(zeros()), |a| vec(Some(a), "x"))?;
    let tx = tx.map_or_else(|| Ok(zeros()), |a| vec(Some(a), "tx"))?;
    let bt = big_t.map_or_else(|| Ok(zeros()), |a| vec(Some(a), "T"))?;
    let counts = counts.unwrap_or_else(zeros);
    for (name, v) in [("x", &x), ("tx", &tx), ("T", &bt), ("n", &counts)] {
        if v.len() != n {
            return Err(Failure::config(name, format!("{} values for {n} rows", v.len())));
        }
    }
    let (model, what) = (model.to_owned(), what.to_owned());
    let out = detached(py, move || {
        let bad = || Failure::config("what", format!("{what:?} is not available for {model:?}"));
        let f: Box<dyn Fn(usize) -> f64 + Sync> = match model.as_str() {
            "bgnbd" => {
                params_of(&params, 4)?;
                let m = BetaGeo::from_params(&params);
                match what.as_str() {
                    "alive" => Box::new(move |i| m.probability_alive(x[i], tx[i], bt[i])),
                    "conditional" => Box::new(move |i| m.conditional_expected_purchases(t[i], x[i], tx[i], bt[i])),
                    "expected" => Box::new(move |i| m.expected_purchases(t[i])),
                    "probability" => Box::new(move |i| m.probability_of_purchases(t[i], x[i] as u32)),
                    "log_likelihood" => Box::new(move |i| m.log_likelihood_row(x[i], tx[i], bt[i])),
                    _ => return Err(bad()),
                }
            }
            "mbgnbd" => {
                params_of(&params, 4)?;
                let m = ModifiedBetaGeo::from_params(&params);
                match what.as_str() {
                    "alive" => Box::new(move |i| m.probability_alive(x[i], tx[i], bt[i])),
                    "conditional" => Box::new(move |i| m.conditional_expected_purchases(t[i], x[i], tx[i], bt[i])),
                    "expected" => Box::new(move |i| m.expected_purchases(t[i])),
                    "probability" => Box::new(move |i| m.probability_of_purchases(t[i], x[i] as u32)),
                    "log_likelihood" => Box::new(move |i| m.log_likelihood_row(x[i], tx[i], bt[i])),
                    _ => return Err(bad()),
                }
            }
            "paretonbd" => {
                params_of(&params, 4)?;
                let m = ParetoNbd::from_params(&params);
                match what.as_str() {
                    "alive" => Box::new(move |i| m.probability_alive(x[i], tx[i], bt[i])),
                    "conditional" => Box::new(move |i| m.conditional_expected_purchases(t[i], x[i], tx[i], bt[i])),
                    "expected" => Box::new(move |i| m.expected_purchases(t[i])),
                    "log_likelihood" => Box::new(move |i| m.log_likelihood_row(x[i], tx[i], bt[i])),
                    "log_a0" => Box::new(move |i| m.log_a0(x[i], tx[i], bt[i])),
                    "conditional_probability" => Box::new(move |i| {
                        m.conditional_probability_of_purchases(counts[i] as u32, t[i], x[i], tx[i], bt[i])
                    }),
                    _ => return Err(bad()),
                }
            }
            "bgbb" => {
                params_of(&params, 4)?;
                let m = BetaGeoBetaBinom { alpha: params[0], beta: params[1], gamma: params[2], delta: params[3] };
                match what.as_str() {
                    "alive" => Box::new(move |i| m.probability_alive_after(t[i], x[i], tx[i], bt[i])),
                    "probability" => Box::new(move |i| m.probability_of_transactions(t[i] as u32, x[i] as u32)),
                    "conditional" => Box::new(move |i| m.conditional_expected_purchases(t[i], x[i], tx[i], bt[i])),
                    "expected" => Box::new(move |i| m.expected_purchases(t[i])),
                    "log_likelihood" => Box::new(move |i| m.log_likelihood_row(x[i], tx[i], bt[i])),
                    _ => return Err(bad()),
                }
            }
            "sbg" => {
                params_of(&params, 2)?;
                let m = ShiftedBetaGeo { alpha: params[0], beta: params[1] };
                match what.as_str() {
                    "survival" => Box::new(move |i| m.survival(t[i])),
                    "retention_rate" => Box::new(move |i| m.retention_rate(t[i])),
                    "residual_lifetime" => Box::new(move |i| m.discounted_expected_residual_lifetime(t[i], x[i])),
                    _ => return Err(bad()),
                }
            }
            "gammagamma" => {
                params_of(&params, 3)?;
                let m = GammaGamma { p: params[0], q: params[1], v: params[2] };
                match what.as_str() {
                    "average_profit" => Box::new(move |i| m.conditional_expected_average_profit(x[i], tx[i])),
                    "log_likelihood" => Box::new(move |i| m.log_likelihood_row(x[i], tx[i])),
                    _ => return Err(bad()),
                }
            }
            other => return Err(Failure::config("model", format!("unknown model {other:?}"))),
        };
        Ok(rows_in_parallel(n, f.as_ref()))
    })?;
    Ok(PyArray1::from_vec(py, out))
}

/// `f(i)` for every row, the rows split over the engine's threads (each row on its own, so
/// the result does not depend on the split).
fn rows_in_parallel(n: usize, f: &(dyn Fn(usize) -> f64 + Sync)) -> Vec<f64> {
    let mut out = vec![0.0; n];
    crm_core::fill_pieces(&mut out, 4096, |first, piece| {
        for (j, o) in piece.iter_mut().enumerate() {
            *o = f(first + j);
        }
    });
    out
}

/// Discounted customer lifetime value over `months` months (lifetimes' method): expected
/// purchases per month from the purchase model x expected spend from Gamma-Gamma,
/// discounted at `discount` a month; `units_per_month` time units make a month.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _customer_lifetime_value<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    gg_params: Vec<f64>,
    x: PyReadonlyArray1<'_, f64>,
    tx: PyReadonlyArray1<'_, f64>,
    big_t: PyReadonlyArray1<'_, f64>,
    monetary_value: PyReadonlyArray1<'_, f64>,
    months: u32,
    discount: f64,
    units_per_month: f64,
) -> Fallible<Bound<'py, PyArray1<f64>>> {
    params_of(&params, 4)?;
    // No Gamma-Gamma parameters: `monetary_value` is the expected spend itself.
    let gg = if gg_params.is_empty() {
        None
    } else {
        params_of(&gg_params, 3)?;
        Some(GammaGamma { p: gg_params[0], q: gg_params[1], v: gg_params[2] })
    };
    let data = RfmData::new(x.values(), tx.values(), big_t.values()).map_err(core)?;
    let m = monetary_value.values();
    if m.len() != data.len() {
        return Err(Failure::config("monetary_value", format!("{} values for {} rows", m.len(), data.len())));
    }
    let model = model.to_owned();
    let out = detached(py, move || {
        let pm: Box<dyn PurchaseModel + Sync> = match model.as_str() {
            "bgnbd" => Box::new(BetaGeo::from_params(&params)),
            "mbgnbd" => Box::new(ModifiedBetaGeo::from_params(&params)),
            "paretonbd" => Box::new(ParetoNbd::from_params(&params)),
            other => {
                return Err(Failure::config("transaction_prediction_model", format!("{other:?} is not supported")));
            }
        };
        Ok(match gg {
            Some(gg) => customer_lifetime_value(pm.as_ref(), &gg, &data, &m, months, discount, units_per_month),
            None => customer_lifetime_value_with_spend(pm.as_ref(), &data, &m, months, discount, units_per_month),
        })
    })?;
    Ok(PyArray1::from_vec(py, out))
}

/// Arrays of the models' summary: (customer positions in the base, frequency, recency, T,
/// monetary value).
type RfmArrays<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// The time unit of `days_per_unit` days (finite and > 0).
fn days_unit(days_per_unit: f64) -> Fallible<TimeUnit> {
    if !(days_per_unit.is_finite() && days_per_unit > 0.0) {
        return Err(Failure::config("days_per_unit", format!("{days_per_unit} is not a positive number")));
    }
    Ok(TimeUnit::DaysPer(days_per_unit))
}

/// lifetimes' `summary_data_from_transaction_data` (daily periods) straight from a base:
/// per customer with a transaction up to `observation_end`, frequency (repeat days),
/// recency and T in units of `days_per_unit` days, and the mean spend of the repeat days.
/// The first array gives each row's customer position in the base.
#[pyfunction]
#[pyo3(signature = (base, observation_end, days_per_unit=1.0))]
pub(crate) fn _rfm_summary<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    observation_end: &Bound<'py, PyAny>,
    days_per_unit: f64,
) -> Fallible<RfmArrays<'py>> {
    let (end, unit) = (crate::base::to_date(observation_end, "observation_end")?, days_unit(days_per_unit)?);
    let inner = base.inner.clone();
    let s = detached(py, move || Ok(summary_from_transactions(&inner, end, unit)))?;
    Ok((
        PyArray1::from_vec(py, s.customers),
        PyArray1::from_vec(py, s.data.frequency),
        PyArray1::from_vec(py, s.data.recency),
        PyArray1::from_vec(py, s.data.t),
        PyArray1::from_vec(py, s.monetary_value),
    ))
}

/// Customer ids as a pyarrow array named `customer_id`: int64, or large_string, which
/// pandas' Arrow-backed str dtype wraps without a copy (numpy's object array of Python
/// strings costs more than the summary it indexes).
fn id_array(py: Python<'_>, ids: crm_core::KeyColumn) -> Fallible<Bound<'_, PyAny>> {
    use arrow_array::{ArrayRef, Int64Array, LargeStringArray};
    let array: ArrayRef = match ids {
        crm_core::KeyColumn::Int(v) => std::sync::Arc::new(Int64Array::from(v)),
        crm_core::KeyColumn::Str(s) => std::sync::Arc::new(LargeStringArray::from_iter_values(s.iter())),
    };
    let field = arrow_schema::Field::new("customer_id", array.data_type().clone(), false);
    let exported = pyo3_arrow::PyArray::new(array, field.into());
    Ok(exported.to_pyarrow(py)?.unbind().into_bound(py))
}

/// lifetimes' checks of a summary (`crm.lifetimes.utils._check_inputs`) in one pass over
/// columns of one length: the first that fails, in lifetimes' order (0: a recency above T,
/// 1: a recency other than 0 without repeat purchases, 2: a negative recency, 3: empty
/// columns, 4: a frequency that is not a whole number, 5: a spend of 0 or less), or None.
/// Comparisons with NaN answer as numpy's do; a frequency is whole as lifetimes tests it,
/// `(f - f.astype(int))^2 == 0` (numpy converts NaN, infinities and values out of the int64
/// range to its smallest).
#[pyfunction]
#[pyo3(signature = (frequency, recency=None, t=None, monetary_value=None))]
pub(crate) fn _check_summary(
    frequency: PyReadonlyArray1<'_, f64>,
    recency: Option<PyReadonlyArray1<'_, f64>>,
    t: Option<PyReadonlyArray1<'_, f64>>,
    monetary_value: Option<PyReadonlyArray1<'_, f64>>,
) -> Fallible<Option<u8>> {
    fn column<'a>(c: Option<&'a PyReadonlyArray1<'_, f64>>) -> Fallible<Option<&'a [f64]>> {
        c.map(|a| a.as_slice().map_err(|e| Failure::Type(format!("_check_summary: {e}")))).transpose()
    }
    let f = column(Some(&frequency))?.unwrap_or_default();
    let (r, t, m) = (column(recency.as_ref())?, column(t.as_ref())?, column(monetary_value.as_ref())?);
    if [r, t, m].iter().flatten().any(|c| c.len() != f.len()) {
        return Err(Failure::Type("_check_summary: columns of different lengths".into()));
    }
    const INT_MIN: f64 = -9_223_372_036_854_775_808.0;
    // (v as i64) as f64 is trunc(v) in that range (trunc itself is a libm call per value
    // without SSE4.1).
    let whole = |v: f64| {
        let i = if (INT_MIN..-INT_MIN).contains(&v) { (v as i64) as f64 } else { INT_MIN };
        (v - i) * (v - i) == 0.0
    };
    // One loop per check, without an early exit: each compiles to a tight (vectorized) loop.
    let mut failed = [false; 6];
    if let Some(r) = r {
        failed[0] = t.is_some_and(|t| r.iter().zip(t).fold(false, |a, (r, t)| a | (r > t)));
        failed[1] = f.iter().zip(r).fold(false, |a, (&x, &r)| a | (x == 0.0 && r != 0.0));
        failed[2] = r.iter().fold(false, |a, &r| a | (r < 0.0));
    }
    failed[4] = f.iter().fold(false, |a, &x| a | !whole(x));
    failed[5] = m.is_some_and(|m| m.iter().fold(false, |a, &v| a | (v <= 0.0)));
    failed[3] = r.is_some() && f.is_empty();
    Ok(failed.iter().position(|&b| b).map(|k| k as u8))
}

/// The summary of `_rfm_summary` straight from a transactions table (as
/// `CustomerBase.from_transactions` reads it), without keeping a base: one pass over rows
/// in time order with integer ids, over the table's own columns when they are one chunk of
/// int64 ids, dates or timestamps and float64 amounts (`crm_core::models::summary_from_slices`),
/// else over converted columns (`summary_from_columns`, through a base when the pass does
/// not apply). The ids of the rows (pyarrow: int64 or large_string), and a (4, rows) array of
/// frequency, recency, T and the mean spend of the repeat days: one block, which pandas
/// keeps as a frame's block without a copy (made from the engine's memory, not numpy's
/// fresh pages).
#[pyfunction]
#[pyo3(signature = (transactions, observation_end, *, customer_id_col, date_col, amount_col, days_per_unit=1.0))]
pub(crate) fn _rfm_summary_of_transactions<'py>(
    py: Python<'py>,
    transactions: &Bound<'py, PyAny>,
    observation_end: &Bound<'py, PyAny>,
    customer_id_col: String,
    date_col: String,
    amount_col: String,
    days_per_unit: f64,
) -> Fallible<(Bound<'py, PyAny>, Bound<'py, PyArray2<f64>>)> {
    let (end, unit) = (crate::base::to_date(observation_end, "observation_end")?, days_unit(days_per_unit)?);
    let table = crate::base::transactions_table_of(transactions, &customer_id_col, &date_col, &amount_col)?;
    let (ids, block) = detached(py, move || {
        let borrowed = |t: &crate::input::InTable| -> Fallible<_> {
            let (ids, time, amount) = (t.column(&customer_id_col)?, t.column(&date_col)?, t.column(&amount_col)?);
            Ok(crate::input::shared(ids, time, amount).and_then(|s| {
                crm_core::models::summary_from_slices(&s.customer, s.time.instants(), &s.amount, end, unit)
            }))
        };
        let (ids, s) = match borrowed(&table)? {
            Some(out) => out,
            None => {
                let (columns, names) = crate::base::transactions_of(&table, customer_id_col, date_col, amount_col)?;
                crm_core::models::summary_from_columns(columns, end, unit).map_err(|e| Failure::Core(e, names))?
            }
        };
        let mut block = s.data.frequency;
        block.reserve_exact(3 * block.len());
        for column in [s.data.recency, s.data.t, s.monetary_value] {
            block.extend(column);
        }
        Ok((ids, block))
    })?;
    let rows = block.len() / 4;
    let block = PyArray1::from_vec(py, block).reshape([4, rows]).map_err(|e| Failure::Type(e.to_string()))?;
    Ok((id_array(py, ids)?, block))
}

/// Simulated customers: (offsets, purchase times, rate, dropout, alive as 0/1) of
/// `crm_core::models::SimulatedCustomers`, for "bgnbd", "mbgnbd", "paretonbd" (`ages`:
/// each customer's T) and "bgbb" (`ages`: opportunities).
type SimulatedArrays<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<bool>>,
);

/// Simulates customers from a model's story with a seed (the same seed, the same customers).
#[pyfunction]
pub(crate) fn _simulate<'py>(
    py: Python<'py>,
    model: &str,
    params: Vec<f64>,
    ages: PyReadonlyArray1<'_, f64>,
    seed: u64,
) -> Fallible<SimulatedArrays<'py>> {
    params_of(&params, 4)?;
    let ages = ages.values();
    if let Some((i, v)) = ages.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0 && **v <= 1e9)) {
        return Err(Failure::config("T", format!("row {i}: {v} is not a number in [0, 1e9]")));
    }
    if params.iter().any(|p| !(p.is_finite() && *p > 0.0)) {
        return Err(Failure::config("params", format!("{params:?} are not all positive")));
    }
    let model = model.to_owned();
    let s = detached(py, move || {
        Ok(match model.as_str() {
            "bgnbd" => BetaGeo::from_params(&params).simulate_customers(&ages, seed),
            "mbgnbd" => ModifiedBetaGeo::from_params(&params).simulate_customers(&ages, seed),
            "paretonbd" => ParetoNbd::from_params(&params).simulate_customers(&ages, seed),
            "bgbb" => BetaGeoBetaBinom { alpha: params[0], beta: params[1], gamma: params[2], delta: params[3] }
                .simulate_customers(&ages, seed),
            other => return Err(Failure::config("model", format!("unknown model {other:?}"))),
        })
    })?;
    let offsets: Vec<u64> = s.offsets.iter().map(|&o| o as u64).collect();
    Ok((
        PyArray1::from_vec(py, offsets),
        PyArray1::from_vec(py, s.times),
        PyArray1::from_vec(py, s.rate),
        PyArray1::from_vec(py, s.dropout),
        PyArray1::from_vec(py, s.alive),
    ))
}
