//! Scoring: `crm_scoring_model` (weighted rules, read from JSON), `crm_scores` (every
//! customer's score and the ranked, explainable work list, compared with a manual plan) and
//! `crm_backtest` (how often each rule's hits had the outcome afterwards).

use crate::base::{base_ref, crm_base};
use crate::date::{CRM_NO_DATE, date_of, day_of};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_ref, index, out, slice};
use crate::results::{c_name, copy_rows, write_plain_json};
use crate::stats::crm_proportion;
use crm_core::funnel::EventMatch;
use crm_core::scoring::{RuleBacktest, Scores, ScoringModel, compare_plans};
use crm_core::{CustomerIndex, Error};
use std::ffi::{CString, c_char};

/// A scoring model: weighted rules over attributes and history, e.g.
///
/// `{"rules": [{"name": "lease ends soon", "weight": 3, "condition": {"type":
/// "date_within_next", "attribute": "lease_end", "days": 30}}, {"name": "visited a fair",
/// "weight": 1, "condition": {"type": "event_within", "kind": "trade_fair", "days": 60},
/// "half_life_days": 31}]}`
///
/// Conditions: `equals`, `in`, `range`, `date_within_next`, `event_within`, `event_count`,
/// `purchase_within`, `stage`, `segment` (see crm-core `scoring`); optional `lifecycle` and
/// `segments` rules for the last two.
///
/// Ownership: made by `crm_scoring_model_new_json`, freed by `crm_scoring_model_free`.
/// Thread safety: immutable; any number of threads may use it at once.
#[derive(Debug)]
pub struct crm_scoring_model {
    inner: ScoringModel,
}

fn model_ref<'a>(model: *const crm_scoring_model) -> Result<&'a crm_scoring_model, Failure> {
    // SAFETY: `model` is NULL or a live handle (header contract).
    unsafe { arg_ref(model, "model") }
}

/// Reads a scoring model from `json_len` bytes of UTF-8 JSON. A syntax or shape error is
/// `CRM_RESULT_INVALID_CONFIG` with serde's message (line and column); weights and
/// half-lives are checked when the model is used. Free it with `crm_scoring_model_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scoring_model_new_json(
    json: *const c_char,
    json_len: usize,
    out_model: *mut *mut crm_scoring_model,
) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out_model` is NULL or writable, `json` holds `json_len` bytes (header contract).
        let slot = unsafe { out(out_model, "out_model") }?;
        let inner: ScoringModel = unsafe { crate::json::parse(json, json_len, "json", "scoring model") }?;
        slot.write(Box::into_raw(Box::new(crm_scoring_model { inner })));
        Ok(())
    }
}

/// Frees a scoring model. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scoring_model_free(model: *mut crm_scoring_model) {
    ffi_boundary! {
        if !model.is_null() {
            // SAFETY: made by `crm_scoring_model_new_json` and not freed before (header contract).
            drop(unsafe { Box::from_raw(model) });
        }
    }
}

/// Number of rules; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scoring_model_rule_count(model: *const crm_scoring_model) -> usize {
    ffi_boundary! { model_ref(model).map_or(0, |m| m.inner.rules.len()) }
}

/// The model as JSON (with every default written out) in a new NUL-terminated string;
/// free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scoring_model_to_json(
    model: *const crm_scoring_model,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let m = model_ref(model)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&m.inner, out_json, out_len) }
    }
}

/// A customer on the work list. `id` is the customer's id as text, NUL-terminated, owned
/// by the `crm_scores` handle.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_scored_customer {
    /// Customer index in the base.
    pub customer: usize,
    /// External id.
    pub id: *const c_char,
    /// Total score.
    pub score: f64,
    /// Number of rules that contributed (`crm_scores_contribution_at`).
    pub contribution_count: usize,
}

/// One rule's contribution to a score. `rule` is NUL-terminated, owned by the handle.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_contribution {
    /// Rule name.
    pub rule: *const c_char,
    /// Points (the weight, decayed by the age of the latest matching event).
    pub points: f64,
}

/// The score of every customer as of a date, and the work list: customers with a positive
/// score, highest first, ties by ascending id.
///
/// Ownership: made by `crm_scores_new`, freed by `crm_scores_free`; it does not refer to
/// the base or the model. Thread safety: immutable; any number of threads may read it at
/// once.
#[derive(Debug)]
pub struct crm_scores {
    inner: Scores,
    ids: Vec<CString>,
    /// Rule names per work-list entry.
    rules: Vec<Vec<CString>>,
}

fn scores_ref<'a>(scores: *const crm_scores) -> Result<&'a crm_scores, Failure> {
    // SAFETY: `scores` is NULL or a live handle (header contract).
    unsafe { arg_ref(scores, "scores") }
}

/// Scores every customer of `base` as of day `as_of`. `CRM_RESULT_INVALID_CONFIG` for a
/// non-finite weight or a half-life that is not > 0 (naming the rule), or invalid lifecycle
/// or segment rules. Free the result with `crm_scores_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_new(
    base: *const crm_base,
    model: *const crm_scoring_model,
    as_of: i32,
    out_scores: *mut *mut crm_scores,
) -> crm_result {
    ffi_boundary! { fallible:
        let (base, model) = (base_ref(base)?, model_ref(model)?);
        // SAFETY: `out_scores` is NULL or writable (header contract).
        let slot = unsafe { out(out_scores, "out_scores") }?;
        let inner = base.inner.score(&model.inner, date_of(as_of, "as_of")?)?;
        let ids = inner.work_list.iter().map(|w| c_name(&w.id)).collect();
        let rules = inner.work_list.iter().map(|w| w.contributions.iter().map(|(r, _)| c_name(r)).collect()).collect();
        slot.write(Box::into_raw(Box::new(crm_scores { inner, ids, rules })));
        Ok(())
    }
}

