//! Customer flows (per value segment too) and migration over tasks, as byte partials: a
//! task's function writes its partial to a `crm_bytes`; the driver's function reads every
//! task's bytes (`crm_buf`) and gives the same `crm_flows` or `crm_migration` as one
//! machine. Flows per segment need the segments of the whole base at each period
//! boundary: the tasks' value distributions (`crm_membership_partial`), merged by the
//! driver (`crm_membership_finish`), and, only when a segment cut falls inside customers
//! tied on one value, the tasks' smallest ids of that group (`crm_membership_tie_ids`,
//! `crm_membership_resolve`).

use super::{classes, hand_out, pyramid_levels};
use crate::base::{base_ref, crm_base};
use crate::date::date_of;
use crate::error::{Failure, crm_result};
use crate::flows::{crm_flow_config, crm_flows, flow_config};
use crate::migration::crm_migration;
use crate::ptr::{arg_opt, arg_ref, out, slice};
use crate::results::lifecycle::crm_lifecycle_config;
use crate::results::segments::{crm_segments_config, engine_config};
use chrono::NaiveDate;
use crm_core::distributed::{FlowsPartial, Membership, MembershipPartial, MigrationPartial, TieIds};
use crm_core::lifecycle::LifecycleConfig;
use crm_core::{PyramidLevel, SegmentConfig, ValueSegment};

/// Bytes made by the library (a partial, a membership): read `data` / `len`, free with
/// `crm_bytes_free`.
#[derive(Debug)]
pub struct crm_bytes(Vec<u8>);

/// Borrowed bytes: `len` bytes at `data` (e.g. another task's `crm_bytes`, received).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_buf {
    /// The bytes.
    pub data: *const u8,
    /// Number of bytes.
    pub len: usize,
}

/// The bytes of `bytes`; NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bytes_data(bytes: *const crm_bytes) -> *const u8 {
    // SAFETY: `bytes` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_ref(bytes, "bytes") }.map_or(std::ptr::null(), |b| b.0.as_ptr()) }
}

/// Number of bytes; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bytes_len(bytes: *const crm_bytes) -> usize {
    // SAFETY: `bytes` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_ref(bytes, "bytes") }.map_or(0, |b| b.0.len()) }
}

/// Frees bytes. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_bytes_free(bytes: *mut crm_bytes) {
    // SAFETY: made by this library and not freed before (header contract).
    ffi_boundary! { unsafe { super::free(bytes) } }
}

/// Writes `bytes` to `out_bytes` as a new handle.
///
/// # Safety
/// `out_bytes` is NULL or writable.
pub(super) unsafe fn give(bytes: Vec<u8>, out_bytes: *mut *mut crm_bytes) -> Result<(), Failure> {
    // SAFETY: per the contract.
    unsafe { hand_out(crm_bytes(bytes), out_bytes, "out_bytes") }
}

/// The `n` buffers at `bufs`, each read with `read`.
///
/// # Safety
/// `bufs` holds `n` buffers, each holding its `len` bytes.
pub(super) unsafe fn each<T>(
    bufs: *const crm_buf,
    n: usize,
    read: impl Fn(&[u8]) -> crm_core::Result<T>,
) -> Result<Vec<T>, Failure> {
    // SAFETY: per the contract.
    let bufs = unsafe { slice(bufs, n, "partials")? };
    bufs.iter()
        // SAFETY: per the contract.
        .map(|b| read(unsafe { slice(b.data, b.len, "partial bytes")? }).map_err(Failure::from))
        .collect()
}

/// Period boundaries (days) as dates.
///
/// # Safety
/// `bounds` holds `n` days.
unsafe fn bounds_of(bounds: *const i32, n: usize) -> Result<Vec<NaiveDate>, Failure> {
    // SAFETY: per the contract.
    unsafe { slice(bounds, n, "bounds")? }.iter().map(|&d| date_of(d, "bounds")).collect()
}

fn segments_config(config: *const crm_segments_config) -> Result<SegmentConfig, Failure> {
    // SAFETY: `config` is NULL or valid (header contract).
    unsafe { arg_opt(config) }.map_or_else(|| Ok(SegmentConfig::default()), engine_config)
}

