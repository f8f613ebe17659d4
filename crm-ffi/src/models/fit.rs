//! Fitting the models: options and summary, one `crm_<model>_fit` per model.

use super::{
    Columns, Needs, Params, columns, crm_bgbb_params, crm_bgnbd_params, crm_gamma_gamma_params, crm_mbgnbd_params,
    crm_pareto_nbd_params, crm_rfm_columns, crm_sbg_params,
};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, optional_out, optional_slice, out, put, slice};
use crm_core::models::{
    BetaGeo, BetaGeoBetaBinom, FitOptions, FitSummary, GammaGamma, ModifiedBetaGeo, ParetoNbd, ShiftedBetaGeo,
};

/// How to fit. Start from `crm_fit_options_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_fit_options {
    /// L2 penalty on the parameters, >= 0, with lifetimes' `penalizer_coef` meaning: added
    /// to the mean negative log-likelihood as `penalizer x sum(params^2)`, the time scale
    /// parameters (alpha, and beta of Pareto/NBD) measured in units of the largest T, and
    /// for Pareto/NBD divided by the number of rows given. Default 0.
    pub penalizer: f64,
    /// Starting parameters (natural scale, in the order of the model's parameter struct,
    /// each > 0); NULL for 1 each. Borrowed for the call.
    pub initial: *const f64,
    /// Length of `initial`: the model's parameter count (0 when NULL).
    pub initial_len: usize,
    /// Iteration limit. Default 500.
    pub max_iterations: usize,
    /// The fit stops when the gradient of the penalised mean negative log-likelihood in the
    /// log-parameters is shorter than this (lifetimes' `tol`, scipy's BFGS `gtol`); finite,
    /// > 0. Default 1e-10.
    pub tolerance: f64,
}

const DEFAULT_OPTIONS: crm_fit_options = crm_fit_options {
    penalizer: 0.0,
    initial: std::ptr::null(),
    initial_len: 0,
    max_iterations: 500,
    tolerance: 1e-10,
};

impl crate::panic::PanicDefault for crm_fit_options {
    fn panicked() -> Self {
        DEFAULT_OPTIONS
    }
}

/// The default fit options: no penalty, start at 1 for each parameter, 500 iterations.
#[unsafe(no_mangle)]
pub extern "C" fn crm_fit_options_default() -> crm_fit_options {
    ffi_boundary! { DEFAULT_OPTIONS }
}

/// What a fit found. `params` and `std_errors` hold `param_count` values in the order of
/// the model's parameter struct; unused slots are NaN, and so is a standard error when the
/// Hessian is singular.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_fit_summary {
    /// Number of parameters (2 to 4).
    pub param_count: usize,
    /// Parameter values.
    pub params: [f64; 4],
    /// Standard errors (from the inverse Hessian of the log-likelihood).
    pub std_errors: [f64; 4],
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

fn padded(values: &[f64]) -> [f64; 4] {
    let mut out = [f64::NAN; 4];
    for (o, v) in out.iter_mut().zip(values) {
        *o = *v;
    }
    out
}

fn summary(s: &FitSummary) -> crm_fit_summary {
    crm_fit_summary {
        param_count: s.params.len(),
        params: padded(&s.params),
        std_errors: padded(&s.std_errors),
        log_likelihood: s.log_likelihood,
        customers: s.customers,
        distinct_rows: s.distinct_rows,
        iterations: s.iterations,
        converged: s.converged,
    }
}

/// Engine options from optional C options.
pub(super) fn options(o: *const crm_fit_options) -> Result<FitOptions, Failure> {
    // SAFETY: `o` is NULL or valid, its `initial` holding `initial_len` values (header contract).
    let Some(o) = (unsafe { arg_opt(o) }) else { return Ok(FitOptions::default()) };
    // SAFETY: as above.
    let initial = unsafe { optional_slice(o.initial, o.initial_len, "initial") }?;
    Ok(FitOptions {
        penalizer: o.penalizer,
        initial: initial.map(<[f64]>::to_vec),
        max_iterations: o.max_iterations,
        tolerance: o.tolerance,
    })
}

/// Checks the out-parameters, runs `fit` and writes the model and summary.
fn fit_into<P: Params>(
    options: *const crm_fit_options,
    out_model: *mut P,
    out_summary: *mut crm_fit_summary,
    fit: impl FnOnce(&FitOptions) -> Result<FitSummary, Failure>,
) -> Result<(), Failure> {
    // SAFETY: `out_model` and `out_summary` are NULL or writable (header contract).
    let (model_slot, summary_slot) =
        unsafe { (out(out_model, "out_model")?, optional_out(out_summary, "out_summary")?) };
    let s = fit(&self::options(options)?)?;
    model_slot.write(P::of(&s.params));
    put(summary_slot, summary(&s));
    Ok(())
}

