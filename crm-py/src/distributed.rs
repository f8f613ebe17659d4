//! The partial results of `crm.spark` and `crm.dask`: a task turns its summary columns into
//! a partial (bytes), the driver merges the partials into a scorer (bytes), each task scores
//! its customers with it. The logic is crm-core's (`crm_core::distributed`).

use crate::arrays::Values;
use crate::errors::{Failure, Fallible};
use crm_core::distributed::{FlowsPartial, MigrationPartial, ModelPartial, RfmPartial, RfmScorer};
use crm_core::flows::period_bounds;
use crm_core::models::{RfmData, RfmSummary};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

fn slice<T>(s: Result<&[T], numpy::AsSliceError>) -> Fallible<&[T]> {
    s.map_err(|e| Failure::Type(format!("{e}: pass contiguous numpy arrays")))
}

fn core(e: crm_core::Error) -> Failure {
    Failure::Core(e, Default::default())
}

/// The RFM partial of a task's customers: purchases, days since the last purchase (read
/// where purchases > 0) and revenue per customer.
#[pyfunction]
pub(crate) fn _rfm_partial<'py>(
    py: Python<'py>,
    purchases: PyReadonlyArray1<'_, u32>,
    recency_days: PyReadonlyArray1<'_, u32>,
    revenue: PyReadonlyArray1<'_, f64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let p = RfmPartial::from_columns(
        slice(purchases.as_slice())?,
        slice(recency_days.as_slice())?,
        slice(revenue.as_slice())?,
    )
    .map_err(core)?;
    Ok(PyBytes::new(py, &p.to_bytes()))
}

/// Merges RFM partials into one partial (for tree merges).
#[pyfunction]
pub(crate) fn _rfm_merge<'py>(py: Python<'py>, partials: Vec<Vec<u8>>) -> Fallible<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &merged(&partials)?.to_bytes()))
}

/// Merges RFM partials and gives the scorer (the global quintile boundaries) as bytes.
#[pyfunction]
pub(crate) fn _rfm_scorer<'py>(py: Python<'py>, partials: Vec<Vec<u8>>) -> Fallible<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &merged(&partials)?.finish().to_bytes()))
}

fn merged(partials: &[Vec<u8>]) -> Fallible<RfmPartial> {
    let mut all = RfmPartial::default();
    for p in partials {
        all.merge(&RfmPartial::from_bytes(p).map_err(core)?);
    }
    Ok(all)
}

/// The r, f and m scores of a task's customers.
type Scores<'py> = (Bound<'py, PyArray1<u8>>, Bound<'py, PyArray1<u8>>, Bound<'py, PyArray1<u8>>);

/// Scores customers with a scorer: (r, f, m) arrays, 0 for customers without purchases.
#[pyfunction]
pub(crate) fn _rfm_score<'py>(
    py: Python<'py>,
    scorer: Vec<u8>,
    purchases: PyReadonlyArray1<'_, u32>,
    recency_days: PyReadonlyArray1<'_, u32>,
    revenue: PyReadonlyArray1<'_, f64>,
) -> Fallible<Scores<'py>> {
    let scorer = RfmScorer::from_bytes(&scorer).map_err(core)?;
    let rfm = scorer
        .score_columns(slice(purchases.as_slice())?, slice(recency_days.as_slice())?, slice(revenue.as_slice())?)
        .map_err(core)?;
    Ok((
        PyArray1::from_iter(py, rfm.iter().map(|s| s.r)),
        PyArray1::from_iter(py, rfm.iter().map(|s| s.f)),
        PyArray1::from_iter(py, rfm.iter().map(|s| s.m)),
    ))
}

/// The model partial of a task's model summary (frequency, recency, T and mean repeat
/// spend per customer, unit weights): its distinct rows with counts, as bytes.
#[pyfunction]
pub(crate) fn _model_partial<'py>(
    py: Python<'py>,
    frequency: PyReadonlyArray1<'_, f64>,
    recency: PyReadonlyArray1<'_, f64>,
    t: PyReadonlyArray1<'_, f64>,
    monetary_value: PyReadonlyArray1<'_, f64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let data = RfmData::new(frequency.values(), recency.values(), t.values()).map_err(core)?;
    let summary = RfmSummary { customers: Vec::new(), data, monetary_value: monetary_value.values() };
    Ok(PyBytes::new(py, &ModelPartial::from_summary(&summary).map_err(core)?.to_bytes()))
}

/// The distinct rows of merged model partials with their counts.
type ModelRows<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// Merges model partials: (x, t_x, T, count) of the purchase models' distinct rows, then
/// (x, mean spend, count) of Gamma-Gamma's.
#[pyfunction]
pub(crate) fn _model_merge<'py>(py: Python<'py>, partials: Vec<Vec<u8>>) -> Fallible<ModelRows<'py>> {
    let mut all = ModelPartial::default();
    for p in &partials {
        all.merge(&ModelPartial::from_bytes(p).map_err(core)?);
    }
    let rows = all.purchases();
    let (x, m, w) = all.spend();
    Ok((
        PyArray1::from_slice(py, &rows.frequency),
        PyArray1::from_slice(py, &rows.recency),
        PyArray1::from_slice(py, &rows.t),
        PyArray1::from_slice(py, &rows.weights),
        PyArray1::from_slice(py, x),
        PyArray1::from_slice(py, m),
        PyArray1::from_slice(py, w),
    ))
}

