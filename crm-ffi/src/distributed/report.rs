//! The customer-development report over tasks, in two passes (`crm_core::distributed`'s
//! report): every task scans its customers (`crm_report_scan`); the driver makes the
//! context of the second pass from all scans (`crm_report_context`), and, only when a
//! segment, pyramid or ABC cut falls inside customers tied on one value, resolves it with
//! every task's smallest ids of that group (`crm_report_tie_ids`, `crm_report_resolve`);
//! every task computes its share of the figures with the context (`crm_report_partial`);
//! the driver finishes the `crm_report` from all shares (`crm_report_finish`), rendered as
//! on one machine, share of wallet included when the tasks have no customer tables (every
//! wallet is then the whole base's quantile); with customer tables the wallet and the
//! segment profiles are left out, and a caveat says so.

use super::flows::{crm_buf, crm_bytes, each, give};
use crate::base::{base_ref, crm_base};
use crate::date::date_of;
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, out, slice};
use crate::report::{crm_report, crm_report_config, report_config};
use crm_core::distributed::{ReportContext, ReportPartial, ReportScan, TieIds};
use crm_core::report::ReportConfig;

fn rules(config: *const crm_report_config) -> Result<ReportConfig, Failure> {
    // SAFETY: `config` is NULL or valid (header contract).
    unsafe { arg_opt(config) }.map_or_else(|| Ok(ReportConfig::default()), report_config)
}

/// # Safety
/// `context` holds its `len` bytes.
unsafe fn context_of(context: crm_buf) -> Result<ReportContext, Failure> {
    // SAFETY: per the contract.
    Ok(ReportContext::from_bytes(unsafe { slice(context.data, context.len, "context")? })?)
}

/// A task's scan of its customers as of day `as_of` with the report rules `config` (NULL:
/// the defaults), as bytes for the driver.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_scan(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_report_config,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        let scan = ReportScan::of(&base.inner, date_of(as_of, "as_of")?, &rules(config)?)?;
        // SAFETY: `out_bytes` is NULL or writable (header contract).
        unsafe { give(scan.to_bytes(), out_bytes) }
    }
}

/// The driver: the context of the second pass from every task's `crm_report_scan` (`n`
/// buffers; none is fine) with the same day and rules; `*out_needs_ids` says whether a cut
/// falls inside tied values (then every task runs `crm_report_tie_ids` and the driver
/// `crm_report_resolve` before the partials).
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_context(
    scans: *const crm_buf,
    n: usize,
    as_of: i32,
    config: *const crm_report_config,
    out_context: *mut *mut crm_bytes,
    out_needs_ids: *mut bool,
) -> crm_result {
    ffi_boundary! { fallible:
        let config = rules(config)?;
        let mut all = ReportScan::empty(date_of(as_of, "as_of")?, &config)?;
        // SAFETY: `scans` holds `n` buffers (header contract).
        for s in unsafe { each(scans, n, ReportScan::from_bytes)? } {
            all.merge(&s)?;
        }
        let context = all.finish(&config)?;
        // SAFETY: the outs are NULL or writable (header contract).
        unsafe { out(out_needs_ids, "out_needs_ids")? }.write(context.needs_ids());
        // SAFETY: as above.
        unsafe { give(context.to_bytes(), out_context) }
    }
}

/// A task's smallest ids of the tied groups the context's open cuts fall in.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_tie_ids(
    context: crm_buf,
    base: *const crm_base,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    // SAFETY: the arguments as the header says.
    ffi_boundary! { fallible: unsafe { on_task(context, base, out_bytes, |c, b| Ok(c.tie_ids(b)?.to_bytes())) } }
}

/// `work` on a task's base with the context, its bytes to `out_bytes`.
///
/// # Safety
/// `context` holds its bytes, `base` is NULL or live, `out_bytes` NULL or writable.
unsafe fn on_task(
    context: crm_buf,
    base: *const crm_base,
    out_bytes: *mut *mut crm_bytes,
    work: impl FnOnce(&ReportContext, &crm_core::CustomerBase) -> crm_core::Result<Vec<u8>>,
) -> Result<(), Failure> {
    let base = base_ref(base)?;
    // SAFETY: per the contract.
    let bytes = work(&unsafe { context_of(context)? }, &base.inner)?;
    // SAFETY: per the contract.
    unsafe { give(bytes, out_bytes) }
}

/// The driver: the context with its open cuts resolved by every task's tie ids.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_resolve(
    context: crm_buf,
    ids: *const crm_buf,
    n: usize,
    out_context: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the buffers hold their bytes (header contract).
        let (mut c, parts) = unsafe { (context_of(context)?, each(ids, n, TieIds::from_bytes)?) };
        let mut all = TieIds::default();
        for p in &parts {
            all.merge(p)?;
        }
        c.resolve(&all)?;
        // SAFETY: `out_context` is NULL or writable (header contract).
        unsafe { give(c.to_bytes(), out_context) }
    }
}

/// A task's share of every figure, with the (resolved) context.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_partial(
    context: crm_buf,
    base: *const crm_base,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    // SAFETY: the arguments as the header says.
    ffi_boundary! { fallible: unsafe { on_task(context, base, out_bytes, |c, b| Ok(ReportPartial::of(b, c)?.to_bytes())) } }
}

/// The driver: the report from every task's `crm_report_partial` (`n` buffers; none is
/// fine: a report of no customers). Render and free it as one from `crm_report_new`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_report_finish(
    context: crm_buf,
    partials: *const crm_buf,
    n: usize,
    out_report: *mut *mut crm_report,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the buffers hold their bytes (header contract).
        let (c, parts) = unsafe { (context_of(context)?, each(partials, n, ReportPartial::from_bytes)?) };
        let mut all = ReportPartial::empty(&c)?;
        for p in &parts {
            all.merge(p)?;
        }
        let report = all.finish(&c)?;
        // SAFETY: `out_report` is NULL or writable (header contract).
        unsafe { out(out_report, "out_report")? }.write(Box::into_raw(Box::new(crm_report::new(report))));
        Ok(())
    }
}