/// Frees a scores result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_free(scores: *mut crm_scores) {
    ffi_boundary! {
        if !scores.is_null() {
            // SAFETY: made by `crm_scores_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(scores) });
        }
    }
}

/// Number of customers scored (= customers of the base); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_count(scores: *const crm_scores) -> usize {
    ffi_boundary! { scores_ref(scores).map_or(0, |s| s.inner.scores.len()) }
}

/// The as-of day; `CRM_NO_DATE` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_as_of(scores: *const crm_scores) -> i32 {
    ffi_boundary! { scores_ref(scores).map_or(CRM_NO_DATE, |s| day_of(s.inner.as_of)) }
}

/// Copies the score of every customer, in index order; `len` must equal the count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_copy_scores(scores: *const crm_scores, out: *mut f64, len: usize) -> crm_result {
    // SAFETY: `out` has room for `len` values (header contract).
    ffi_boundary! { fallible: unsafe { copy_rows(&scores_ref(scores)?.inner.scores, out, len, "out", |v| *v) } }
}

/// Number of customers on the work list; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_work_list_len(scores: *const crm_scores) -> usize {
    ffi_boundary! { scores_ref(scores).map_or(0, |s| s.inner.work_list.len()) }
}

/// Entry `index` of the work list (0 = highest score).
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_work_list_at(
    scores: *const crm_scores,
    index: usize,
    out_customer: *mut crm_scored_customer,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = scores_ref(scores)?;
        // SAFETY: `out_customer` is NULL or writable (header contract).
        let slot = unsafe { out(out_customer, "out_customer") }?;
        let i = crate::ptr::index(index, s.inner.work_list.len(), "work list's length")?;
        let w = &s.inner.work_list[i];
        slot.write(crm_scored_customer {
            customer: w.customer as usize,
            id: s.ids[i].as_ptr(),
            score: w.score,
            contribution_count: w.contributions.len(),
        });
        Ok(())
    }
}

/// Contribution `contribution` (in rule order) of work-list entry `entry`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_contribution_at(
    scores: *const crm_scores,
    entry: usize,
    contribution: usize,
    out_contribution: *mut crm_contribution,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = scores_ref(scores)?;
        // SAFETY: `out_contribution` is NULL or writable (header contract).
        let slot = unsafe { out(out_contribution, "out_contribution") }?;
        let e = index(entry, s.inner.work_list.len(), "work list's length")?;
        let list = &s.inner.work_list[e].contributions;
        let c = index(contribution, list.len(), "entry's contribution count")?;
        slot.write(crm_contribution { rule: s.rules[e][c].as_ptr(), points: list[c].1 });
        Ok(())
    }
}

/// A system work list compared with a manual plan by the scores of all customers.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_plan_comparison {
    /// Customers on the system list.
    pub system: usize,
    /// Customers on the manual plan.
    pub manual: usize,
    /// On both.
    pub overlap: usize,
    /// Median score of the system list (0 when empty).
    pub system_median: f64,
    /// Median score of the manual plan (0 when empty).
    pub manual_median: f64,
    /// System customers scoring above the manual plan's median.
    pub system_above_manual_median: usize,
    /// Manual customers scoring above the system list's median.
    pub manual_above_system_median: usize,
}

/// Customer indices from C.
fn indices(list: &[usize], name: &str) -> Result<Vec<CustomerIndex>, Failure> {
    list.iter()
        .map(|&c| {
            CustomerIndex::try_from(c).map_err(|_| {
                Failure::from(Error::InvalidConfig {
                    field: name.into(),
                    message: format!("customer index {c} is not in the base"),
                })
            })
        })
        .collect()
}

