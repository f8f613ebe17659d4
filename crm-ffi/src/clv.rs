//! Customer lifetime value: the plain formulas (the three levers, discounted margin,
//! retention-based CLV and its sensitivity, scenario comparison) and `crm_clv`, the CLV of
//! every customer of a base with group tables per segment, acquisition channel and portfolio.

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::enums::{clv_table, crm_clv_table};
use crate::error::{Failure, crm_result};
use crate::flows::{crm_flow_config, flow_config};
use crate::ptr::{arg_opt, arg_ref, index, out};
use crate::results::segments::{crm_segments_config, engine_config};
use crate::results::{c_name, copy_rows, or_nan, write_json};
use crm_core::clv::{
    ClvGroup, CustomerClv, RetentionSensitivity, Scenario, ScenarioComparison, check_retention_clv, compare,
    discounted_clv, retention_clv, retention_sensitivity, simple_clv,
};
use crm_core::{ClvConfig, ClvReport, CustomerBase};
use std::ffi::{CString, c_char};
use std::sync::Arc;

/// Writes the core formula's value to `out_value`; the core checks the arguments.
fn formula(out_value: *mut f64, value: crm_core::Result<f64>) -> Result<(), Failure> {
    // SAFETY: `out_value` is NULL or writable (header contract).
    let slot = unsafe { out(out_value, "out_value") }?;
    slot.write(value?);
    Ok(())
}

/// Lifetime revenue: purchases per year x average purchase x duration in years (5 a year
/// x 1000 x 2.5 years = 12 500). `CRM_RESULT_INVALID_CONFIG` for a non-finite or negative
/// argument.
#[unsafe(no_mangle)]
pub extern "C" fn crm_simple_clv(
    purchases_per_year: f64,
    average_purchase: f64,
    duration_years: f64,
    out_value: *mut f64,
) -> crm_result {
    ffi_boundary! { fallible:
        formula(out_value, simple_clv(purchases_per_year, average_purchase, duration_years))
    }
}

/// Discounted value of a yearly margin earned at the end of each year for
/// `duration_years` (a fractional last year pro rata): `m (1 - (1+d)^-T) / d`, `m T` when
/// `d` = 0. `CRM_RESULT_INVALID_CONFIG` for a non-finite argument or a negative duration
/// or discount.
#[unsafe(no_mangle)]
pub extern "C" fn crm_discounted_clv(
    yearly_margin: f64,
    duration_years: f64,
    discount: f64,
    out_value: *mut f64,
) -> crm_result {
    ffi_boundary! { fallible:
        formula(out_value, discounted_clv(yearly_margin, duration_years, discount))
    }
}

/// Retention-based CLV `m r / (1 + d - r)`: a margin `m` a year kept with probability `r`
/// each year, discounted at `d`. `retention` must be in [0, 1], `discount` >= 0 and not
/// both 1 and 0 (`CRM_RESULT_INVALID_CONFIG`, the detail names the argument).
#[unsafe(no_mangle)]
pub extern "C" fn crm_retention_clv(margin: f64, retention: f64, discount: f64, out_value: *mut f64) -> crm_result {
    ffi_boundary! { fallible:
        formula(out_value, retention_clv(margin, retention, discount))
    }
}

/// How the retention-based CLV changes when retention rises by a delta.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_retention_sensitivity {
    /// Retention before.
    pub retention: f64,
    /// Retention after (capped just below 1).
    pub retention_after: f64,
    /// CLV before.
    pub clv: f64,
    /// CLV after.
    pub clv_after: f64,
    /// clv_after / clv - 1.
    pub change: f64,
}

impl From<RetentionSensitivity> for crm_retention_sensitivity {
    fn from(s: RetentionSensitivity) -> Self {
        crm_retention_sensitivity {
            retention: s.retention,
            retention_after: s.retention_after,
            clv: s.clv,
            clv_after: s.clv_after,
            change: s.change,
        }
    }
}

