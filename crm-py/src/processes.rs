//! Funnels, variant tests, scoring, NPS and processes: the results and the module functions.
//!
//! Definitions (funnels, scoring models, processes, funnel events) are serde data in the
//! core: they come in as a JSON string or as plain Python data (dicts and lists, turned into
//! JSON with `json.dumps`); processes also read TOML. A definition that does not parse
//! raises `ConfigError` naming the problem.

use crate::analytics::core;
use crate::base::to_date;
use crate::errors::{Failure, Fallible, Names, detached};
use crate::table::{Table, TableBuilder};
use arrow_array::RecordBatch;
use chrono::NaiveDate;
use crm_core::funnel::{EventMatch, Funnel, FunnelPeriod, FunnelResult as CoreFunnel, TIME_BUCKETS};
use crm_core::lifecycle::LifecycleConfig;
use crm_core::nps::{Nps as CoreNps, NpsChange as CoreNpsChange};
use crm_core::process::{DueAction, EvaluationConfig, Kpi, KpiResult, Process as CoreProcess};
use crm_core::scoring::{Scores as CoreScores, ScoringModel};
use crm_core::segments::SegmentConfig;
use crm_core::stats::{Difference as CoreDifference, Proportion as CoreProportion};
use crm_core::variants::{Economics, VariantCounts, VariantResult};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

/// A definition from a JSON string or plain Python data (dicts, lists, numbers, strings).
pub(crate) fn definition<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, field: &str) -> Fallible<T> {
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_string()
    } else {
        let json = obj.py().import("json")?;
        json.call_method1("dumps", (obj,))
            .map_err(|e| Failure::config(field, format!("not JSON-serialisable data: {e}")))?
            .extract()?
    };
    crm_core::definition::from_json(&text, field).map_err(|e| Failure::Core(e, Default::default()))
}

fn opt(v: Option<f64>) -> String {
    v.map_or("None".to_owned(), |x| format!("{x:.4}"))
}

// ---------------------------------------------------------------------------------------
// Statistics

/// A proportion with its Wilson interval.
#[pyclass(module = "crm", frozen, eq)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    /// Successes.
    #[pyo3(get)]
    successes: u64,
    /// Trials.
    #[pyo3(get)]
    trials: u64,
    /// successes / trials (0 without trials).
    #[pyo3(get)]
    rate: f64,
    /// Lower bound of the Wilson interval.
    #[pyo3(get)]
    low: f64,
    /// Upper bound of the Wilson interval.
    #[pyo3(get)]
    high: f64,
}

impl From<CoreProportion> for Proportion {
    fn from(p: CoreProportion) -> Self {
        Proportion { successes: p.successes, trials: p.trials, rate: p.rate, low: p.low, high: p.high }
    }
}

#[pymethods]
impl Proportion {
    fn __repr__(&self) -> String {
        format!(
            "Proportion(successes={}, trials={}, rate={:.4}, low={:.4}, high={:.4})",
            self.successes, self.trials, self.rate, self.low, self.high
        )
    }
}

/// The difference of two proportions (b - a) with its Newcombe interval and z test.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone, Copy)]
pub struct Difference {
    /// The first proportion.
    #[pyo3(get)]
    a: Proportion,
    /// The second proportion.
    #[pyo3(get)]
    b: Proportion,
    /// b.rate - a.rate.
    #[pyo3(get)]
    difference: f64,
    /// Lower bound of the interval.
    #[pyo3(get)]
    low: f64,
    /// Upper bound of the interval.
    #[pyo3(get)]
    high: f64,
    /// The z statistic (pooled).
    #[pyo3(get)]
    z: f64,
    /// Two-sided p-value.
    #[pyo3(get)]
    p_value: f64,
    /// b.rate / a.rate - 1 (None when a.rate is 0).
    #[pyo3(get)]
    lift: Option<f64>,
}

impl From<CoreDifference> for Difference {
    fn from(d: CoreDifference) -> Self {
        Difference {
            a: d.a.into(),
            b: d.b.into(),
            difference: d.difference,
            low: d.low,
            high: d.high,
            z: d.z,
            p_value: d.p_value,
            lift: d.lift,
        }
    }
}

#[pymethods]
impl Difference {
    fn __repr__(&self) -> String {
        format!(
            "Difference(difference={:+.4}, low={:.4}, high={:.4}, z={:.4}, p_value={:.4e}, lift={})",
            self.difference,
            self.low,
            self.high,
            self.z,
            self.p_value,
            opt(self.lift)
        )
    }
}

fn check_confidence(confidence: f64) -> Fallible<()> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(Failure::config("confidence", format!("{confidence} is not between 0 and 1")))
    }
}

