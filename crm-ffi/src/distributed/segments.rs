//! Value segments, ABC classes and the pyramid over tasks (`crm_core::distributed`'s
//! segment partials): each task copies its customers' figures (`crm_segment_rows_copy`)
//! and makes a partial of their values; the driver merges the partials and finishes a
//! ranker; the host sends each ranked customer to the task of its bucket
//! (`crm_segment_ranker_buckets`), each task sorts its rows by (rank key, id), numbers
//! them (`crm_segment_ranker_ranks`) and classifies them (`crm_segment_ranker_classify`);
//! the tables add up from every task's shares (`crm_segment_tables_partial_*`).

use super::{Held, bytes_of, classes, free, hand_out, handle_from_bytes, pyramid_levels};
use crate::base::{base_ref, crm_base};
use crate::date::date_of;
use crate::enums::{crm_abc_class, crm_pyramid_level, crm_value_segment};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_mut, arg_opt, arg_ref, fill, out, out_slice, slice};
use crate::results::segments::{crm_segment_row, crm_segments_config, engine_config, names, segment_row};
use crm_core::distributed::{SegmentRanker, SegmentRows, SegmentTablesPartial, SegmentsPartial, Standing, rank_key};
use crm_core::{AbcClass, SegmentConfig, SegmentRow, ValueSegment};
use std::ffi::CString;

fn config_of(config: *const crm_segments_config) -> Result<SegmentConfig, Failure> {
    // SAFETY: `config` is NULL or valid (header contract).
    match unsafe { arg_opt(config) } {
        Some(c) => engine_config(c),
        None => Ok(SegmentConfig::default()),
    }
}

/// Copies a task's customers' segmentation figures as of day `as_of` (index order; `len`
/// is the base's customer count): the value that ranks, revenue, margin (`out_margin` may
/// be NULL; NaN without margins), cost to serve (0 without interactions) and the standing
/// (0 prospect, 1 inactive, 2 ranked). `config` NULL: the default rules.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_segment_rows_copy(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_segments_config,
    out_value: *mut f64,
    out_revenue: *mut f64,
    out_margin: *mut f64,
    out_cost: *mut f64,
    out_standing: *mut u8,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        let rows = SegmentRows::of(&base.inner, date_of(as_of, "as_of")?, &config_of(config)?)?;
        let n = rows.value.len();
        // SAFETY: the outputs have room for `len` values; `out_margin` may be NULL (header contract).
        let (v, r, c, s) = unsafe {
            (out_slice(out_value, len, n, "out_value")?, out_slice(out_revenue, len, n, "out_revenue")?,
             out_slice(out_cost, len, n, "out_cost")?, out_slice(out_standing, len, n, "out_standing")?)
        };
        fill(v, rows.value.iter().copied());
        fill(r, rows.revenue.iter().copied());
        fill(c, (0..n).map(|i| rows.cost.as_ref().map_or(0.0, |x| x[i])));
        fill(s, rows.standing.iter().map(|s| *s as u8));
        if !out_margin.is_null() {
            // SAFETY: as above.
            let m = unsafe { out_slice(out_margin, len, n, "out_margin")? };
            fill(m, (0..n).map(|i| rows.margin.as_ref().map_or(f64::NAN, |x| x[i])));
        }
        Ok(())
    }
}

/// The sort key of a ranked customer's value: ascending keys are descending values, equal
/// values (-0.0 and 0.0 too) have equal keys. A host sorts a task's ranked rows by (key,
/// customer id ascending) before `crm_segment_ranker_ranks`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_rank_key(value: f64) -> i64 {
    ffi_boundary! { rank_key(value) }
}

/// The exact distribution of some customers' values (the ranked ones): what a task sends
/// the driver.
///
/// Ownership: made by `crm_segments_partial_new` or `_from_bytes`, freed by
/// `crm_segments_partial_free`. Thread safety: `_merge` and `_bytes` change it: no other
/// use at the same time.
#[derive(Debug)]
pub struct crm_segments_partial(Held<SegmentsPartial>);

fn standings(codes: &[u8]) -> Result<Vec<Standing>, Failure> {
    codes.iter().map(|&c| Standing::from_code(c).map_err(Failure::from)).collect()
}