/// The effect of a retention change on the retention-based CLV (the decks' "+5 %
/// retention"). `relative` true reads `delta` as a share of the current retention (0.8 x
/// 1.05), false as points (0.8 + 0.05). Arguments as `crm_retention_clv`; `delta` finite.
#[unsafe(no_mangle)]
pub extern "C" fn crm_retention_clv_sensitivity(
    margin: f64,
    retention: f64,
    discount: f64,
    delta: f64,
    relative: bool,
    out_sensitivity: *mut crm_retention_sensitivity,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_sensitivity` is NULL or writable (header contract).
        let slot = unsafe { out(out_sensitivity, "out_sensitivity") }?;
        check_retention_clv(margin, retention, discount)?;
        if !delta.is_finite() {
            return Err(Failure::new(crm_result::InvalidArgument, format!("`delta` = {delta} is not a finite number")));
        }
        let s = retention_sensitivity(margin, retention, discount, delta, relative);
        slot.write(s.into());
        Ok(())
    }
}

/// A portfolio described by its customer count and the three levers. Its CLV is
/// purchases per year x average purchase x duration; its value CLV x customers.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_scenario {
    /// Customers in the base.
    pub customers: f64,
    /// Purchases per customer and year.
    pub purchases_per_year: f64,
    /// Average purchase.
    pub average_purchase: f64,
    /// Expected duration in years.
    pub duration_years: f64,
}

impl From<Scenario> for crm_scenario {
    fn from(s: Scenario) -> Self {
        crm_scenario {
            customers: s.customers,
            purchases_per_year: s.purchases_per_year,
            average_purchase: s.average_purchase,
            duration_years: s.duration_years,
        }
    }
}

impl From<&crm_scenario> for Scenario {
    fn from(s: &crm_scenario) -> Self {
        Scenario {
            customers: s.customers,
            purchases_per_year: s.purchases_per_year,
            average_purchase: s.average_purchase,
            duration_years: s.duration_years,
        }
    }
}

/// Two scenarios side by side. A factor or change is NaN when its "before" value is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_scenario_comparison {
    /// The first scenario.
    pub before: crm_scenario,
    /// The second.
    pub after: crm_scenario,
    /// after / before per lever: customers, purchases per year, average purchase, duration.
    pub factors: [f64; 4],
    /// Portfolio value change, after / before - 1.
    pub change: f64,
    /// CLV change per customer, after / before - 1.
    pub clv_change: f64,
}

impl From<ScenarioComparison> for crm_scenario_comparison {
    fn from(c: ScenarioComparison) -> Self {
        crm_scenario_comparison {
            before: c.before.into(),
            after: c.after.into(),
            factors: c.factors,
            change: c.change,
            clv_change: c.clv_change,
        }
    }
}

/// Compares two scenarios (deck: 830 -> 810 customers, 5 -> 5.9 purchases a year, 1000 ->
/// 1168 average purchase, 2.5 -> 2.9 years: +56 % portfolio value). Every field must be
/// finite and >= 0 (`CRM_RESULT_INVALID_CONFIG` names it).
#[unsafe(no_mangle)]
pub extern "C" fn crm_scenario_compare(
    before: *const crm_scenario,
    after: *const crm_scenario,
    out_comparison: *mut crm_scenario_comparison,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the pointers are NULL or valid / writable (header contract).
        let (before, after, slot) =
            unsafe { (arg_ref(before, "before")?, arg_ref(after, "after")?, out(out_comparison, "out_comparison")?) };
        for (which, s) in [("before", before), ("after", after)] {
            // The kind's code; the detail says which scenario.
            Scenario::from(s).validate().map_err(|e| match e {
                crm_core::Error::InvalidConfig { field, message } => {
                    Failure::new(crm_result::InvalidConfig, format!("`{which}.{field}`: {message}"))
                }
                other => Failure::from(other),
            })?;
        }
        slot.write(compare(&before.into(), &after.into()).into());
        Ok(())
    }
}

/// How CLV is computed from a base. Start from `crm_clv_config_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_clv_config {
    /// Expected duration in years (finite, >= 0); NaN (the default) estimates it from the
    /// flows of the year up to the as-of date (base / customers lost per year).
    pub duration_years: f64,
    /// Yearly discount rate (finite, >= 0). Default 0.10.
    pub discount_rate: f64,
    /// Flow rules (inactivity window) for the duration and retention. Default: the flow
    /// defaults without flows by segment.
    pub flows: crm_flow_config,
    /// Segment rules for the per-segment table.
    pub segments: crm_segments_config,
}

impl From<&ClvConfig> for crm_clv_config {
    fn from(c: &ClvConfig) -> Self {
        crm_clv_config {
            duration_years: or_nan(c.duration_years),
            discount_rate: c.discount_rate,
            flows: (&c.flows).into(),
            segments: (&c.segments).into(),
        }
    }
}

impl crate::panic::PanicDefault for crm_clv_config {
    fn panicked() -> Self {
        (&ClvConfig::default()).into()
    }
}

/// The engine config of a C config (codes checked; a NaN duration means "estimate").
pub(crate) fn clv_config(c: &crm_clv_config) -> Result<ClvConfig, Failure> {
    Ok(ClvConfig {
        duration_years: (!c.duration_years.is_nan()).then_some(c.duration_years),
        discount_rate: c.discount_rate,
        flows: flow_config(&c.flows)?,
        segments: engine_config(&c.segments)?,
    })
}

/// One customer's CLV. Missing values are NaN (margins without margin data; acquisition
/// cost and NPV when the cost is unknown).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_customer_clv {
    /// Customer index in the base.
    pub customer: usize,
    /// In the base (bought within the inactivity window) at the as-of date.
    pub in_base: bool,
    /// Purchases per year.
    pub purchases_per_year: f64,
    /// Average purchase.
    pub average_purchase: f64,
    /// purchases per year x average purchase.
    pub yearly_revenue: f64,
    /// purchases per year x average margin per purchase.
    pub yearly_margin: f64,
    /// Lifetime revenue: yearly revenue x duration.
    pub clv: f64,
    /// Discounted lifetime margin.
    pub discounted_margin: f64,
    /// Acquisition cost from the customer table.
    pub acquisition_cost: f64,
    /// Discounted lifetime margin - acquisition cost.
    pub npv: f64,
}