/// The Wilson score interval of `successes` in `trials`.
#[pyfunction]
#[pyo3(signature = (successes, trials, confidence=0.95))]
pub(crate) fn wilson(successes: u64, trials: u64, confidence: f64) -> Fallible<Proportion> {
    check_confidence(confidence)?;
    if successes > trials {
        return Err(Failure::config("successes", format!("{successes} successes in {trials} trials")));
    }
    Ok(crm_core::stats::wilson(successes, trials, confidence).into())
}

/// Compares two proportions: b - a with its Newcombe interval, z test and lift.
#[pyfunction]
#[pyo3(signature = (a_successes, a_trials, b_successes, b_trials, confidence=0.95))]
pub(crate) fn compare_proportions(
    a_successes: u64,
    a_trials: u64,
    b_successes: u64,
    b_trials: u64,
    confidence: f64,
) -> Fallible<Difference> {
    check_confidence(confidence)?;
    if a_successes > a_trials || b_successes > b_trials {
        return Err(Failure::config("successes", "more successes than trials"));
    }
    Ok(crm_core::stats::compare_proportions(a_successes, a_trials, b_successes, b_trials, confidence).into())
}

/// Customers needed per group to detect a change from `p1` to `p2` (two-sided test at
/// `alpha`, with `power`); None for equal rates (no change to detect). Rates in [0, 1],
/// `alpha` and `power` in (0, 1), else `ConfigError` naming the argument.
#[pyfunction]
#[pyo3(signature = (p1, p2, alpha=0.05, power=0.8))]
pub(crate) fn sample_size(p1: f64, p2: f64, alpha: f64, power: f64) -> Fallible<Option<u64>> {
    crm_core::stats::sample_size(p1, p2, alpha, power).map_err(|e| Failure::Core(e, Default::default()))
}

fn variant_counts(obj: &Bound<'_, PyAny>) -> Fallible<Vec<VariantCounts>> {
    let mut out = Vec::new();
    for item in obj.try_iter().map_err(|_| Failure::Type("variants must be a list".into()))? {
        let item = item?;
        if let Ok((name, customers, conversions)) = item.extract::<(String, u64, u64)>() {
            out.push(VariantCounts { name, customers, conversions });
        } else {
            out.push(definition(&item, "variants")?);
        }
    }
    Ok(out)
}

fn variant_table(r: &[VariantResult]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("name", r.iter().map(|v| v.name.as_str()));
    b.i64("customers", r.iter().map(|v| v.conversion.trials as i64).collect());
    b.i64("conversions", r.iter().map(|v| v.conversion.successes as i64).collect());
    b.f64("rate", r.iter().map(|v| v.conversion.rate).collect());
    b.f64("low", r.iter().map(|v| v.conversion.low).collect());
    b.f64("high", r.iter().map(|v| v.conversion.high).collect());
    let d = |f: fn(&CoreDifference) -> f64| r.iter().map(|v| v.versus_control.as_ref().map(f)).collect();
    b.opt_f64("difference", d(|x| x.difference));
    b.opt_f64("difference_low", d(|x| x.low));
    b.opt_f64("difference_high", d(|x| x.high));
    b.opt_f64("z", d(|x| x.z));
    b.opt_f64("p_value", d(|x| x.p_value));
    b.opt_f64("lift", r.iter().map(|v| v.versus_control.and_then(|x| x.lift)).collect());
    b.f64("incremental_conversions", r.iter().map(|v| v.incremental_conversions).collect());
    b.f64("incremental_value", r.iter().map(|v| v.incremental_value).collect());
    b.f64("cost", r.iter().map(|v| v.cost).collect());
    b.f64("net_effect", r.iter().map(|v| v.net_effect).collect());
    b.opt_f64("roi", r.iter().map(|v| v.roi).collect());
    b.opt_f64("break_even_uplift", r.iter().map(|v| v.break_even_uplift).collect());
    b.opt_i64("sample_size_needed", r.iter().map(|v| v.sample_size_needed.map(|n| n as i64)).collect());
    b.finish()
}

/// Compares variants of a test with the control (`control` = index into `variants`).
///
/// `variants`: a list of `(name, customers, conversions)` tuples or of dicts with those
/// keys. One row per variant: name, customers, conversions, rate, low, high (Wilson),
/// difference / difference_low / difference_high / z / p_value / lift versus the control
/// (null for the control), incremental_conversions, incremental_value, cost, net_effect,
/// roi, break_even_uplift and sample_size_needed (per group, to detect the observed change).
#[pyfunction]
#[pyo3(signature = (
    variants, control=0, *, value_per_conversion=0.0, cost_per_customer=0.0, cost_per_conversion=0.0,
    confidence=0.95
))]
pub(crate) fn compare_variants(
    variants: &Bound<'_, PyAny>,
    control: usize,
    value_per_conversion: f64,
    cost_per_customer: f64,
    cost_per_conversion: f64,
    confidence: f64,
) -> Fallible<Table> {
    check_confidence(confidence)?;
    let counts = variant_counts(variants)?;
    let e = Economics { value_per_conversion, cost_per_customer, cost_per_conversion };
    let r = crm_core::variants::compare_variants(&counts, control, confidence, &e).map_err(core)?;
    Ok(Table::new(variant_table(&r)))
}

