//! Predictions of fitted models into caller arrays: expected purchases, probability alive,
//! expected spend, retention, and CLV from a purchase model and the Gamma-Gamma model.

use super::{
    Columns, Needs, Params, columns, crm_bgbb_params, crm_bgnbd_params, crm_gamma_gamma_params, crm_mbgnbd_params,
    crm_pareto_nbd_params, crm_rfm_columns, crm_sbg_params,
};
use crate::error::{Failure, crm_result};
use crate::ptr::{fill, out, out_slice, slice};
use crm_core::Error;
use crm_core::models::{BetaGeo, ModifiedBetaGeo, ParetoNbd, PurchaseModel, customer_lifetime_value};

/// Checks a scalar argument: finite and at least `min`.
fn at_least(name: &str, v: f64, min: f64) -> Result<f64, Failure> {
    if v.is_finite() && v >= min {
        Ok(v)
    } else {
        Err(Failure::new(crm_result::InvalidArgument, format!("`{name}` = {v} is not a finite number >= {min}")))
    }
}

/// Writes `f(x, t_x, T)` of every row of the history columns of `data` into `out`
/// (`out_len` = rows). The rows are checked as for a BG/NBD fit.
fn history_into(
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
    f: impl Fn(f64, f64, f64) -> f64,
) -> Result<(), Failure> {
    // SAFETY: `data` is NULL or a valid description of arrays, `out` has room for `out_len`
    // values (header contract).
    let c = unsafe { columns(data, Needs::History) }?;
    let target = unsafe { out_slice(out, out_len, c.len(), "out") }?;
    let d = c.rfm(false)?;
    fill(target, (0..d.len()).map(|i| f(d.frequency[i], d.recency[i], d.t[i])));
    Ok(())
}

/// Writes `f(v)` of every value of an input array into `out`; each value must be finite
/// and at least `min` (`CRM_RESULT_INVALID_VALUE` names the row).
fn values_into(
    values: *const f64,
    len: usize,
    name: &str,
    min: f64,
    out: *mut f64,
    out_len: usize,
    f: impl Fn(f64) -> f64,
) -> Result<(), Failure> {
    // SAFETY: `values` holds `len` values, `out` has room for `out_len` (header contract).
    let (values, target) = unsafe { (slice(values, len, name)?, out_slice(out, out_len, len, "out")?) };
    if let Some(row) = values.iter().position(|v| !(v.is_finite() && *v >= min)) {
        return Err(Error::InvalidValue {
            row,
            column: name.into(),
            message: format!("{} is not a finite number >= {min}", values[row]),
        }
        .into());
    }
    fill(target, values.iter().map(|&v| f(v)));
    Ok(())
}

/// Checks BG/BB rows: whole numbers with 0 <= x <= t_x <= n, t_x = 0 when x = 0.
fn bgbb_rows(c: &Columns<'_>) -> Result<(), Failure> {
    let whole = |v: f64| v.is_finite() && v >= 0.0 && v.fract() == 0.0;
    for i in 0..c.len() {
        let (x, tx, n) = (c.frequency[i], c.recency[i], c.t[i]);
        if !(whole(x) && whole(tx) && whole(n) && x <= tx && tx <= n && (x > 0.0 || tx == 0.0)) {
            return Err(Error::InvalidValue {
                row: i,
                column: "frequency".into(),
                message: format!("({x}, {tx}, {n}) is not whole 0 <= x <= t_x <= n"),
            }
            .into());
        }
    }
    Ok(())
}

/// Writes `f(x, t_x, n)` of every BG/BB row of `data` into `out`.
fn bgbb_into(
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
    f: impl Fn(f64, f64, f64) -> f64,
) -> Result<(), Failure> {
    // SAFETY: as `history_into`.
    let c = unsafe { columns(data, Needs::History) }?;
    let target = unsafe { out_slice(out, out_len, c.len(), "out") }?;
    bgbb_rows(&c)?;
    fill(target, (0..c.len()).map(|i| f(c.frequency[i], c.recency[i], c.t[i])));
    Ok(())
}

/// The predictions BG/NBD, MBG/NBD and Pareto/NBD share.
trait Counting: PurchaseModel + Sync {
    fn alive(&self, x: f64, tx: f64, t: f64) -> f64;
    fn expected(&self, t: f64) -> f64;
}

macro_rules! counting {
    ($($m:ty),+) => {$(
        impl Counting for $m {
            fn alive(&self, x: f64, tx: f64, t: f64) -> f64 {
                self.probability_alive(x, tx, t)
            }
            fn expected(&self, t: f64) -> f64 {
                self.expected_purchases(t)
            }
        }
    )+};
}