fn customer_clv(c: &CustomerClv) -> crm_customer_clv {
    crm_customer_clv {
        customer: c.customer as usize,
        in_base: c.in_base,
        purchases_per_year: c.purchases_per_year,
        average_purchase: c.average_purchase,
        yearly_revenue: c.yearly_revenue,
        yearly_margin: or_nan(c.yearly_margin),
        clv: c.clv,
        discounted_margin: or_nan(c.discounted_margin),
        acquisition_cost: or_nan(c.acquisition_cost),
        npv: or_nan(c.npv),
    }
}

/// CLV totals of a group of customers in the base (a segment, a channel, the portfolio).
/// `group` is NUL-terminated and owned by the result handle (valid while it lives; do not
/// free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_clv_group {
    /// Group name ("top", an acquisition channel, "portfolio").
    pub group: *const c_char,
    /// Customers in the group.
    pub customers: u64,
    /// Sum of lifetime revenue.
    pub clv: f64,
    /// Mean lifetime revenue per customer (0 for an empty group).
    pub mean_clv: f64,
    /// Sum of discounted lifetime margin (0 without margins).
    pub discounted_margin: f64,
    /// Customers with a known NPV.
    pub with_npv: u64,
    /// Sum of NPV over those.
    pub npv: f64,
    /// Mean NPV over those; NaN when none is known.
    pub mean_npv: f64,
}

/// The C row of a group; `name` is owned by the handle.
pub(crate) fn clv_group(g: &ClvGroup, name: &CString) -> crm_clv_group {
    crm_clv_group {
        group: name.as_ptr(),
        customers: g.customers,
        clv: g.clv,
        mean_clv: g.mean_clv,
        discounted_margin: g.discounted_margin,
        with_npv: g.with_npv,
        npv: g.npv,
        mean_npv: or_nan(g.mean_npv),
    }
}

