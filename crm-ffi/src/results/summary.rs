//! `crm_summary`: one row per customer with purchases, revenue, margin, recency, tenure and
//! RFM scores, as of a date.

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of, day_of, day_or_none};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, fill, index, out, out_slice};
use crate::results::{copy_rows, write_json};
use crm_core::{CustomerBase, CustomerSummary, Summary, SummaryConfig};
use std::ffi::c_char;
use std::sync::Arc;

/// How the summary annualises purchase frequency. Start from
/// `crm_summary_config_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_summary_config {
    /// Purchases per year = purchases / max(tenure, `min_span_days`) x 365.25. At least 1.
    /// Default 365.
    pub min_span_days: u32,
}

/// One customer's summary row. Missing values: `CRM_NO_DATE` for dates, NaN for amounts,
/// -1 for day counts, 0 for RFM scores.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_summary_row {
    /// Customer index in the base.
    pub customer: usize,
    /// Day of the first purchase.
    pub first_purchase: i32,
    /// Day of the last purchase.
    pub last_purchase: i32,
    /// Purchases (positive transactions; refunds are not purchases).
    pub purchases: u32,
    /// Days from the last purchase to the as-of date.
    pub recency_days: i32,
    /// Days from the first purchase to the as-of date.
    pub tenure_days: i32,
    /// Recency score 1 (worst) to 5 (best).
    pub rfm_r: u8,
    /// Frequency score 1 to 5.
    pub rfm_f: u8,
    /// Monetary score 1 to 5.
    pub rfm_m: u8,
    /// The three scores as one number, e.g. 545.
    pub rfm_code: u16,
    /// Purchases per year over the customer's tenure.
    pub purchases_per_year: f64,
    /// Revenue / purchases.
    pub average_purchase: f64,
    /// Net revenue (refunds deducted).
    pub revenue: f64,
    /// Net margin; NaN when the base has no margins.
    pub margin: f64,
}

/// The customer summary of a base as of a date, in customer index order.
///
/// Ownership: made by `crm_summary_new`, freed by `crm_summary_free`; it keeps what it needs
/// of the base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_summary {
    base: Arc<CustomerBase>,
    inner: Summary,
}

fn days(d: Option<u32>) -> i32 {
    d.map_or(-1, |d| i32::try_from(d).unwrap_or(i32::MAX))
}

fn row(r: &CustomerSummary) -> crm_summary_row {
    crm_summary_row {
        customer: r.customer as usize,
        first_purchase: day_or_none(r.first_purchase),
        last_purchase: day_or_none(r.last_purchase),
        purchases: r.purchases,
        recency_days: days(r.recency_days),
        tenure_days: days(r.tenure_days),
        rfm_r: r.rfm.map_or(0, |s| s.r),
        rfm_f: r.rfm.map_or(0, |s| s.f),
        rfm_m: r.rfm.map_or(0, |s| s.m),
        rfm_code: r.rfm.map_or(0, |s| s.code()),
        purchases_per_year: r.purchases_per_year,
        average_purchase: r.average_purchase.unwrap_or(f64::NAN),
        revenue: r.revenue,
        margin: r.margin.unwrap_or(f64::NAN),
    }
}

fn summary_ref<'a>(summary: *const crm_summary) -> Result<&'a crm_summary, Failure> {
    // SAFETY: `summary` is NULL or a live handle (header contract).
    unsafe { arg_ref(summary, "summary") }
}

fn columns<'a>(summary: *const crm_summary) -> Result<&'a Summary, Failure> {
    Ok(&summary_ref(summary)?.inner)
}

/// Copies `value(summary, i)` of every customer `i` into `out` (`len` must equal the count).
///
/// # Safety
/// `out` is NULL or has room for `len` values.
unsafe fn copy_each<T>(
    summary: *const crm_summary,
    out: *mut T,
    len: usize,
    value: impl Fn(&Summary, usize) -> T,
) -> Result<(), Failure> {
    let s = columns(summary)?;
    // SAFETY: per the contract.
    let target = unsafe { out_slice(out, len, s.len(), "out") }?;
    fill(target, (0..s.len()).map(|i| value(s, i)));
    Ok(())
}

/// A purchase day, or `CRM_NO_DATE` for a customer without purchases.
fn purchase_day(s: &Summary, i: usize, days: &[i32]) -> i32 {
    if s.has_purchase(i) { days[i] } else { CRM_NO_DATE }
}

/// The default summary config (`min_span_days` 365).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_config_default() -> crm_summary_config {
    ffi_boundary! { crm_summary_config { min_span_days: SummaryConfig::default().min_span_days } }
}

impl crate::panic::PanicDefault for crm_summary_config {
    fn panicked() -> Self {
        crm_summary_config { min_span_days: 365 }
    }
}

