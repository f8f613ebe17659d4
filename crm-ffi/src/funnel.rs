//! Process funnels: `crm_funnel`, a funnel definition read from JSON, and
//! `crm_funnel_result`, the step counts, conversion rates with their intervals, outcome
//! branches and times to convert, overall or per value of a customer attribute.

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_ref, fill, index, optional_out, out, out_slice, put, utf8};
use crate::results::{c_name, or_nan, write_plain_json};
use crate::stats::{crm_difference, crm_proportion, difference, proportion};
use crm_core::funnel::{Funnel, FunnelPeriod, FunnelResult, StepResult, TIME_BUCKETS};
use serde::Serialize;
use std::ffi::{CString, c_char};

/// Number of time-to-convert histogram buckets: 0, 1, 2-3, 4-7, 8-14, 15-30, 31-60, 61-90,
/// >90 days (the length of `crm_funnel_result_copy_histogram`'s array).
pub const CRM_FUNNEL_TIME_BUCKETS: usize = 9;

/// A funnel: an ordered list of 1 to 16 steps, each an event that must follow the previous
/// step within the step's window. Read from JSON, e.g.
///
/// `{"name": "new card", "steps": [{"name": "granted", "event": {"type": "interaction",
/// "kind": "credit_granted"}}, {"name": "used", "event": {"type": "purchase"},
/// "window_days": 30}]}`
///
/// An interaction event may also list accepted `outcomes` and a `channel` ("email", ...);
/// a purchase event a `min_amount`.
///
/// Ownership: made by `crm_funnel_new_json`, freed by `crm_funnel_free`. Thread safety:
/// immutable; any number of threads may use it at once.
#[derive(Debug)]
pub struct crm_funnel {
    inner: Funnel,
}

/// When customers enter a funnel and the as-of date. Start from
/// `crm_funnel_period_default()` and set the three days (they are `CRM_NO_DATE` there).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_funnel_period {
    /// First day a customer can enter.
    pub entry_from: i32,
    /// First day after the entry period (after `entry_from`).
    pub entry_to: i32,
    /// The as-of day.
    pub as_of: i32,
    /// Confidence of the intervals, in (0, 1). Default 0.95.
    pub confidence: f64,
}

const NO_PERIOD: crm_funnel_period =
    crm_funnel_period { entry_from: CRM_NO_DATE, entry_to: CRM_NO_DATE, as_of: CRM_NO_DATE, confidence: 0.95 };

impl crate::panic::PanicDefault for crm_funnel_period {
    fn panicked() -> Self {
        NO_PERIOD
    }
}

/// The engine period of a C period (dates checked).
pub(crate) fn funnel_period(p: &crm_funnel_period) -> Result<FunnelPeriod, Failure> {
    named_period(p, "")
}

/// As [`funnel_period`], the field names in errors prefixed (`first.entry_from`).
fn named_period(p: &crm_funnel_period, prefix: &str) -> Result<FunnelPeriod, Failure> {
    Ok(FunnelPeriod {
        entry_from: date_of(p.entry_from, &format!("{prefix}entry_from"))?,
        entry_to: date_of(p.entry_to, &format!("{prefix}entry_to"))?,
        as_of: date_of(p.as_of, &format!("{prefix}as_of"))?,
        confidence: p.confidence,
    })
}

/// One step of a funnel result. `name` is NUL-terminated and owned by the result. Times to
/// convert are NaN for the first step and without converters; `rate_from_previous` is
/// undefined (NaN, counts 0) for the first step.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_funnel_step_result {
    /// Step name.
    pub name: *const c_char,
    /// Customers who reached the step.
    pub entered: u64,
    /// Of those, reached the next step (0 for the last step).
    pub converted: u64,
    /// Did not reach the next step and its window has closed.
    pub dropped: u64,
    /// Did not reach the next step yet, window still open.
    pub in_progress: u64,
    /// entered / decided customers of the previous step, with its Wilson interval.
    pub rate_from_previous: crm_proportion,
    /// entered / entered at the first step.
    pub rate_from_first: f64,
    /// Median days from the previous step, for the customers who converted.
    pub time_median: f64,
    /// First quartile of those days.
    pub time_q1: f64,
    /// Third quartile of those days.
    pub time_q3: f64,
    /// Number of outcome branches (`crm_funnel_result_outcome`); 0 for purchase steps.
    pub outcome_count: usize,
}

