//! Process definitions (`crm_process`, from JSON or TOML, or the two shipped examples),
//! the dialogs that come due (`crm_due_actions`) and KPI actuals against their targets
//! (`crm_kpi_results`).
//!
//! Logging convention (crm-core `process`): a dialog carried out is an interaction of kind
//! "<process id>/<dialog id>" (e.g. "P:1/D:2"); the customer's response is an interaction
//! of the same kind with an outcome; a reminder sent is "<process id>/<dialog id>/reminder".

use crate::base::{base_ref, crm_base};
use crate::date::{date_of, day_of};
use crate::enums::{action_list, crm_action_list, crm_channel, crm_kpi_kind};
use crate::error::{Failure, crm_result};
use crate::ptr::{arg_opt, arg_ref, out, out_slice, slice, utf8};
use crate::results::lifecycle::crm_lifecycle_config;
use crate::results::segments::{crm_segments_config, engine_config};
use crate::results::{c_name, write_plain_json};
use crate::stats::crm_proportion;
use crm_core::LifecycleConfig;
use crm_core::process::{DueAction, DueActions, EvaluationConfig, Kpi, KpiResult, Process, examples};
use std::ffi::{CString, c_char};

/// Number of shipped example processes (the length of `crm_process_examples`' array).
pub const CRM_PROCESS_EXAMPLES: usize = 2;

/// A process definition: id, name, kind, objective, KPIs with targets, a target group and
/// dialogs (trigger, timing, channel, who is responsible and who does it, branch
/// conditions, reminder). See crm-core `process` and `crm-core/processes/*.toml`.
///
/// Ownership: made by `crm_process_new_json`, `crm_process_new_toml` or
/// `crm_process_examples`, freed by `crm_process_free`. Thread safety: immutable; any
/// number of threads may use it at once.
#[derive(Debug)]
pub struct crm_process {
    inner: Process,
    id: CString,
    name: CString,
}

impl crm_process {
    fn boxed(inner: Process) -> *mut crm_process {
        let (id, name) = (c_name(&inner.id), c_name(&inner.name));
        Box::into_raw(Box::new(crm_process { inner, id, name }))
    }
}

fn process_ref<'a>(process: *const crm_process, name: &str) -> Result<&'a crm_process, Failure> {
    // SAFETY: `process` is NULL or a live handle (header contract).
    unsafe { arg_ref(process, name) }
}

/// Reads a process from `text_len` bytes of UTF-8 with `parse`.
fn read(
    text: *const c_char,
    text_len: usize,
    out_process: *mut *mut crm_process,
    parse: fn(&str) -> crm_core::Result<Process>,
) -> Result<(), Failure> {
    // SAFETY: `text` holds `text_len` bytes, `out_process` is NULL or writable (header contract).
    let (text, slot) = unsafe { (utf8(text, text_len, "text")?, out(out_process, "out_process")?) };
    slot.write(crm_process::boxed(parse(text)?));
    Ok(())
}

/// Reads a process from JSON. `CRM_RESULT_INVALID_CONFIG` for a syntax or shape error (the
/// detail gives serde's message with line and column) or an invalid definition (an empty
/// or repeated dialog id, a reference to a dialog the process does not have, ...). Free it
/// with `crm_process_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_new_json(
    text: *const c_char,
    text_len: usize,
    out_process: *mut *mut crm_process,
) -> crm_result {
    ffi_boundary! { fallible: read(text, text_len, out_process, Process::from_json) }
}

/// Reads a process from TOML (the format of the shipped examples); errors as
/// `crm_process_new_json`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_new_toml(
    text: *const c_char,
    text_len: usize,
    out_process: *mut *mut crm_process,
) -> crm_result {
    ffi_boundary! { fallible: read(text, text_len, out_process, Process::from_toml) }
}

/// The two example processes of the source documents: `out[0]` is "P:1" (Get prospects via
/// www), `out[1]` "P:2" (Invitation to events, five dialogs). `len` must be
/// `CRM_PROCESS_EXAMPLES`. Free each with `crm_process_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_examples(out: *mut *mut crm_process, len: usize) -> crm_result {
    ffi_boundary! { fallible:
        // SAFETY: `out` has room for `len` handles (header contract).
        let target = unsafe { out_slice(out, len, CRM_PROCESS_EXAMPLES, "out") }?;
        let all = examples();
        for (slot, p) in target.iter_mut().zip(all) {
            slot.write(crm_process::boxed(p));
        }
        Ok(())
    }
}