/// The headline figures of a CLV result.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_clv_overview {
    /// The as-of day.
    pub as_of: i32,
    /// Duration used, in years.
    pub duration_years: f64,
    /// Yearly retention rate of the base over the last year; NaN when unknown.
    pub retention_rate: f64,
    /// The discount rate used.
    pub discount_rate: f64,
    /// The portfolio's levers (customers in the base).
    pub scenario: crm_scenario,
}

/// CLV as of a date: one row per customer with a purchase (rows in customer index order;
/// `crm_customer_clv.customer` is the index), and group tables (`crm_clv_table`).
///
/// Ownership: made by `crm_clv_new`, freed by `crm_clv_free`; it keeps what it needs of the
/// base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_clv {
    base: Arc<CustomerBase>,
    inner: ClvReport,
    /// Group names per table.
    names: [Vec<CString>; 3],
}

impl crm_clv {
    fn groups(&self, table: crm_clv_table) -> &[ClvGroup] {
        match table {
            crm_clv_table::Segment => &self.inner.by_segment,
            crm_clv_table::Channel => &self.inner.by_channel,
            crm_clv_table::Portfolio => std::slice::from_ref(&self.inner.portfolio),
        }
    }
}

fn clv_ref<'a>(clv: *const crm_clv) -> Result<&'a crm_clv, Failure> {
    // SAFETY: `clv` is NULL or a live handle (header contract).
    unsafe { arg_ref(clv, "clv") }
}

fn rows<'a>(clv: *const crm_clv) -> Result<&'a [CustomerClv], Failure> {
    Ok(&clv_ref(clv)?.inner.customers)
}

/// The default CLV rules: duration estimated from the flows, discount rate 10 %, default
/// flow (without flows by segment) and segment rules.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_config_default() -> crm_clv_config {
    ffi_boundary! { (&ClvConfig::default()).into() }
}

/// Computes CLV as of day `as_of`: per customer, lifetime revenue = purchases per year x
/// average purchase x duration; discounted lifetime margin; NPV = that - acquisition cost.
/// `config` may be NULL for the defaults. `CRM_RESULT_INVALID_CONFIG` for a negative or
/// non-finite discount rate or duration; `CRM_RESULT_MISSING_DATA` when no duration is
/// given and none can be estimated (no customer lost in the last year). Free the result
/// with `crm_clv_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_new(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_clv_config,
    out_clv: *mut *mut crm_clv,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_clv` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_clv, "out_clv")?, arg_opt(config)) };
        let config = config.map_or_else(|| Ok(ClvConfig::default()), clv_config)?;
        let inner = base.inner.clv(date_of(as_of, "as_of")?, &config)?;
        let names = |g: &[ClvGroup]| g.iter().map(|x| c_name(&x.group)).collect();
        let names = [names(&inner.by_segment), names(&inner.by_channel), names(std::slice::from_ref(&inner.portfolio))];
        slot.write(Box::into_raw(Box::new(crm_clv { base: Arc::clone(&base.inner), inner, names })));
        Ok(())
    }
}

/// Frees a CLV result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_free(clv: *mut crm_clv) {
    ffi_boundary! {
        if !clv.is_null() {
            // SAFETY: made by `crm_clv_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(clv) });
        }
    }
}

/// Number of customer rows (customers with a purchase up to the as-of date); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_count(clv: *const crm_clv) -> usize {
    ffi_boundary! { rows(clv).map_or(0, <[_]>::len) }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_as_of(clv: *const crm_clv) -> i32 {
    ffi_boundary! { clv_ref(clv).map_or(CRM_NO_DATE, |c| day_of(c.inner.as_of)) }
}

/// The headline figures: duration, retention, discount rate and the portfolio's levers.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_get_overview(clv: *const crm_clv, out_overview: *mut crm_clv_overview) -> crm_result {
    ffi_boundary! { fallible:
        let c = &clv_ref(clv)?.inner;
        // SAFETY: `out_overview` is NULL or writable (header contract).
        let slot = unsafe { out(out_overview, "out_overview") }?;
        slot.write(crm_clv_overview {
            as_of: day_of(c.as_of),
            duration_years: c.duration_years,
            retention_rate: or_nan(c.retention_rate),
            discount_rate: c.discount_rate,
            scenario: c.scenario.into(),
        });
        Ok(())
    }
}

