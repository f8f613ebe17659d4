//! The partial results of `crm.spark` and `crm.dask`: a task turns its summary columns into
//! a partial (bytes), the driver merges the partials into a scorer (bytes), each task scores
//! its customers with it. The logic is crm-core's (`crm_core::distributed`).

mod report;

pub(crate) use report::{
    _report_context, _report_finish, _report_partial, _report_resolve, _report_rules, _report_scan, _report_tie_ids,
};

use crate::arrays::Values;
use crate::errors::{Failure, Fallible};
use crm_core::distributed::{
    FlowsPartial, Membership, MembershipPartial, MigrationPartial, ModelPartial, RfmPartial, RfmScorer, SegmentRanker,
    SegmentRows, SegmentTablesPartial, SegmentsPartial, Standing, TieIds, rank_key,
};
use crm_core::flows::period_bounds;
use crm_core::models::{RfmData, RfmSummary};
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

fn slice<T>(s: Result<&[T], numpy::AsSliceError>) -> Fallible<&[T]> {
    s.map_err(|e| Failure::Type(format!("{e}: pass contiguous numpy arrays")))
}

pub(crate) fn core(e: crm_core::Error) -> Failure {
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

/// The flow config of the hosts' keywords (the segment rules matter only for flows per
/// segment).
fn flows_config(inactivity_days: i64, duration_base: &str) -> Fallible<crm_core::flows::FlowConfig> {
    crate::base::flow_config(inactivity_days, duration_base, false, vec![0.2, 0.5, 0.3], "revenue", Some(365))
}

fn dates(values: &[Bound<'_, PyAny>], field: &str) -> Fallible<Vec<chrono::NaiveDate>> {
    values.iter().map(|v| crate::base::to_date(v, field)).collect()
}

/// A task's flows between the period boundaries `bounds`, as bytes; per value segment too
/// with the resolved `membership` (bytes) of the segment rules `shares`, `by`,
/// `window_days`.
#[pyfunction]
#[pyo3(signature = (
    base, bounds, inactivity_days, duration_base, membership=None, shares=vec![0.2, 0.5, 0.3],
    by="revenue".to_owned(), window_days=Some(365)
))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _flows_partial<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    bounds: Vec<Bound<'py, PyAny>>,
    inactivity_days: i64,
    duration_base: String,
    membership: Option<Vec<u8>>,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let bounds = dates(&bounds, "bounds")?;
    let by_segment = membership.is_some();
    let config = crate::base::flow_config(inactivity_days, &duration_base, by_segment, shares, &by, window_days)?;
    let membership = membership.map(|m| Membership::from_bytes(&m).map_err(core)).transpose()?;
    let inner = base.inner.clone();
    let partial = crate::errors::detached(py, move || match &membership {
        None => FlowsPartial::of(&inner, &bounds, &config).map_err(core),
        Some(m) => FlowsPartial::with_segments(&inner, &bounds, &config, m).map_err(core),
    })?;
    Ok(PyBytes::new(py, &partial.to_bytes()))
}

/// A task's value distributions at the days before the period boundaries `bounds` (the
/// segments flows per segment need), as bytes.
#[pyfunction]
pub(crate) fn _membership_partial<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    bounds: Vec<Bound<'py, PyAny>>,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let days = FlowsPartial::segment_dates(&dates(&bounds, "bounds")?).map_err(core)?;
    let config = crate::base::segment_config(shares, &by, window_days)?;
    let inner = base.inner.clone();
    let partial = crate::errors::detached(py, move || MembershipPartial::of(&inner, &days, &config).map_err(core))?;
    Ok(PyBytes::new(py, &partial.to_bytes()))
}

/// Merges the tasks' value distributions into the segment cuts: (membership bytes, whether
/// some cut still needs the tasks' ids of tied customers).
#[pyfunction]
pub(crate) fn _membership_finish<'py>(
    py: Python<'py>,
    partials: Vec<Vec<u8>>,
    bounds: Vec<Bound<'py, PyAny>>,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
) -> Fallible<(Bound<'py, PyBytes>, bool)> {
    let days = FlowsPartial::segment_dates(&dates(&bounds, "bounds")?).map_err(core)?;
    let config = crate::base::segment_config(shares, &by, window_days)?;
    let mut all = MembershipPartial::empty(&days);
    for p in &partials {
        all.merge(&MembershipPartial::from_bytes(p).map_err(core)?).map_err(core)?;
    }
    let m = all.finish(&config).map_err(core)?;
    Ok((PyBytes::new(py, &m.to_bytes()), m.needs_ids()))
}