/// Compares a system list (`system`: customer indices) with a manual plan (`manual`) by
/// the scores. `CRM_RESULT_INVALID_CONFIG` when a list names an index not below the
/// customer count.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_compare_plans(
    scores: *const crm_scores,
    system: *const usize,
    system_len: usize,
    manual: *const usize,
    manual_len: usize,
    out_comparison: *mut crm_plan_comparison,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = scores_ref(scores)?;
        // SAFETY: the arrays hold their lengths of values, `out_comparison` is NULL or writable
        // (header contract).
        let (system, manual, slot) = unsafe {
            (slice(system, system_len, "system")?, slice(manual, manual_len, "manual")?, out(out_comparison, "out_comparison")?)
        };
        let c = compare_plans(&s.inner, &indices(system, "system")?, &indices(manual, "manual")?)?;
        slot.write(crm_plan_comparison {
            system: c.system,
            manual: c.manual,
            overlap: c.overlap,
            system_median: c.system_median,
            manual_median: c.manual_median,
            system_above_manual_median: c.system_above_manual_median,
            manual_above_system_median: c.manual_above_system_median,
        });
        Ok(())
    }
}

/// The scores as JSON (`as_of`, `scores` in index order, `work_list` with ids and
/// contributions) in a new NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_scores_to_json(
    scores: *const crm_scores,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let s = scores_ref(scores)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&s.inner, out_json, out_len) }
    }
}

/// A rule's back-test. `rule` is NUL-terminated, owned by the `crm_backtest` handle.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_rule_backtest {
    /// Rule name.
    pub rule: *const c_char,
    /// Customers the rule hit as of the date.
    pub hits: u64,
    /// Of those, with the outcome within the horizon.
    pub wins: u64,
    /// wins / hits with its Wilson interval.
    pub win_rate: crm_proportion,
    /// The outcome rate among all customers.
    pub base_rate: crm_proportion,
}

/// Each rule's back-test, in rule order.
///
/// Ownership: made by `crm_backtest_new`, freed by `crm_backtest_free`. Thread safety:
/// immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_backtest {
    inner: Vec<RuleBacktest>,
    rules: Vec<CString>,
}

fn backtest_ref<'a>(backtest: *const crm_backtest) -> Result<&'a crm_backtest, Failure> {
    // SAFETY: `backtest` is NULL or a live handle (header contract).
    unsafe { arg_ref(backtest, "backtest") }
}

/// Back-tests each rule of `model`: of the customers it hit as of day `as_of`, how many had
/// the outcome event within the next `horizon_days` days. The outcome is an event as JSON
/// (`outcome_json_len` bytes), e.g. `{"type": "interaction", "kind": "service"}` or
/// `{"type": "purchase", "min_amount": 100}`; a bad one is `CRM_RESULT_INVALID_CONFIG` with
/// serde's line and column. Free the result with `crm_backtest_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_backtest_new(
    base: *const crm_base,
    model: *const crm_scoring_model,
    as_of: i32,
    outcome_json: *const c_char,
    outcome_json_len: usize,
    horizon_days: u32,
    out_backtest: *mut *mut crm_backtest,
) -> crm_result {
    ffi_boundary! { fallible:
        let (base, model) = (base_ref(base)?, model_ref(model)?);
        // SAFETY: `out_backtest` is NULL or writable, `outcome_json` holds its bytes (header contract).
        let slot = unsafe { out(out_backtest, "out_backtest") }?;
        let outcome: EventMatch = unsafe { crate::json::parse(outcome_json, outcome_json_len, "outcome_json", "outcome") }?;
        let inner = base.inner.backtest(&model.inner, date_of(as_of, "as_of")?, &outcome, horizon_days)?;
        let rules = inner.iter().map(|r| c_name(&r.rule)).collect();
        slot.write(Box::into_raw(Box::new(crm_backtest { inner, rules })));
        Ok(())
    }
}

/// Frees a back-test. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_backtest_free(backtest: *mut crm_backtest) {
    ffi_boundary! {
        if !backtest.is_null() {
            // SAFETY: made by `crm_backtest_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(backtest) });
        }
    }
}

/// Number of rules back-tested; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_backtest_count(backtest: *const crm_backtest) -> usize {
    ffi_boundary! { backtest_ref(backtest).map_or(0, |b| b.inner.len()) }
}

/// The back-test of rule `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_backtest_at(
    backtest: *const crm_backtest,
    index: usize,
    out_rule: *mut crm_rule_backtest,
) -> crm_result {
    ffi_boundary! { fallible:
        let b = backtest_ref(backtest)?;
        // SAFETY: `out_rule` is NULL or writable (header contract).
        let slot = unsafe { out(out_rule, "out_rule") }?;
        let i = crate::ptr::index(index, b.inner.len(), "model's rule count")?;
        let r = &b.inner[i];
        slot.write(crm_rule_backtest {
            rule: b.rules[i].as_ptr(),
            hits: r.hits,
            wins: r.wins,
            win_rate: r.win_rate.into(),
            base_rate: r.base_rate.into(),
        });
        Ok(())
    }
}

/// The back-test as JSON (an array of `{rule, hits, wins, win_rate, base_rate}`) in a new
/// NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_backtest_to_json(
    backtest: *const crm_backtest,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let b = backtest_ref(backtest)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&b.inner, out_json, out_len) }
    }
}