/// The partial of `len` customers: value and standing (from `crm_segment_rows_copy`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_new(
    value: *const f64,
    standing: *const u8,
    len: usize,
    out_partial: *mut *mut crm_segments_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: each array holds `len` values; `out_partial` is NULL or writable (header contract).
        let (v, s) = unsafe { (slice(value, len, "value")?, slice(standing, len, "standing")?) };
        let p = SegmentsPartial::from_columns(v, &standings(s)?)?;
        // SAFETY: as above.
        unsafe { hand_out(crm_segments_partial(Held::new(p)), out_partial, "out_partial") }
    }
}

/// A partial from the bytes of `crm_segments_partial_bytes`. `CRM_RESULT_INVALID_CONFIG`
/// (naming `segments partial`) for bytes that are not one.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_from_bytes(
    bytes: *const u8,
    len: usize,
    out_partial: *mut *mut crm_segments_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `bytes` holds `len` bytes; `out_partial` is NULL or writable (header contract).
        unsafe { handle_from_bytes(bytes, len, out_partial, |b| Ok(crm_segments_partial(Held::new(SegmentsPartial::from_bytes(b)?)))) }
    }
}

/// The partial's bytes: `*out_bytes` points to `*out_len` bytes owned by the partial,
/// valid until the next merge or free of it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_bytes(
    partial: *mut crm_segments_partial,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; the outs are NULL or writable (header contract).
        unsafe { bytes_of(&mut arg_mut(partial, "partial")?.0, out_bytes, out_len, SegmentsPartial::to_bytes) }
    }
}

/// Adds `other`'s customers to `into` (any order of merges gives the same result).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_merge(
    into: *mut crm_segments_partial,
    other: *const crm_segments_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: both are live handles, not the same one (header contract).
        let (a, b) = unsafe { (arg_mut(into, "into")?, arg_ref(other, "other")?) };
        a.0.changed().merge(&b.0.inner);
        Ok(())
    }
}

/// Number of ranked customers in the partial; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_ranked(partial: *const crm_segments_partial) -> u64 {
    // SAFETY: `partial` is NULL or a live handle (header contract).
    ffi_boundary! { unsafe { arg_ref(partial, "partial") }.map_or(0, |p| p.0.inner.ranked()) }
}

/// Frees a partial. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_free(partial: *mut crm_segments_partial) {
    // SAFETY: made by this library and not freed before (header contract).
    ffi_boundary! { unsafe { free(partial) } }
}

/// The class boundaries of a segmentation over all tasks, and the order cut into buckets
/// of whole values with known first ranks.
///
/// Ownership: made by `crm_segments_partial_ranker` or `crm_segment_ranker_from_bytes`,
/// freed by `crm_segment_ranker_free`. Thread safety: only `_bytes` changes it.
#[derive(Debug)]
pub struct crm_segment_ranker(Held<SegmentRanker>);

/// The ranker of the merged partial with the rules `config` (NULL: the default) and at
/// most `buckets` buckets (1..=65536; the host's task count is a good choice).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_partial_ranker(
    merged: *const crm_segments_partial,
    config: *const crm_segments_config,
    buckets: u32,
    out_ranker: *mut *mut crm_segment_ranker,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `merged` is a live handle (header contract).
        let p = unsafe { arg_ref(merged, "merged")? };
        let ranker = p.0.inner.finish(&config_of(config)?, buckets)?;
        // SAFETY: `out_ranker` is NULL or writable (header contract).
        unsafe { hand_out(crm_segment_ranker(Held::new(ranker)), out_ranker, "out_ranker") }
    }
}

/// A ranker from the bytes of `crm_segment_ranker_bytes`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_ranker_from_bytes(
    bytes: *const u8,
    len: usize,
    out_ranker: *mut *mut crm_segment_ranker,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `bytes` holds `len` bytes; `out_ranker` is NULL or writable (header contract).
        unsafe { handle_from_bytes(bytes, len, out_ranker, |b| Ok(crm_segment_ranker(Held::new(SegmentRanker::from_bytes(b)?)))) }
    }
}

