//! `crm_rfm_summary`: the (frequency, recency, T, monetary value) summary of a base that
//! the models are fitted on, built the way lifetimes' `summary_data_from_transaction_data`
//! does.

use super::crm_rfm_columns;
use crate::base::{base_ref, crm_base};
use crate::builder::{check_transaction_lengths, transactions};
use crate::date::date_of;
use crate::enums::crm_time_unit;
use crate::error::{Failure, crm_result};
use crate::ptr::slice;
use crate::ptr::{arg_ref, out};
use crate::results::copy_rows;
use crm_core::KeyColumn;
use crm_core::models::{
    Instants, RfmSummary, TimeUnit, summary_from_columns, summary_from_slices, summary_from_transactions,
};

/// The model summary of every customer with a transaction up to the observation end, in
/// customer index order (others are left out: `crm_rfm_summary_copy_customers` gives each
/// row's customer index). A customer's transactions are grouped by day; the first day is
/// the acquisition; `frequency` = later days with a transaction, `recency` = last day -
/// first day, `T` = observation end - first day (both in the chosen unit), and
/// `monetary_value` = the mean of the later days' sums (0 without repeat days).
///
/// Ownership: made by `crm_rfm_summary_new`, freed by `crm_rfm_summary_free`; it does not
/// refer to the base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_rfm_summary {
    inner: RfmSummary,
    /// Each row's customer id, when the ids are integers.
    ids: Option<Vec<i64>>,
}

fn summary_ref<'a>(summary: *const crm_rfm_summary) -> Result<&'a crm_rfm_summary, Failure> {
    // SAFETY: `summary` is NULL or a live handle (header contract).
    unsafe { arg_ref(summary, "summary") }
}

/// Summarises `base` up to and including day `observation_end`, recency and T in units of
/// `days_per_unit` days (1 for days, 7 for weeks; finite and > 0, else
/// `CRM_RESULT_INVALID_ARGUMENT`). Free the result with `crm_rfm_summary_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_new(
    base: *const crm_base,
    observation_end: i32,
    days_per_unit: f64,
    out_summary: *mut *mut crm_rfm_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_summary` is NULL or writable (header contract).
        let slot = unsafe { out(out_summary, "out_summary") }?;
        if !(days_per_unit.is_finite() && days_per_unit > 0.0) {
            return Err(Failure::new(crm_result::InvalidArgument, format!("`days_per_unit` = {days_per_unit} is not > 0")));
        }
        let unit = TimeUnit::DaysPer(days_per_unit);
        let inner = summary_from_transactions(&base.inner, date_of(observation_end, "observation_end")?, unit);
        let ids = match base.inner.ids() {
            KeyColumn::Int(v) => Some(inner.customers.iter().map(|&c| v[c as usize]).collect()),
            KeyColumn::Str(_) => None,
        };
        slot.write(Box::into_raw(Box::new(crm_rfm_summary { inner, ids })));
        Ok(())
    }
}

/// The model summary straight from transaction arrays with integer customer ids (as
/// `crm_base_builder_add_transactions_int` takes them, without margins), without building
/// a base: one pass when the rows are in time order, as sales exports come (else through a
/// base, with the same figures bit for bit). Rows in ascending id order;
/// `crm_rfm_summary_copy_ids_int` gives their ids, `crm_rfm_summary_copy_customers` their
/// positions among all customers of the arrays. Errors as building a base of the arrays
/// (the detail names the row and column); `days_per_unit` as `crm_rfm_summary_new`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_from_columns_int(
    customer_ids: *const i64,
    customer_ids_len: usize,
    times: *const i64,
    times_len: usize,
    time_unit: u8,
    amounts: *const f64,
    amounts_len: usize,
    observation_end: i32,
    days_per_unit: f64,
    out_summary: *mut *mut crm_rfm_summary,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_summary` is NULL or writable (header contract).
        let slot = unsafe { out(out_summary, "out_summary") }?;
        if !(days_per_unit.is_finite() && days_per_unit > 0.0) {
            return Err(Failure::new(crm_result::InvalidArgument, format!("`days_per_unit` = {days_per_unit} is not > 0")));
        }
        let end = date_of(observation_end, "observation_end")?;
        check_transaction_lengths(customer_ids_len, times_len, amounts_len, std::ptr::null(), 0)?;
        // SAFETY: `customer_ids` holds `customer_ids_len` values (header contract).
        let ids = unsafe { slice(customer_ids, customer_ids_len, "customer_ids") }?;
        let unit = TimeUnit::DaysPer(days_per_unit);
        // The pass reads the caller's arrays as they are (no copy); a bad value is left to
        // the conversion below, which names its row.
        // SAFETY: `times` and `amounts` hold their lengths' values (header contract).
        let (t, a) = unsafe { (slice(times, times_len, "times")?, slice(amounts, amounts_len, "amounts")?) };
        let instants = match crate::enums::time_unit(time_unit)? {
            crm_time_unit::Seconds => Instants::Seconds(t),
            crm_time_unit::Days => Instants::DaysI64(t),
        };
        if let Some((ids, inner)) = summary_from_slices(ids, instants, a, end, unit) {
            let KeyColumn::Int(ids) = ids else { unreachable!("integer ids in, integer ids out") };
            slot.write(Box::into_raw(Box::new(crm_rfm_summary { inner, ids: Some(ids) })));
            return Ok(());
        }
        let columns = transactions(|| KeyColumn::Int(ids.to_vec()), times, times_len, time_unit, amounts, amounts_len, std::ptr::null(), 0)?;
        let (ids, inner) = summary_from_columns(columns, end, unit)?;
        let KeyColumn::Int(ids) = ids else { unreachable!("integer ids in, integer ids out") };
        slot.write(Box::into_raw(Box::new(crm_rfm_summary { inner, ids: Some(ids) })));
        Ok(())
    }
}