/// A funnel's result: one group ("all") or one per attribute value, each with one row per
/// step.
///
/// Ownership: made by `crm_funnel_result_new` or `crm_funnel_result_new_by_attribute`,
/// freed by `crm_funnel_result_free`; it does not refer to the base or the funnel. Thread
/// safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_funnel_result {
    groups: Vec<FunnelResult>,
    group_names: Vec<CString>,
    step_names: Vec<CString>,
    /// Per group and step, the outcome names in order.
    outcomes: Vec<Vec<Vec<CString>>>,
}

impl crm_funnel_result {
    fn new(funnel: &Funnel, groups: Vec<FunnelResult>) -> Self {
        crm_funnel_result {
            group_names: groups.iter().map(|g| c_name(&g.group)).collect(),
            step_names: funnel.steps.iter().map(|s| c_name(&s.name)).collect(),
            outcomes: groups
                .iter()
                .map(|g| g.steps.iter().map(|s| s.outcomes.keys().map(|o| c_name(o)).collect()).collect())
                .collect(),
            groups,
        }
    }

    /// The step row of a group, indices checked.
    fn step(&self, group: usize, step: usize) -> Result<(usize, usize, &StepResult), Failure> {
        let g = index(group, self.groups.len(), "result's group count")?;
        let steps = &self.groups[g].steps;
        let s = index(step, steps.len(), "funnel's step count")?;
        Ok((g, s, &steps[s]))
    }
}

fn funnel_ref<'a>(funnel: *const crm_funnel) -> Result<&'a crm_funnel, Failure> {
    // SAFETY: `funnel` is NULL or a live handle (header contract).
    unsafe { arg_ref(funnel, "funnel") }
}

fn result_ref<'a>(result: *const crm_funnel_result) -> Result<&'a crm_funnel_result, Failure> {
    // SAFETY: `result` is NULL or a live handle (header contract).
    unsafe { arg_ref(result, "result") }
}

/// Reads a funnel from `json_len` bytes of UTF-8 JSON (see `crm_funnel`). A syntax or shape
/// error is `CRM_RESULT_INVALID_CONFIG` whose detail gives serde's message with the line
/// and column. The steps are checked when the funnel is run. Free it with `crm_funnel_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_new_json(
    json: *const c_char,
    json_len: usize,
    out_funnel: *mut *mut crm_funnel,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_funnel` is NULL or writable, `json` holds `json_len` bytes (header contract).
        let slot = unsafe { out(out_funnel, "out_funnel") }?;
        let inner: Funnel = unsafe { crate::json::parse(json, json_len, "json", "funnel") }?;
        slot.write(Box::into_raw(Box::new(crm_funnel { inner })));
        Ok(())
    }
}

/// Frees a funnel. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_free(funnel: *mut crm_funnel) {
    ffi_boundary! {
        if !funnel.is_null() {
            // SAFETY: made by `crm_funnel_new_json` and not freed before (header contract).
            drop(unsafe { Box::from_raw(funnel) });
        }
    }
}

/// Number of steps; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_step_count(funnel: *const crm_funnel) -> usize {
    ffi_boundary! { funnel_ref(funnel).map_or(0, |f| f.inner.steps.len()) }
}

/// The funnel definition as JSON (with every default written out) in a new NUL-terminated
/// string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_to_json(
    funnel: *const crm_funnel,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let f = funnel_ref(funnel)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&f.inner, out_json, out_len) }
    }
}

/// A period with the three days `CRM_NO_DATE` (to be set) and 95 % intervals.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_period_default() -> crm_funnel_period {
    ffi_boundary! { NO_PERIOD }
}

/// Runs `run` on the checked arguments and writes the result handle.
fn run_funnel(
    base: *const crm_base,
    funnel: *const crm_funnel,
    period: *const crm_funnel_period,
    out_result: *mut *mut crm_funnel_result,
    run: impl FnOnce(&crm_base, &Funnel, &FunnelPeriod) -> Result<Vec<FunnelResult>, Failure>,
) -> Result<(), Failure> {
    let (base, funnel) = (base_ref(base)?, &funnel_ref(funnel)?.inner);
    // SAFETY: `period` is NULL or valid, `out_result` NULL or writable (header contract).
    let (period, slot) = unsafe { (arg_ref(period, "period")?, out(out_result, "out_result")?) };
    let groups = run(base, funnel, &funnel_period(period)?)?;
    slot.write(Box::into_raw(Box::new(crm_funnel_result::new(funnel, groups))));
    Ok(())
}

/// Runs the funnel over all customers of `base` (one group, "all"). Errors:
/// `CRM_RESULT_INVALID_CONFIG` for a funnel without steps or with more than 16, an entry
/// period that is empty or a confidence outside (0, 1); `CRM_RESULT_INVALID_ARGUMENT` for a
/// day that is `CRM_NO_DATE`. Free the result with `crm_funnel_result_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_new(
    base: *const crm_base,
    funnel: *const crm_funnel,
    period: *const crm_funnel_period,
    out_result: *mut *mut crm_funnel_result,
) -> crm_result {
    ffi_boundary! { fallible:
        run_funnel(base, funnel, period, out_result, |b, f, p| Ok(vec![b.inner.funnel(f, p)?]))
    }
}

