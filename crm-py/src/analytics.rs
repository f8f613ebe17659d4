//! Flows, migration, CLV and the report: the results and the module functions.

use crate::errors::{Failure, Fallible, Names};
use crate::table::{Table, TableBuilder};
use arrow_array::RecordBatch;
use chrono::NaiveDate;
use crm_core::clv::{ClvGroup as CoreGroup, RetentionSensitivity as CoreSensitivity, Scenario as CoreScenario};
use crm_core::flows::{FlowValue as CoreValue, SegmentFlows};
use crm_core::{FlowReport, KeyColumn};
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub(crate) fn core(e: crm_core::Error) -> Failure {
    Failure::Core(e, Names::default())
}

fn opt(v: Option<f64>) -> String {
    v.map_or("None".to_owned(), |x| format!("{x:.4}"))
}

/// Revenue and margin brought or lost by a flow.
#[pyclass(module = "crm", frozen, eq)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlowValue {
    /// Net revenue.
    #[pyo3(get)]
    revenue: f64,
    /// Net margin (0 without margins).
    #[pyo3(get)]
    margin: f64,
}

impl From<CoreValue> for FlowValue {
    fn from(v: CoreValue) -> Self {
        FlowValue { revenue: v.revenue, margin: v.margin }
    }
}

#[pymethods]
impl FlowValue {
    fn __repr__(&self) -> String {
        format!("FlowValue(revenue={}, margin={})", self.revenue, self.margin)
    }
}

/// Customer flows of a period `[start, end)`: the base at the start, new, won back and lost
/// customers, the base at the end, churn and retention rates and the average duration.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Flows {
    report: FlowReport,
    by_segment: Py<Table>,
}

fn segment_flows(rows: &[SegmentFlows]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("segment", rows.iter().map(|r| r.segment.as_str()));
    let col = |f: fn(&SegmentFlows) -> u64| rows.iter().map(|r| f(r) as i64).collect::<Vec<_>>();
    b.i64("base_at_start", col(|r| r.base_at_start));
    b.i64("lost", col(|r| r.lost));
    b.i64("new", col(|r| r.new));
    b.i64("won_back", col(|r| r.won_back));
    b.i64("base_at_end", col(|r| r.base_at_end));
    b.finish()
}

impl Flows {
    pub(crate) fn create(py: Python<'_>, report: FlowReport) -> PyResult<Py<Self>> {
        let by_segment = Py::new(py, Table::new(segment_flows(&report.by_segment)))?;
        Py::new(py, Flows { report, by_segment })
    }
}