// ---------------------------------------------------------------------------------------
// Funnels

/// A funnel's step table: one row per step (per group and step with `by`): `group`
/// (with `by`), `step` (0-based), `name`, `entered`, `converted`, `dropped`,
/// `in_progress`, `rate_from_previous` with its Wilson bounds `low` / `high` (null for the
/// first step), `rate_from_first`, and the days from the previous step to this one
/// (`median_days`, `q1_days`, `q3_days`; null for the first step or nobody reached).
/// `outcomes` holds, per row, the outcomes of the step's interactions (the branches taken);
/// `time_histograms` the days-to-convert histogram per row (buckets in `time_buckets`).
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct FunnelTable {
    /// The funnel name.
    #[pyo3(get)]
    funnel: String,
    /// The attribute of the breakdown (None for all customers).
    #[pyo3(get)]
    by: Option<String>,
    outcomes: Vec<Vec<(String, u64)>>,
    histograms: Vec<Vec<u64>>,
}

fn funnel_batch(results: &[CoreFunnel], grouped: bool) -> RecordBatch {
    let rows: Vec<(&str, usize, &crm_core::funnel::StepResult)> =
        results.iter().flat_map(|r| r.steps.iter().enumerate().map(move |(k, s)| (r.group.as_str(), k, s))).collect();
    let mut b = TableBuilder::new();
    if grouped {
        b.strs("group", rows.iter().map(|r| r.0));
    }
    b.i64("step", rows.iter().map(|r| r.1 as i64).collect());
    b.strs("name", rows.iter().map(|r| r.2.name.as_str()));
    b.i64("entered", rows.iter().map(|r| r.2.entered as i64).collect());
    b.i64("converted", rows.iter().map(|r| r.2.converted as i64).collect());
    b.i64("dropped", rows.iter().map(|r| r.2.dropped as i64).collect());
    b.i64("in_progress", rows.iter().map(|r| r.2.in_progress as i64).collect());
    let p = |f: fn(&CoreProportion) -> f64| rows.iter().map(|r| r.2.rate_from_previous.as_ref().map(f)).collect();
    b.opt_f64("rate_from_previous", p(|x| x.rate));
    b.opt_f64("low", p(|x| x.low));
    b.opt_f64("high", p(|x| x.high));
    b.f64("rate_from_first", rows.iter().map(|r| r.2.rate_from_first).collect());
    let t = |f: fn(&crm_core::funnel::TimeToConvert) -> f64| {
        rows.iter().map(|r| r.2.time_to_convert.as_ref().map(f)).collect()
    };
    b.opt_f64("median_days", t(|x| x.median));
    b.opt_f64("q1_days", t(|x| x.q1));
    b.opt_f64("q3_days", t(|x| x.q3));
    b.finish()
}

impl FunnelTable {
    fn create(py: Python<'_>, name: String, by: Option<String>, results: Vec<CoreFunnel>) -> PyResult<Py<Self>> {
        let batch = funnel_batch(&results, by.is_some());
        let steps = results.iter().flat_map(|r| r.steps.iter());
        let outcomes = steps.clone().map(|s| s.outcomes.iter().map(|(k, v)| (k.clone(), *v)).collect()).collect();
        let histograms =
            steps.map(|s| s.time_to_convert.as_ref().map(|t| t.histogram.clone()).unwrap_or_default()).collect();
        let init = PyClassInitializer::from(Table::new(batch)).add_subclass(FunnelTable {
            funnel: name,
            by,
            outcomes,
            histograms,
        });
        Py::new(py, init)
    }
}

#[pymethods]
impl FunnelTable {
    /// Per row: outcome -> customers, for the step's first matching interaction ("none"
    /// when it had no outcome); empty for purchase steps.
    #[getter]
    fn outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for row in &self.outcomes {
            let d = PyDict::new(py);
            for (k, v) in row {
                d.set_item(k, v)?;
            }
            out.append(d)?;
        }
        Ok(out)
    }
    /// Per row: customers by days from the previous step (buckets in `time_buckets`; empty
    /// when nobody reached the step from a previous one).
    #[getter]
    fn time_histograms(&self) -> Vec<Vec<u64>> {
        self.histograms.clone()
    }
    /// The labels of the days-to-convert buckets.
    #[getter]
    fn time_buckets(&self) -> Vec<&'static str> {
        TIME_BUCKETS.iter().map(|b| b.0).collect()
    }
    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let f = slf.get();
        let by = f.by.as_ref().map_or(String::new(), |b| format!(", by={b:?}"));
        slf.as_super().get().describe(&format!("crm.FunnelTable(funnel={:?}{by})", f.funnel))
    }
}

