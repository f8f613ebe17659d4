//! `crm_flows`: customer flows of one period or of a series of periods (the base as a
//! stock with flows in and out, so that the books balance), overall and per value segment.

use crate::base::{base_ref, crm_base};
use crate::date::{date_of, day_or_none};
use crate::enums::{crm_duration_base, duration_base};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, index, out};
use crate::results::segments::{crm_segments_config, engine_config};
use crate::results::{c_name, copy_rows, or_nan, write_plain_json};
use crm_core::flows::{FlowValue, SegmentFlows, average_duration};
use crm_core::{FlowConfig, FlowReport};
use serde::Serialize;
use std::ffi::{CString, c_char};

/// How flows are counted. Start from `crm_flow_config_default()` and change what differs.
/// `inactivity_days` must lie in 1..=36500 (100 years) and the segment rules valid; otherwise
/// `CRM_RESULT_INVALID_CONFIG` names the field.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_flow_config {
    /// A customer is lost after this many days without a purchase. Default 365.
    pub inactivity_days: u32,
    /// The base the average duration divides by, a `crm_duration_base`. Default
    /// `CRM_DURATION_BASE_AVERAGE`.
    pub duration_base: u8,
    /// Also count flows per value segment (segments at the start and at the end of the
    /// period). Default true.
    pub by_segment: bool,
    /// The segment rules for `by_segment`.
    pub segments: crm_segments_config,
}

impl From<&FlowConfig> for crm_flow_config {
    fn from(c: &FlowConfig) -> Self {
        crm_flow_config {
            inactivity_days: c.inactivity_days,
            duration_base: crm_duration_base::from(c.duration_base) as u8,
            by_segment: c.by_segment,
            segments: (&c.segments).into(),
        }
    }
}

impl crate::panic::PanicDefault for crm_flow_config {
    fn panicked() -> Self {
        (&FlowConfig::default()).into()
    }
}

/// The engine config of a C config (codes checked).
pub(crate) fn flow_config(c: &crm_flow_config) -> Result<FlowConfig, Failure> {
    Ok(FlowConfig {
        inactivity_days: c.inactivity_days,
        duration_base: duration_base(c.duration_base)?,
        by_segment: c.by_segment,
        segments: engine_config(&c.segments)?,
    })
}

/// Revenue and margin brought or lost by a flow (margin 0 when the base has no margins).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_flow_value {
    /// Net revenue.
    pub revenue: f64,
    /// Net margin.
    pub margin: f64,
}

impl From<FlowValue> for crm_flow_value {
    fn from(v: FlowValue) -> Self {
        crm_flow_value { revenue: v.revenue, margin: v.margin }
    }
}

/// The flows of one period `[start, end)`: `base_at_start + new_customers + won_back - lost
/// = base_at_end` always holds (`crm_flow_report_balances`). Customers who lapsed and came
/// back inside the period, or came and lapsed again, are shown apart and never counted
/// twice. Rates are NaN for an empty base at the start, `duration_years` NaN without losses.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_flow_report {
    /// First day of the period (days since 1970-01-01).
    pub start: i32,
    /// First day after the period.
    pub end: i32,
    /// In the base at the start.
    pub base_at_start: u64,
    /// First purchase in the period and in the base at the end (`new` in crm-core).
    pub new_customers: u64,
    /// Of the new customers: bought again by the end of the period.
    pub new_active: u64,
    /// Of the new customers: one purchase only (starters).
    pub new_starters: u64,
    /// Lost at the start (had bought before), in the base at the end.
    pub won_back: u64,
    /// In the base at the start, lost at the end.
    pub lost: u64,
    /// In the base at the end.
    pub base_at_end: u64,
    /// In the base at both ends, but lapsed and came back inside the period.
    pub lost_and_won_back: u64,
    /// First purchase in the period, lost again by its end.
    pub new_and_lost: u64,
    /// Came back in the period and lapsed again by its end.
    pub won_back_and_lost: u64,
    /// lost / base at start.
    pub churn_rate: f64,
    /// 1 - churn rate.
    pub retention_rate: f64,
    /// Average duration in years: base / customers lost per year.
    pub duration_years: f64,
    /// Revenue and margin of the new customers in the period.
    pub new_value: crm_flow_value,
    /// Revenue and margin of the won-back customers in the period.
    pub won_back_value: crm_flow_value,
    /// Revenue and margin of the lost customers in their last year.
    pub lost_value: crm_flow_value,
    /// Revenue and margin of the customers who stayed, in the period.
    pub stayed_value: crm_flow_value,
}

/// The C report of an engine report.
pub(crate) fn flow_report(f: &FlowReport) -> crm_flow_report {
    crm_flow_report {
        start: day_or_none(f.start),
        end: day_or_none(f.end),
        base_at_start: f.base_at_start,
        new_customers: f.new,
        new_active: f.new_active,
        new_starters: f.new_starters,
        won_back: f.won_back,
        lost: f.lost,
        base_at_end: f.base_at_end,
        lost_and_won_back: f.lost_and_won_back,
        new_and_lost: f.new_and_lost,
        won_back_and_lost: f.won_back_and_lost,
        churn_rate: or_nan(f.churn_rate),
        retention_rate: or_nan(f.retention_rate),
        duration_years: or_nan(f.duration_years),
        new_value: f.new_value.into(),
        won_back_value: f.won_back_value.into(),
        lost_value: f.lost_value.into(),
        stayed_value: f.stayed_value.into(),
    }
}