#[pymethods]
impl Flows {
    /// First day of the period.
    #[getter]
    fn start(&self) -> Option<NaiveDate> {
        self.report.start
    }
    /// The day after the period (exclusive end).
    #[getter]
    fn end(&self) -> Option<NaiveDate> {
        self.report.end
    }
    /// Customers in the base (a purchase within the inactivity window) at the start.
    #[getter]
    fn base_at_start(&self) -> u64 {
        self.report.base_at_start
    }
    /// First purchase in the period.
    #[getter(new)]
    fn new_customers(&self) -> u64 {
        self.report.new
    }
    /// New customers with more than one purchase.
    #[getter]
    fn new_active(&self) -> u64 {
        self.report.new_active
    }
    /// New customers with one purchase.
    #[getter]
    fn new_starters(&self) -> u64 {
        self.report.new_starters
    }
    /// Lost before the start and back in the period.
    #[getter]
    fn won_back(&self) -> u64 {
        self.report.won_back
    }
    /// In the base at the start and lost by the end.
    #[getter]
    fn lost(&self) -> u64 {
        self.report.lost
    }
    /// Customers in the base at the end.
    #[getter]
    fn base_at_end(&self) -> u64 {
        self.report.base_at_end
    }
    /// Lost during the period and won back before its end.
    #[getter]
    fn lost_and_won_back(&self) -> u64 {
        self.report.lost_and_won_back
    }
    /// New in the period and lost again before its end.
    #[getter]
    fn new_and_lost(&self) -> u64 {
        self.report.new_and_lost
    }
    /// Won back in the period and lost again before its end.
    #[getter]
    fn won_back_and_lost(&self) -> u64 {
        self.report.won_back_and_lost
    }
    /// lost / base_at_start (None for an empty base).
    #[getter]
    fn churn_rate(&self) -> Option<f64> {
        self.report.churn_rate
    }
    /// 1 - churn_rate.
    #[getter]
    fn retention_rate(&self) -> Option<f64> {
        self.report.retention_rate
    }
    /// Average duration in years: base / lost per year (None without losses).
    #[getter]
    fn duration_years(&self) -> Option<f64> {
        self.report.duration_years
    }
    /// Revenue and margin of the new customers in the period.
    #[getter]
    fn new_value(&self) -> FlowValue {
        self.report.new_value.into()
    }
    /// Revenue and margin of the won-back customers in the period.
    #[getter]
    fn won_back_value(&self) -> FlowValue {
        self.report.won_back_value.into()
    }
    /// Revenue and margin the lost customers brought in the year before the start.
    #[getter]
    fn lost_value(&self) -> FlowValue {
        self.report.lost_value.into()
    }
    /// Revenue and margin of the customers who stayed, in the period.
    #[getter]
    fn stayed_value(&self) -> FlowValue {
        self.report.stayed_value.into()
    }
    /// Flows per value segment: segment, base_at_start, lost (by segment at the start),
    /// new, won_back, base_at_end (by segment at the end); empty with `by_segment=False`.
    #[getter]
    fn by_segment(&self, py: Python<'_>) -> Py<Table> {
        self.by_segment.clone_ref(py)
    }
    /// True when base_at_start + new + won_back - lost == base_at_end.
    fn balances(&self) -> bool {
        self.report.balances()
    }
    /// The counts, rates and values as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.report;
        let d = PyDict::new(py);
        d.set_item("start", r.start)?;
        d.set_item("end", r.end)?;
        for (k, v) in flow_counts(r) {
            d.set_item(k, v)?;
        }
        d.set_item("churn_rate", r.churn_rate)?;
        d.set_item("retention_rate", r.retention_rate)?;
        d.set_item("duration_years", r.duration_years)?;
        for (k, v) in flow_values(r) {
            let inner = PyDict::new(py);
            inner.set_item("revenue", v.revenue)?;
            inner.set_item("margin", v.margin)?;
            d.set_item(k, inner)?;
        }
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let r = &self.report;
        let day = |d: Option<NaiveDate>| d.map_or("None".to_owned(), |d| d.to_string());
        format!(
            "crm.Flows(start={}, end={}, base_at_start={}, new={}, won_back={}, lost={}, base_at_end={}, \
             churn_rate={}, retention_rate={}, duration_years={})",
            day(r.start),
            day(r.end),
            r.base_at_start,
            r.new,
            r.won_back,
            r.lost,
            r.base_at_end,
            opt(r.churn_rate),
            opt(r.retention_rate),
            opt(r.duration_years)
        )
    }
}

const COUNTS: [&str; 10] = [
    "base_at_start",
    "new",
    "new_active",
    "new_starters",
    "won_back",
    "lost",
    "base_at_end",
    "lost_and_won_back",
    "new_and_lost",
    "won_back_and_lost",
];