/// Frees a process. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_free(process: *mut crm_process) {
    ffi_boundary! {
        if !process.is_null() {
            // SAFETY: made by a `crm_process_*` constructor and not freed before (header contract).
            drop(unsafe { Box::from_raw(process) });
        }
    }
}

/// The process id (e.g. "P:1"), NUL-terminated, owned by the process; NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_id(process: *const crm_process) -> *const c_char {
    ffi_boundary! { process_ref(process, "process").map_or(std::ptr::null(), |p| p.id.as_ptr()) }
}

/// The process name, NUL-terminated, owned by the process; NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_name(process: *const crm_process) -> *const c_char {
    ffi_boundary! { process_ref(process, "process").map_or(std::ptr::null(), |p| p.name.as_ptr()) }
}

/// Number of dialogs; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_dialog_count(process: *const crm_process) -> usize {
    ffi_boundary! { process_ref(process, "process").map_or(0, |p| p.inner.dialogs.len()) }
}

/// Number of KPIs (the rows of `crm_kpi_results_new`); 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_kpi_count(process: *const crm_process) -> usize {
    ffi_boundary! { process_ref(process, "process").map_or(0, |p| p.inner.kpis.len()) }
}

/// The definition as JSON (readable by `crm_process_new_json`) in a new NUL-terminated
/// string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_process_to_json(
    process: *const crm_process,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let p = process_ref(process, "process")?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&p.inner, out_json, out_len) }
    }
}

/// How far back triggers are looked for, and the rules for stage and segment filters.
/// Start from `crm_evaluation_config_default()`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_evaluation_config {
    /// Triggers older than this many days are not looked at. Default 90.
    pub lookback_days: u32,
    /// Lifecycle rules (stage filters and stage-change triggers).
    pub lifecycle: crm_lifecycle_config,
    /// Segment rules (segment filters).
    pub segments: crm_segments_config,
}

impl From<&EvaluationConfig> for crm_evaluation_config {
    fn from(c: &EvaluationConfig) -> Self {
        crm_evaluation_config {
            lookback_days: c.lookback_days,
            lifecycle: c.lifecycle.clone().into(),
            segments: (&c.segments).into(),
        }
    }
}

impl crate::panic::PanicDefault for crm_evaluation_config {
    fn panicked() -> Self {
        (&EvaluationConfig::default()).into()
    }
}

/// The default evaluation rules: 90 days back, default lifecycle and segment rules.
#[unsafe(no_mangle)]
pub extern "C" fn crm_evaluation_config_default() -> crm_evaluation_config {
    ffi_boundary! { (&EvaluationConfig::default()).into() }
}

/// A dialog that is due (or blocked) for a customer. The strings are NUL-terminated and
/// owned by the `crm_due_actions` handle (valid while it lives; do not free).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_due_action {
    /// Customer index in the base.
    pub customer: usize,
    /// The customer's id as text.
    pub customer_id: *const c_char,
    /// Process id.
    pub process: *const c_char,
    /// Dialog id.
    pub dialog: *const c_char,
    /// Dialog name.
    pub name: *const c_char,
    /// Who is responsible.
    pub responsible: *const c_char,
    /// Who does it.
    pub done_by: *const c_char,
    /// Day of the trigger (or the trigger date).
    pub trigger_date: i32,
    /// Day the dialog is due.
    pub due_date: i32,
    /// Channel.
    pub channel: crm_channel,
    /// A reminder of a dialog that got no response.
    pub reminder: bool,
}

/// The C strings of one action.
#[derive(Debug)]
struct ActionText([CString; 6]);

impl ActionText {
    fn of(a: &DueAction) -> Self {
        ActionText([&a.customer_id, &a.process, &a.dialog, &a.name, &a.responsible, &a.done_by].map(|s| c_name(s)))
    }
}

/// The dialogs due as of a date, and those blocked for want of a marketing permission,
/// each list ordered by due date, process, dialog and customer.
///
/// Ownership: made by `crm_due_actions_new`, freed by `crm_due_actions_free`; it does not
/// refer to the base or the processes. Thread safety: immutable; any number of threads may
/// read it at once.
#[derive(Debug)]
pub struct crm_due_actions {
    inner: DueActions,
    text: [Vec<ActionText>; 2],
}

impl crm_due_actions {
    fn list(&self, list: crm_action_list) -> &[DueAction] {
        match list {
            crm_action_list::Due => &self.inner.due,
            crm_action_list::Blocked => &self.inner.blocked,
        }
    }
}

fn actions_ref<'a>(actions: *const crm_due_actions) -> Result<&'a crm_due_actions, Failure> {
    // SAFETY: `actions` is NULL or a live handle (header contract).
    unsafe { arg_ref(actions, "actions") }
}

