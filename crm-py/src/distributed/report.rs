//! The customer-development report of `crm.spark` and `crm.dask`, in two passes over the
//! tasks (crm-core's `distributed::ReportScan`, `ReportContext`, `ReportPartial`): the
//! rules travel as JSON, scans, contexts, tie ids and partials as bytes.

use super::core;
use crate::errors::{Fallible, detached};
use crm_core::distributed::{ReportContext, ReportPartial, ReportScan, TieIds};
use crm_core::report::ReportConfig;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

fn rules_of(rules: &str) -> Fallible<ReportConfig> {
    serde_json::from_str(rules).map_err(|e| {
        core(crm_core::Error::InvalidConfig { field: "report rules".into(), message: format!("unreadable: {e}") })
    })
}

/// The report rules of `CustomerBase.report`'s keywords as JSON (checked on the driver
/// before any task runs).
#[pyfunction]
#[pyo3(signature = (
    *, top_customers=10, duration_years=None, discount_rate=0.10, inactivity_days=365,
    shares=vec![0.2, 0.5, 0.3], by="revenue".to_owned(), window_days=Some(365), wallet=None, profiles=None
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _report_rules(
    top_customers: usize,
    duration_years: Option<f64>,
    discount_rate: f64,
    inactivity_days: i64,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
    wallet: Option<&Bound<'_, PyAny>>,
    profiles: Option<&Bound<'_, PyAny>>,
) -> Fallible<String> {
    let config = crate::base::report_config(
        top_customers,
        duration_years,
        discount_rate,
        inactivity_days,
        shares,
        &by,
        window_days,
        crate::base::ReportExtras { wallet, profiles },
    )?;
    config.segments.validate().map_err(core)?;
    config.lifecycle.validate().map_err(core)?;
    Ok(serde_json::to_string(&config).expect("rules serialise"))
}

/// A task's scan of its customers as of `as_of`, as bytes.
#[pyfunction]
pub(crate) fn _report_scan<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    as_of: &Bound<'py, PyAny>,
    rules: &str,
) -> Fallible<Bound<'py, PyBytes>> {
    let (as_of, config) = (crate::base::to_date(as_of, "as_of")?, rules_of(rules)?);
    let inner = base.inner.clone();
    let scan = detached(py, move || ReportScan::of(&inner, as_of, &config).map_err(core))?;
    Ok(PyBytes::new(py, &scan.to_bytes()))
}

/// The driver: the context from every task's scan (none: no customers), as bytes, and
/// whether a cut still needs the tasks' ids of tied customers.
#[pyfunction]
pub(crate) fn _report_context<'py>(
    py: Python<'py>,
    scans: Vec<Vec<u8>>,
    as_of: &Bound<'py, PyAny>,
    rules: &str,
) -> Fallible<(Bound<'py, PyBytes>, bool)> {
    let (as_of, config) = (crate::base::to_date(as_of, "as_of")?, rules_of(rules)?);
    let mut all = ReportScan::empty(as_of, &config).map_err(core)?;
    for s in &scans {
        all.merge(&ReportScan::from_bytes(s).map_err(core)?).map_err(core)?;
    }
    let context = all.finish(&config).map_err(core)?;
    Ok((PyBytes::new(py, &context.to_bytes()), context.needs_ids()))
}

/// A task's smallest ids of the tied groups the context's open cuts fall in, as bytes.
#[pyfunction]
pub(crate) fn _report_tie_ids<'py>(
    py: Python<'py>,
    context: Vec<u8>,
    base: &crate::base::CustomerBase,
) -> Fallible<Bound<'py, PyBytes>> {
    on_task(py, &context, base, |c, b| Ok(c.tie_ids(b)?.to_bytes()))
}

/// `work` on a task's base with the context (without the GIL), its bytes out.
fn on_task<'py>(
    py: Python<'py>,
    context: &[u8],
    base: &crate::base::CustomerBase,
    work: impl FnOnce(&ReportContext, &crm_core::CustomerBase) -> crm_core::Result<Vec<u8>> + Send,
) -> Fallible<Bound<'py, PyBytes>> {
    let context = ReportContext::from_bytes(context).map_err(core)?;
    let inner = base.inner.clone();
    let bytes = detached(py, move || work(&context, &inner).map_err(core))?;
    Ok(PyBytes::new(py, &bytes))
}

/// The driver: the context with its open cuts resolved by every task's tie ids.
#[pyfunction]
pub(crate) fn _report_resolve<'py>(
    py: Python<'py>,
    context: Vec<u8>,
    ids: Vec<Vec<u8>>,
) -> Fallible<Bound<'py, PyBytes>> {
    let mut context = ReportContext::from_bytes(&context).map_err(core)?;
    let mut all = TieIds::default();
    for i in &ids {
        all.merge(&TieIds::from_bytes(i).map_err(core)?).map_err(core)?;
    }
    context.resolve(&all).map_err(core)?;
    Ok(PyBytes::new(py, &context.to_bytes()))
}

/// A task's share of every figure of the report, as bytes.
#[pyfunction]
pub(crate) fn _report_partial<'py>(
    py: Python<'py>,
    context: Vec<u8>,
    base: &crate::base::CustomerBase,
) -> Fallible<Bound<'py, PyBytes>> {
    on_task(py, &context, base, |c, b| Ok(ReportPartial::of(b, c)?.to_bytes()))
}

/// The driver: the `crm.Report` from every task's partial (none: no customers).
#[pyfunction]
pub(crate) fn _report_finish(
    py: Python<'_>,
    context: Vec<u8>,
    partials: Vec<Vec<u8>>,
) -> Fallible<crate::analytics::Report> {
    let context = ReportContext::from_bytes(&context).map_err(core)?;
    let report = detached(py, move || {
        let mut all = ReportPartial::empty(&context).map_err(core)?;
        for p in &partials {
            all.merge(&ReportPartial::from_bytes(p).map_err(core)?).map_err(core)?;
        }
        all.finish(&context).map_err(core)
    })?;
    Ok(crate::analytics::Report::new(report))
}
