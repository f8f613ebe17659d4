//! RFM scores: a task makes the RFM partial of its customers' summary columns, hands its
//! bytes to the driver, which merges the partials; each task then scores its customers
//! against the merged partial, exactly as the single-machine summary scores them in the
//! whole base.

use super::{Held, bytes_of, free, handle_from_bytes};
use crate::error::crm_result;
use crate::ptr::{arg_mut, arg_ref, fill, out, out_slice, slice};
use crm_core::distributed::RfmPartial;

/// The RFM partial of some customers (exact value distributions of their recency,
/// purchases and revenue).
///
/// Ownership: made by `crm_rfm_partial_new` or `crm_rfm_partial_from_bytes`, freed by
/// `crm_rfm_partial_free`. Thread safety: a handle may be read from many threads, but
/// `crm_rfm_partial_merge` and `crm_rfm_partial_bytes` change it: no other use at the same
/// time.
#[derive(Debug)]
pub struct crm_rfm_partial(Held<RfmPartial>);

fn made(inner: RfmPartial) -> *mut crm_rfm_partial {
    Box::into_raw(Box::new(crm_rfm_partial(Held::new(inner))))
}

/// The partial of `len` customers: purchases, days since the last purchase (read where
/// purchases > 0) and net revenue per customer, as in the customer summary.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_partial_new(
    purchases: *const u32,
    recency_days: *const u32,
    revenue: *const f64,
    len: usize,
    out_partial: *mut *mut crm_rfm_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: each array holds `len` values; `out_partial` is NULL or writable (header contract).
        let (p, r, v, slot) = unsafe {
            (slice(purchases, len, "purchases")?, slice(recency_days, len, "recency_days")?, slice(revenue, len, "revenue")?,
             out(out_partial, "out_partial")?)
        };
        slot.write(made(RfmPartial::from_columns(p, r, v)?));
        Ok(())
    }
}

/// A partial from the bytes of `crm_rfm_partial_bytes` (from any host or machine).
/// `CRM_RESULT_INVALID_CONFIG` (naming `RFM partial`) for bytes that are not one.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_partial_from_bytes(
    bytes: *const u8,
    len: usize,
    out_partial: *mut *mut crm_rfm_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `bytes` holds `len` bytes; `out_partial` is NULL or writable (header contract).
        unsafe { handle_from_bytes(bytes, len, out_partial, |b| Ok(crm_rfm_partial(Held::new(RfmPartial::from_bytes(b)?)))) }
    }
}

/// The partial's bytes: `*out_bytes` points to `*out_len` bytes owned by the partial,
/// valid until the next merge or free of it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_partial_bytes(
    partial: *mut crm_rfm_partial,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; the outs are NULL or writable (header contract).
        unsafe { bytes_of(&mut arg_mut(partial, "partial")?.0, out_bytes, out_len, RfmPartial::to_bytes) }
    }
}

/// Adds `other`'s customers to `into` (merges in any order give the same result).
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_partial_merge(into: *mut crm_rfm_partial, other: *const crm_rfm_partial) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: both are live handles, not the same one (header contract).
        let (a, b) = unsafe { (arg_mut(into, "into")?, arg_ref(other, "other")?) };
        a.0.changed().merge(&b.0.inner);
        Ok(())
    }
}

/// Number of buyers (customers with a purchase) in the partial; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_partial_buyers(partial: *const crm_rfm_partial) -> usize {
    // SAFETY: `partial` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_ref(partial, "partial") }.map_or(0, |p| p.0.inner.buyers() as usize) }
}

/// Scores `len` customers (columns as for `crm_rfm_partial_new`) against the merged
/// partial of all tasks: R, F and M quintile scores 1-5 into `out_r`, `out_f`, `out_m`
/// (room for `len` each), 0 for a customer without purchases.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_rfm_partial_score(
    merged: *const crm_rfm_partial,
    purchases: *const u32,
    recency_days: *const u32,
    revenue: *const f64,
    len: usize,
    out_r: *mut u8,
    out_f: *mut u8,
    out_m: *mut u8,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `merged` is a live handle; the inputs hold `len` values and the outputs have
        // room for `len` (header contract).
        let (m, p, r, v) = unsafe {
            (arg_ref(merged, "merged")?, slice(purchases, len, "purchases")?, slice(recency_days, len, "recency_days")?,
             slice(revenue, len, "revenue")?)
        };
        let scores = m.0.inner.finish().score_columns(p, r, v)?;
        // SAFETY: as above.
        let (or, of, om) = unsafe {
            (out_slice(out_r, len, scores.len(), "out_r")?, out_slice(out_f, len, scores.len(), "out_f")?,
             out_slice(out_m, len, scores.len(), "out_m")?)
        };
        fill(or, scores.iter().map(|s| s.r));
        fill(of, scores.iter().map(|s| s.f));
        fill(om, scores.iter().map(|s| s.m));
        Ok(())
    }
}

/// Frees a partial. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_rfm_partial_free(partial: *mut crm_rfm_partial) {
    // SAFETY: made by this library and not freed before (header contract).
    ffi_boundary! { unsafe { free(partial) } }
}
