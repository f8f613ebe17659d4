//! Prediction intervals from the parameters' uncertainty (crm-core `models::uncertainty`):
//! the parameters' covariance, and per-customer predictions with chosen quantiles over
//! parameter draws from the asymptotic normal or a bootstrap.

use super::fit::crm_fit_options;
use super::{
    Needs, Params, columns, crm_bgbb_params, crm_bgnbd_params, crm_gamma_gamma_params, crm_mbgnbd_params,
    crm_pareto_nbd_params, crm_rfm_columns, crm_sbg_params,
};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, fill, optional_slice, out_slice, slice};
use crm_core::models::uncertainty::{
    Fitted, Interval, IntervalMethod, IntervalOptions, MAX_DRAWS, Prediction, SpendData, clv_intervals,
};
use crm_core::models::{GammaGamma, RfmData, ShiftedBetaGeo};

/// Where the parameter draws of an interval come from (a `uint8_t` code in
/// `crm_interval_options.method`).
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_interval_method {
    /// Draws from the asymptotic normal of the log-parameters (inverse Hessian of the
    /// negative log-likelihood at the optimum); no refit.
    Normal = 0,
    /// Nonparametric bootstrap: the fit data's customers resampled with replacement and
    /// the model refitted once per draw.
    Bootstrap = 1,
    /// The same normal without draws: each prediction linearised in the log-parameters
    /// (on its log scale; probabilities on the logit scale). The fast choice for millions
    /// of rows; `draws` is not used.
    Delta = 2,
}

/// What an interval function predicts per row (a `uint8_t` argument).
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum crm_prediction {
    /// Expected purchases in `(T, T + horizon]` (BG/BB: in the next `horizon`
    /// opportunities).
    ExpectedPurchases = 0,
    /// The probability of being alive at T (BG/BB: at opportunity n + 1).
    ProbabilityAlive = 1,
    /// BG/BB only: the probability of being alive `horizon` opportunities after the n
    /// observed (lifetimes' `m_periods_in_future`; 0 = through the observed ones).
    ProbabilityAliveAfter = 2,
}

/// How to compute intervals. Start from `crm_interval_options_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_interval_options {
    /// A `crm_interval_method` code. Default normal.
    pub method: u8,
    /// Parameter draws (bootstrap: refits), 2 to 100000. Default 500.
    pub draws: usize,
    /// Quantiles to report per row, each in (0, 1); NULL for 0.05 and 0.95. Borrowed for
    /// the call.
    pub levels: *const f64,
    /// Length of `levels` (0 when NULL).
    pub levels_len: usize,
    /// Seed of the draws (the same seed gives the same result on any thread count).
    pub seed: u64,
    /// The options the model was fitted with: the bootstrap refits with them (from the
    /// given model), and the normal and delta methods take the Hessian of the objective
    /// with their `penalizer` (the penalised fit's); NULL for the defaults. Borrowed for
    /// the call.
    pub fit: *const crm_fit_options,
    /// In a CLV interval, the options the Gamma-Gamma model was fitted with (`fit` is then
    /// the purchase model's); NULL: as `fit`. Borrowed for the call.
    pub spend_fit: *const crm_fit_options,
}

const DEFAULT_INTERVAL_OPTIONS: crm_interval_options = crm_interval_options {
    method: 0,
    draws: 500,
    levels: std::ptr::null(),
    levels_len: 0,
    seed: 0,
    fit: std::ptr::null(),
    spend_fit: std::ptr::null(),
};

impl crate::panic::PanicDefault for crm_interval_options {
    fn panicked() -> Self {
        DEFAULT_INTERVAL_OPTIONS
    }
}

/// The default interval options: normal draws, 500 of them, quantiles 0.05 and 0.95,
/// seed 0, default fit options.
#[unsafe(no_mangle)]
pub extern "C" fn crm_interval_options_default() -> crm_interval_options {
    ffi_boundary! { DEFAULT_INTERVAL_OPTIONS }
}