/// The ranker's bytes, owned by it (valid until it is freed or asked again).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_ranker_bytes(
    ranker: *mut crm_segment_ranker,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `ranker` is a live handle; the outs are NULL or writable (header contract).
        unsafe { bytes_of(&mut arg_mut(ranker, "ranker")?.0, out_bytes, out_len, SegmentRanker::to_bytes) }
    }
}

/// The bucket of each of `len` ranked customers' values: the host sends each row to the
/// task of its bucket (every bucket whole in one task).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_ranker_buckets(
    ranker: *const crm_segment_ranker,
    values: *const f64,
    len: usize,
    out_buckets: *mut u32,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `ranker` is a live handle, `values` holds `len` values, `out_buckets` has
        // room for `len` (header contract).
        let (r, v, o) = unsafe {
            (arg_ref(ranker, "ranker")?, slice(values, len, "values")?, out_slice(out_buckets, len, len, "out_buckets")?)
        };
        fill(o, v.iter().map(|&x| r.0.inner.bucket(x)));
        Ok(())
    }
}

/// The global ranks (0 = most valuable) of a task's `len` ranked customers, given sorted
/// by (`crm_segment_rank_key` of the value, customer id ascending) and holding whole
/// buckets. `CRM_RESULT_INVALID_CONFIG` (field `rank`) when they are not sorted or a
/// bucket has more rows than the partials counted.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_ranker_ranks(
    ranker: *const crm_segment_ranker,
    values: *const f64,
    len: usize,
    out_ranks: *mut u64,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: as for `crm_segment_ranker_buckets`.
        let (r, v) = unsafe { (arg_ref(ranker, "ranker")?, slice(values, len, "values")?) };
        let ranks = r.0.inner.ranks(v)?;
        // SAFETY: `out_ranks` has room for `len` (header contract).
        fill(unsafe { out_slice(out_ranks, len, len, "out_ranks")? }, ranks);
        Ok(())
    }
}

/// The value segment, ABC class and pyramid level of `len` global ranks.
/// `CRM_RESULT_INVALID_CONFIG` (field `rank`) for a rank beyond the ranked customers.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_ranker_classify(
    ranker: *const crm_segment_ranker,
    ranks: *const u64,
    len: usize,
    out_segment: *mut crm_value_segment,
    out_abc: *mut crm_abc_class,
    out_pyramid: *mut crm_pyramid_level,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `ranker` is a live handle, `ranks` holds `len` values (header contract).
        let (r, k) = unsafe { (arg_ref(ranker, "ranker")?, slice(ranks, len, "ranks")?) };
        let classes = k.iter().map(|&x| r.0.inner.classify(x)).collect::<Result<Vec<_>, _>>()?;
        // SAFETY: the outputs have room for `len` (header contract).
        let (s, a, p) = unsafe {
            (out_slice(out_segment, len, len, "out_segment")?, out_slice(out_abc, len, len, "out_abc")?,
             out_slice(out_pyramid, len, len, "out_pyramid")?)
        };
        fill(s, classes.iter().map(|c| Some(c.0).into()));
        fill(a, classes.iter().map(|c| Some(c.1).into()));
        fill(p, classes.iter().map(|c| c.2.into()));
        Ok(())
    }
}

/// Frees a ranker. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_ranker_free(ranker: *mut crm_segment_ranker) {
    // SAFETY: made by this library and not freed before (header contract).
    ffi_boundary! { unsafe { free(ranker) } }
}

/// A share of the three segment tables (customers, revenue, margin, cost to serve and
/// profit per class), which adds up across tasks.
///
/// Ownership: made by `crm_segment_tables_partial_new` or `_from_bytes`, freed by
/// `crm_segment_tables_partial_free`. Thread safety: `_merge`, `_bytes` and `_row` change
/// it: no other use at the same time.
#[derive(Debug)]
pub struct crm_segment_tables_partial {
    held: Held<SegmentTablesPartial>,
    /// The finished tables and their names, made by `_row` after a change.
    finished: Option<Finished>,
}

/// The three finished tables and their rows' names as C strings.
type Finished = ([Vec<SegmentRow>; 3], [Vec<CString>; 3]);