pub(crate) fn funnel(
    py: Python<'_>,
    base: &Arc<crm_core::CustomerBase>,
    funnel: &Bound<'_, PyAny>,
    period: FunnelPeriod,
    by: Option<String>,
) -> Fallible<Py<FunnelTable>> {
    check_confidence(period.confidence)?;
    let f: Funnel = definition(funnel, "funnel")?;
    let name = f.name.clone();
    let results = detached(py, || match &by {
        None => base.funnel(&f, &period).map(|r| vec![r]).map_err(core),
        Some(a) => base.funnel_by_attribute(&f, &period, a).map_err(core),
    })?;
    Ok(FunnelTable::create(py, name, by, results)?)
}

pub(crate) fn funnel_period(
    entry_from: &Bound<'_, PyAny>,
    entry_to: &Bound<'_, PyAny>,
    as_of: NaiveDate,
    confidence: f64,
) -> Fallible<FunnelPeriod> {
    let (from, to) = (to_date(entry_from, "entry_from")?, to_date(entry_to, "entry_to")?);
    Ok(FunnelPeriod { entry_from: from, entry_to: to, as_of, confidence })
}

/// An entry period `(entry_from, entry_to)` or `(entry_from, entry_to, as_of)`; `as_of`
/// when the tuple has no third date.
fn period_arg(obj: &Bound<'_, PyAny>, field: &str, as_of: NaiveDate, confidence: f64) -> Fallible<FunnelPeriod> {
    let items: Vec<Bound<'_, PyAny>> = obj
        .try_iter()
        .and_then(|it| it.collect())
        .map_err(|_| Failure::config(field, "needs (entry_from, entry_to) or (entry_from, entry_to, as_of)"))?;
    let date = |k: usize, name: &str| to_date(&items[k], &format!("{field}.{name}"));
    match items.len() {
        2 | 3 => Ok(FunnelPeriod {
            entry_from: date(0, "entry_from")?,
            entry_to: date(1, "entry_to")?,
            as_of: if items.len() == 3 && !items[2].is_none() { date(2, "as_of")? } else { as_of },
            confidence,
        }),
        n => Err(Failure::config(
            field,
            format!("has {n} items; needs (entry_from, entry_to) or (entry_from, entry_to, as_of)"),
        )),
    }
}

pub(crate) fn compare_funnel_periods(
    py: Python<'_>,
    base: &Arc<crm_core::CustomerBase>,
    funnel: &Bound<'_, PyAny>,
    first: &Bound<'_, PyAny>,
    second: &Bound<'_, PyAny>,
    as_of: NaiveDate,
    confidence: f64,
) -> Fallible<Vec<Option<Difference>>> {
    check_confidence(confidence)?;
    let f: Funnel = definition(funnel, "funnel")?;
    let (a, b) = (period_arg(first, "first", as_of, confidence)?, period_arg(second, "second", as_of, confidence)?);
    let steps = detached(py, || base.compare_funnel_periods(&f, &a, &b).map_err(core))?;
    Ok(steps.into_iter().map(|d| d.map(Difference::from)).collect())
}

// ---------------------------------------------------------------------------------------
// Processes

/// A process definition: dialogs with triggers, timings, channels and conditions; KPIs
/// and a target group. Read one with `Process.from_toml` / `Process.from_json`, or take
/// the shipped examples with `crm.process_examples()`.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone)]
pub struct Process {
    pub(crate) inner: CoreProcess,
}

#[pymethods]
impl Process {
    /// Reads a process from TOML text (`ConfigError` with the parser's line and column,
    /// or the validation problem).
    #[staticmethod]
    fn from_toml(text: &str) -> Fallible<Process> {
        Ok(Process { inner: CoreProcess::from_toml(text).map_err(core)? })
    }
    /// Reads a process from JSON text or plain Python data (a dict).
    #[staticmethod]
    fn from_json(data: &Bound<'_, PyAny>) -> Fallible<Process> {
        let p: CoreProcess = definition(data, "process")?;
        p.validate().map_err(core)?;
        Ok(Process { inner: p })
    }
    /// Process id (e.g. "P:1").
    #[getter]
    fn id(&self) -> String {
        self.inner.id.clone()
    }
    /// Name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }
    /// Objective.
    #[getter]
    fn objective(&self) -> String {
        self.inner.objective.clone()
    }
    /// The dialog ids, in order.
    #[getter]
    fn dialogs(&self) -> Vec<String> {
        self.inner.dialogs.iter().map(|d| d.id.clone()).collect()
    }
    /// The interaction kind that logs a dialog of this process ("P:1/D:3").
    fn log_kind(&self, dialog: &str) -> String {
        self.inner.log_kind(dialog)
    }
    /// The definition as JSON text.
    fn to_json(&self) -> Fallible<String> {
        serde_json::to_string(&self.inner).map_err(|e| Failure::config("process", e.to_string()))
    }
    /// The definition as plain Python data.
    fn to_dict<'py>(&self, py: Python<'py>) -> Fallible<Bound<'py, PyAny>> {
        Ok(py.import("json")?.call_method1("loads", (self.to_json()?,))?)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Process>().is_ok_and(|o| o.get().inner == self.inner)
    }
    fn __repr__(&self) -> String {
        format!("Process(id={:?}, name={:?}, dialogs={:?})", self.inner.id, self.inner.name, self.dialogs())
    }
}