/// The dialogs of the `processes_len` processes in `processes` due as of day `as_of`.
/// `config` may be NULL for the defaults. Errors: `CRM_RESULT_EMPTY_INPUT` without
/// processes, `CRM_RESULT_NULL_PARAMETER` naming a NULL entry, `CRM_RESULT_INVALID_CONFIG`
/// for invalid rules. Free the result with `crm_due_actions_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_due_actions_new(
    base: *const crm_base,
    processes: *const *mut crm_process,
    processes_len: usize,
    as_of: i32,
    config: *const crm_evaluation_config,
    out_actions: *mut *mut crm_due_actions,
) -> crm_result {
    ffi_boundary! { fallible:
        let base = base_ref(base)?;
        // SAFETY: `processes` holds `processes_len` pointers, `config` is NULL or valid,
        // `out_actions` NULL or writable (header contract).
        let (handles, config, slot) =
            unsafe { (slice(processes, processes_len, "processes")?, arg_opt(config), out(out_actions, "out_actions")?) };
        if handles.is_empty() {
            return Err(Failure::new(crm_result::EmptyInput, "no processes: `processes_len` is 0"));
        }
        let ps = handles
            .iter()
            .enumerate()
            .map(|(k, &p)| process_ref(p, &format!("processes[{k}]")).map(|p| p.inner.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let config = match config {
            Some(c) => EvaluationConfig {
                lookback_days: c.lookback_days,
                lifecycle: LifecycleConfig::from(&c.lifecycle),
                segments: engine_config(&c.segments)?,
                ..EvaluationConfig::default()
            },
            None => EvaluationConfig::default(),
        };
        let inner = base.inner.due_actions(&ps, date_of(as_of, "as_of")?, &config)?;
        let text = [inner.due.iter().map(ActionText::of).collect(), inner.blocked.iter().map(ActionText::of).collect()];
        slot.write(Box::into_raw(Box::new(crm_due_actions { inner, text })));
        Ok(())
    }
}

/// Frees a due-actions result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_due_actions_free(actions: *mut crm_due_actions) {
    ffi_boundary! {
        if !actions.is_null() {
            // SAFETY: made by `crm_due_actions_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(actions) });
        }
    }
}

/// Number of actions in a list (a `crm_action_list`); 0 for NULL or an unknown list.
#[unsafe(no_mangle)]
pub extern "C" fn crm_due_actions_count(actions: *const crm_due_actions, list: u8) -> usize {
    ffi_boundary! {
        match (actions_ref(actions), action_list(list)) {
            (Ok(a), Ok(l)) => a.list(l).len(),
            _ => 0,
        }
    }
}

/// Action `index` of a list (a `crm_action_list`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_due_actions_at(
    actions: *const crm_due_actions,
    list: u8,
    index: usize,
    out_action: *mut crm_due_action,
) -> crm_result {
    ffi_boundary! { fallible:
        let a = actions_ref(actions)?;
        // SAFETY: `out_action` is NULL or writable (header contract).
        let slot = unsafe { out(out_action, "out_action") }?;
        let l = action_list(list)?;
        let items = a.list(l);
        let i = crate::ptr::index(index, items.len(), "list's action count")?;
        let (x, t) = (&items[i], &a.text[l as usize][i].0);
        slot.write(crm_due_action {
            customer: x.customer as usize,
            customer_id: t[0].as_ptr(),
            process: t[1].as_ptr(),
            dialog: t[2].as_ptr(),
            name: t[3].as_ptr(),
            responsible: t[4].as_ptr(),
            done_by: t[5].as_ptr(),
            trigger_date: day_of(x.trigger_date),
            due_date: day_of(x.due_date),
            channel: x.channel.into(),
            reminder: x.reminder,
        });
        Ok(())
    }
}

/// The actions as JSON (`as_of`, `due`, `blocked`) in a new NUL-terminated string; free
/// it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_due_actions_to_json(
    actions: *const crm_due_actions,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let a = actions_ref(actions)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&a.inner, out_json, out_len) }
    }
}

/// A KPI's actual share (with its Wilson interval) against its target. `dialog` is the
/// KPI's dialog id, NUL-terminated, owned by the result. `met` is never true without
/// observations.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_kpi_result {
    /// The kind of KPI.
    pub kind: crm_kpi_kind,
    /// The dialog it measures.
    pub dialog: *const c_char,
    /// The actual share.
    pub actual: crm_proportion,
    /// The target share (at least for done-within and response rate, at most for no-show).
    pub target: f64,
    /// Whether the target is met.
    pub met: bool,
}