fn flow_counts(r: &FlowReport) -> [(&'static str, u64); 10] {
    [
        ("base_at_start", r.base_at_start),
        ("new", r.new),
        ("new_active", r.new_active),
        ("new_starters", r.new_starters),
        ("won_back", r.won_back),
        ("lost", r.lost),
        ("base_at_end", r.base_at_end),
        ("lost_and_won_back", r.lost_and_won_back),
        ("new_and_lost", r.new_and_lost),
        ("won_back_and_lost", r.won_back_and_lost),
    ]
}

fn flow_values(r: &FlowReport) -> [(&'static str, CoreValue); 4] {
    [
        ("new_value", r.new_value),
        ("won_back_value", r.won_back_value),
        ("lost_value", r.lost_value),
        ("stayed_value", r.stayed_value),
    ]
}

/// One row per period of a flow series; `flows` holds the `Flows` objects.
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct FlowSeries {
    flows: Vec<Py<Flows>>,
}

impl FlowSeries {
    pub(crate) fn batch(reports: &[FlowReport]) -> RecordBatch {
        let mut b = TableBuilder::new();
        b.opt_date("start", reports.iter().map(|r| r.start).collect());
        b.opt_date("end", reports.iter().map(|r| r.end).collect());
        for (i, name) in COUNTS.iter().enumerate() {
            b.i64(name, reports.iter().map(|r| flow_counts(r)[i].1 as i64).collect());
        }
        b.opt_f64("churn_rate", reports.iter().map(|r| r.churn_rate).collect());
        b.opt_f64("retention_rate", reports.iter().map(|r| r.retention_rate).collect());
        b.opt_f64("duration_years", reports.iter().map(|r| r.duration_years).collect());
        for (i, stem) in ["new", "won_back", "lost", "stayed"].iter().enumerate() {
            b.f64(&format!("{stem}_revenue"), reports.iter().map(|r| flow_values(r)[i].1.revenue).collect());
            b.f64(&format!("{stem}_margin"), reports.iter().map(|r| flow_values(r)[i].1.margin).collect());
        }
        b.finish()
    }

    pub(crate) fn create(py: Python<'_>, batch: RecordBatch, reports: Vec<FlowReport>) -> PyResult<Py<Self>> {
        let flows = reports.into_iter().map(|r| Flows::create(py, r)).collect::<PyResult<Vec<_>>>()?;
        Py::new(py, PyClassInitializer::from(Table::new(batch)).add_subclass(FlowSeries { flows }))
    }
}

#[pymethods]
impl FlowSeries {
    /// The `Flows` of each period, in order.
    #[getter]
    fn flows(&self, py: Python<'_>) -> Vec<Py<Flows>> {
        self.flows.iter().map(|f| f.clone_ref(py)).collect()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        slf.as_super().get().describe("crm.FlowSeries")
    }
}

/// A migration matrix between states (value segments or lifecycle stages) from the end of
/// `from_date` to the end of `to_date`.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Migration {
    inner: crm_core::MigrationMatrix,
}

impl Migration {
    pub(crate) fn new(inner: crm_core::MigrationMatrix) -> Self {
        Migration { inner }
    }

    fn vector(&self, v: Option<Vec<f64>>, default: Vec<f64>) -> Vec<f64> {
        v.unwrap_or(default)
    }
}

#[pymethods]
impl Migration {
    /// The first date.
    #[getter(from_date)]
    fn first_date(&self) -> NaiveDate {
        self.inner.from
    }
    /// The second date.
    #[getter]
    fn to_date(&self) -> NaiveDate {
        self.inner.to
    }
    /// The state names (rows and columns, in order).
    #[getter]
    fn states(&self) -> Vec<String> {
        self.inner.states.clone()
    }
    /// Customers moving from state i (row) to state j (column), a 2-D int64 array.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> Fallible<Bound<'py, PyArray2<i64>>> {
        let rows: Vec<Vec<i64>> = self.inner.counts.iter().map(|r| r.iter().map(|&c| c as i64).collect()).collect();
        PyArray2::from_vec2(py, &rows).map_err(|e| Failure::Type(e.to_string()))
    }
    /// Transition rates (rows sum to 1; an empty row stays in its state), 2-D float64.
    #[getter]
    fn rates<'py>(&self, py: Python<'py>) -> Fallible<Bound<'py, PyArray2<f64>>> {
        PyArray2::from_vec2(py, &self.inner.rates).map_err(|e| Failure::Type(e.to_string()))
    }
    /// Mean value per customer in each state at `to_date` (0 where no value applies).
    #[getter]
    fn state_value<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.inner.state_value)
    }
    /// Customers per state at `from_date` (row totals).
    #[getter]
    fn at_from<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_vec(py, self.inner.at_from())
    }
    /// Customers per state at `to_date` (column totals).
    #[getter]
    fn at_to<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_vec(py, self.inner.at_to())
    }
    /// The counts as a table: `from_state` then one column per state.
    fn counts_table(&self) -> Table {
        let mut b = TableBuilder::new();
        b.strs("from_state", self.inner.states.iter().map(String::as_str));
        for (j, s) in self.inner.states.iter().enumerate() {
            b.i64(s, self.inner.counts.iter().map(|r| r[j] as i64).collect());
        }
        Table::new(b.finish())
    }
    /// The rates as a table: `from_state` then one column per state.
    fn rates_table(&self) -> Table {
        let mut b = TableBuilder::new();
        b.strs("from_state", self.inner.states.iter().map(String::as_str));
        for (j, s) in self.inner.states.iter().enumerate() {
            b.f64(s, self.inner.rates.iter().map(|r| r[j]).collect());
        }
        Table::new(b.finish())
    }
    /// Projects a distribution over the states `periods` steps ahead (a Markov chain):
    /// row t of the result is the distribution after t steps (row 0 is `start`, by default
    /// the customers per state at `to_date`).
    #[pyo3(signature = (start=None, periods=1))]
    fn project<'py>(
        &self,
        py: Python<'py>,
        start: Option<Vec<f64>>,
        periods: usize,
    ) -> Fallible<Bound<'py, PyArray2<f64>>> {
        let start = self.vector(start, self.inner.at_to().iter().map(|&c| c as f64).collect());
        let out = self.inner.project(&start, periods).map_err(core)?;
        PyArray2::from_vec2(py, &out).map_err(|e| Failure::Type(e.to_string()))
    }
    /// The discounted value of all future margins per starting state (Pfeifer-Carraway):
    /// `(I - P / (1 + discount))^-1 margin`; `margin` per state and period defaults to
    /// `state_value`.
    #[pyo3(signature = (margin=None, discount=0.1))]
    fn customer_value<'py>(
        &self,
        py: Python<'py>,
        margin: Option<Vec<f64>>,
        discount: f64,
    ) -> Fallible<Bound<'py, PyArray1<f64>>> {
        let margin = self.vector(margin, self.inner.state_value.clone());
        let v = self.inner.customer_value(&margin, discount).map_err(core)?;
        Ok(PyArray1::from_vec(py, v))
    }
    fn __repr__(&self) -> String {
        format!(
            "crm.Migration(from_date={}, to_date={}, states={:?}, counts={:?})",
            self.inner.from, self.inner.to, self.inner.states, self.inner.counts
        )
    }
}