/// The two shipped example processes: P:1 Get prospects via www, P:2 Invitation to events.
#[pyfunction]
pub(crate) fn process_examples() -> Vec<Process> {
    crm_core::process::examples().into_iter().map(|inner| Process { inner }).collect()
}

/// A process from a `Process`, JSON text or a dict.
pub(crate) fn process_arg(obj: &Bound<'_, PyAny>) -> Fallible<CoreProcess> {
    if let Ok(p) = obj.cast::<Process>() {
        return Ok(p.get().inner.clone());
    }
    let p: CoreProcess = definition(obj, "process")?;
    p.validate().map_err(core)?;
    Ok(p)
}

/// Processes from one process or a list of them.
pub(crate) fn processes_arg(obj: &Bound<'_, PyAny>) -> Fallible<Vec<CoreProcess>> {
    if obj.cast::<PyList>().is_ok() || obj.cast::<pyo3::types::PyTuple>().is_ok() {
        obj.try_iter()?.map(|p| process_arg(&p?)).collect()
    } else {
        Ok(vec![process_arg(obj)?])
    }
}

fn action_table(a: &[DueAction]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("customer_id", a.iter().map(|x| x.customer_id.as_str()));
    b.strs("process", a.iter().map(|x| x.process.as_str()));
    b.strs("dialog", a.iter().map(|x| x.dialog.as_str()));
    b.strs("name", a.iter().map(|x| x.name.as_str()));
    b.opt_date("trigger_date", a.iter().map(|x| Some(x.trigger_date)).collect());
    b.opt_date("due_date", a.iter().map(|x| Some(x.due_date)).collect());
    b.strs("channel", a.iter().map(|x| x.channel.name()));
    b.strs("responsible", a.iter().map(|x| x.responsible.as_str()));
    b.strs("done_by", a.iter().map(|x| x.done_by.as_str()));
    b.opt_bool("reminder", a.iter().map(|x| Some(x.reminder)).collect());
    b.finish()
}

/// The dialogs due as of a date: `due` (ordered by due date, process, dialog, customer)
/// and `blocked` (due, but the customer has no permission for the channel). Both tables
/// have customer_id, process, dialog, name, trigger_date, due_date, channel, responsible,
/// done_by, reminder.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct DueActions {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    /// The actions due.
    #[pyo3(get)]
    due: Py<Table>,
    /// The actions blocked by a missing permission.
    #[pyo3(get)]
    blocked: Py<Table>,
}

#[pymethods]
impl DueActions {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "crm.DueActions(as_of={}, due={}, blocked={})",
            self.as_of,
            self.due.get().batch.num_rows(),
            self.blocked.bind(py).get().batch.num_rows()
        )
    }
}

pub(crate) fn due_actions(
    py: Python<'_>,
    base: &Arc<crm_core::CustomerBase>,
    processes: &Bound<'_, PyAny>,
    as_of: NaiveDate,
    lookback_days: u32,
    rules: Rules,
) -> Fallible<DueActions> {
    let ps = processes_arg(processes)?;
    let config = EvaluationConfig {
        lookback_days,
        lifecycle: rules.lifecycle,
        segments: rules.segments,
        ..EvaluationConfig::default()
    };
    let (due, blocked) = detached(py, || {
        let r = base.due_actions(&ps, as_of, &config).map_err(core)?;
        Ok((action_table(&r.due), action_table(&r.blocked)))
    })?;
    Ok(DueActions { as_of, due: Py::new(py, Table::new(due))?, blocked: Py::new(py, Table::new(blocked))? })
}

fn kpi_parts(k: &Kpi) -> (&'static str, &str) {
    match k {
        Kpi::DoneWithin { dialog, .. } => ("done_within", dialog),
        Kpi::ResponseRate { dialog, .. } => ("response_rate", dialog),
        Kpi::NoShowRate { dialog, .. } => ("no_show_rate", dialog),
    }
}