counting!(BetaGeo, ModifiedBetaGeo, ParetoNbd);

fn conditional<P: Params>(
    model: *const P,
    horizon: f64,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> Result<(), Failure>
where
    P::Model: Counting,
{
    let m = P::checked(model, "model")?;
    let h = at_least("horizon", horizon, 0.0)?;
    history_into(data, out, out_len, |x, tx, t| m.predict(h, x, tx, t))
}

fn alive<P: Params>(model: *const P, data: *const crm_rfm_columns, out: *mut f64, out_len: usize) -> Result<(), Failure>
where
    P::Model: Counting,
{
    let m = P::checked(model, "model")?;
    history_into(data, out, out_len, |x, tx, t| m.alive(x, tx, t))
}

fn expected<P: Params>(
    model: *const P,
    t: *const f64,
    t_len: usize,
    out: *mut f64,
    out_len: usize,
) -> Result<(), Failure>
where
    P::Model: Counting,
{
    let m = P::checked(model, "model")?;
    values_into(t, t_len, "t", 0.0, out, out_len, |v| m.expected(v))
}

/// Expected purchases of each customer of `data` (history x, t_x, T) in `(T, T + horizon]`
/// under the BG/NBD `model`, into `out` (`out_len` = rows). `horizon` is in the data's time
/// unit, finite and >= 0. The rows are checked as for fitting (`CRM_RESULT_INVALID_VALUE`
/// names row and column); a parameter that is not finite and > 0 is
/// `CRM_RESULT_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_conditional_expected_purchases(
    model: *const crm_bgnbd_params,
    horizon: f64,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: conditional(model, horizon, data, out, out_len) }
}

/// The probability that each customer of `data` is alive at T under the BG/NBD `model`
/// (1 for customers without repeat purchases), into `out` (`out_len` = rows). Errors as
/// `crm_bgnbd_conditional_expected_purchases`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_probability_alive(
    model: *const crm_bgnbd_params,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: alive(model, data, out, out_len) }
}

/// Expected purchases of a new customer in `(0, t[i]]` under the BG/NBD `model`, for each
/// of the `t_len` times (finite, >= 0), into `out` (`out_len` = `t_len`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_expected_purchases(
    model: *const crm_bgnbd_params,
    t: *const f64,
    t_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: expected(model, t, t_len, out, out_len) }
}

/// As `crm_bgnbd_conditional_expected_purchases`, under the MBG/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_mbgnbd_conditional_expected_purchases(
    model: *const crm_mbgnbd_params,
    horizon: f64,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: conditional(model, horizon, data, out, out_len) }
}

/// As `crm_bgnbd_probability_alive`, under the MBG/NBD `model` (where a customer without
/// repeat purchases may be dead).
#[unsafe(no_mangle)]
pub extern "C" fn crm_mbgnbd_probability_alive(
    model: *const crm_mbgnbd_params,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: alive(model, data, out, out_len) }
}

/// As `crm_bgnbd_expected_purchases`, under the MBG/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_mbgnbd_expected_purchases(
    model: *const crm_mbgnbd_params,
    t: *const f64,
    t_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: expected(model, t, t_len, out, out_len) }
}

/// As `crm_bgnbd_conditional_expected_purchases`, under the Pareto/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_pareto_nbd_conditional_expected_purchases(
    model: *const crm_pareto_nbd_params,
    horizon: f64,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: conditional(model, horizon, data, out, out_len) }
}

/// As `crm_bgnbd_probability_alive`, under the Pareto/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_pareto_nbd_probability_alive(
    model: *const crm_pareto_nbd_params,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: alive(model, data, out, out_len) }
}

/// As `crm_bgnbd_expected_purchases`, under the Pareto/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_pareto_nbd_expected_purchases(
    model: *const crm_pareto_nbd_params,
    t: *const f64,
    t_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible: expected(model, t, t_len, out, out_len) }
}

/// P(X(t) = n): the probability that a new customer makes exactly `n` purchases in
/// `(0, t]` under the BG/NBD `model` (`t` finite, >= 0).
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_probability_of_purchases(
    model: *const crm_bgnbd_params,
    t: f64,
    n: u32,
    out_probability: *mut f64,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgnbd_params::checked(model, "model")?;
        // SAFETY: `out_probability` is NULL or writable (header contract).
        let slot = unsafe { out(out_probability, "out_probability") }?;
        slot.write(m.probability_of_purchases(at_least("t", t, 0.0)?, n));
        Ok(())
    }
}