/// The flows of one value segment in one period: the base at the start and the lost by the
/// segment at the start; the base, new and won back by the segment at the end. `segment`
/// ("top", "middle", "bottom" or "unranked") is NUL-terminated and owned by the `crm_flows`
/// handle (valid while it lives; do not free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_segment_flows {
    /// Segment name.
    pub segment: *const c_char,
    /// Customers in the base at the start, in this segment then.
    pub base_at_start: u64,
    /// Of those, lost by the end.
    pub lost: u64,
    /// Customers in the base at the end, in this segment then.
    pub base_at_end: u64,
    /// New customers in this segment at the end.
    pub new_customers: u64,
    /// Won-back customers in this segment at the end.
    pub won_back: u64,
}

fn segment_flows(s: &SegmentFlows, name: &CString) -> crm_segment_flows {
    crm_segment_flows {
        segment: name.as_ptr(),
        base_at_start: s.base_at_start,
        lost: s.lost,
        base_at_end: s.base_at_end,
        new_customers: s.new,
        won_back: s.won_back,
    }
}

/// Flows of one or more consecutive periods, each with its per-segment rows (4 rows when
/// the config asked for them, else none).
///
/// Ownership: made by `crm_flows_new` or `crm_flows_new_series`, freed by `crm_flows_free`;
/// it does not refer to the base. Thread safety: immutable; any number of threads may read
/// it at once.
#[derive(Debug)]
pub struct crm_flows {
    reports: Vec<FlowReport>,
    /// Segment names per period.
    names: Vec<Vec<CString>>,
}

impl crm_flows {
    pub(crate) fn new(reports: Vec<FlowReport>) -> Self {
        let names = reports.iter().map(|r| r.by_segment.iter().map(|s| c_name(&s.segment)).collect()).collect();
        crm_flows { reports, names }
    }
}

fn flows_ref<'a>(flows: *const crm_flows) -> Result<&'a crm_flows, Failure> {
    // SAFETY: `flows` is NULL or a live handle (header contract).
    unsafe { arg_ref(flows, "flows") }
}

/// The engine config of an optional C config.
fn config_or_default(config: *const crm_flow_config) -> Result<FlowConfig, Failure> {
    // SAFETY: `config` is NULL or valid (header contract).
    match unsafe { arg_opt(config) } {
        Some(c) => flow_config(c),
        None => Ok(FlowConfig::default()),
    }
}

/// Builds the handle of `run`'s reports into `*out_flows`.
fn make(
    base: *const crm_base,
    config: *const crm_flow_config,
    out_flows: *mut *mut crm_flows,
    run: impl FnOnce(&crm_base, &FlowConfig) -> Result<Vec<FlowReport>, Failure>,
) -> Result<(), Failure> {
    let base = base_ref(base)?;
    // SAFETY: `out_flows` is NULL or writable (header contract).
    let slot = unsafe { out(out_flows, "out_flows") }?;
    let config = config_or_default(config)?;
    let reports = run(base, &config)?;
    slot.write(Box::into_raw(Box::new(crm_flows::new(reports))));
    Ok(())
}

/// The default flow rules: lost after 365 days without a purchase, duration over the
/// average of the bases at start and end, flows per segment with the default segment rules.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flow_config_default() -> crm_flow_config {
    ffi_boundary! { (&FlowConfig::default()).into() }
}

/// The flows of `base` for the period `[start, end)` (days since 1970-01-01): one report.
/// `config` may be NULL for the defaults. `CRM_RESULT_INVALID_CONFIG` when `end` is not
/// after `start` or a config field is invalid. Free the result with `crm_flows_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_new(
    base: *const crm_base,
    start: i32,
    end: i32,
    config: *const crm_flow_config,
    out_flows: *mut *mut crm_flows,
) -> crm_result {
    ffi_boundary! { fallible:
        make(base, config, out_flows, |b, cfg| {
            Ok(vec![b.inner.flows(date_of(start, "start")?, date_of(end, "end")?, cfg)?])
        })
    }
}

/// The flows of `count` consecutive periods of length `period` (a `crm_period`) from day
/// `start`: one report per period, each period's base at the end being the next one's base
/// at the start. `count` must be at least 1 (`CRM_RESULT_INVALID_CONFIG`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_new_series(
    base: *const crm_base,
    start: i32,
    period: u8,
    count: usize,
    config: *const crm_flow_config,
    out_flows: *mut *mut crm_flows,
) -> crm_result {
    ffi_boundary! { fallible:
        make(base, config, out_flows, |b, cfg| {
            let p = crate::enums::period(period)?;
            Ok(b.inner.flow_series(date_of(start, "start")?, p, count, cfg)?)
        })
    }
}

