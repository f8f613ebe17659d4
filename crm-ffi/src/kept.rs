//! `crm_base_builder_keep_transactions_int`: transaction arrays the caller keeps, read in
//! place by the base instead of copied (the core's `crm_core::shared`).

use crate::builder::{check_transaction_lengths, crm_base_builder, with_builder};
use crate::columns::day_second;
use crate::enums::{crm_time_unit, time_unit as unit_of};
use crate::error::{Failure, crm_result};
use crate::ptr::slice;
use crm_core::shared::{Shared, SharedInstants, SharedTransactions};
use std::ffi::c_void;
use std::sync::Arc;

/// Called once with the caller's context when the engine no longer reads its arrays.
pub type crm_release_fn = Option<unsafe extern "C" fn(context: *mut c_void)>;

/// The caller's release callback, called when the last column holding it is dropped.
struct Release {
    release: crm_release_fn,
    context: *mut c_void,
}

// SAFETY: the header's contract lets the engine call `release` from any thread, once.
unsafe impl Send for Release {}
// SAFETY: `Release` is only read (on drop, by its one owner).
unsafe impl Sync for Release {}

impl Drop for Release {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the caller's function, called once with its context (header contract).
            unsafe { release(self.context) }
        }
    }
}

/// One of the caller's arrays, valid and unchanged until its `Release` runs.
struct Kept<T> {
    ptr: *const T,
    len: usize,
    _release: Arc<Release>,
}

// SAFETY: the values are only read, and the caller keeps them unchanged until release.
unsafe impl<T: Sync> Send for Kept<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for Kept<T> {}

impl<T> AsRef<[T]> for Kept<T> {
    fn as_ref(&self) -> &[T] {
        // SAFETY: checked by `slice` when kept (non-NULL, aligned, not too large); the
        // caller keeps `len` values there until `release` (header contract).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// The array `ptr` of `len` values kept with `release`.
///
/// # Safety
/// `ptr` holds `len` values until `release` runs.
unsafe fn kept<T: Sync + 'static>(
    ptr: *const T,
    len: usize,
    name: &str,
    release: &Arc<Release>,
) -> Result<Shared<T>, Failure> {
    // SAFETY: per this function's contract.
    let values = unsafe { slice(ptr, len, name) }?;
    Ok(Shared::new(Kept { ptr: values.as_ptr(), len: values.len(), _release: Arc::clone(release) }))
}

/// Adds transactions with integer customer ids as `crm_base_builder_add_transactions_int`
/// (without margins), but keeps the caller's arrays instead of copying them: a base built
/// from this one batch reads them in place (its build then copies nothing, and the value
/// segments and the summary read them where they are), until an analysis that needs each
/// customer's history groups its transactions (copying them then).
///
/// The caller keeps the three arrays valid and unchanged until the engine calls
/// `release(context)`: exactly once, from any thread, when it no longer reads them: when
/// the base groups its transactions; when the base, or the builder holding them (a failed
/// build keeps them in the builder), is freed; when another batch joins them in the builder
/// (the batches are then copied into one); or before this call returns when it fails or
/// the builder already holds transactions. `release` may be NULL when the arrays outlive
/// the builder and every base built from it.
///
/// Errors as `crm_base_builder_add_transactions_int`, the same codes naming the same rows.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_base_builder_keep_transactions_int(
    builder: *mut crm_base_builder,
    customer_ids: *const i64,
    customer_ids_len: usize,
    times: *const i64,
    times_len: usize,
    time_unit: u8,
    amounts: *const f64,
    amounts_len: usize,
    release: crm_release_fn,
    context: *mut c_void,
) -> crm_result {
    // First, so that every way out (an error, a panic) releases the arrays.
    let release = Arc::new(Release { release, context });
    ffi_boundary! { fallible:
        check_transaction_lengths(customer_ids_len, times_len, amounts_len, std::ptr::null(), 0)?;
        let unit = unit_of(time_unit)?;
        // SAFETY: each array holds its length of values until `release` (header contract).
        let (ids, time, amount) = unsafe {
            (
                kept(customer_ids, customer_ids_len, "customer_ids", &release)?,
                kept(times, times_len, "times", &release)?,
                kept(amounts, amounts_len, "amounts", &release)?,
            )
        };
        drop(release);
        let time = match unit {
            crm_time_unit::Seconds => SharedInstants::Seconds(time),
            crm_time_unit::Days => {
                // As the copying add: days whose second overflows are named as such.
                for (row, &d) in time.iter().enumerate() {
                    day_second(row, d, "timestamp")?;
                }
                SharedInstants::DaysI64(time)
            }
        };
        let columns = SharedTransactions::new(ids, time, amount);
        with_builder(builder, |b| b.add_shared_transactions(columns))
    }
}