/// The KPI table: kpi (its type), dialog, successes, trials, actual (the share) with its
/// Wilson bounds low / high, target, at_least (False: the target is a maximum), met.
pub(crate) fn kpi_table(r: &[KpiResult]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("kpi", r.iter().map(|k| kpi_parts(&k.kpi).0));
    b.strs("dialog", r.iter().map(|k| kpi_parts(&k.kpi).1));
    b.i64("successes", r.iter().map(|k| k.actual.successes as i64).collect());
    b.i64("trials", r.iter().map(|k| k.actual.trials as i64).collect());
    b.f64("actual", r.iter().map(|k| k.actual.rate).collect());
    b.f64("low", r.iter().map(|k| k.actual.low).collect());
    b.f64("high", r.iter().map(|k| k.actual.high).collect());
    b.f64("target", r.iter().map(|k| k.target).collect());
    b.opt_bool("at_least", r.iter().map(|k| Some(!matches!(k.kpi, Kpi::NoShowRate { .. }))).collect());
    b.opt_bool("met", r.iter().map(|k| Some(k.met)).collect());
    b.finish()
}

// ---------------------------------------------------------------------------------------
// Scoring

/// Scores of every customer as of a date: `scores` (numpy, in the base's customer order)
/// and the ranked `work_list` (customers scoring above 0, highest first): customer_id,
/// rank, score and one column per rule with its points (0 when the rule did not hit);
/// `contributions` lists, per work-list row, the (rule, points) pairs that hit.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Scores {
    inner: CoreScores,
    /// Customer id (as text) -> index into `scores`.
    index: HashMap<String, u32>,
    /// The ranked work list.
    #[pyo3(get)]
    work_list: Py<Table>,
}

fn work_list(s: &CoreScores, rules: &[String]) -> RecordBatch {
    let w = &s.work_list;
    let mut b = TableBuilder::new();
    b.strs("customer_id", w.iter().map(|x| x.id.as_str()));
    b.i64("rank", (1..=w.len() as i64).collect());
    b.f64("score", w.iter().map(|x| x.score).collect());
    for r in rules {
        let points = w.iter().map(|x| x.contributions.iter().filter(|c| &c.0 == r).map(|c| c.1).sum::<f64>()).collect();
        b.f64(r, points);
    }
    b.finish()
}

#[pymethods]
impl Scores {
    /// The as-of date.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.inner.as_of
    }
    /// The score of every customer, in the base's order (`base.customer_ids`).
    #[getter]
    fn scores<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.inner.scores)
    }
    /// Per work-list row: the (rule, points) pairs of the rules that hit.
    #[getter]
    fn contributions(&self) -> Vec<Vec<(String, f64)>> {
        self.inner.work_list.iter().map(|w| w.contributions.clone()).collect()
    }
    /// The score of one customer by id.
    fn score_of(&self, customer_id: &Bound<'_, PyAny>) -> Fallible<f64> {
        Ok(self.inner.scores[self.index_of(customer_id, "customer_id")? as usize])
    }
    fn __repr__(&self) -> String {
        format!(
            "crm.Scores(as_of={}, customers={}, work_list={})",
            self.inner.as_of,
            self.inner.scores.len(),
            self.inner.work_list.len()
        )
    }
}

impl Scores {
    fn index_of(&self, id: &Bound<'_, PyAny>, field: &str) -> Fallible<u32> {
        let text = id.str()?.to_string();
        self.index
            .get(&text)
            .copied()
            .ok_or_else(|| Failure::config(field, format!("no customer `{text}` in the base")))
    }
}

/// The lifecycle and segment rules of stage and segment conditions (keywords of `score`,
/// `backtest` and `due_actions`, as in `lifecycle()` and `segments()`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    /// Lifecycle rules.
    pub lifecycle: LifecycleConfig,
    /// Segment rules.
    pub segments: SegmentConfig,
}

/// A scoring model with the keyword rules: rules left at their defaults keep what the
/// model definition gives (its `lifecycle` / `segments` entries, if any).
fn model_arg(model: &Bound<'_, PyAny>, rules: Rules) -> Fallible<ScoringModel> {
    let mut m: ScoringModel = definition(model, "model")?;
    if rules.lifecycle != LifecycleConfig::default() {
        m.lifecycle = rules.lifecycle;
    }
    if rules.segments != SegmentConfig::default() {
        m.segments = rules.segments;
    }
    Ok(m)
}