/// The flow config of the hosts' keywords (no segments: flows per segment are not merged).
fn flows_config(inactivity_days: i64, duration_base: &str) -> Fallible<crm_core::flows::FlowConfig> {
    crate::base::flow_config(inactivity_days, duration_base, false, vec![0.2, 0.5, 0.3], "revenue", Some(365))
}

fn dates(values: &[Bound<'_, PyAny>], field: &str) -> Fallible<Vec<chrono::NaiveDate>> {
    values.iter().map(|v| crate::base::to_date(v, field)).collect()
}

/// A task's flows between the period boundaries `bounds`, as bytes.
#[pyfunction]
pub(crate) fn _flows_partial<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    bounds: Vec<Bound<'py, PyAny>>,
    inactivity_days: i64,
    duration_base: String,
) -> Fallible<Bound<'py, PyBytes>> {
    let (bounds, config) = (dates(&bounds, "bounds")?, flows_config(inactivity_days, &duration_base)?);
    let inner = base.inner.clone();
    let partial = crate::errors::detached(py, move || FlowsPartial::of(&inner, &bounds, &config).map_err(core))?;
    Ok(PyBytes::new(py, &partial.to_bytes()))
}

/// Merges the tasks' flows (none: no customers) into the `FlowSeries` of the periods.
#[pyfunction]
pub(crate) fn _flows_finish(
    py: Python<'_>,
    partials: Vec<Vec<u8>>,
    bounds: Vec<Bound<'_, PyAny>>,
    inactivity_days: i64,
    duration_base: String,
) -> Fallible<Py<crate::analytics::FlowSeries>> {
    let (bounds, config) = (dates(&bounds, "bounds")?, flows_config(inactivity_days, &duration_base)?);
    let mut all = FlowsPartial::empty(&bounds).map_err(core)?;
    for p in &partials {
        all.merge(&FlowsPartial::from_bytes(p).map_err(core)?).map_err(core)?;
    }
    let reports = all.finish(&config);
    Ok(crate::analytics::FlowSeries::create(py, crate::analytics::FlowSeries::batch(&reports), reports)?)
}

/// The boundaries of `count` periods ("month", "quarter" or "year") from `start`.
#[pyfunction]
pub(crate) fn _period_bounds(start: &Bound<'_, PyAny>, period: &str, count: i64) -> Fallible<Vec<chrono::NaiveDate>> {
    let (period, count) = (crate::base::period_of(period)?, crate::base::count_of(count)?);
    period_bounds(crate::base::to_date(start, "start")?, period, count).map_err(core)
}

fn lifecycle_config(inactivity_days: i64) -> Fallible<crm_core::lifecycle::LifecycleConfig> {
    let inactivity_days = crate::base::u32_arg("inactivity_days", inactivity_days)?;
    Ok(crm_core::lifecycle::LifecycleConfig { inactivity_days, ..Default::default() })
}

/// A task's migration between lifecycle stages from the end of `from_date` to the end of
/// `to_date`, as bytes.
#[pyfunction]
pub(crate) fn _migration_partial<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    from_date: &Bound<'py, PyAny>,
    to_date: &Bound<'py, PyAny>,
    inactivity_days: i64,
) -> Fallible<Bound<'py, PyBytes>> {
    let (from, to) = (crate::base::to_date(from_date, "from_date")?, crate::base::to_date(to_date, "to_date")?);
    let config = lifecycle_config(inactivity_days)?;
    let inner = base.inner.clone();
    let partial =
        crate::errors::detached(py, move || MigrationPartial::lifecycle(&inner, from, to, &config).map_err(core))?;
    Ok(PyBytes::new(py, &partial.to_bytes()))
}

/// Merges the tasks' lifecycle migrations (none: no customers) into a `Migration`.
#[pyfunction]
pub(crate) fn _migration_finish(
    partials: Vec<Vec<u8>>,
    from_date: &Bound<'_, PyAny>,
    to_date: &Bound<'_, PyAny>,
    inactivity_days: i64,
) -> Fallible<crate::analytics::Migration> {
    let (from, to) = (crate::base::to_date(from_date, "from_date")?, crate::base::to_date(to_date, "to_date")?);
    lifecycle_config(inactivity_days)?.validate().map_err(core)?;
    let mut all = MigrationPartial::empty_lifecycle(from, to).map_err(core)?;
    for p in &partials {
        all.merge(&MigrationPartial::from_bytes(p).map_err(core)?).map_err(core)?;
    }
    Ok(crate::analytics::Migration::new(all.finish()))
}