/// Copies the customer id of every row (integer ids only: `CRM_RESULT_ID_KIND_MISMATCH`
/// for a base with text ids); `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_copy_ids_int(
    summary: *const crm_rfm_summary,
    out: *mut i64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let ids = summary_ref(summary)?.ids.as_ref().ok_or_else(|| {
            Failure::new(crm_result::IdKindMismatch, "the summary's customers have text ids")
        })?;
        // SAFETY: `out` has room for `len` values (header contract).
        unsafe { copy_rows(ids, out, len, "out", |&v| v) }
    }
}

/// Frees a model summary. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_free(summary: *mut crm_rfm_summary) {
    ffi_boundary! {
        if !summary.is_null() {
            // SAFETY: made by `crm_rfm_summary_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(summary) });
        }
    }
}

/// Number of rows (customers with a transaction up to the observation end); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_count(summary: *const crm_rfm_summary) -> usize {
    ffi_boundary! { summary_ref(summary).map_or(0, |s| s.inner.customers.len()) }
}

/// Copies the customer index of every row; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_copy_customers(
    summary: *const crm_rfm_summary,
    out: *mut usize,
    len: usize,
) -> crm_result {
    // SAFETY (all copy functions): `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(&summary_ref(summary)?.inner.customers, out, len, "out", |&c| c as usize) } }
}

/// Copies the frequency (repeat days) of every row; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_copy_frequency(
    summary: *const crm_rfm_summary,
    out: *mut f64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&summary_ref(summary)?.inner.data.frequency, out, len, "out", |v| *v) } }
}

/// Copies the recency of every row; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_copy_recency(
    summary: *const crm_rfm_summary,
    out: *mut f64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&summary_ref(summary)?.inner.data.recency, out, len, "out", |v| *v) } }
}

/// Copies the age T of every row; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_copy_t(summary: *const crm_rfm_summary, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&summary_ref(summary)?.inner.data.t, out, len, "out", |v| *v) } }
}

/// Copies the monetary value (mean repeat-day spend) of every row; `len` must equal the
/// count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_copy_monetary_value(
    summary: *const crm_rfm_summary,
    out: *mut f64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&summary_ref(summary)?.inner.monetary_value, out, len, "out", |v| *v) } }
}

/// The summary as model columns (`frequency`, `recency`, `t`, `monetary_value`; no
/// weights) pointing into the summary: valid while it lives, ready for `crm_bgnbd_fit` and
/// the predictions. Do not free the arrays.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_summary_columns(
    summary: *const crm_rfm_summary,
    out_columns: *mut crm_rfm_columns,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = &summary_ref(summary)?.inner;
        // SAFETY: `out_columns` is NULL or writable (header contract).
        let slot = unsafe { out(out_columns, "out_columns") }?;
        let n = s.customers.len();
        slot.write(crm_rfm_columns {
            frequency: s.data.frequency.as_ptr(),
            frequency_len: n,
            recency: s.data.recency.as_ptr(),
            recency_len: n,
            t: s.data.t.as_ptr(),
            t_len: n,
            weights: std::ptr::null(),
            weights_len: 0,
            monetary_value: s.monetary_value.as_ptr(),
            monetary_value_len: n,
        });
        Ok(())
    }
}