/// Expected transactions of each customer of `data` (x, t_x, n opportunities) in the next
/// `future` opportunities (finite, >= 0) under the BG/BB `model`, into `out` (`out_len` =
/// rows). A row that is not whole 0 <= x <= t_x <= n is `CRM_RESULT_INVALID_VALUE`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_conditional_expected_purchases(
    model: *const crm_bgbb_params,
    future: f64,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgbb_params::checked(model, "model")?;
        let f = at_least("future", future, 0.0)?;
        bgbb_into(data, out, out_len, |x, tx, n| m.conditional_expected_purchases(f, x, tx, n))
    }
}

/// The probability that each customer of `data` is alive at opportunity n + 1 under the
/// BG/BB `model`, into `out`. Errors as `crm_bgbb_conditional_expected_purchases`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_probability_alive(
    model: *const crm_bgbb_params,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgbb_params::checked(model, "model")?;
        bgbb_into(data, out, out_len, |x, tx, n| m.probability_alive(x, tx, n))
    }
}

/// The probability that each customer of `data` is alive `m` opportunities (finite, >= 0)
/// after the n observed under the BG/BB `model`, into `out`: lifetimes'
/// `conditional_probability_alive(m_periods_in_future, ...)` (`m = 0`: through the observed
/// opportunities; `m = 1` is `crm_bgbb_probability_alive`). Errors as
/// `crm_bgbb_conditional_expected_purchases`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_probability_alive_after(
    model: *const crm_bgbb_params,
    m: f64,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let model = crm_bgbb_params::checked(model, "model")?;
        let m = at_least("m", m, 0.0)?;
        bgbb_into(data, out, out_len, |x, tx, n| model.probability_alive_after(m, x, tx, n))
    }
}

/// The probability that a new customer makes exactly `x` transactions in the first `n`
/// opportunities under the BG/BB `model`, into `*out_probability` (0 when x > n); times
/// the customers, lifetimes' `expected_number_of_transactions_in_first_n_periods`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_probability_of_transactions(
    model: *const crm_bgbb_params,
    n: u32,
    x: u32,
    out_probability: *mut f64,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgbb_params::checked(model, "model")?;
        // SAFETY: `out_probability` is NULL or writable (header contract).
        let slot = unsafe { out(out_probability, "out_probability") }?;
        slot.write(m.probability_of_transactions(n, x));
        Ok(())
    }
}

/// Expected transactions of a new customer in `n[i]` opportunities (finite, >= 0) under the
/// BG/BB `model`, into `out` (`out_len` = `n_len`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_expected_purchases(
    model: *const crm_bgbb_params,
    n: *const f64,
    n_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgbb_params::checked(model, "model")?;
        values_into(n, n_len, "n", 0.0, out, out_len, |v| m.expected_purchases(v))
    }
}

/// Expected spend per transaction of each customer of `data` (`frequency` x whole >= 0,
/// `monetary_value` the mean of its x repeat purchases, finite) under the Gamma-Gamma
/// `model`: `p (v + x m) / (p x + q - 1)`, the population mean `p v / (q - 1)` for x = 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_gamma_gamma_expected_average_profit(
    model: *const crm_gamma_gamma_params,
    data: *const crm_rfm_columns,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_gamma_gamma_params::checked(model, "model")?;
        // SAFETY: `data` is NULL or valid, `out` has room for `out_len` values (header contract).
        let c = unsafe { columns(data, Needs::Spend) }?;
        let target = unsafe { out_slice(out, out_len, c.len(), "out") }?;
        spend_rows(&c)?;
        fill(target, c.frequency.iter().zip(c.monetary_value).map(|(&x, &v)| m.conditional_expected_average_profit(x, v)));
        Ok(())
    }
}

/// Checks frequency (whole >= 0) and monetary value (finite) rows.
fn spend_rows(c: &Columns<'_>) -> Result<(), Failure> {
    for i in 0..c.len() {
        let (x, v) = (c.frequency[i], c.monetary_value[i]);
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
            return Err(Error::InvalidValue {
                row: i,
                column: "frequency".into(),
                message: format!("{x} is not a whole number >= 0"),
            }
            .into());
        }
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                row: i,
                column: "monetary_value".into(),
                message: format!("{v} is not finite"),
            }
            .into());
        }
    }
    Ok(())
}