/// Fits on the columns of `data` that `needs` names.
fn fit_columns<P: Params>(
    data: *const crm_rfm_columns,
    needs: Needs,
    options: *const crm_fit_options,
    out_model: *mut P,
    out_summary: *mut crm_fit_summary,
    fit: impl FnOnce(&Columns<'_>, &FitOptions) -> Result<FitSummary, Failure>,
) -> Result<(), Failure> {
    // SAFETY: `data` is NULL or a valid description of arrays (header contract).
    let c = unsafe { columns(data, needs) }?;
    fit_into(options, out_model, out_summary, |o| fit(&c, o))
}

/// Fits BG/NBD (Fader, Hardie & Lee 2005) by maximum likelihood on `frequency`, `recency`,
/// `t` and optional `weights` of `data`. `options` may be NULL for the defaults;
/// `out_summary` may be NULL. Errors: `CRM_RESULT_LENGTH_MISMATCH`, `CRM_RESULT_EMPTY_INPUT`,
/// `CRM_RESULT_INVALID_VALUE` naming the row and column of a value out of its domain,
/// `CRM_RESULT_INVALID_CONFIG` for bad options, `CRM_RESULT_FIT` when the likelihood cannot
/// be evaluated.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgnbd_fit(
    data: *const crm_rfm_columns,
    options: *const crm_fit_options,
    out_model: *mut crm_bgnbd_params,
    out_summary: *mut crm_fit_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        fit_columns(data, Needs::History, options, out_model, out_summary, |c, o| Ok(BetaGeo::fit(&c.rfm(true)?, o)?.1))
    }
}

/// Fits MBG/NBD (Batislam, Denizel & Filiztekin 2007); as `crm_bgnbd_fit`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_mbgnbd_fit(
    data: *const crm_rfm_columns,
    options: *const crm_fit_options,
    out_model: *mut crm_mbgnbd_params,
    out_summary: *mut crm_fit_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        fit_columns(data, Needs::History, options, out_model, out_summary, |c, o| {
            Ok(ModifiedBetaGeo::fit(&c.rfm(true)?, o)?.1)
        })
    }
}

/// Fits Pareto/NBD (Schmittlein, Morrison & Colombo 1987); as `crm_bgnbd_fit`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_pareto_nbd_fit(
    data: *const crm_rfm_columns,
    options: *const crm_fit_options,
    out_model: *mut crm_pareto_nbd_params,
    out_summary: *mut crm_fit_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        fit_columns(data, Needs::History, options, out_model, out_summary, |c, o| Ok(ParetoNbd::fit(&c.rfm(true)?, o)?.1))
    }
}

/// Fits BG/BB (Fader, Hardie & Shang 2010) on `frequency` (x), `recency` (t_x), `t` (n
/// opportunities) and optional `weights` of `data`: whole numbers with 0 <= x <= t_x <= n
/// (`CRM_RESULT_INVALID_VALUE` names the row). Otherwise as `crm_bgnbd_fit`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bgbb_fit(
    data: *const crm_rfm_columns,
    options: *const crm_fit_options,
    out_model: *mut crm_bgbb_params,
    out_summary: *mut crm_fit_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        fit_columns(data, Needs::History, options, out_model, out_summary, |c, o| {
            Ok(BetaGeoBetaBinom::fit(c.frequency, c.recency, c.t, c.weights, o)?.1)
        })
    }
}

/// Fits the Gamma-Gamma spend model on repeat buyers: `frequency` (whole x >= 1),
/// `monetary_value` (mean repeat spend > 0) and optional `weights` of `data`. Otherwise as
/// `crm_bgnbd_fit`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_gamma_gamma_fit(
    data: *const crm_rfm_columns,
    options: *const crm_fit_options,
    out_model: *mut crm_gamma_gamma_params,
    out_summary: *mut crm_fit_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        fit_columns(data, Needs::Spend, options, out_model, out_summary, |c, o| {
            Ok(GammaGamma::fit(c.frequency, c.monetary_value, c.weights, o)?.1)
        })
    }
}

/// Fits the shifted-beta-geometric model (Fader & Hardie 2007) on a cohort: `alive[t]`
/// customers still active at the start of period t (`alive[0]` is the cohort size; the
/// counts never rise), at least two values (`CRM_RESULT_INVALID_CONFIG`). A count that is
/// negative, not finite or above the one before is `CRM_RESULT_INVALID_VALUE` naming its
/// row; an empty cohort (`alive[0]` = 0) is `CRM_RESULT_FIT`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_sbg_fit(
    alive: *const f64,
    alive_len: usize,
    options: *const crm_fit_options,
    out_model: *mut crm_sbg_params,
    out_summary: *mut crm_fit_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `alive` holds `alive_len` values (header contract).
        let alive = unsafe { slice(alive, alive_len, "alive") }?;
        fit_into(options, out_model, out_summary, |o| Ok(ShiftedBetaGeo::fit(alive, o)?.1))
    }
}