pub(crate) fn score(
    py: Python<'_>,
    base: &Arc<crm_core::CustomerBase>,
    model: &Bound<'_, PyAny>,
    as_of: NaiveDate,
    rules: Rules,
) -> Fallible<Scores> {
    let m = model_arg(model, rules)?;
    let rules: Vec<String> = m.rules.iter().map(|r| r.name.clone()).collect();
    let (inner, batch, index) = detached(py, || {
        let s = base.score(&m, as_of).map_err(core)?;
        let mut names: Vec<String> = Vec::new();
        for r in rules {
            if !names.contains(&r) {
                names.push(r);
            }
        }
        let batch = work_list(&s, &names);
        let ids = base.ids();
        let index = (0..ids.len()).map(|i| (ids.display(i), i as u32)).collect();
        Ok((s, batch, index))
    })?;
    Ok(Scores { inner, index, work_list: Py::new(py, Table::new(batch))? })
}

/// A system work list compared with a manual plan by the scores of all customers.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone)]
pub struct PlanComparison {
    /// Customers on the system list.
    #[pyo3(get)]
    system: usize,
    /// Customers on the manual plan.
    #[pyo3(get)]
    manual: usize,
    /// On both.
    #[pyo3(get)]
    overlap: usize,
    /// Median score of the system list.
    #[pyo3(get)]
    system_median: f64,
    /// Median score of the manual plan.
    #[pyo3(get)]
    manual_median: f64,
    /// System customers scoring above the manual plan's median.
    #[pyo3(get)]
    system_above_manual_median: usize,
    /// Manual customers scoring above the system list's median.
    #[pyo3(get)]
    manual_above_system_median: usize,
}

#[pymethods]
impl PlanComparison {
    fn __repr__(&self) -> String {
        format!(
            "PlanComparison(system={}, manual={}, overlap={}, system_median={:.4}, manual_median={:.4}, \
             system_above_manual_median={}, manual_above_system_median={})",
            self.system,
            self.manual,
            self.overlap,
            self.system_median,
            self.manual_median,
            self.system_above_manual_median,
            self.manual_above_system_median
        )
    }
}

/// Compares a system list with a manual plan (customer ids) by the scores.
#[pyfunction]
pub(crate) fn compare_plans(
    scores: PyRef<'_, Scores>,
    system_ids: &Bound<'_, PyAny>,
    manual_ids: &Bound<'_, PyAny>,
) -> Fallible<PlanComparison> {
    let ids = |obj: &Bound<'_, PyAny>, field: &str| -> Fallible<Vec<u32>> {
        obj.try_iter()?.map(|id| scores.index_of(&id?, field)).collect()
    };
    let (s, m) = (ids(system_ids, "system_ids")?, ids(manual_ids, "manual_ids")?);
    let c = crm_core::scoring::compare_plans(&scores.inner, &s, &m).map_err(core)?;
    Ok(PlanComparison {
        system: c.system,
        manual: c.manual,
        overlap: c.overlap,
        system_median: c.system_median,
        manual_median: c.manual_median,
        system_above_manual_median: c.system_above_manual_median,
        manual_above_system_median: c.manual_above_system_median,
    })
}

/// An event match from a kind name (any interaction of that kind), "purchase", JSON or a
/// dict (`{"type": "interaction", "kind": ..., "outcomes": [...]}`).
fn event_arg(obj: &Bound<'_, PyAny>) -> Fallible<EventMatch> {
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_string();
        if !text.trim_start().starts_with('{') {
            return Ok(if text == "purchase" {
                EventMatch::Purchase { min_amount: None }
            } else {
                EventMatch::Interaction { kind: text, outcomes: Vec::new(), channel: None }
            });
        }
    }
    definition(obj, "outcome")
}

pub(crate) fn backtest(
    py: Python<'_>,
    base: &Arc<crm_core::CustomerBase>,
    model: &Bound<'_, PyAny>,
    as_of: NaiveDate,
    outcome: &Bound<'_, PyAny>,
    horizon_days: u32,
    rules: Rules,
) -> Fallible<Table> {
    let m = model_arg(model, rules)?;
    let event = event_arg(outcome)?;
    let batch = detached(py, || {
        let r = base.backtest(&m, as_of, &event, horizon_days).map_err(core)?;
        let mut b = TableBuilder::new();
        b.strs("rule", r.iter().map(|x| x.rule.as_str()));
        b.i64("hits", r.iter().map(|x| x.hits as i64).collect());
        b.i64("wins", r.iter().map(|x| x.wins as i64).collect());
        b.f64("win_rate", r.iter().map(|x| x.win_rate.rate).collect());
        b.f64("low", r.iter().map(|x| x.win_rate.low).collect());
        b.f64("high", r.iter().map(|x| x.win_rate.high).collect());
        b.f64("base_rate", r.iter().map(|x| x.base_rate.rate).collect());
        Ok(b.finish())
    })?;
    Ok(Table::new(batch))
}

// ---------------------------------------------------------------------------------------
// NPS