/// A portfolio described by the three CLV levers and the customer count.
#[pyclass(module = "crm", frozen, eq)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scenario {
    /// Customers in the base.
    #[pyo3(get)]
    customers: f64,
    /// Purchases per customer and year.
    #[pyo3(get)]
    purchases_per_year: f64,
    /// Average purchase.
    #[pyo3(get)]
    average_purchase: f64,
    /// Expected duration in years.
    #[pyo3(get)]
    duration_years: f64,
}

impl From<CoreScenario> for Scenario {
    fn from(s: CoreScenario) -> Self {
        Scenario {
            customers: s.customers,
            purchases_per_year: s.purchases_per_year,
            average_purchase: s.average_purchase,
            duration_years: s.duration_years,
        }
    }
}

impl Scenario {
    fn core(&self) -> CoreScenario {
        CoreScenario {
            customers: self.customers,
            purchases_per_year: self.purchases_per_year,
            average_purchase: self.average_purchase,
            duration_years: self.duration_years,
        }
    }
}

#[pymethods]
impl Scenario {
    #[new]
    #[pyo3(signature = (customers, purchases_per_year, average_purchase, duration_years))]
    fn py_new(customers: f64, purchases_per_year: f64, average_purchase: f64, duration_years: f64) -> Self {
        Scenario { customers, purchases_per_year, average_purchase, duration_years }
    }
    /// Lifetime revenue of one customer: purchases per year x average purchase x duration.
    fn clv(&self) -> f64 {
        self.core().clv()
    }
    /// Lifetime revenue of the portfolio: clv() x customers.
    fn portfolio_value(&self) -> f64 {
        self.core().portfolio_value()
    }
    fn __repr__(&self) -> String {
        format!(
            "Scenario(customers={}, purchases_per_year={}, average_purchase={}, duration_years={})",
            self.customers, self.purchases_per_year, self.average_purchase, self.duration_years
        )
    }
}