/// Runs the funnel per value of a customer attribute (`attribute_len` bytes of UTF-8: a
/// free attribute, or `industry`, `category`, `acquisition_channel`); customers without it
/// are left out; groups in ascending name order. `CRM_RESULT_MISSING_DATA` without a
/// customer table; otherwise as `crm_funnel_result_new`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_new_by_attribute(
    base: *const crm_base,
    funnel: *const crm_funnel,
    period: *const crm_funnel_period,
    attribute: *const c_char,
    attribute_len: usize,
    out_result: *mut *mut crm_funnel_result,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `attribute` holds `attribute_len` bytes (header contract).
        let attribute = unsafe { utf8(attribute, attribute_len, "attribute") }?;
        run_funnel(base, funnel, period, out_result, |b, f, p| Ok(b.inner.funnel_by_attribute(f, p, attribute)?))
    }
}

/// Compares the same funnel over two entry periods, step by step: for each step, its
/// `rate_from_previous` in `first` (`a`) and in `second` (`b`), the difference `b - a` with
/// Newcombe's interval, the pooled z test and the lift, at `first`'s confidence. Writes
/// one `crm_difference` per step into `out`, whose `len` must be the funnel's step count;
/// the first step has no rate, so its row has every double NaN and counts 0.
///
/// Errors: `CRM_RESULT_LENGTH_MISMATCH` when `len` is not the step count; otherwise as
/// `crm_funnel_result_new` for each period (a day that is `CRM_NO_DATE` is named
/// `first.entry_from`, `second.as_of`, ...). Nothing is written on error.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_compare_periods(
    base: *const crm_base,
    funnel: *const crm_funnel,
    first: *const crm_funnel_period,
    second: *const crm_funnel_period,
    out: *mut crm_difference,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let (base, funnel) = (base_ref(base)?, &funnel_ref(funnel)?.inner);
        // SAFETY: the periods are NULL or valid, `out` has room for `len` values (header contract).
        let (first, second) = unsafe { (arg_ref(first, "first")?, arg_ref(second, "second")?) };
        let (first, second) = (named_period(first, "first.")?, named_period(second, "second.")?);
        let target = unsafe { out_slice(out, len, funnel.steps.len(), "out") }?;
        let steps = base.inner.compare_funnel_periods(funnel, &first, &second)?;
        fill(target, steps.into_iter().map(difference));
        Ok(())
    }
}

/// Frees a funnel result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_free(result: *mut crm_funnel_result) {
    ffi_boundary! {
        if !result.is_null() {
            // SAFETY: made by `crm_funnel_result_new*` and not freed before (header contract).
            drop(unsafe { Box::from_raw(result) });
        }
    }
}

/// Number of groups; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_group_count(result: *const crm_funnel_result) -> usize {
    ffi_boundary! { result_ref(result).map_or(0, |r| r.groups.len()) }
}

/// Number of steps (the funnel's); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_step_count(result: *const crm_funnel_result) -> usize {
    ffi_boundary! { result_ref(result).map_or(0, |r| r.step_names.len()) }
}

