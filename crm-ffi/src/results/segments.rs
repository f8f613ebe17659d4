//! `crm_segments`: value segments (top / middle / bottom), ABC classes and the customer
//! pyramid as of a date, per customer and as segment tables.

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::enums::{crm_abc_class, crm_pyramid_level, crm_segment_table, crm_value_segment, measure, segment_table};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, index, out};
use crate::results::{c_name, copy_rows, write_json};
use crm_core::{CustomerBase, SegmentConfig, SegmentRow, Segments, ValueMeasure};
use std::ffi::{CString, c_char};
use std::sync::Arc;

/// The segmentation rules. Start from `crm_segments_config_default()` and change what
/// differs. Each share array must hold finite shares >= 0 summing to 1; otherwise
/// `CRM_RESULT_INVALID_CONFIG` names the field.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_segments_config {
    /// Shares of top, middle and bottom. Default 0.2 / 0.5 / 0.3.
    pub shares: [f64; 3],
    /// What ranks customers, a `crm_value_measure`. Default `CRM_VALUE_MEASURE_REVENUE`;
    /// margin and profit need a base with margins (`CRM_RESULT_MISSING_DATA`).
    pub measure: u8,
    /// Value over the last N days up to the as-of date; 0 for all history, else 1..=36500. Default 365.
    pub window_days: u32,
    /// ABC class limits as shares of total value. Default 0.8 / 0.15 / 0.05.
    pub abc_shares: [f64; 3],
    /// Pyramid shares of top, large, medium, small among ranked customers. Default
    /// 0.01 / 0.04 / 0.15 / 0.8.
    pub pyramid_shares: [f64; 4],
}

impl From<&SegmentConfig> for crm_segments_config {
    fn from(c: &SegmentConfig) -> Self {
        crm_segments_config {
            shares: c.shares,
            measure: match c.measure {
                ValueMeasure::Revenue => 0,
                ValueMeasure::Margin => 1,
                ValueMeasure::Profit => 2,
            },
            window_days: c.window_days.unwrap_or(0),
            abc_shares: c.abc_shares,
            pyramid_shares: c.pyramid_shares,
        }
    }
}

/// The engine config of a C config (the measure code is checked).
pub(crate) fn engine_config(c: &crm_segments_config) -> Result<SegmentConfig, Failure> {
    Ok(SegmentConfig {
        shares: c.shares,
        measure: measure(c.measure)?,
        window_days: (c.window_days > 0).then_some(c.window_days),
        abc_shares: c.abc_shares,
        pyramid_shares: c.pyramid_shares,
    })
}

impl crate::panic::PanicDefault for crm_segments_config {
    fn panicked() -> Self {
        (&SegmentConfig::default()).into()
    }
}

/// One row of a segment table. `segment` is the segment's name ("top", "A", "large", ...),
/// NUL-terminated, owned by the `crm_segments` handle (valid while it lives; do not free).
/// Amounts are over the value window; margin, profit and profit share are NaN without
/// margins (profit share also when total profit is 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_segment_row {
    /// Segment name.
    pub segment: *const c_char,
    /// Customers in the segment.
    pub customers: usize,
    /// Share of the table's customers.
    pub customer_share: f64,
    /// Revenue.
    pub revenue: f64,
    /// Share of the table's revenue.
    pub revenue_share: f64,
    /// Margin.
    pub margin: f64,
    /// Cost to serve (cost of the customers' interactions).
    pub cost_to_serve: f64,
    /// Margin - cost to serve.
    pub profit: f64,
    /// Share of the table's profit.
    pub profit_share: f64,
    /// Customers whose profit is negative.
    pub negative_profit_customers: usize,
}