/// Two scenarios side by side: each lever's factor (after / before) and the total change.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone)]
pub struct ScenarioComparison {
    /// The first scenario.
    #[pyo3(get)]
    before: Scenario,
    /// The second scenario.
    #[pyo3(get)]
    after: Scenario,
    factors: [f64; 4],
    /// Portfolio value change, after / before - 1.
    #[pyo3(get)]
    change: f64,
    /// CLV change per customer, after / before - 1.
    #[pyo3(get)]
    clv_change: f64,
}

#[pymethods]
impl ScenarioComparison {
    /// after / before per lever: customers, purchases_per_year, average_purchase,
    /// duration_years.
    #[getter]
    fn factors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in ["customers", "purchases_per_year", "average_purchase", "duration_years"].iter().zip(self.factors)
        {
            d.set_item(*k, v)?;
        }
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "ScenarioComparison(change={:+.4}, clv_change={:+.4}, factors={:?})",
            self.change, self.clv_change, self.factors
        )
    }
}

/// The effect of a retention change on the retention-based CLV.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone)]
pub struct RetentionSensitivity {
    /// Retention before.
    #[pyo3(get)]
    retention: f64,
    /// Retention after (capped below 1).
    #[pyo3(get)]
    retention_after: f64,
    /// CLV before.
    #[pyo3(get)]
    clv: f64,
    /// CLV after.
    #[pyo3(get)]
    clv_after: f64,
    /// clv_after / clv - 1.
    #[pyo3(get)]
    change: f64,
}

impl From<CoreSensitivity> for RetentionSensitivity {
    fn from(s: CoreSensitivity) -> Self {
        RetentionSensitivity {
            retention: s.retention,
            retention_after: s.retention_after,
            clv: s.clv,
            clv_after: s.clv_after,
            change: s.change,
        }
    }
}

#[pymethods]
impl RetentionSensitivity {
    fn __repr__(&self) -> String {
        format!(
            "RetentionSensitivity(retention={}, retention_after={}, clv={}, clv_after={}, change={:+.4})",
            self.retention, self.retention_after, self.clv, self.clv_after, self.change
        )
    }
}

/// Lifetime revenue: purchases per year x average purchase x duration in years (all
/// finite; purchases and duration >= 0, else `ConfigError` naming the argument).
#[pyfunction]
pub(crate) fn simple_clv(purchases_per_year: f64, average_purchase: f64, duration_years: f64) -> Fallible<f64> {
    crm_core::clv::simple_clv(purchases_per_year, average_purchase, duration_years).map_err(core)
}

/// Discounted value of a yearly margin earned at the end of each year for `duration_years`:
/// `m (1 - (1+d)^-T) / d` (`m T` when d = 0); duration and discount >= 0.
#[pyfunction]
#[pyo3(signature = (yearly_margin, duration_years, discount_rate=0.1))]
pub(crate) fn discounted_clv(yearly_margin: f64, duration_years: f64, discount_rate: f64) -> Fallible<f64> {
    crm_core::clv::discounted_clv(yearly_margin, duration_years, discount_rate).map_err(core)
}

/// Retention-based CLV: `m r / (1 + d - r)`; retention in [0, 1], discount >= 0.
#[pyfunction]
#[pyo3(signature = (margin, retention, discount_rate=0.1))]
pub(crate) fn retention_clv(margin: f64, retention: f64, discount_rate: f64) -> Fallible<f64> {
    crm_core::clv::retention_clv(margin, retention, discount_rate).map_err(core)
}