/// Computes the summary of `base` as of day `as_of` (days since 1970-01-01; transactions
/// after that day are left out and counted). `config` may be NULL for the defaults.
/// `CRM_RESULT_INVALID_CONFIG` names a bad field. Free the result with `crm_summary_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_new(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_summary_config,
    out_summary: *mut *mut crm_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_summary` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_summary, "out_summary")?, arg_opt(config)) };
        let config = SummaryConfig { min_span_days: config.map_or(365, |c| c.min_span_days) };
        let inner = base.inner.summary_with(date_of(as_of, "as_of")?, &config)?;
        slot.write(Box::into_raw(Box::new(crm_summary { base: Arc::clone(&base.inner), inner })));
        Ok(())
    }
}

/// Frees a summary. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_free(summary: *mut crm_summary) {
    ffi_boundary! {
        if !summary.is_null() {
            // SAFETY: made by `crm_summary_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(summary) });
        }
    }
}

/// Number of rows (= customers of the base); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_count(summary: *const crm_summary) -> usize {
    ffi_boundary! { columns(summary).map_or(0, Summary::len) }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_as_of(summary: *const crm_summary) -> i32 {
    ffi_boundary! { summary_ref(summary).map_or(crate::date::CRM_NO_DATE, |s| day_of(s.inner.as_of)) }
}

/// Transactions dated after the as-of day (left out of the summary); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_excluded_after_as_of(summary: *const crm_summary) -> usize {
    ffi_boundary! { summary_ref(summary).map_or(0, |s| s.inner.excluded_after_as_of) }
}

/// Row `index` (= customer index) of the summary.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_row_at(
    summary: *const crm_summary,
    index: usize,
    out_row: *mut crm_summary_row,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = columns(summary)?;
        // SAFETY: `out_row` is NULL or writable (header contract).
        let slot = unsafe { out(out_row, "out_row") }?;
        slot.write(row(&s.row(index_in(index, s.len())?)));
        Ok(())
    }
}

fn index_in(i: usize, n: usize) -> Result<usize, Failure> {
    index(i, n, "summary's row count")
}

/// Copies the revenue of every customer into `out` (`len` must equal the count).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_revenue(summary: *const crm_summary, out: *mut f64, len: usize) -> crm_result {
    // SAFETY (all copy functions): `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(&columns(summary)?.revenue, out, len, "out", |&v| v) } }
}

/// Copies the margin of every customer (NaN without margins); `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_margin(summary: *const crm_summary, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_each(summary, out, len, |s, i| s.margin.as_ref().map_or(f64::NAN, |m| m[i])) } }
}

/// Copies the purchase count of every customer; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_purchases(summary: *const crm_summary, out: *mut u32, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&columns(summary)?.purchases, out, len, "out", |&v| v) } }
}

/// Copies the purchases per year of every customer; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_purchases_per_year(
    summary: *const crm_summary,
    out: *mut f64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&columns(summary)?.purchases_per_year, out, len, "out", |&v| v) } }
}

/// Copies the average purchase of every customer (NaN without purchases); `len` must equal
/// the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_average_purchase(
    summary: *const crm_summary,
    out: *mut f64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        unsafe { copy_each(summary, out, len, |s, i| s.average_purchase(i).unwrap_or(f64::NAN)) }
    }
}

/// Copies the first purchase day of every customer (`CRM_NO_DATE` without purchases).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_first_purchase(
    summary: *const crm_summary,
    out: *mut i32,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_each(summary, out, len, |s, i| purchase_day(s, i, &s.first_purchase)) } }
}

/// Copies the last purchase day of every customer (`CRM_NO_DATE` without purchases).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_last_purchase(summary: *const crm_summary, out: *mut i32, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_each(summary, out, len, |s, i| purchase_day(s, i, &s.last_purchase)) } }
}

/// Copies the recency in days of every customer (-1 without purchases).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_recency_days(summary: *const crm_summary, out: *mut i32, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_each(summary, out, len, |s, i| days(s.recency_days(i))) } }
}

/// Copies the tenure in days of every customer (-1 without purchases).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_tenure_days(summary: *const crm_summary, out: *mut i32, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_each(summary, out, len, |s, i| days(s.tenure_days(i))) } }
}

/// Copies the RFM code (e.g. 545) of every customer (0 without purchases).
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_copy_rfm_code(summary: *const crm_summary, out: *mut u16, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_each(summary, out, len, |s, i| s.rfm_of(i).map_or(0, |r| r.code())) } }
}

/// The summary as JSON (`as_of`, `customers` rows, `excluded_after_as_of`, and
/// `customer_ids` in index order; missing values are null) in a new NUL-terminated string
/// `*out_json` of `*out_len` bytes (`out_len` may be NULL). Free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_summary_to_json(
    summary: *const crm_summary,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = summary_ref(summary)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_json(&s.base, &s.inner, out_json, out_len) }
    }
}