/// A task's smallest ids of the tied groups the membership's open cuts fall in, as bytes.
#[pyfunction]
pub(crate) fn _membership_tie_ids<'py>(
    py: Python<'py>,
    membership: Vec<u8>,
    base: &crate::base::CustomerBase,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let m = Membership::from_bytes(&membership).map_err(core)?;
    let config = crate::base::segment_config(shares, &by, window_days)?;
    let inner = base.inner.clone();
    let ids = crate::errors::detached(py, move || m.tie_ids(&inner, &config).map_err(core))?;
    Ok(PyBytes::new(py, &ids.to_bytes()))
}

/// The membership with its open cuts resolved by the tasks' tie ids, as bytes.
#[pyfunction]
pub(crate) fn _membership_resolve<'py>(
    py: Python<'py>,
    membership: Vec<u8>,
    ids: Vec<Vec<u8>>,
) -> Fallible<Bound<'py, PyBytes>> {
    let mut m = Membership::from_bytes(&membership).map_err(core)?;
    let mut all = TieIds::default();
    for i in &ids {
        all.merge(&TieIds::from_bytes(i).map_err(core)?).map_err(core)?;
    }
    m.resolve(&all).map_err(core)?;
    Ok(PyBytes::new(py, &m.to_bytes()))
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

/// The classes' names by code, as the single-machine `segments()` table has them.
const SEGMENT_LABELS: [&str; 3] = ["top", "middle", "bottom"];
const ABC_LABELS: [&str; 3] = ["A", "B", "C"];
const PYRAMID_LABELS: [&str; 6] = ["top", "large", "medium", "small", "inactive", "prospect"];

/// A task's customers for a segmentation, as a Table: `customer_id`, `value`, `revenue`,
/// `profit`, then the host's working columns `_margin`, `_cost`, `_standing` (0 prospect, 1
/// inactive, 2 ranked) and `_key` (the rank sort key, ascending = most valuable first).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _segment_rows<'py>(
    py: Python<'py>,
    base: &crate::base::CustomerBase,
    as_of: &Bound<'py, PyAny>,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
    abc_shares: Vec<f64>,
    pyramid_shares: Vec<f64>,
) -> Fallible<Py<crate::table::Table>> {
    use arrow_array::{Float64Array, Int8Array};
    use std::sync::Arc;
    let as_of = crate::base::to_date(as_of, "as_of")?;
    let config = crate::base::full_segment_config(shares, &by, window_days, abc_shares, pyramid_shares)?;
    let (inner, ids) = (base.inner.clone(), base.ids_array());
    let batch = crate::errors::detached(py, move || {
        let rows = SegmentRows::of(&inner, as_of, &config).map_err(core)?;
        let n = rows.value.len();
        let optional = |v: Option<Vec<f64>>| Arc::new(v.map_or_else(|| Float64Array::new_null(n), Float64Array::from));
        let mut b = crate::table::TableBuilder::new();
        b.array("customer_id", ids);
        b.i64("_key", rows.value.iter().map(|&v| rank_key(v)).collect());
        b.f64("value", rows.value);
        b.f64("revenue", rows.revenue);
        b.array("profit", optional(rows.profit));
        b.array("_margin", optional(rows.margin));
        b.f64("_cost", rows.cost.unwrap_or_else(|| vec![0.0; n]));
        b.array("_standing", Arc::new(Int8Array::from_iter_values(rows.standing.iter().map(|s| *s as i8))));
        Ok(b.finish())
    })?;
    Ok(Py::new(py, crate::table::Table::new(batch))?)
}

fn standings(codes: PyReadonlyArray1<'_, i8>) -> Fallible<Vec<Standing>> {
    codes.as_array().iter().map(|&s| Standing::from_code(u8::try_from(s).unwrap_or(u8::MAX)).map_err(core)).collect()
}

/// A task's segment partial (bytes) from its rows' `value` and `_standing`.
#[pyfunction]
pub(crate) fn _segments_partial<'py>(
    py: Python<'py>,
    value: PyReadonlyArray1<'_, f64>,
    standing: PyReadonlyArray1<'_, i8>,
) -> Fallible<Bound<'py, PyBytes>> {
    let partial = SegmentsPartial::from_columns(&value.values(), &standings(standing)?).map_err(core)?;
    Ok(PyBytes::new(py, &partial.to_bytes()))
}