/// Engine options from optional C options, ranges checked.
fn options(o: *const crm_interval_options) -> Result<IntervalOptions, Failure> {
    // SAFETY: `o` is NULL or valid, its arrays holding their lengths (header contract).
    let Some(o) = (unsafe { arg_opt(o) }) else { return Ok(IntervalOptions::default()) };
    let method = match o.method {
        0 => IntervalMethod::Normal,
        1 => IntervalMethod::Bootstrap,
        2 => IntervalMethod::Delta,
        code => {
            return Err(Failure::new(crm_result::InvalidArgument, format!("{code} is not a crm_interval_method code")));
        }
    };
    if !(2..=MAX_DRAWS).contains(&o.draws) {
        return Err(Failure::new(
            crm_result::InvalidArgument,
            format!("`options.draws` = {} is not in 2..={MAX_DRAWS}", o.draws),
        ));
    }
    // SAFETY: as above.
    let levels = unsafe { optional_slice(o.levels, o.levels_len, "options.levels") }?;
    if let Some(q) = levels.and_then(|l| l.iter().find(|q| !(**q > 0.0 && **q < 1.0))) {
        return Err(Failure::new(crm_result::InvalidArgument, format!("`options.levels` has {q}, not in (0, 1)")));
    }
    let fit = super::fit::options(o.fit)?;
    let spend_fit = if o.spend_fit.is_null() { None } else { Some(super::fit::options(o.spend_fit)?) };
    let defaults = IntervalOptions::default();
    Ok(IntervalOptions {
        method,
        draws: o.draws,
        levels: levels.map_or(defaults.levels, <[f64]>::to_vec),
        seed: o.seed,
        fit,
        spend_fit,
    })
}

/// Writes an interval: the point values into `out_point` (NULL to skip; else `rows`
/// values) and the quantiles level by level into `out_bounds` (`levels x rows` values:
/// level k of row i at `k * rows + i`).
fn write(
    interval: Interval,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> Result<(), Failure> {
    let n = interval.point.len();
    let expected = n * interval.levels.len();
    // SAFETY: each out array is NULL or has room for its length (header contract).
    let bounds = unsafe { out_slice(out_bounds, out_bounds_len, expected, "out_bounds") }?;
    let point = if out_point.is_null() && out_point_len == 0 {
        None
    } else {
        // SAFETY: as above.
        Some(unsafe { out_slice(out_point, out_point_len, n, "out_point") }?)
    };
    fill(bounds, interval.bounds.into_iter().flatten());
    if let Some(p) = point {
        fill(p, interval.point);
    }
    Ok(())
}

/// Writes a covariance matrix (row-major, k x k) and the standard errors.
fn covariance_into(
    fitted: Fitted<'_>,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> Result<(), Failure> {
    let k = fitted.params().len();
    // SAFETY: out arrays are NULL or have room for their lengths (header contract).
    let cov = unsafe { out_slice(out_covariance, out_covariance_len, k * k, "out_covariance") }?;
    let se = if out_std_errors.is_null() && out_std_errors_len == 0 {
        None
    } else {
        // SAFETY: as above.
        Some(unsafe { out_slice(out_std_errors, out_std_errors_len, k, "out_std_errors") }?)
    };
    let u = fitted.parameter_uncertainty()?;
    fill(cov, u.covariance.into_iter().flatten());
    if let Some(s) = se {
        fill(s, u.std_errors);
    }
    Ok(())
}

/// The checked history of `data` (weights when given).
fn history(data: *const crm_rfm_columns, with_weights: bool, name: &str) -> Result<RfmData, Failure> {
    if data.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: `data` is NULL or a valid description of arrays (header contract).
    let c = unsafe { columns(data, Needs::History) }?;
    c.rfm(with_weights)
}

fn prediction(code: u8, horizon: f64) -> Result<Prediction, Failure> {
    match code {
        0 => Ok(Prediction::ExpectedPurchases { horizon }),
        1 => Ok(Prediction::ProbabilityAlive),
        2 => Ok(Prediction::ProbabilityAliveAfter { periods: horizon }),
        _ => Err(Failure::new(crm_result::InvalidArgument, format!("{code} is not a crm_prediction code"))),
    }
}

/// The covariance of a history model fitted on `fit_data`.
fn history_covariance<P: Params>(
    model: *const P,
    fit_data: *const crm_rfm_columns,
    wrap: for<'a> fn(P::Model, &'a RfmData) -> Fitted<'a>,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> Result<(), Failure> {
    let m = P::checked(model, "model")?;
    let d = history(fit_data, true, "fit_data")?;
    covariance_into(wrap(m, &d), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
}

/// A history model's prediction interval.
#[allow(clippy::too_many_arguments)]
fn history_interval<P: Params>(
    model: *const P,
    fit_data: *const crm_rfm_columns,
    wrap: for<'a> fn(P::Model, &'a RfmData) -> Fitted<'a>,
    prediction: u8,
    horizon: f64,
    rows: *const crm_rfm_columns,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> Result<(), Failure> {
    let m = P::checked(model, "model")?;
    let what = self::prediction(prediction, horizon)?;
    let o = self::options(options)?;
    let (d, r) = (history(fit_data, true, "fit_data")?, history(rows, false, "rows")?);
    let out = wrap(m, &d).intervals(what, &r, None, &o)?;
    write(out, out_point, out_point_len, out_bounds, out_bounds_len)
}

/// The covariance of the BG/NBD `model`'s parameters fitted on `fit_data` (optional
/// weights): the inverse Hessian of the negative log-likelihood in log-parameter space at
/// the optimum, scaled to the parameters, row-major in the order of the parameter struct
/// into `out_covariance` (`out_covariance_len` = 16), and the standard errors into
/// `out_std_errors` (4 values; NULL with length 0 to skip). A Hessian that is not positive
/// definite (not an optimum) is `CRM_RESULT_FIT`; data errors as `crm_bgnbd_fit`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_parameter_covariance(
    model: *const crm_bgnbd_params,
    fit_data: *const crm_rfm_columns,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_covariance(model, fit_data, |m, d| Fitted::BetaGeo(m, d), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
    }
}