/// Customer row `row` (not the customer index: see `crm_customer_clv.customer`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_customer_at(
    clv: *const crm_clv,
    row: usize,
    out_customer: *mut crm_customer_clv,
) -> crm_result {
    ffi_boundary! { fallible:
        let rows = rows(clv)?;
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        slot.write(customer_clv(&rows[index(row, rows.len(), "CLV's row count")?]));
        Ok(())
    }
}

/// Copies every customer row into `out` (`len` must equal the count).
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_copy_customers(clv: *const crm_clv, out: *mut crm_customer_clv, len: usize) -> crm_result {
    // SAFETY (all copy functions): `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(rows(clv)?, out, len, "out", customer_clv) } }
}

/// Copies the customer index of every row; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_copy_customer_index(clv: *const crm_clv, out: *mut usize, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(rows(clv)?, out, len, "out", |c| c.customer as usize) } }
}

/// Copies the lifetime revenue of every row; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_copy_clv(clv: *const crm_clv, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(rows(clv)?, out, len, "out", |c| c.clv) } }
}

/// Copies the discounted lifetime margin of every row (NaN without margins).
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_copy_discounted_margin(clv: *const crm_clv, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(rows(clv)?, out, len, "out", |c| or_nan(c.discounted_margin)) } }
}

/// Copies the NPV of every row (NaN when unknown).
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_copy_npv(clv: *const crm_clv, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(rows(clv)?, out, len, "out", |c| or_nan(c.npv)) } }
}

/// Number of rows of a group table (a `crm_clv_table`): 3, one per channel, or 1; 0 for
/// NULL or an unknown table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_group_count(clv: *const crm_clv, table: u8) -> usize {
    ffi_boundary! {
        match (clv_ref(clv), clv_table(table)) {
            (Ok(c), Ok(t)) => c.groups(t).len(),
            _ => 0,
        }
    }
}

/// Row `row` of a group table (a `crm_clv_table`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_group_row(
    clv: *const crm_clv,
    table: u8,
    row: usize,
    out_group: *mut crm_clv_group,
) -> crm_result {
    ffi_boundary! { fallible:
        let c = clv_ref(clv)?;
        // SAFETY: `out_group` is NULL or writable (header contract).
        let slot = unsafe { out(out_group, "out_group") }?;
        let t = clv_table(table)?;
        let groups = c.groups(t);
        let i = index(row, groups.len(), "table's row count")?;
        slot.write(clv_group(&groups[i], &c.names[t as usize][i]));
        Ok(())
    }
}

/// The CLV result as JSON (`customers` rows with customer indices, `by_segment`,
/// `by_channel`, `portfolio`, `scenario`, and `customer_ids` in index order; missing values
/// null) in a new NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_clv_to_json(clv: *const crm_clv, out_json: *mut *mut c_char, out_len: *mut usize) -> crm_result {
    ffi_boundary! { fallible:
        let c = clv_ref(clv)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_json(&c.base, &c.inner, out_json, out_len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deck_scenario_and_config_defaults() {
        let before =
            crm_scenario { customers: 830.0, purchases_per_year: 5.0, average_purchase: 1000.0, duration_years: 2.5 };
        let after =
            crm_scenario { customers: 810.0, purchases_per_year: 5.9, average_purchase: 1168.0, duration_years: 2.9 };
        let mut c = std::mem::MaybeUninit::uninit();
        assert_eq!(crm_scenario_compare(&before, &after, c.as_mut_ptr()), crm_result::Ok);
        let c = unsafe { c.assume_init() };
        assert!((c.change - (16_187_428.8 / 10_375_000.0 - 1.0)).abs() < 1e-12);
        let d = crm_clv_config_default();
        assert!(d.duration_years.is_nan() && !d.flows.by_segment);
        assert_eq!(clv_config(&d).unwrap(), ClvConfig::default());
        let mut v = 0.0;
        assert_eq!(crm_retention_clv(100.0, 1.5, 0.1, &mut v), crm_result::InvalidConfig);
    }
}