/// A task's value distributions at the day before each of the `n_bounds` period
/// boundaries (days, ascending) with the segment rules `config` (NULL: the default).
#[unsafe(no_mangle)]
pub extern "C" fn crm_membership_partial(
    base: *const crm_base,
    bounds: *const i32,
    n_bounds: usize,
    config: *const crm_segments_config,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `bounds` holds `n_bounds` days (header contract).
        let days = FlowsPartial::segment_dates(&unsafe { bounds_of(bounds, n_bounds)? })?;
        let p = MembershipPartial::of(&base.inner, &days, &segments_config(config)?)?;
        // SAFETY: `out_bytes` is NULL or writable (header contract).
        unsafe { give(p.to_bytes(), out_bytes) }
    }
}

/// The driver: the segment cuts from every task's `crm_membership_partial` (`n` buffers;
/// none is fine), as membership bytes; `*out_needs_ids` says whether a cut falls inside
/// tied values (then every task runs `crm_membership_tie_ids` and the driver
/// `crm_membership_resolve`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_membership_finish(
    partials: *const crm_buf,
    n: usize,
    bounds: *const i32,
    n_bounds: usize,
    config: *const crm_segments_config,
    out_membership: *mut *mut crm_bytes,
    out_needs_ids: *mut bool,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the arrays hold their counts (header contract).
        let (days, parts) = unsafe {
            (FlowsPartial::segment_dates(&bounds_of(bounds, n_bounds)?)?, each(partials, n, MembershipPartial::from_bytes)?)
        };
        let mut all = MembershipPartial::empty(&days);
        for p in &parts {
            all.merge(p)?;
        }
        let m = all.finish(&segments_config(config)?)?;
        // SAFETY: the outs are NULL or writable (header contract).
        let needs = unsafe { out(out_needs_ids, "out_needs_ids")? };
        needs.write(m.needs_ids());
        // SAFETY: as above.
        unsafe { give(m.to_bytes(), out_membership) }
    }
}

/// A task's smallest ids of the tied groups the membership's open cuts fall in.
#[unsafe(no_mangle)]
pub extern "C" fn crm_membership_tie_ids(
    membership: crm_buf,
    base: *const crm_base,
    config: *const crm_segments_config,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `membership` holds its `len` bytes (header contract).
        let m = Membership::from_bytes(unsafe { slice(membership.data, membership.len, "membership")? })?;
        let ids = m.tie_ids(&base.inner, &segments_config(config)?)?;
        // SAFETY: `out_bytes` is NULL or writable (header contract).
        unsafe { give(ids.to_bytes(), out_bytes) }
    }
}

/// The driver: the membership with its open cuts resolved by every task's tie ids.
#[unsafe(no_mangle)]
pub extern "C" fn crm_membership_resolve(
    membership: crm_buf,
    ids: *const crm_buf,
    n: usize,
    out_membership: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the buffers hold their bytes (header contract).
        let (mut m, parts) = unsafe {
            (Membership::from_bytes(slice(membership.data, membership.len, "membership")?)?, each(ids, n, TieIds::from_bytes)?)
        };
        let mut all = TieIds::default();
        for p in &parts {
            all.merge(p)?;
        }
        m.resolve(&all)?;
        // SAFETY: `out_membership` is NULL or writable (header contract).
        unsafe { give(m.to_bytes(), out_membership) }
    }
}

/// A task's flows between the `n_bounds` boundaries (days, ascending). With
/// `config->by_segment`, `membership` must be the resolved membership of the same
/// boundaries and segment rules; otherwise pass `{NULL, 0}`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_partial(
    base: *const crm_base,
    bounds: *const i32,
    n_bounds: usize,
    config: *const crm_flow_config,
    membership: crm_buf,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `bounds` holds `n_bounds` days, `config` is valid (header contract).
        let (b, c) = unsafe { (bounds_of(bounds, n_bounds)?, flow_config(arg_ref(config, "config")?)?) };
        let p = if c.by_segment {
            // SAFETY: `membership` holds its bytes (header contract).
            let m = Membership::from_bytes(unsafe { slice(membership.data, membership.len, "membership")? })?;
            FlowsPartial::with_segments(&base.inner, &b, &c, &m)?
        } else {
            FlowsPartial::of(&base.inner, &b, &c)?
        };
        // SAFETY: `out_bytes` is NULL or writable (header contract).
        unsafe { give(p.to_bytes(), out_bytes) }
    }
}