/// KPI actuals of one process, one row per KPI in definition order.
///
/// Ownership: made by `crm_kpi_results_new`, freed by `crm_kpi_results_free`. Thread
/// safety: immutable; any number of threads may read it at once.
#[derive(Debug)]
pub struct crm_kpi_results {
    inner: Vec<KpiResult>,
    dialogs: Vec<CString>,
}

fn kpis_ref<'a>(kpis: *const crm_kpi_results) -> Result<&'a crm_kpi_results, Failure> {
    // SAFETY: `kpis` is NULL or a live handle (header contract).
    unsafe { arg_ref(kpis, "kpis") }
}

fn kpi_dialog(k: &Kpi) -> &str {
    match k {
        Kpi::DoneWithin { dialog, .. } | Kpi::ResponseRate { dialog, .. } | Kpi::NoShowRate { dialog, .. } => dialog,
    }
}

/// The KPIs of `process` over triggers and dialogs dated in days `[from, to)`, as of day
/// `as_of`. Free the result with `crm_kpi_results_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_kpi_results_new(
    base: *const crm_base,
    process: *const crm_process,
    from: i32,
    to: i32,
    as_of: i32,
    out_kpis: *mut *mut crm_kpi_results,
) -> crm_result {
    ffi_boundary! { fallible:
        let (base, p) = (base_ref(base)?, process_ref(process, "process")?);
        // SAFETY: `out_kpis` is NULL or writable (header contract).
        let slot = unsafe { out(out_kpis, "out_kpis") }?;
        let inner = base.inner.evaluate_kpis(&p.inner, date_of(from, "from")?, date_of(to, "to")?, date_of(as_of, "as_of")?)?;
        let dialogs = inner.iter().map(|k| c_name(kpi_dialog(&k.kpi))).collect();
        slot.write(Box::into_raw(Box::new(crm_kpi_results { inner, dialogs })));
        Ok(())
    }
}

/// Frees a KPI result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn crm_kpi_results_free(kpis: *mut crm_kpi_results) {
    ffi_boundary! {
        if !kpis.is_null() {
            // SAFETY: made by `crm_kpi_results_new` and not freed before (header contract).
            drop(unsafe { Box::from_raw(kpis) });
        }
    }
}

/// Number of KPIs; 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn crm_kpi_results_count(kpis: *const crm_kpi_results) -> usize {
    ffi_boundary! { kpis_ref(kpis).map_or(0, |k| k.inner.len()) }
}

/// KPI `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_kpi_results_at(
    kpis: *const crm_kpi_results,
    index: usize,
    out_kpi: *mut crm_kpi_result,
) -> crm_result {
    ffi_boundary! { fallible:
        let k = kpis_ref(kpis)?;
        // SAFETY: `out_kpi` is NULL or writable (header contract).
        let slot = unsafe { out(out_kpi, "out_kpi") }?;
        let i = crate::ptr::index(index, k.inner.len(), "process's KPI count")?;
        let r = &k.inner[i];
        slot.write(crm_kpi_result {
            kind: match r.kpi {
                Kpi::DoneWithin { .. } => crm_kpi_kind::DoneWithin,
                Kpi::ResponseRate { .. } => crm_kpi_kind::ResponseRate,
                Kpi::NoShowRate { .. } => crm_kpi_kind::NoShowRate,
            },
            dialog: k.dialogs[i].as_ptr(),
            actual: r.actual.into(),
            target: r.target,
            met: r.met,
        });
        Ok(())
    }
}

/// The KPI results as JSON (an array of `{kpi, actual, target, met}`) in a new
/// NUL-terminated string; free it with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_kpi_results_to_json(
    kpis: *const crm_kpi_results,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> crm_result {
    ffi_boundary! { fallible:
        let k = kpis_ref(kpis)?;
        // SAFETY: the out-pointers are NULL or writable (header contract).
        unsafe { write_plain_json(&k.inner, out_json, out_len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null_mut;

    #[test]
    fn examples_round_trip_through_json() {
        let mut ps = [null_mut(); CRM_PROCESS_EXAMPLES];
        assert_eq!(crm_process_examples(ps.as_mut_ptr(), ps.len()), crm_result::Ok);
        assert_eq!(crm_process_dialog_count(ps[1]), 5);
        let id = unsafe { std::ffi::CStr::from_ptr(crm_process_id(ps[0])) };
        assert_eq!(id.to_str().unwrap(), "P:1");
        for p in ps {
            crm_process_free(p);
        }
        assert_eq!(crm_process_examples(ps.as_mut_ptr(), 1), crm_result::LengthMismatch);
    }
}