/// How the retention-based CLV changes when retention rises by `delta`: as a share of the
/// current retention (`relative=True`, 0.8 x 1.05) or in points (0.8 + 0.05).
#[pyfunction]
#[pyo3(signature = (margin, retention, discount_rate=0.1, delta=0.05, *, relative=true))]
pub(crate) fn retention_sensitivity(
    margin: f64,
    retention: f64,
    discount_rate: f64,
    delta: f64,
    relative: bool,
) -> Fallible<RetentionSensitivity> {
    crm_core::clv::check_retention_clv(margin, retention, discount_rate).map_err(core)?;
    if !delta.is_finite() {
        return Err(Failure::config("delta", format!("{delta} is not a finite number")));
    }
    Ok(crm_core::clv::retention_sensitivity(margin, retention, discount_rate, delta, relative).into())
}

/// Compares two scenarios: each lever's factor and the portfolio value change.
#[pyfunction]
pub(crate) fn compare_scenarios(before: PyRef<'_, Scenario>, after: PyRef<'_, Scenario>) -> ScenarioComparison {
    let c = crm_core::clv::compare(&before.core(), &after.core());
    ScenarioComparison {
        before: c.before.into(),
        after: c.after.into(),
        factors: c.factors,
        change: c.change,
        clv_change: c.clv_change,
    }
}

/// CLV of a group of customers (a segment, an acquisition channel, the portfolio).
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone)]
pub struct ClvGroup {
    /// The group name.
    #[pyo3(get)]
    group: String,
    /// Customers in the group.
    #[pyo3(get)]
    customers: u64,
    /// Sum of the lifetime revenues.
    #[pyo3(get)]
    clv: f64,
    /// Mean lifetime revenue.
    #[pyo3(get)]
    mean_clv: f64,
    /// Sum of the discounted margins.
    #[pyo3(get)]
    discounted_margin: f64,
    /// Customers with a known acquisition cost.
    #[pyo3(get)]
    with_npv: u64,
    /// Sum of the NPVs.
    #[pyo3(get)]
    npv: f64,
    /// Mean NPV (None when no acquisition cost is known).
    #[pyo3(get)]
    mean_npv: Option<f64>,
}

impl From<&CoreGroup> for ClvGroup {
    fn from(g: &CoreGroup) -> Self {
        ClvGroup {
            group: g.group.clone(),
            customers: g.customers,
            clv: g.clv,
            mean_clv: g.mean_clv,
            discounted_margin: g.discounted_margin,
            with_npv: g.with_npv,
            npv: g.npv,
            mean_npv: g.mean_npv,
        }
    }
}

#[pymethods]
impl ClvGroup {
    fn __repr__(&self) -> String {
        format!(
            "ClvGroup(group={:?}, customers={}, clv={}, mean_clv={}, discounted_margin={}, npv={}, mean_npv={})",
            self.group,
            self.customers,
            self.clv,
            self.mean_clv,
            self.discounted_margin,
            self.npv,
            opt(self.mean_npv)
        )
    }
}

pub(crate) fn group_table(groups: &[CoreGroup]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("group", groups.iter().map(|g| g.group.as_str()));
    b.i64("customers", groups.iter().map(|g| g.customers as i64).collect());
    b.f64("clv", groups.iter().map(|g| g.clv).collect());
    b.f64("mean_clv", groups.iter().map(|g| g.mean_clv).collect());
    b.f64("discounted_margin", groups.iter().map(|g| g.discounted_margin).collect());
    b.i64("with_npv", groups.iter().map(|g| g.with_npv as i64).collect());
    b.f64("npv", groups.iter().map(|g| g.npv).collect());
    b.opt_f64("mean_npv", groups.iter().map(|g| g.mean_npv).collect());
    b.finish()
}