/// A prediction of the BG/NBD `model` (fitted on `fit_data`, with its optional weights) for
/// each row of `rows`, with its quantiles over the parameters' uncertainty (`options`:
/// method, draws, quantiles, seed; NULL for the defaults). `prediction` is a
/// `crm_prediction` code; `horizon` (finite, >= 0) is the window of
/// `CRM_PREDICTION_EXPECTED_PURCHASES` (not read otherwise). Writes the point predictions
/// into `out_point` (`rows` values; NULL with length 0 to skip) and the quantiles level by
/// level into `out_bounds` (`levels x rows` values: level k of row i at `k * rows + i`).
/// Errors: bad options or codes are `CRM_RESULT_INVALID_ARGUMENT`, a bad horizon
/// `CRM_RESULT_INVALID_CONFIG`, a bad row `CRM_RESULT_INVALID_VALUE` naming row and column,
/// a failed bootstrap refit or a Hessian that is not positive definite `CRM_RESULT_FIT`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_bgnbd_prediction_interval(
    model: *const crm_bgnbd_params,
    fit_data: *const crm_rfm_columns,
    prediction: u8,
    horizon: f64,
    rows: *const crm_rfm_columns,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_interval(
            model, fit_data, |m, d| Fitted::BetaGeo(m, d), prediction, horizon, rows, options, out_point, out_point_len, out_bounds,
            out_bounds_len,
        )
    }
}

/// As `crm_bgnbd_parameter_covariance`, for the MBG/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_mbgnbd_parameter_covariance(
    model: *const crm_mbgnbd_params,
    fit_data: *const crm_rfm_columns,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_covariance(model, fit_data, |m, d| Fitted::ModifiedBetaGeo(m, d), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
    }
}

/// As `crm_bgnbd_prediction_interval`, for the MBG/NBD `model`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_mbgnbd_prediction_interval(
    model: *const crm_mbgnbd_params,
    fit_data: *const crm_rfm_columns,
    prediction: u8,
    horizon: f64,
    rows: *const crm_rfm_columns,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_interval(
            model, fit_data, |m, d| Fitted::ModifiedBetaGeo(m, d), prediction, horizon, rows, options, out_point, out_point_len, out_bounds,
            out_bounds_len,
        )
    }
}

/// As `crm_bgnbd_parameter_covariance`, for the Pareto/NBD `model`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_pareto_nbd_parameter_covariance(
    model: *const crm_pareto_nbd_params,
    fit_data: *const crm_rfm_columns,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_covariance(model, fit_data, |m, d| Fitted::ParetoNbd(m, d), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
    }
}

/// As `crm_bgnbd_prediction_interval`, for the Pareto/NBD `model`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_pareto_nbd_prediction_interval(
    model: *const crm_pareto_nbd_params,
    fit_data: *const crm_rfm_columns,
    prediction: u8,
    horizon: f64,
    rows: *const crm_rfm_columns,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_interval(
            model, fit_data, |m, d| Fitted::ParetoNbd(m, d), prediction, horizon, rows, options, out_point, out_point_len, out_bounds,
            out_bounds_len,
        )
    }
}

/// As `crm_bgnbd_parameter_covariance`, for the BG/BB `model` (rows and fit data: x, t_x, n opportunities, whole).
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_parameter_covariance(
    model: *const crm_bgbb_params,
    fit_data: *const crm_rfm_columns,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_covariance(model, fit_data, |m, d| Fitted::BetaGeoBetaBinom(m, d), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
    }
}

