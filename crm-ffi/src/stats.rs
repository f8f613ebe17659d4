//! Statistics for conversion rates (Wilson intervals, the two-proportion test with
//! Newcombe's interval, sample sizes) and tests of process variants with their economics
//! ("effect in relation to cost"): arrays of counts in, `repr(C)` rows out.

use crate::columns::check_lengths;
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, fill, out, out_slice, slice};
use crate::results::or_nan;
use crm_core::stats::{Difference, Proportion, compare_proportions, sample_size, wilson};
use crm_core::variants::{Economics, VariantCounts, VariantResult, compare_variants};

/// A proportion with its confidence interval. For a rate that is not defined (e.g. the
/// first step of a funnel) the counts are 0 and the doubles NaN.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_proportion {
    /// Successes.
    pub successes: u64,
    /// Trials.
    pub trials: u64,
    /// successes / trials (0 without trials).
    pub rate: f64,
    /// Lower bound of the Wilson interval.
    pub low: f64,
    /// Upper bound of the Wilson interval.
    pub high: f64,
}

impl From<Proportion> for crm_proportion {
    fn from(p: Proportion) -> Self {
        crm_proportion { successes: p.successes, trials: p.trials, rate: p.rate, low: p.low, high: p.high }
    }
}

/// The C proportion of an optional one (NaN when absent).
pub(crate) fn proportion(p: Option<Proportion>) -> crm_proportion {
    p.map_or(crm_proportion { successes: 0, trials: 0, rate: f64::NAN, low: f64::NAN, high: f64::NAN }, Into::into)
}

/// Two proportions compared: difference `b - a` with Newcombe's interval (method 10), the
/// pooled two-proportion z test and the relative lift.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_difference {
    /// The first (control) proportion.
    pub a: crm_proportion,
    /// The second (treatment) proportion.
    pub b: crm_proportion,
    /// b.rate - a.rate.
    pub difference: f64,
    /// Lower bound of the difference's interval.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// z statistic of the pooled two-proportion test.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// b.rate / a.rate - 1; NaN when a.rate is 0.
    pub lift: f64,
}

/// The C difference of an optional one (every double NaN when absent).
pub(crate) fn difference(d: Option<Difference>) -> crm_difference {
    match d {
        Some(d) => crm_difference {
            a: d.a.into(),
            b: d.b.into(),
            difference: d.difference,
            low: d.low,
            high: d.high,
            z: d.z,
            p_value: d.p_value,
            lift: or_nan(d.lift),
        },
        None => {
            let nan = f64::NAN;
            crm_difference {
                a: proportion(None),
                b: proportion(None),
                difference: nan,
                low: nan,
                high: nan,
                z: nan,
                p_value: nan,
                lift: nan,
            }
        }
    }
}

/// Checks a confidence level in (0, 1).
pub(crate) fn confidence(c: f64) -> Result<f64, Failure> {
    if c > 0.0 && c < 1.0 {
        Ok(c)
    } else {
        Err(Failure::new(crm_result::InvalidArgument, format!("`confidence` = {c} is not in (0, 1)")))
    }
}

fn counts(successes: u64, trials: u64, what: &str) -> Result<(), Failure> {
    if successes > trials {
        return Err(Failure::new(
            crm_result::InvalidArgument,
            format!("{what}: {successes} successes in {trials} trials"),
        ));
    }
    Ok(())
}

/// The Wilson score interval of `successes` in `trials` at `confidence` (e.g. 0.95; in
/// (0, 1)). `CRM_RESULT_INVALID_ARGUMENT` for more successes than trials. No trials give
/// rate 0 and the interval [0, 1].
#[unsafe(no_mangle)]
pub extern "C" fn crm_wilson(
    successes: u64,
    trials: u64,
    confidence: f64,
    out_proportion: *mut crm_proportion,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_proportion` is NULL or writable (header contract).
        let slot = unsafe { out(out_proportion, "out_proportion") }?;
        counts(successes, trials, "the proportion")?;
        slot.write(wilson(successes, trials, self::confidence(confidence)?).into());
        Ok(())
    }
}

/// Compares `b` (treatment) with `a` (control): difference, Newcombe interval, z test and
/// lift. `CRM_RESULT_INVALID_ARGUMENT` for more successes than trials or a confidence
/// outside (0, 1).
#[unsafe(no_mangle)]
pub extern "C" fn crm_compare_proportions(
    a_successes: u64,
    a_trials: u64,
    b_successes: u64,
    b_trials: u64,
    confidence: f64,
    out_difference: *mut crm_difference,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_difference` is NULL or writable (header contract).
        let slot = unsafe { out(out_difference, "out_difference") }?;
        counts(a_successes, a_trials, "`a`")?;
        counts(b_successes, b_trials, "`b`")?;
        let d = compare_proportions(a_successes, a_trials, b_successes, b_trials, self::confidence(confidence)?);
        slot.write(difference(Some(d)));
        Ok(())
    }
}