/// Per-customer CLV as of a date (every customer with a purchase): `customer_id`,
/// `in_base`, `purchases_per_year`, `average_purchase`, `yearly_revenue`, `yearly_margin`,
/// `clv` (lifetime revenue), `discounted_margin`, `acquisition_cost`, `npv`; with the
/// tables `by_segment`, `by_channel` and the objects `portfolio` and `scenario`.
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct Clv {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    /// The duration used (given or estimated from the last year's flows).
    #[pyo3(get)]
    duration_years: f64,
    /// Retention of the last year (None for an empty base at its start).
    #[pyo3(get)]
    retention_rate: Option<f64>,
    /// The yearly discount rate.
    #[pyo3(get)]
    discount_rate: f64,
    /// Customers in the base by value segment (top, middle, bottom).
    #[pyo3(get)]
    by_segment: Py<Table>,
    /// Customers in the base by acquisition channel.
    #[pyo3(get)]
    by_channel: Py<Table>,
    /// Every customer in the base.
    #[pyo3(get)]
    portfolio: ClvGroup,
    /// The base's levers as a scenario (for `compare_scenarios`).
    #[pyo3(get)]
    scenario: Scenario,
}

/// The record batches of a CLV report, built without the GIL.
#[derive(Debug)]
pub(crate) struct ClvBatches {
    customers: RecordBatch,
    by_segment: RecordBatch,
    by_channel: RecordBatch,
    report: crm_core::ClvReport,
}

impl Clv {
    pub(crate) fn batches(ids: &KeyColumn, mut r: crm_core::ClvReport) -> ClvBatches {
        let c = std::mem::take(&mut r.customers);
        let mut b = TableBuilder::new();
        let keys = match ids {
            KeyColumn::Int(v) => KeyColumn::Int(c.iter().map(|x| v[x.customer as usize]).collect()),
            KeyColumn::Str(s) => KeyColumn::Str(c.iter().map(|x| s.get(x.customer as usize)).collect()),
        };
        b.keys("customer_id", &keys);
        b.opt_bool("in_base", c.iter().map(|x| Some(x.in_base)).collect());
        b.f64("purchases_per_year", c.iter().map(|x| x.purchases_per_year).collect());
        b.f64("average_purchase", c.iter().map(|x| x.average_purchase).collect());
        b.f64("yearly_revenue", c.iter().map(|x| x.yearly_revenue).collect());
        b.opt_f64("yearly_margin", c.iter().map(|x| x.yearly_margin).collect());
        b.f64("clv", c.iter().map(|x| x.clv).collect());
        b.opt_f64("discounted_margin", c.iter().map(|x| x.discounted_margin).collect());
        b.opt_f64("acquisition_cost", c.iter().map(|x| x.acquisition_cost).collect());
        b.opt_f64("npv", c.iter().map(|x| x.npv).collect());
        ClvBatches {
            customers: b.finish(),
            by_segment: group_table(&r.by_segment),
            by_channel: group_table(&r.by_channel),
            report: r,
        }
    }

    pub(crate) fn create(py: Python<'_>, b: ClvBatches) -> PyResult<Py<Self>> {
        let r = &b.report;
        let init = PyClassInitializer::from(Table::new(b.customers)).add_subclass(Clv {
            as_of: r.as_of,
            duration_years: r.duration_years,
            retention_rate: r.retention_rate,
            discount_rate: r.discount_rate,
            by_segment: Py::new(py, Table::new(b.by_segment))?,
            by_channel: Py::new(py, Table::new(b.by_channel))?,
            portfolio: (&r.portfolio).into(),
            scenario: r.scenario.into(),
        });
        Py::new(py, init)
    }
}

#[pymethods]
impl Clv {
    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let c = slf.get();
        slf.as_super().get().describe(&format!(
            "crm.Clv(as_of={}, duration_years={:.4}, retention_rate={}, discount_rate={}, portfolio_mean_clv={:.2})",
            c.as_of,
            c.duration_years,
            opt(c.retention_rate),
            c.discount_rate,
            c.portfolio.mean_clv
        ))
    }
}