/// A Net Promoter Score: promoters (9-10) minus detractors (0-6), in points, with its
/// interval.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone, Copy)]
pub struct Nps {
    pub(crate) inner: CoreNps,
}

#[pymethods]
impl Nps {
    /// Answers counted.
    #[getter]
    fn responses(&self) -> u64 {
        self.inner.responses
    }
    /// Answers 9-10.
    #[getter]
    fn promoters(&self) -> u64 {
        self.inner.promoters
    }
    /// Answers 7-8.
    #[getter]
    fn passives(&self) -> u64 {
        self.inner.passives
    }
    /// Answers 0-6.
    #[getter]
    fn detractors(&self) -> u64 {
        self.inner.detractors
    }
    /// The NPS, -100 .. 100.
    #[getter]
    fn score(&self) -> f64 {
        self.inner.score
    }
    /// Lower bound of the interval.
    #[getter]
    fn low(&self) -> f64 {
        self.inner.low
    }
    /// Upper bound of the interval.
    #[getter]
    fn high(&self) -> f64 {
        self.inner.high
    }
    fn __repr__(&self) -> String {
        let n = &self.inner;
        format!(
            "Nps(score={:.2}, low={:.2}, high={:.2}, responses={}, promoters={}, passives={}, detractors={})",
            n.score, n.low, n.high, n.responses, n.promoters, n.passives, n.detractors
        )
    }
}

/// The change between two NPS values (second - first) with its interval.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone, Copy)]
pub struct NpsChange {
    /// second - first, in points.
    #[pyo3(get)]
    change: f64,
    /// Lower bound.
    #[pyo3(get)]
    low: f64,
    /// Upper bound.
    #[pyo3(get)]
    high: f64,
}

impl From<CoreNpsChange> for NpsChange {
    fn from(c: CoreNpsChange) -> Self {
        NpsChange { change: c.change, low: c.low, high: c.high }
    }
}

#[pymethods]
impl NpsChange {
    fn __repr__(&self) -> String {
        format!("NpsChange(change={:+.2}, low={:.2}, high={:.2})", self.change, self.low, self.high)
    }
}

/// The NPS of 0-10 scores (a list or a numpy array of integers).
#[pyfunction]
#[pyo3(signature = (scores, confidence=0.95))]
pub(crate) fn nps(scores: Vec<i64>, confidence: f64) -> Fallible<Nps> {
    check_confidence(confidence)?;
    let mut small = Vec::with_capacity(scores.len());
    for (row, s) in scores.into_iter().enumerate() {
        match u8::try_from(s) {
            Ok(v) if v <= 10 => small.push(v),
            _ => return Err(Failure::input("scores", Some(row), "score", format!("{s} is not a 0-10 score"))),
        }
    }
    Ok(Nps { inner: crm_core::nps::nps(&small, confidence).map_err(core)? })
}

/// The change from NPS `a` to NPS `b` with its interval (independent samples).
#[pyfunction]
#[pyo3(signature = (a, b, confidence=0.95))]
pub(crate) fn nps_change(a: PyRef<'_, Nps>, b: PyRef<'_, Nps>, confidence: f64) -> Fallible<NpsChange> {
    check_confidence(confidence)?;
    Ok(crm_core::nps::nps_change(&a.inner, &b.inner, confidence).into())
}

pub(crate) fn nps_by(
    py: Python<'_>,
    base: &Arc<crm_core::CustomerBase>,
    kind: &str,
    start: NaiveDate,
    end: NaiveDate,
    by: Option<String>,
    confidence: f64,
) -> Fallible<Py<PyAny>> {
    check_confidence(confidence)?;
    if end <= start {
        return Err(Failure::config("end", format!("{end} is not after start {start}")));
    }
    let groups = detached(py, || {
        let r = match &by {
            None => base.nps_by(kind, start, end, confidence, |_| Some(String::new())),
            Some(a) => match base.profiles() {
                None => Err(crm_core::Error::MissingData("a breakdown by attribute needs a customer table".into())),
                Some(profiles) => base.nps_by(kind, start, end, confidence, |c| {
                    crm_core::scoring::attribute_text(&profiles[c as usize], a)
                }),
            },
        };
        r.map_err(|e| Failure::Core(e, Names::default()))
    })?;
    match by {
        None => {
            let n = groups.get("").copied().unwrap_or(CoreNps {
                responses: 0,
                promoters: 0,
                passives: 0,
                detractors: 0,
                score: 0.0,
                low: 0.0,
                high: 0.0,
            });
            Ok(Py::new(py, Nps { inner: n })?.into_any())
        }
        Some(_) => {
            let d = PyDict::new(py);
            for (g, n) in groups {
                d.set_item(g, Nps { inner: n })?;
            }
            Ok(d.into_any().unbind())
        }
    }
}