/// One customer's segment data.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_segment_customer {
    /// The value that ranks the customer (the measure over the window).
    pub value: f64,
    /// Revenue in the window.
    pub revenue: f64,
    /// Profit in the window; NaN without margins.
    pub profit: f64,
    /// Rank, 0 = most valuable; -1 when not ranked (no transaction in the window).
    pub rank: i64,
    /// Top / middle / bottom, or `CRM_VALUE_SEGMENT_UNRANKED`.
    pub segment: crm_value_segment,
    /// ABC class, or `CRM_ABC_CLASS_UNRANKED`.
    pub abc: crm_abc_class,
    /// Pyramid level (inactive or prospect when not ranked).
    pub pyramid: crm_pyramid_level,
}

/// Value segments, ABC classes and pyramid of a base as of a date: per customer (index
/// order) and as three segment tables (`crm_segment_table`).
///
/// Ownership: made by `crm_segments_new`, freed by `crm_segments_free`; it keeps what it
/// needs of the base. Thread safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_segments {
    base: Arc<CustomerBase>,
    inner: Segments,
    /// Segment names as C strings, per table.
    names: [Vec<CString>; 3],
}

impl crm_segments {
    fn table(&self, table: crm_segment_table) -> &[SegmentRow] {
        match table {
            crm_segment_table::Value => &self.inner.segment_table,
            crm_segment_table::Abc => &self.inner.abc_table,
            crm_segment_table::Pyramid => &self.inner.pyramid_table,
        }
    }
}

fn segments_ref<'a>(segments: *const crm_segments) -> Result<&'a crm_segments, Failure> {
    // SAFETY: `segments` is NULL or a live handle (header contract).
    unsafe { arg_ref(segments, "segments") }
}

/// The segment names of a table, as C strings.
pub(crate) fn names(rows: &[SegmentRow]) -> Vec<CString> {
    rows.iter().map(|r| c_name(&r.segment)).collect()
}

/// A C row of a segment table; `name` is the row's segment name, owned by the handle.
pub(crate) fn segment_row(r: &SegmentRow, name: &CString) -> crm_segment_row {
    let nan = f64::NAN;
    crm_segment_row {
        segment: name.as_ptr(),
        customers: r.customers,
        customer_share: r.customer_share,
        revenue: r.revenue,
        revenue_share: r.revenue_share,
        margin: r.margin.unwrap_or(nan),
        cost_to_serve: r.cost_to_serve,
        profit: r.profit.unwrap_or(nan),
        profit_share: r.profit_share.unwrap_or(nan),
        negative_profit_customers: r.negative_profit_customers,
    }
}

/// The default rules: 20 / 50 / 30 % by revenue over 365 days, ABC 80 / 15 / 5 %, pyramid
/// 1 / 4 / 15 / 80 %.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_config_default() -> crm_segments_config {
    ffi_boundary! { (&SegmentConfig::default()).into() }
}

/// Computes the segments of `base` as of day `as_of`. `config` may be NULL for the default
/// rules. Free the result with `crm_segments_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_new(
    base: *const crm_base,
    as_of: i32,
    config: *const crm_segments_config,
    out_segments: *mut *mut crm_segments,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `out_segments` is NULL or writable, `config` NULL or valid (header contract).
        let (slot, config) = unsafe { (out(out_segments, "out_segments")?, arg_opt(config)) };
        let config = match config {
            Some(c) => engine_config(c)?,
            None => SegmentConfig::default(),
        };
        let inner = base.inner.segments(date_of(as_of, "as_of")?, &config)?;
        let names = [names(&inner.segment_table), names(&inner.abc_table), names(&inner.pyramid_table)];
        slot.write(Box::into_raw(Box::new(crm_segments { base: Arc::clone(&base.inner), inner, names })));
        Ok(())
    }
}

/// Frees a segments result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_free(segments: *mut crm_segments) {
    ffi_boundary! {
        if !segments.is_null() {
            // SAFETY: made by `crm_segments_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(segments) });
        }
    }
}

/// Number of customers; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_count(segments: *const crm_segments) -> usize {
    ffi_boundary! { segments_ref(segments).map_or(0, |s| s.inner.value.len()) }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_as_of(segments: *const crm_segments) -> i32 {
    ffi_boundary! { segments_ref(segments).map_or(CRM_NO_DATE, |s| day_of(s.inner.as_of)) }
}