/// The customer-base report as of a date: overview, lifecycle, segments, flows, migration,
/// CLV and undesired flows. `to_markdown()`, `to_json()`, `to_dict()`.
#[pyclass(module = "crm", frozen)]
#[derive(Debug)]
pub struct Report {
    inner: crm_core::Report,
}

impl Report {
    pub(crate) fn new(inner: crm_core::Report) -> Self {
        Report { inner }
    }
}

#[pymethods]
impl Report {
    /// The as-of date.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.inner.as_of
    }
    /// Customers in the base.
    #[getter]
    fn customers(&self) -> usize {
        self.inner.overview.customers
    }
    /// Customers with a purchase up to the as-of date.
    #[getter]
    fn buyers(&self) -> usize {
        self.inner.overview.buyers
    }
    /// Transactions up to the as-of date.
    #[getter]
    fn transactions(&self) -> usize {
        self.inner.overview.transactions
    }
    /// Transactions after the as-of date (left out).
    #[getter]
    fn excluded_after_as_of(&self) -> usize {
        self.inner.overview.excluded_after_as_of
    }
    /// Revenue up to the as-of date.
    #[getter]
    fn revenue(&self) -> f64 {
        self.inner.overview.revenue
    }
    /// Margin up to the as-of date (None without margins).
    #[getter]
    fn margin(&self) -> Option<f64> {
        self.inner.overview.margin
    }
    /// Mean purchases per buyer and year.
    #[getter]
    fn purchases_per_year(&self) -> f64 {
        self.inner.overview.purchases_per_year
    }
    /// Revenue per transaction.
    #[getter]
    fn average_purchase(&self) -> f64 {
        self.inner.overview.average_purchase
    }
    /// Customers per lifecycle stage.
    #[getter]
    fn lifecycle<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for s in &self.inner.lifecycle {
            d.set_item(s.stage.name(), s.customers)?;
        }
        Ok(d)
    }
    /// The flows of the twelve months up to the as-of date (None when not measurable:
    /// see `caveats`).
    #[getter]
    fn flows(&self, py: Python<'_>) -> PyResult<Option<Py<Flows>>> {
        self.inner.flows.clone().map(|f| Flows::create(py, f)).transpose()
    }
    /// The segment migration of the last year (None when not measurable).
    #[getter]
    fn migration(&self) -> Option<Migration> {
        self.inner.migration.clone().map(Migration::new)
    }
    /// Figures withheld or on a thin basis: dicts with `figure`, `reason`, `withheld`.
    #[getter]
    fn caveats<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .caveats
            .iter()
            .map(|c| {
                let d = PyDict::new(py);
                d.set_item("figure", &c.figure)?;
                d.set_item("reason", &c.reason)?;
                d.set_item("withheld", c.withheld)?;
                Ok(d)
            })
            .collect()
    }
    /// The report as one self-contained HTML page (inline CSS and SVG charts, no script).
    fn to_html(&self) -> String {
        self.inner.to_html()
    }
    /// The CLV duration in years (None when CLV is left out).
    #[getter]
    fn clv_duration_years(&self) -> Option<f64> {
        self.inner.clv.as_ref().map(|c| c.duration_years)
    }
    /// The mean lifetime revenue of the portfolio (None when CLV is left out).
    #[getter]
    fn mean_clv(&self) -> Option<f64> {
        self.inner.clv.as_ref().map(|c| c.portfolio.mean_clv)
    }
    /// The report as Markdown.
    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }
    /// The report as JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }
    /// The report as plain Python data (the JSON, parsed).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.inner.to_json(),))
    }
    fn _repr_markdown_(&self) -> String {
        self.inner.to_markdown()
    }
    fn __repr__(&self) -> String {
        let o = &self.inner.overview;
        format!(
            "crm.Report(as_of={}, customers={}, buyers={}, transactions={}, revenue={})",
            self.inner.as_of, o.customers, o.buyers, o.transactions, o.revenue
        )
    }
}