/// The driver: the flows of every period from every task's `crm_flows_partial` (`n`
/// buffers), as `crm_flows_new_series` gives them on one machine.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_finish(
    partials: *const crm_buf,
    n: usize,
    bounds: *const i32,
    n_bounds: usize,
    config: *const crm_flow_config,
    out_flows: *mut *mut crm_flows,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: the arrays hold their counts, `config` is valid (header contract).
        let (b, c, parts) = unsafe {
            (bounds_of(bounds, n_bounds)?, flow_config(arg_ref(config, "config")?)?, each(partials, n, FlowsPartial::from_bytes)?)
        };
        let mut all = FlowsPartial::empty(&b)?;
        for p in &parts {
            all.merge(p)?;
        }
        // SAFETY: `out_flows` is NULL or writable (header contract).
        unsafe { hand_out(crm_flows::new(all.finish(&c)), out_flows, "out_flows") }
    }
}

/// A task's migration between lifecycle stages from the end of day `from` to the end of
/// day `to` (`config` NULL: the default rules).
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_partial_lifecycle(
    base: *const crm_base,
    from: i32,
    to: i32,
    config: *const crm_lifecycle_config,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `config` is NULL or valid (header contract).
        let config = unsafe { arg_opt(config) }.map_or_else(LifecycleConfig::default, LifecycleConfig::from);
        let p = MigrationPartial::lifecycle(&base.inner, date_of(from, "from")?, date_of(to, "to")?, &config)?;
        // SAFETY: `out_bytes` is NULL or writable (header contract).
        unsafe { give(p.to_bytes(), out_bytes) }
    }
}

fn segment_classes(segment: &[u8], pyramid: &[u8]) -> Result<(Vec<Option<ValueSegment>>, Vec<PyramidLevel>), Failure> {
    Ok((classes(segment, &ValueSegment::ALL, "segment")?, pyramid_levels(pyramid)?))
}

/// A share of the migration between value segments from `len` customers' classes at day
/// `from` and day `to` (codes of `crm_value_segment`, 255 when not ranked, and of
/// `crm_pyramid_level`, from two distributed segmentations joined by customer) and their
/// value at `to`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_migration_partial_segments(
    from: i32,
    to: i32,
    from_segment: *const u8,
    from_pyramid: *const u8,
    to_segment: *const u8,
    to_pyramid: *const u8,
    to_value: *const f64,
    len: usize,
    out_bytes: *mut *mut crm_bytes,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: each array holds `len` values (header contract).
        let (fs, fp, ts, tp, v) = unsafe {
            (slice(from_segment, len, "from_segment")?, slice(from_pyramid, len, "from_pyramid")?,
             slice(to_segment, len, "to_segment")?, slice(to_pyramid, len, "to_pyramid")?, slice(to_value, len, "to_value")?)
        };
        let (a, b) = (segment_classes(fs, fp)?, segment_classes(ts, tp)?);
        let p = MigrationPartial::segments(date_of(from, "from")?, date_of(to, "to")?, (&a.0, &a.1), (&b.0, &b.1), v)?;
        // SAFETY: `out_bytes` is NULL or writable (header contract).
        unsafe { give(p.to_bytes(), out_bytes) }
    }
}

/// The driver: the migration matrix from every task's partial (`n` buffers) of the
/// states `states` (0 value segments, 1 lifecycle stages) between `from` and `to`, as
/// `crm_migration_new_segments` / `_new_lifecycle` give it on one machine.
#[unsafe(no_mangle)]
pub extern "C" fn crm_migration_finish(
    partials: *const crm_buf,
    n: usize,
    states: u8,
    from: i32,
    to: i32,
    out_migration: *mut *mut crm_migration,
) -> crm_result {
    ffi_boundary! { fallible:
        let (from, to) = (date_of(from, "from")?, date_of(to, "to")?);
        let mut all = match states {
            0 => MigrationPartial::empty_segments(from, to)?,
            1 => MigrationPartial::empty_lifecycle(from, to)?,
            s => return Err(Failure::new(crm_result::InvalidConfig, format!("`states`: {s} is not 0 (segments) or 1 (lifecycle)"))),
        };
        // SAFETY: the buffers hold their bytes (header contract).
        for p in unsafe { each(partials, n, MigrationPartial::from_bytes)? } {
            all.merge(&p)?;
        }
        // SAFETY: `out_migration` is NULL or writable (header contract).
        let slot = unsafe { out(out_migration, "out_migration")? };
        slot.write(crm_migration::boxed(all.finish()));
        Ok(())
    }
}