/// Merges the tasks' segment partials into the class boundaries and at most `buckets`
/// buckets of the order (bytes).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _segments_ranker<'py>(
    py: Python<'py>,
    partials: Vec<Vec<u8>>,
    buckets: i64,
    shares: Vec<f64>,
    by: String,
    window_days: Option<i64>,
    abc_shares: Vec<f64>,
    pyramid_shares: Vec<f64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let config = crate::base::full_segment_config(shares, &by, window_days, abc_shares, pyramid_shares)?;
    let mut all = SegmentsPartial::default();
    for p in &partials {
        all.merge(&SegmentsPartial::from_bytes(p).map_err(core)?);
    }
    let buckets =
        u32::try_from(buckets).ok().filter(|b| (1..=crm_core::distributed::MAX_BUCKETS).contains(b)).ok_or_else(
            || Failure::config("buckets", format!("{buckets} is not in 1..={}", crm_core::distributed::MAX_BUCKETS)),
        )?;
    Ok(PyBytes::new(py, &all.finish(&config, buckets).map_err(core)?.to_bytes()))
}

/// The bucket of each ranked customer's value (the host shuffles ranked rows by it).
#[pyfunction]
pub(crate) fn _segments_bucket<'py>(
    py: Python<'py>,
    ranker: Vec<u8>,
    value: PyReadonlyArray1<'_, f64>,
) -> Fallible<Bound<'py, PyArray1<i32>>> {
    let ranker = SegmentRanker::from_bytes(&ranker).map_err(core)?;
    Ok(PyArray1::from_iter(py, value.values().iter().map(|&v| ranker.bucket(v) as i32)))
}

/// The classes of a task's rows: the ranked rows (standing 2), in the order value
/// descending then id ascending and with whole buckets, are numbered by the ranker; the
/// others are inactive or prospects. A Table of `rank` (1-based, null when not ranked),
/// `segment`, `abc` and `pyramid`.
#[pyfunction]
pub(crate) fn _segments_classify(
    py: Python<'_>,
    ranker: Vec<u8>,
    standing: PyReadonlyArray1<'_, i8>,
    value: PyReadonlyArray1<'_, f64>,
) -> Fallible<Py<crate::table::Table>> {
    use crate::table::label_array;
    let ranker = SegmentRanker::from_bytes(&ranker).map_err(core)?;
    let (standing, value) = (standings(standing)?, value.values());
    if standing.len() != value.len() {
        return Err(Failure::config("value", "one value per standing"));
    }
    let ranked: Vec<f64> =
        value.iter().zip(&standing).filter(|(_, s)| **s == Standing::Ranked).map(|(v, _)| *v).collect();
    let mut ranks = ranker.ranks(&ranked).map_err(core)?.into_iter();
    let n = standing.len();
    let (mut rank, mut segment, mut abc, mut pyramid) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for s in standing {
        match s.unranked_level() {
            Some(level) => {
                rank.push(None);
                segment.push(None);
                abc.push(None);
                pyramid.push(level as usize);
            }
            None => {
                let r = ranks.next().expect("one rank per ranked row");
                let (g, a, p) = ranker.classify(r).map_err(core)?;
                rank.push(Some(r as i64 + 1));
                segment.push(Some(g as usize));
                abc.push(Some(a as usize));
                pyramid.push(p as usize);
            }
        }
    }
    let mut b = crate::table::TableBuilder::new();
    b.opt_i64("rank", rank);
    b.array("segment", label_array(&SEGMENT_LABELS, segment.into_iter()));
    b.array("abc", label_array(&ABC_LABELS, abc.into_iter()));
    b.array("pyramid", label_array(&PYRAMID_LABELS, pyramid.into_iter().map(Some)));
    Ok(Py::new(py, crate::table::Table::new(b.finish()))?)
}

/// Codes of labels (-1 for none) as classes.
fn classes<T: Copy>(codes: &[i8], levels: &[T], field: &str) -> Fallible<Vec<Option<T>>> {
    codes
        .iter()
        .map(|&c| match c {
            -1 => Ok(None),
            c => levels.get(c as usize).copied().map(Some).ok_or_else(|| Failure::config(field, format!("code {c}"))),
        })
        .collect()
}