/// Customers needed per group to detect a change from rate `p1` to `p2` with a two-sided
/// test at significance `alpha` and the given `power` (55 % -> 70 % at 0.05 and 0.8: 163).
/// `CRM_RESULT_INVALID_CONFIG` for rates outside [0, 1] or `alpha` or `power` outside
/// (0, 1) (the detail names the argument), `CRM_RESULT_INVALID_ARGUMENT` for equal rates.
#[unsafe(no_mangle)]
pub extern "C" fn crm_sample_size(p1: f64, p2: f64, alpha: f64, power: f64, out_customers: *mut u64) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_customers` is NULL or writable (header contract).
        let slot = unsafe { out(out_customers, "out_customers") }?;
        let n = sample_size(p1, p2, alpha, power)?
            .ok_or_else(|| {
                Failure::new(crm_result::InvalidArgument, format!("no sample size for p1 = p2 = {p1}: no change to detect"))
            })?;
        slot.write(n);
        Ok(())
    }
}

/// What a conversion is worth and what a variant costs. Start from
/// `crm_economics_default()` (all 0).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct crm_economics {
    /// Value of one conversion (e.g. margin of the first-month use).
    pub value_per_conversion: f64,
    /// Cost per customer given the treatment (e.g. printing and sending a cheque).
    pub cost_per_customer: f64,
    /// Cost per conversion of the treatment (e.g. a 100 kr cheque redeemed).
    pub cost_per_conversion: f64,
}

impl crate::panic::PanicDefault for crm_economics {
    fn panicked() -> Self {
        crm_economics::default()
    }
}

/// A variant against the control. For the control itself `versus_control` is all NaN,
/// the incremental figures and cost 0. Missing values: NaN, and -1 for
/// `sample_size_needed`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_variant_result {
    /// Conversion with its Wilson interval.
    pub conversion: crm_proportion,
    /// Against the control.
    pub versus_control: crm_difference,
    /// (rate - control rate) x customers.
    pub incremental_conversions: f64,
    /// Incremental conversions x value per conversion.
    pub incremental_value: f64,
    /// Customers x cost per customer + conversions x cost per conversion.
    pub cost: f64,
    /// Incremental value - cost.
    pub net_effect: f64,
    /// Net effect / cost; NaN without cost.
    pub roi: f64,
    /// The uplift (in rate points) at which the net effect is 0; NaN when none exists.
    pub break_even_uplift: f64,
    /// Customers per group needed to detect the observed uplift (alpha 0.05, power 0.8);
    /// -1 when not defined (the control, no uplift).
    pub sample_size_needed: i64,
}

fn variant_result(v: &VariantResult) -> crm_variant_result {
    crm_variant_result {
        conversion: v.conversion.into(),
        versus_control: difference(v.versus_control),
        incremental_conversions: v.incremental_conversions,
        incremental_value: v.incremental_value,
        cost: v.cost,
        net_effect: v.net_effect,
        roi: or_nan(v.roi),
        break_even_uplift: or_nan(v.break_even_uplift),
        sample_size_needed: v.sample_size_needed.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX)),
    }
}

/// The economics default: every value 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_economics_default() -> crm_economics {
    ffi_boundary! { crm_economics::default() }
}

/// Compares variants of a process with the control: variant `i` was given to
/// `customers[i]` customers, of whom `conversions[i]` converted; `control` is the index of
/// the control. `economics` may be NULL (all 0). `out` receives one row per variant, in
/// input order (`out_len` = the number of variants).
///
/// Errors: `CRM_RESULT_LENGTH_MISMATCH` for arrays of different lengths,
/// `CRM_RESULT_EMPTY_INPUT` without variants, `CRM_RESULT_INVALID_ARGUMENT` for a
/// confidence outside (0, 1), `CRM_RESULT_INVALID_CONFIG` for a control index out of range,
/// more conversions than customers (naming the variant) or non-finite economics.
#[unsafe(no_mangle)]
pub extern "C" fn crm_compare_variants(
    customers: *const u64,
    customers_len: usize,
    conversions: *const u64,
    conversions_len: usize,
    control: usize,
    confidence: f64,
    economics: *const crm_economics,
    out: *mut crm_variant_result,
    out_len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let n = check_lengths(&[("customers", customers_len), ("conversions", conversions_len)])?;
        // SAFETY: the arrays hold their lengths of values, `economics` is NULL or valid, `out`
        // has room for `out_len` rows (header contract).
        let (customers, conversions, economics, target) = unsafe {
            (
                slice(customers, customers_len, "customers")?,
                slice(conversions, conversions_len, "conversions")?,
                arg_opt(economics).copied().unwrap_or_default(),
                out_slice(out, out_len, n, "out")?,
            )
        };
        let variants: Vec<VariantCounts> = customers
            .iter()
            .zip(conversions)
            .enumerate()
            .map(|(k, (&customers, &conversions))| VariantCounts { name: k.to_string(), customers, conversions })
            .collect();
        let e = Economics {
            value_per_conversion: economics.value_per_conversion,
            cost_per_customer: economics.cost_per_customer,
            cost_per_conversion: economics.cost_per_conversion,
        };
        let results = compare_variants(&variants, control, self::confidence(confidence)?, &e)?;
        fill(target, results.iter().map(variant_result));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newcombe_examples() {
        let mut p = std::mem::MaybeUninit::uninit();
        assert_eq!(crm_wilson(81, 263, 0.95, p.as_mut_ptr()), crm_result::Ok);
        let p = unsafe { p.assume_init() };
        assert_eq!(format!("{:.4} {:.4}", p.low, p.high), "0.2553 0.3662");
        let mut d = std::mem::MaybeUninit::uninit();
        assert_eq!(crm_compare_proportions(48, 80, 56, 70, 0.95, d.as_mut_ptr()), crm_result::Ok);
        let d = unsafe { d.assume_init() };
        assert_eq!(format!("{:.4} {:.4}", d.low, d.high), "0.0524 0.3339");
        let mut n = 0;
        assert_eq!(crm_sample_size(0.55, 0.70, 0.05, 0.8, &mut n), crm_result::Ok);
        assert_eq!(n, 163);
        assert_eq!(crm_wilson(3, 2, 0.95, std::ptr::null_mut()), crm_result::NullParameter);
    }
}