/// As `crm_bgnbd_prediction_interval`, for the BG/BB `model` (rows and fit data: x, t_x, n opportunities, whole).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_bgbb_prediction_interval(
    model: *const crm_bgbb_params,
    fit_data: *const crm_rfm_columns,
    prediction: u8,
    horizon: f64,
    rows: *const crm_rfm_columns,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        history_interval(
            model, fit_data, |m, d| Fitted::BetaGeoBetaBinom(m, d), prediction, horizon, rows, options, out_point, out_point_len, out_bounds,
            out_bounds_len,
        )
    }
}

/// The Gamma-Gamma fit data of `data`: frequency, monetary value, weights.
fn spend_data(data: *const crm_rfm_columns, name: &str) -> Result<SpendData, Failure> {
    if data.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: `data` is NULL or a valid description of arrays (header contract).
    let c = unsafe { columns(data, Needs::Spend) }?;
    for (i, (&x, &m)) in c.frequency.iter().zip(c.monetary_value).enumerate() {
        if !(x >= 1.0 && x.is_finite() && x.fract() == 0.0) {
            return Err(crm_core::Error::InvalidValue {
                row: i,
                column: "frequency".into(),
                message: format!("{x}: the Gamma-Gamma model is fitted on repeat buyers (whole x >= 1)"),
            }
            .into());
        }
        if !(m > 0.0 && m.is_finite()) {
            return Err(crm_core::Error::InvalidValue {
                row: i,
                column: "monetary_value".into(),
                message: format!("{m} is not a positive spend"),
            }
            .into());
        }
    }
    Ok(SpendData {
        frequency: c.frequency.to_vec(),
        monetary_value: c.monetary_value.to_vec(),
        weights: c.weights.map_or_else(|| vec![1.0; c.len()], <[f64]>::to_vec),
    })
}

/// The covariance of the Gamma-Gamma `model`'s parameters (p, q, v) fitted on `fit_data`
/// (`frequency` x >= 1, `monetary_value` > 0, optional `weights`): 9 values row-major into
/// `out_covariance`, 3 standard errors into `out_std_errors` (NULL with length 0 to skip).
/// Otherwise as `crm_bgnbd_parameter_covariance`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_gamma_gamma_parameter_covariance(
    model: *const crm_gamma_gamma_params,
    fit_data: *const crm_rfm_columns,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m: GammaGamma = crm_gamma_gamma_params::checked(model, "model")?;
        let d = spend_data(fit_data, "fit_data")?;
        covariance_into(Fitted::GammaGamma(m, &d), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
    }
}

/// The expected spend per transaction of each row of `rows` (`frequency` whole >= 0,
/// `monetary_value` finite) under the Gamma-Gamma `model` fitted on `fit_data`, with its
/// quantiles over parameter draws. Outputs and errors as `crm_bgnbd_prediction_interval`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_gamma_gamma_expected_average_profit_interval(
    model: *const crm_gamma_gamma_params,
    fit_data: *const crm_rfm_columns,
    rows: *const crm_rfm_columns,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m: GammaGamma = crm_gamma_gamma_params::checked(model, "model")?;
        let o = self::options(options)?;
        let d = spend_data(fit_data, "fit_data")?;
        // SAFETY: `rows` is NULL or a valid description of arrays (header contract).
        let c = unsafe { columns(rows, Needs::Spend) }?;
        let r = RfmData { frequency: c.frequency.to_vec(), recency: vec![0.0; c.len()], t: vec![0.0; c.len()], weights: vec![1.0; c.len()] };
        let out = Fitted::GammaGamma(m, &d).intervals(Prediction::AverageProfit, &r, Some(c.monetary_value), &o)?;
        write(out, out_point, out_point_len, out_bounds, out_bounds_len)
    }
}

/// The covariance of the sBG `model`'s parameters (alpha, beta) fitted on the cohort
/// `alive` (as `crm_sbg_fit`): 4 values into `out_covariance`, 2 standard errors into
/// `out_std_errors` (NULL with length 0 to skip).
#[unsafe(no_mangle)]
pub extern "C" fn crm_sbg_parameter_covariance(
    model: *const crm_sbg_params,
    alive: *const f64,
    alive_len: usize,
    out_covariance: *mut f64,
    out_covariance_len: usize,
    out_std_errors: *mut f64,
    out_std_errors_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m: ShiftedBetaGeo = crm_sbg_params::checked(model, "model")?;
        // SAFETY: `alive` holds `alive_len` values (header contract).
        let alive = unsafe { slice(alive, alive_len, "alive") }?;
        covariance_into(Fitted::ShiftedBetaGeo(m, alive), out_covariance, out_covariance_len, out_std_errors, out_std_errors_len)
    }
}