/// A share of the segment tables: per customer revenue, margin (None without margins),
/// cost to serve, and the codes of segment, ABC class and pyramid level (-1 for none: the
/// order of the labels of `segments()`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _segment_tables_partial<'py>(
    py: Python<'py>,
    revenue: PyReadonlyArray1<'_, f64>,
    margin: Option<PyReadonlyArray1<'_, f64>>,
    cost: PyReadonlyArray1<'_, f64>,
    segment: PyReadonlyArray1<'_, i8>,
    abc: PyReadonlyArray1<'_, i8>,
    pyramid: PyReadonlyArray1<'_, i8>,
) -> Fallible<Bound<'py, PyBytes>> {
    use crm_core::AbcClass;
    let (segment, pyramid) = segment_classes(slice(segment.as_slice())?, slice(pyramid.as_slice())?)?;
    let abc = classes(slice(abc.as_slice())?, &AbcClass::ALL, "abc")?;
    let margin = margin.map(|m| m.values());
    let share = SegmentTablesPartial::from_columns(
        &revenue.values(),
        margin.as_deref(),
        Some(&cost.values()),
        &segment,
        &abc,
        &pyramid,
    )
    .map_err(core)?;
    Ok(PyBytes::new(py, &share.to_bytes()))
}

/// The merged segment tables: (segment_table, abc_table, pyramid_table) as on one machine.
#[pyfunction]
pub(crate) fn _segment_tables(
    py: Python<'_>,
    partials: Vec<Vec<u8>>,
    has_margin: bool,
) -> Fallible<(Py<crate::table::Table>, Py<crate::table::Table>, Py<crate::table::Table>)> {
    let mut all = SegmentTablesPartial::empty(has_margin);
    for p in &partials {
        all.merge(&SegmentTablesPartial::from_bytes(p).map_err(core)?);
    }
    let [s, a, p] = all.finish();
    let table =
        |rows: &[crm_core::SegmentRow]| Py::new(py, crate::table::Table::new(crate::results::segment_table(rows)));
    Ok((table(&s)?, table(&a)?, table(&p)?))
}

fn segment_classes(segment: &[i8], pyramid: &[i8]) -> Fallible<SegmentClasses> {
    use crm_core::{PyramidLevel, ValueSegment};
    let segment = classes(segment, &ValueSegment::ALL, "segment")?;
    let pyramid = classes(pyramid, &PyramidLevel::ALL, "pyramid")?
        .into_iter()
        .map(|p| p.ok_or_else(|| Failure::config("pyramid", "every customer has a pyramid level")))
        .collect::<Fallible<_>>()?;
    Ok((segment, pyramid))
}

/// Value segments (None: not ranked) and pyramid levels of some customers.
type SegmentClasses = (Vec<Option<crm_core::ValueSegment>>, Vec<crm_core::PyramidLevel>);

/// A share of the segment migration from joined segmentations: per customer the codes of
/// its segment and pyramid level at `from_date` and at `to_date` (-1: none), and its value
/// at `to_date`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _segment_migration_partial<'py>(
    py: Python<'py>,
    from_date: &Bound<'py, PyAny>,
    to_date: &Bound<'py, PyAny>,
    from_segment: PyReadonlyArray1<'_, i8>,
    from_pyramid: PyReadonlyArray1<'_, i8>,
    to_segment: PyReadonlyArray1<'_, i8>,
    to_pyramid: PyReadonlyArray1<'_, i8>,
    to_value: PyReadonlyArray1<'_, f64>,
) -> Fallible<Bound<'py, PyBytes>> {
    let (from, to) = (crate::base::to_date(from_date, "from_date")?, crate::base::to_date(to_date, "to_date")?);
    let a = segment_classes(slice(from_segment.as_slice())?, slice(from_pyramid.as_slice())?)?;
    let b = segment_classes(slice(to_segment.as_slice())?, slice(to_pyramid.as_slice())?)?;
    let partial = MigrationPartial::segments(from, to, (&a.0, &a.1), (&b.0, &b.1), &to_value.values()).map_err(core)?;
    Ok(PyBytes::new(py, &partial.to_bytes()))
}

/// Merges shares of the segment migration (none: no customers) into a `Migration`.
#[pyfunction]
pub(crate) fn _segment_migration_finish(
    partials: Vec<Vec<u8>>,
    from_date: &Bound<'_, PyAny>,
    to_date: &Bound<'_, PyAny>,
) -> Fallible<crate::analytics::Migration> {
    let (from, to) = (crate::base::to_date(from_date, "from_date")?, crate::base::to_date(to_date, "to_date")?);
    let mut all = MigrationPartial::empty_segments(from, to).map_err(core)?;
    for p in &partials {
        all.merge(&MigrationPartial::from_bytes(p).map_err(core)?).map_err(core)?;
    }
    Ok(crate::analytics::Migration::new(all.finish()))
}