/// Number of rows of a table (a `crm_segment_table`): 3, 3 or 6; 0 for NULL or an unknown
/// table.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_table_len(segments: *const crm_segments, table: u8) -> usize {
    ffi_boundary! {
        match (segments_ref(segments), segment_table(table)) {
            (Ok(s), Ok(t)) => s.table(t).len(),
            _ => 0,
        }
    }
}

/// Row `row` of a segment table (a `crm_segment_table`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_table_row(
    segments: *const crm_segments,
    table: u8,
    row: usize,
    out_row: *mut crm_segment_row,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = segments_ref(segments)?;
        // SAFETY: `out_row` is NULL or writable (header contract).
        let slot = unsafe { out(out_row, "out_row") }?;
        let t = segment_table(table)?;
        let rows = s.table(t);
        let i = index(row, rows.len(), "table's row count")?;
        slot.write(segment_row(&rows[i], &s.names[t as usize][i]));
        Ok(())
    }
}

/// The segment data of customer `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_customer_at(
    segments: *const crm_segments,
    index: usize,
    out_customer: *mut crm_segment_customer,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = &segments_ref(segments)?.inner;
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        let i = crate::ptr::index(index, s.value.len(), "segments' customer count")?;
        slot.write(crm_segment_customer {
            value: s.value[i],
            revenue: s.revenue[i],
            profit: s.profit.as_ref().map_or(f64::NAN, |p| p[i]),
            rank: s.rank[i].map_or(-1, i64::from),
            segment: s.segment[i].into(),
            abc: s.abc[i].into(),
            pyramid: s.pyramid[i].into(),
        });
        Ok(())
    }
}

/// Copies the value (the ranking measure) of every customer; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_value(segments: *const crm_segments, out: *mut f64, len: usize) -> crm_result {
    // SAFETY (all copy functions): `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(&segments_ref(segments)?.inner.value, out, len, "out", |v| *v) } }
}

/// Copies the revenue in the window of every customer; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_revenue(segments: *const crm_segments, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&segments_ref(segments)?.inner.revenue, out, len, "out", |v| *v) } }
}

/// Copies the profit in the window of every customer (NaN without margins).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_profit(segments: *const crm_segments, out: *mut f64, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        let s = &segments_ref(segments)?.inner;
        match &s.profit {
            Some(p) => unsafe { copy_rows(p, out, len, "out", |v| *v) },
            None => unsafe { copy_rows(&s.value, out, len, "out", |_| f64::NAN) },
        }
    }
}

/// Copies the rank of every customer (0 = most valuable, -1 when not ranked).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_rank(segments: *const crm_segments, out: *mut i64, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        unsafe { copy_rows(&segments_ref(segments)?.inner.rank, out, len, "out", |r| r.map_or(-1, i64::from)) }
    }
}

/// Copies the value segment of every customer (`CRM_VALUE_SEGMENT_UNRANKED` when not ranked).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_segment(
    segments: *const crm_segments,
    out: *mut crm_value_segment,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&segments_ref(segments)?.inner.segment, out, len, "out", |s| (*s).into()) } }
}

/// Copies the ABC class of every customer (`CRM_ABC_CLASS_UNRANKED` when not ranked).
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_abc(
    segments: *const crm_segments,
    out: *mut crm_abc_class,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&segments_ref(segments)?.inner.abc, out, len, "out", |s| (*s).into()) } }
}

/// Copies the pyramid level of every customer.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_copy_pyramid(
    segments: *const crm_segments,
    out: *mut crm_pyramid_level,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible: unsafe { copy_rows(&segments_ref(segments)?.inner.pyramid, out, len, "out", |s| (*s).into()) } }
}

/// The segments as JSON (per-customer columns, the three tables, the config, and
/// `customer_ids`) in a new NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_segments_to_json(
    segments: *const crm_segments,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = segments_ref(segments)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_json(&s.base, &s.inner, out_json, out_len) }
    }
}
