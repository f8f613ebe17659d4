//! The partial results of `crm.spark` and `crm.dask`: a task turns its summary columns into
//! a partial (bytes), the driver merges the partials into a scorer (bytes), each task scores
//! its customers with it. The logic is crm-core's (`crm_core::distributed`).

use crate::errors::{Failure, Fallible};
use crm_core::distributed::{RfmPartial, RfmScorer};
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