/// The name of group `group` ("all", or an attribute value) as `*out_name`: NUL-terminated,
/// owned by the result.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_group_name(
    result: *const crm_funnel_result,
    group: usize,
    out_name: *mut *const c_char,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = result_ref(result)?;
        // SAFETY: `out_name` is NULL or writable (header contract).
        let slot = unsafe { out(out_name, "out_name") }?;
        slot.write(r.group_names[index(group, r.groups.len(), "result's group count")?].as_ptr());
        Ok(())
    }
}

/// Step `step` of group `group`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_step(
    result: *const crm_funnel_result,
    group: usize,
    step: usize,
    out_step: *mut crm_funnel_step_result,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = result_ref(result)?;
        // SAFETY: `out_step` is NULL or writable (header contract).
        let slot = unsafe { out(out_step, "out_step") }?;
        let (_, s, x) = r.step(group, step)?;
        let t = x.time_to_convert.as_ref();
        slot.write(crm_funnel_step_result {
            name: r.step_names[s].as_ptr(),
            entered: x.entered,
            converted: x.converted,
            dropped: x.dropped,
            in_progress: x.in_progress,
            rate_from_previous: proportion(x.rate_from_previous),
            rate_from_first: x.rate_from_first,
            time_median: or_nan(t.map(|t| t.median)),
            time_q1: or_nan(t.map(|t| t.q1)),
            time_q3: or_nan(t.map(|t| t.q3)),
            outcome_count: x.outcomes.len(),
        });
        Ok(())
    }
}

/// Copies the time-to-convert histogram of a step (customers per bucket, see
/// `CRM_FUNNEL_TIME_BUCKETS`; all 0 without converters) into `out`; `len` must be
/// `CRM_FUNNEL_TIME_BUCKETS`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_copy_histogram(
    result: *const crm_funnel_result,
    group: usize,
    step: usize,
    out: *mut u64,
    len: usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let (_, _, x) = result_ref(result)?.step(group, step)?;
        // SAFETY: `out` has room for `len` values (header contract).
        let target = unsafe { out_slice(out, len, TIME_BUCKETS.len(), "out") }?;
        match &x.time_to_convert {
            Some(t) => fill(target, t.histogram.iter().copied()),
            None => fill(target, std::iter::repeat_n(0, TIME_BUCKETS.len())),
        }
        Ok(())
    }
}

/// Outcome branch `index` of a step (branches in name order): for every customer of the
/// previous step, the outcome of its first interaction of this step's kind in the window
/// ("none" when it had none); the counts sum to the previous step's `entered`. The name
/// (`*out_name`, may be NULL when not wanted) is NUL-terminated and owned by the result.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_outcome(
    result: *const crm_funnel_result,
    group: usize,
    step: usize,
    index: usize,
    out_name: *mut *const c_char,
    out_count: *mut u64,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = result_ref(result)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        let (name_slot, slot) = unsafe { (optional_out(out_name, "out_name")?, out(out_count, "out_count")?) };
        let (g, s, x) = r.step(group, step)?;
        let i = crate::ptr::index(index, x.outcomes.len(), "step's outcome count")?;
        put(name_slot, r.outcomes[g][s][i].as_ptr());
        slot.write(*x.outcomes.values().nth(i).expect("index checked"));
        Ok(())
    }
}

#[derive(Serialize)]
struct Groups<'a> {
    groups: &'a [FunnelResult],
}

/// The result as JSON, `{"groups": [...]}` (crm-core's field names; missing values null),
/// in a new NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_funnel_result_to_json(
    result: *const crm_funnel_result,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let r = result_ref(result)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&Groups { groups: &r.groups }, out_json, out_len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_count_matches_the_core() {
        assert_eq!(CRM_FUNNEL_TIME_BUCKETS, TIME_BUCKETS.len());
        let json = r#"{"name": "x", "steps": [{"name": "a", "event": {"type": "purchase"}}]}"#;
        let mut f = std::ptr::null_mut();
        assert_eq!(crm_funnel_new_json(json.as_ptr().cast(), json.len(), &mut f), crm_result::Ok);
        assert_eq!(crm_funnel_step_count(f), 1);
        crm_funnel_free(f);
    }
}