/// The share of a cohort still active after `t[i]` periods (finite, >= 0) under the sBG
/// `model`, into `out` (`out_len` = `t_len`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_sbg_survival(
    model: *const crm_sbg_params,
    t: *const f64,
    t_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_sbg_params::checked(model, "model")?;
        values_into(t, t_len, "t", 0.0, out, out_len, |v| m.survival(v))
    }
}

/// The retention rate in period `t[i]` (finite, >= 1), `(beta + t - 1) / (alpha + beta +
/// t - 1)`, under the sBG `model`, into `out` (`out_len` = `t_len`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_sbg_retention_rate(
    model: *const crm_sbg_params,
    t: *const f64,
    t_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_sbg_params::checked(model, "model")?;
        values_into(t, t_len, "t", 1.0, out, out_len, |v| m.retention_rate(v))
    }
}

/// The discounted expected residual lifetime (in periods) of a customer who has made
/// `renewals[i]` renewals (finite, >= 0), at `discount` per period (finite, > 0), under the
/// sBG `model` (Fader & Hardie 2010), into `out` (`out_len` = `renewals_len`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_sbg_discounted_expected_residual_lifetime(
    model: *const crm_sbg_params,
    discount: f64,
    renewals: *const f64,
    renewals_len: usize,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_sbg_params::checked(model, "model")?;
        if !(discount.is_finite() && discount > 0.0) {
            return Err(Failure::new(crm_result::InvalidArgument, format!("`discount` = {discount} is not a rate > 0")));
        }
        values_into(renewals, renewals_len, "renewals", 0.0, out, out_len, |v| {
            m.discounted_expected_residual_lifetime(discount, v)
        })
    }
}

/// CLV of every customer of `data` from a purchase model and the Gamma-Gamma `spend`.
#[allow(clippy::too_many_arguments)]
fn clv_into(
    model: &(dyn PurchaseModel + Sync),
    spend: *const crm_gamma_gamma_params,
    data: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    out: *mut f64,
    out_len: usize,
) -> Result<(), Failure> {
    let spend = crm_gamma_gamma_params::checked(spend, "spend")?;
    let d = at_least("monthly_discount", monthly_discount, 0.0)?;
    if !(units_per_month.is_finite() && units_per_month > 0.0) {
        return Err(Failure::new(
            crm_result::InvalidArgument,
            format!("`units_per_month` = {units_per_month} is not a number > 0"),
        ));
    }
    // SAFETY: `data` is NULL or valid, `out` has room for `out_len` values (header contract).
    let c = unsafe { columns(data, Needs::HistoryAndSpend) }?;
    let target = unsafe { out_slice(out, out_len, c.len(), "out") }?;
    let rfm = c.rfm(false)?;
    spend_rows(&c)?;
    fill(target, customer_lifetime_value(model, &spend, &rfm, c.monetary_value, months, d, units_per_month));
    Ok(())
}

/// CLV of each customer of `data` (`frequency`, `recency`, `t`, `monetary_value`) over
/// `months` months with the BG/NBD `model` and the Gamma-Gamma `spend`: for each month i,
/// the expected purchases in month i x the expected spend, discounted by `(1 +
/// monthly_discount)^i` (lifetimes' `customer_lifetime_value`). `units_per_month` (> 0)
/// converts months to the data's time unit (30 for days, 4.345 for weeks);
/// `monthly_discount` is finite and >= 0. Into `out` (`out_len` = rows).
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_customer_lifetime_value(
    model: *const crm_bgnbd_params,
    spend: *const crm_gamma_gamma_params,
    data: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgnbd_params::checked(model, "model")?;
        clv_into(&m, spend, data, months, monthly_discount, units_per_month, out, out_len)
    }
}

/// As `crm_bgnbd_customer_lifetime_value`, with the MBG/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_mbgnbd_customer_lifetime_value(
    model: *const crm_mbgnbd_params,
    spend: *const crm_gamma_gamma_params,
    data: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_mbgnbd_params::checked(model, "model")?;
        clv_into(&m, spend, data, months, monthly_discount, units_per_month, out, out_len)
    }
}

/// As `crm_bgnbd_customer_lifetime_value`, with the Pareto/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_pareto_nbd_customer_lifetime_value(
    model: *const crm_pareto_nbd_params,
    spend: *const crm_gamma_gamma_params,
    data: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    out: *mut f64,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_pareto_nbd_params::checked(model, "model")?;
        clv_into(&m, spend, data, months, monthly_discount, units_per_month, out, out_len)
    }
}