/// The share of a cohort still active after `t[i]` periods (finite, >= 0) under the sBG
/// `model` fitted on `alive`, with its quantiles over parameter draws. Outputs as
/// `crm_bgnbd_prediction_interval` with `t_len` rows.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_sbg_survival_interval(
    model: *const crm_sbg_params,
    alive: *const f64,
    alive_len: usize,
    t: *const f64,
    t_len: usize,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m: ShiftedBetaGeo = crm_sbg_params::checked(model, "model")?;
        let o = self::options(options)?;
        // SAFETY: `alive` and `t` hold their lengths (header contract).
        let (alive, t) = unsafe { (slice(alive, alive_len, "alive")?, slice(t, t_len, "t")?) };
        let r = RfmData { t: t.to_vec(), ..RfmData::default() };
        let out = Fitted::ShiftedBetaGeo(m, alive).intervals(Prediction::Survival, &r, None, &o)?;
        write(out, out_point, out_point_len, out_bounds, out_bounds_len)
    }
}

/// CLV intervals for a purchase model and the Gamma-Gamma `spend`.
#[allow(clippy::too_many_arguments)]
fn clv(
    purchase: Fitted<'_>,
    spend: *const crm_gamma_gamma_params,
    spend_fit_data: *const crm_rfm_columns,
    rows: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> Result<(), Failure> {
    let s: GammaGamma = crm_gamma_gamma_params::checked(spend, "spend")?;
    let o = self::options(options)?;
    let sd = spend_data(spend_fit_data, "spend_fit_data")?;
    // SAFETY: `rows` is NULL or a valid description of arrays (header contract).
    let c = unsafe { columns(rows, Needs::HistoryAndSpend) }?;
    let r = c.rfm(false)?;
    let out = clv_intervals(
        &purchase,
        &Fitted::GammaGamma(s, &sd),
        &r,
        c.monetary_value,
        months,
        monthly_discount,
        units_per_month,
        &o,
    )?;
    write(out, out_point, out_point_len, out_bounds, out_bounds_len)
}

/// CLV of each row of `rows` (`frequency`, `recency`, `t`, `monetary_value`) with the BG/NBD
/// `model` (fitted on `fit_data`) and the Gamma-Gamma `spend` (fitted on `spend_fit_data`:
/// repeat buyers' `frequency`, `monetary_value`, optional `weights`), as
/// `crm_bgnbd_customer_lifetime_value` (`months` in 1..=1200), with its quantiles over
/// both models' parameter uncertainty (drawn independently, the spend model's with seed +
/// 1). Outputs and errors as `crm_bgnbd_prediction_interval`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_bgnbd_clv_interval(
    model: *const crm_bgnbd_params,
    fit_data: *const crm_rfm_columns,
    spend: *const crm_gamma_gamma_params,
    spend_fit_data: *const crm_rfm_columns,
    rows: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_bgnbd_params::checked(model, "model")?;
        let d = history(fit_data, true, "fit_data")?;
        clv(
            Fitted::BetaGeo(m, &d), spend, spend_fit_data, rows, months, monthly_discount, units_per_month, options,
            out_point, out_point_len, out_bounds, out_bounds_len,
        )
    }
}

/// As `crm_bgnbd_clv_interval`, with the MBG/NBD `model`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_mbgnbd_clv_interval(
    model: *const crm_mbgnbd_params,
    fit_data: *const crm_rfm_columns,
    spend: *const crm_gamma_gamma_params,
    spend_fit_data: *const crm_rfm_columns,
    rows: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_mbgnbd_params::checked(model, "model")?;
        let d = history(fit_data, true, "fit_data")?;
        clv(
            Fitted::ModifiedBetaGeo(m, &d), spend, spend_fit_data, rows, months, monthly_discount, units_per_month, options,
            out_point, out_point_len, out_bounds, out_bounds_len,
        )
    }
}

/// As `crm_bgnbd_clv_interval`, with the Pareto/NBD `model`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_pareto_nbd_clv_interval(
    model: *const crm_pareto_nbd_params,
    fit_data: *const crm_rfm_columns,
    spend: *const crm_gamma_gamma_params,
    spend_fit_data: *const crm_rfm_columns,
    rows: *const crm_rfm_columns,
    months: u32,
    monthly_discount: f64,
    units_per_month: f64,
    options: *const crm_interval_options,
    out_point: *mut f64,
    out_point_len: usize,
    out_bounds: *mut f64,
    out_bounds_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = crm_pareto_nbd_params::checked(model, "model")?;
        let d = history(fit_data, true, "fit_data")?;
        clv(
            Fitted::ParetoNbd(m, &d), spend, spend_fit_data, rows, months, monthly_discount, units_per_month, options,
            out_point, out_point_len, out_bounds, out_bounds_len,
        )
    }
}