/// Frees a flows result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_free(flows: *mut crm_flows) {
    ffi_boundary! {
        if !flows.is_null() {
            // SAFETY: made by `crm_flows_new*` and not freed before (header contract).
            drop(unsafe { Box::from_raw(flows) });
        }
    }
}

/// Number of periods (reports); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_count(flows: *const crm_flows) -> usize {
    ffi_boundary! { flows_ref(flows).map_or(0, |f| f.reports.len()) }
}

/// The report of period `index` (0 = the first).
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_report_at(
    flows: *const crm_flows,
    index: usize,
    out_report: *mut crm_flow_report,
) -> crm_result {
    ffi_boundary! { fallible:
        let f = flows_ref(flows)?;
        // SAFETY: `out_report` is NULL or writable (header contract).
        let slot = unsafe { out(out_report, "out_report") }?;
        slot.write(flow_report(&f.reports[crate::ptr::index(index, f.reports.len(), "flows' period count")?]));
        Ok(())
    }
}

/// Copies the report of every period into `out` (`len` must equal the count).
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_copy_reports(flows: *const crm_flows, out: *mut crm_flow_report, len: usize) -> crm_result {
    // SAFETY: `out` has room for `len` reports (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(&flows_ref(flows)?.reports, out, len, "out", flow_report) } }
}

/// Number of segment rows per period: 4 (top, middle, bottom, unranked) when the config
/// asked for flows by segment, else 0; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_segment_len(flows: *const crm_flows) -> usize {
    ffi_boundary! { flows_ref(flows).map_or(0, |f| f.reports.first().map_or(0, |r| r.by_segment.len())) }
}

/// Segment row `row` of period `period`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_segment_row(
    flows: *const crm_flows,
    period: usize,
    row: usize,
    out_row: *mut crm_segment_flows,
) -> crm_result {
    ffi_boundary! { fallible:
        let f = flows_ref(flows)?;
        // SAFETY: `out_row` is NULL or writable (header contract).
        let slot = unsafe { out(out_row, "out_row") }?;
        let p = index(period, f.reports.len(), "flows' period count")?;
        let rows = &f.reports[p].by_segment;
        let r = index(row, rows.len(), "period's segment row count")?;
        slot.write(segment_flows(&rows[r], &f.names[p][r]));
        Ok(())
    }
}

#[derive(Serialize)]
struct Periods<'a> {
    periods: &'a [FlowReport],
}

/// The flows as JSON, `{"periods": [...]}` with one object per period (crm-core's field
/// names, e.g. `new`; missing values null), in a new NUL-terminated string; free it with
/// `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flows_to_json(
    flows: *const crm_flows,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let f = flows_ref(flows)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&Periods { periods: &f.reports }, out_json, out_len) }
    }
}

/// True when the report's books balance: `base_at_start + new_customers + won_back ==
/// base_at_end + lost`; false for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_flow_report_balances(report: *const crm_flow_report) -> bool {
    // SAFETY: `report` is NULL or valid (header contract).
    ffi_boundary! {
        unsafe { arg_opt(report) }
            .is_some_and(|r| {
                let w = u128::from;
                w(r.base_at_start) + w(r.new_customers) + w(r.won_back) == w(r.base_at_end) + w(r.lost)
            })
    }
}

/// The average duration in years of a base of `base` customers that loses `lost` customers
/// in `period_days` days: `base / (lost x 365.25 / period_days)`. `*out_years` is NaN when
/// nothing is lost. `CRM_RESULT_INVALID_ARGUMENT` for a non-finite or negative count or a
/// period that is not > 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_average_duration(base: f64, lost: f64, period_days: f64, out_years: *mut f64) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_years` is NULL or writable (header contract).
        let slot = unsafe { out(out_years, "out_years") }?;
        for (name, v) in [("base", base), ("lost", lost)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Failure::new(crm_result::InvalidArgument, format!("`{name}` = {v} is not a count >= 0")));
            }
        }
        if !(period_days.is_finite() && period_days > 0.0) {
            return Err(Failure::new(crm_result::InvalidArgument, format!("`period_days` = {period_days} is not > 0")));
        }
        slot.write(or_nan(average_duration(base, lost, period_days)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_round_trips() {
        let c = crm_flow_config_default();
        assert_eq!((c.inactivity_days, c.duration_base, c.by_segment), (365, 2, true));
        assert_eq!(flow_config(&c).unwrap(), FlowConfig::default());
        let bad = crm_flow_config { duration_base: 3, ..c };
        assert_eq!(flow_config(&bad).unwrap_err().code, crm_result::InvalidConfig);
    }

    #[test]
    fn deck_duration() {
        let mut d = 0.0;
        assert_eq!(crm_average_duration(2200.0, 700.0, 365.25, &mut d), crm_result::Ok);
        assert!((d - 2200.0 / 700.0).abs() < 1e-12);
        assert_eq!(crm_average_duration(100.0, 0.0, 365.0, &mut d), crm_result::Ok);
        assert!(d.is_nan());
        assert_eq!(crm_average_duration(100.0, 1.0, 0.0, &mut d), crm_result::InvalidArgument);
    }
}
