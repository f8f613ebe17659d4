//! The CLV models: a task makes the partial of its customers' model summary (distinct rows
//! with counts), the driver merges the partials and fits the existing `crm_<model>_fit`
//! functions on the merged rows: the same fit as on every customer's row on one machine.

use super::{Held, bytes_of, free, handle_from_bytes};
use crate::error::crm_result;
use crate::models::{Needs, columns, crm_rfm_columns, crm_rfm_columns_default};
use crate::ptr::{arg_mut, arg_ref, out};
use crm_core::distributed::ModelPartial;
use crm_core::models::RfmSummary;

/// The model partial of some customers: their distinct `(x, t_x, T)` rows and their repeat
/// buyers' distinct `(x, mean spend)` rows, each with a count.
///
/// Ownership: made by `crm_model_partial_new` or `crm_model_partial_from_bytes`, freed by
/// `crm_model_partial_free`. Thread safety: a handle may be read from many threads, but
/// `crm_model_partial_merge` and `crm_model_partial_bytes` change it: no other use at the
/// same time.
#[derive(Debug)]
pub struct crm_model_partial(Held<ModelPartial>);

fn made(inner: ModelPartial) -> *mut crm_model_partial {
    Box::into_raw(Box::new(crm_model_partial(Held::new(inner))))
}

/// The partial of a task's model summary: `frequency`, `recency`, `t` and
/// `monetary_value` of `summary` per customer (as `crm_rfm_summary` gives them; `weights`
/// when given count customers per row). Repeat buyers with a positive mean spend enter
/// the spend rows. `CRM_RESULT_INVALID_VALUE` names the row and column of a value no
/// summary has.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_new(
    summary: *const crm_rfm_columns,
    out_partial: *mut *mut crm_model_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `summary` is NULL or valid with arrays of its lengths; `out_partial` is NULL
        // or writable (header contract).
        let (c, slot) = unsafe { (columns(summary, Needs::HistoryAndSpend)?, out(out_partial, "out_partial")?) };
        let s = RfmSummary { customers: Vec::new(), data: c.rfm(true)?, monetary_value: c.monetary_value.to_vec() };
        slot.write(made(ModelPartial::from_summary(&s)?));
        Ok(())
    }
}

/// A partial from the bytes of `crm_model_partial_bytes` (from any host or machine).
/// `CRM_RESULT_INVALID_CONFIG` (naming `model partial`) for bytes that are not one.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_from_bytes(
    bytes: *const u8,
    len: usize,
    out_partial: *mut *mut crm_model_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `bytes` holds `len` bytes; `out_partial` is NULL or writable (header contract).
        unsafe { handle_from_bytes(bytes, len, out_partial, |b| Ok(crm_model_partial(Held::new(ModelPartial::from_bytes(b)?)))) }
    }
}

/// The partial's bytes: `*out_bytes` points to `*out_len` bytes owned by the partial,
/// valid until the next merge or free of it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_bytes(
    partial: *mut crm_model_partial,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; the outs are NULL or writable (header contract).
        unsafe { bytes_of(&mut arg_mut(partial, "partial")?.0, out_bytes, out_len, ModelPartial::to_bytes) }
    }
}

/// Adds `other`'s customers to `into` (merges in any order give the same rows). Rows
/// borrowed from `into` (`crm_model_partial_purchase_rows`, `_spend_rows`) become invalid.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_merge(into: *mut crm_model_partial, other: *const crm_model_partial) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: both are live handles, not the same one (header contract).
        let (a, b) = unsafe { (arg_mut(into, "into")?, arg_ref(other, "other")?) };
        a.0.changed().merge(&b.0.inner);
        Ok(())
    }
}

/// Customers in the partial (the sum of the counts); 0 for NULL, NaN after a panic.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_customers(partial: *const crm_model_partial) -> f64 {
    // SAFETY: `partial` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_ref(partial, "partial") }.map_or(0.0, |p| p.0.inner.customers()) }
}

/// The distinct `(x, t_x, T)` rows with their counts as `weights`, ready for
/// `crm_bgnbd_fit`, `crm_mbgnbd_fit` and `crm_pareto_nbd_fit`: the arrays belong to the
/// partial, valid until its next merge or free; `monetary_value` is NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_purchase_rows(
    partial: *const crm_model_partial,
    out_rows: *mut crm_rfm_columns,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; `out_rows` is NULL or writable (header contract).
        let (p, slot) = unsafe { (arg_ref(partial, "partial")?, out(out_rows, "out_rows")?) };
        let d = p.0.inner.purchases();
        let n = d.len();
        slot.write(crm_rfm_columns {
            frequency: d.frequency.as_ptr(),
            frequency_len: n,
            recency: d.recency.as_ptr(),
            recency_len: n,
            t: d.t.as_ptr(),
            t_len: n,
            weights: d.weights.as_ptr(),
            weights_len: n,
            ..crm_rfm_columns_default()
        });
        Ok(())
    }
}

/// The distinct `(x, mean spend)` rows of repeat buyers with their counts as `weights`,
/// ready for `crm_gamma_gamma_fit`: the arrays belong to the partial, valid until its next
/// merge or free; `recency` and `t` are NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_spend_rows(
    partial: *const crm_model_partial,
    out_rows: *mut crm_rfm_columns,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; `out_rows` is NULL or writable (header contract).
        let (p, slot) = unsafe { (arg_ref(partial, "partial")?, out(out_rows, "out_rows")?) };
        let (x, m, w) = p.0.inner.spend();
        slot.write(crm_rfm_columns {
            frequency: x.as_ptr(),
            frequency_len: x.len(),
            weights: w.as_ptr(),
            weights_len: w.len(),
            monetary_value: m.as_ptr(),
            monetary_value_len: m.len(),
            ..crm_rfm_columns_default()
        });
        Ok(())
    }
}

/// Frees a partial. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_model_partial_free(partial: *mut crm_model_partial) {
    // SAFETY: made by this library and not freed before (header contract).
    ffi_boundary! { unsafe { free(partial) } }
}