/// A share of the tables from `len` classified customers: revenue, margin (NULL without
/// margins), cost to serve (NULL: all 0), and the codes of `crm_value_segment`,
/// `crm_abc_class` (255 when not ranked) and `crm_pyramid_level`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn crm_segment_tables_partial_new(
    revenue: *const f64,
    margin: *const f64,
    cost: *const f64,
    segment: *const u8,
    abc: *const u8,
    pyramid: *const u8,
    len: usize,
    out_partial: *mut *mut crm_segment_tables_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: each non-NULL array holds `len` values (header contract).
        let (r, m, c, s, a, p) = unsafe {
            (slice(revenue, len, "revenue")?,
             if margin.is_null() { None } else { Some(slice(margin, len, "margin")?) },
             if cost.is_null() { None } else { Some(slice(cost, len, "cost")?) },
             slice(segment, len, "segment")?, slice(abc, len, "abc")?, slice(pyramid, len, "pyramid")?)
        };
        let s = classes(s, &ValueSegment::ALL, "segment")?;
        let a = classes(a, &AbcClass::ALL, "abc")?;
        let p = pyramid_levels(p)?;
        let share = SegmentTablesPartial::from_columns(r, m, c, &s, &a, &p)?;
        let handle = crm_segment_tables_partial { held: Held::new(share), finished: None };
        // SAFETY: `out_partial` is NULL or writable (header contract).
        unsafe { hand_out(handle, out_partial, "out_partial") }
    }
}

/// A tables share from the bytes of `crm_segment_tables_partial_bytes`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_tables_partial_from_bytes(
    bytes: *const u8,
    len: usize,
    out_partial: *mut *mut crm_segment_tables_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `bytes` holds `len` bytes; `out_partial` is NULL or writable (header contract).
        unsafe {
            handle_from_bytes(bytes, len, out_partial, |b| {
                Ok(crm_segment_tables_partial { held: Held::new(SegmentTablesPartial::from_bytes(b)?), finished: None })
            })
        }
    }
}

/// The share's bytes, owned by it (valid until its next merge or free).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_tables_partial_bytes(
    partial: *mut crm_segment_tables_partial,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; the outs are NULL or writable (header contract).
        unsafe { bytes_of(&mut arg_mut(partial, "partial")?.held, out_bytes, out_len, SegmentTablesPartial::to_bytes) }
    }
}

/// Adds `other`'s share to `into`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_tables_partial_merge(
    into: *mut crm_segment_tables_partial,
    other: *const crm_segment_tables_partial,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: both are live handles, not the same one (header contract).
        let (a, b) = unsafe { (arg_mut(into, "into")?, arg_ref(other, "other")?) };
        a.held.changed().merge(&b.held.inner);
        a.finished = None;
        Ok(())
    }
}

/// Row `row` of a table (`crm_segment_table`: 0 top / middle / bottom, 1 A / B / C, 2 the
/// six pyramid levels) of the merged shares, as `crm_segments_table_row` gives it on one
/// machine. The row's name is owned by the partial (valid until its next merge or free).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_tables_partial_row(
    partial: *mut crm_segment_tables_partial,
    table: u8,
    row: usize,
    out_row: *mut crm_segment_row,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `partial` is a live handle; `out_row` is NULL or writable (header contract).
        let (p, slot) = unsafe { (arg_mut(partial, "partial")?, out(out_row, "out_row")?) };
        let (tables, labels) = p.finished.get_or_insert_with(|| {
            let t = p.held.inner.finish();
            let n = [names(&t[0]), names(&t[1]), names(&t[2])];
            (t, n)
        });
        let t = crate::ptr::index(table as usize, 3, "table")?;
        let r = crate::ptr::index(row, tables[t].len(), "row")?;
        slot.write(segment_row(&tables[t][r], &labels[t][r]));
        Ok(())
    }
}

/// Frees a tables share. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segment_tables_partial_free(partial: *mut crm_segment_tables_partial) {
    // SAFETY: made by this library and not freed before (header contract).
    ffi_boundary! { unsafe { free(partial) } }
}
