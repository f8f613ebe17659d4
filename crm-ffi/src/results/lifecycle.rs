//! `crm_lifecycle`: the lifecycle stage of every customer as of a date, and the counts per
//! stage.

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::enums::{CRM_LIFECYCLE_STAGES, crm_lifecycle_stage, stage_code};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, fill, out, out_slice};
use crate::results::{copy_rows, write_json};
use crm_core::{CustomerBase, Lifecycle, LifecycleConfig};
use std::ffi::c_char;
use std::sync::Arc;

/// The stage rules (see crm-core `lifecycle`). Start from `crm_lifecycle_config_default()`
/// and change what differs. Every window must lie in 1..=36500 days, `dormant_days` below
/// `inactivity_days`, `decline_ratio` in (0, 1]; otherwise `CRM_RESULT_INVALID_CONFIG`
/// names the field.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_lifecycle_config {
    /// Lost after this many days without a purchase. Default 365.
    pub inactivity_days: u32,
    /// New for this many days after the first purchase. Default 90.
    pub new_days: u32,
    /// A gap of at least this many days before a purchase makes a return "reactivated".
    /// Default 180.
    pub dormant_days: u32,
    /// Reactivated / won back for this many days after the return. Default 90.
    pub return_days: u32,
    /// Length of the two windows compared for "declining". Default 365.
    pub trend_days: u32,
    /// Declining when recent revenue < `decline_ratio` x the previous window's. Default 0.5.
    pub decline_ratio: f64,
}

impl From<LifecycleConfig> for crm_lifecycle_config {
    fn from(c: LifecycleConfig) -> Self {
        crm_lifecycle_config {
            inactivity_days: c.inactivity_days,
            new_days: c.new_days,
            dormant_days: c.dormant_days,
            return_days: c.return_days,
            trend_days: c.trend_days,
            decline_ratio: c.decline_ratio,
        }
    }
}

impl From<&crm_lifecycle_config> for LifecycleConfig {
    fn from(c: &crm_lifecycle_config) -> Self {
        LifecycleConfig {
            inactivity_days: c.inactivity_days,
            new_days: c.new_days,
            dormant_days: c.dormant_days,
            return_days: c.return_days,
            trend_days: c.trend_days,
            decline_ratio: c.decline_ratio,
        }
    }
}

impl crate::panic::PanicDefault for crm_lifecycle_config {
    fn panicked() -> Self {
        LifecycleConfig::default().into()
    }
}

/// The lifecycle stage of every customer of a base as of a date, in customer index order.
///
/// Ownership: made by `crm_lifecycle_new`, freed by `crm_lifecycle_free`; it keeps what it
/// needs of the base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_lifecycle {
    base: Arc<CustomerBase>,
    inner: Lifecycle,
}

fn lifecycle_ref<'a>(lifecycle: *const crm_lifecycle) -> Result<&'a crm_lifecycle, Failure> {
    // SAFETY: `lifecycle` is NULL or a live handle (header contract).
    unsafe { arg_ref(lifecycle, "lifecycle") }
}

/// The default rules (365 / 90 / 180 / 90 / 365 days, decline ratio 0.5).
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_config_default() -> crm_lifecycle_config {
    ffi_boundary! { LifecycleConfig::default().into() }
}

/// Computes the lifecycle stage of every customer of `base` as of day `as_of`. `config` may
/// be NULL for the default rules. Free the result with `crm_lifecycle_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_new(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_lifecycle_config,
    out_lifecycle: *mut *mut crm_lifecycle,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_lifecycle` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_lifecycle, "out_lifecycle")?, arg_opt(config)) };
        let config = config.map_or_else(LifecycleConfig::default, LifecycleConfig::from);
        let inner = base.inner.lifecycle(date_of(as_of, "as_of")?, &config)?;
        slot.write(Box::into_raw(Box::new(crm_lifecycle { base: Arc::clone(&base.inner), inner })));
        Ok(())
    }
}

/// Frees a lifecycle result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_free(lifecycle: *mut crm_lifecycle) {
    ffi_boundary! {
        if !lifecycle.is_null() {
            // SAFETY: made by `crm_lifecycle_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(lifecycle) });
        }
    }
}

/// Number of customers; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_count(lifecycle: *const crm_lifecycle) -> usize {
    ffi_boundary! { lifecycle_ref(lifecycle).map_or(0, |l| l.inner.stages.len()) }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_as_of(lifecycle: *const crm_lifecycle) -> i32 {
    ffi_boundary! { lifecycle_ref(lifecycle).map_or(CRM_NO_DATE, |l| day_of(l.inner.as_of)) }
}

/// The stage of customer `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_stage_at(
    lifecycle: *const crm_lifecycle,
    index: usize,
    out_stage: *mut crm_lifecycle_stage,
) -> crm_result {
    ffi_boundary! { fallible:
        let stages = &lifecycle_ref(lifecycle)?.inner.stages;
        // SAFETY: `out_stage` is NULL or writable (header contract).
        let slot = unsafe { out(out_stage, "out_stage") }?;
        slot.write(stages[crate::ptr::index(index, stages.len(), "lifecycle's customer count")?].into());
        Ok(())
    }
}

/// The number of customers in a stage (a `crm_lifecycle_stage`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_stage_count(
    lifecycle: *const crm_lifecycle,
    stage: u8,
    out_count: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let l = lifecycle_ref(lifecycle)?;
        // SAFETY: `out_count` is NULL or writable (header contract).
        let slot = unsafe { out(out_count, "out_count") }?;
        slot.write(l.inner.count(stage_code(stage)?));
        Ok(())
    }
}

/// Copies the stage of every customer into `out` (`len` must equal the count).
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_copy_stages(
    lifecycle: *const crm_lifecycle,
    out: *mut crm_lifecycle_stage,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let stages = &lifecycle_ref(lifecycle)?.inner.stages;
        // SAFETY: `out` has room for `len` values (header contract).
        unsafe { copy_rows(stages, out, len, "out", |s| (*s).into()) }
    }
}

/// Copies the customers per stage, indexed by stage code, into `out`; `len` must be
/// `CRM_LIFECYCLE_STAGES` (8).
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_copy_counts(
    lifecycle: *const crm_lifecycle,
    out: *mut usize,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let counts = &lifecycle_ref(lifecycle)?.inner.counts;
        // SAFETY: `out` has room for `len` values (header contract).
        let target = unsafe { out_slice(out, len, CRM_LIFECYCLE_STAGES, "out") }?;
        fill(target, counts.iter().copied());
        Ok(())
    }
}

/// The lifecycle as JSON (`as_of`, `stages` names, `counts` by stage code, and
/// `customer_ids`) in a new NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lifecycle_to_json(
    lifecycle: *const crm_lifecycle,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let l = lifecycle_ref(lifecycle)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_json(&l.base, &l.inner, out_json, out_len) }
    }
}
