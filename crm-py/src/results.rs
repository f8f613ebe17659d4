//! Result types: the per-customer tables (subclasses of [`Table`]) and small plain results.

use crate::table::{Table, TableBuilder, label_array};
use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, UInt8Array};
use arrow_buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use chrono::NaiveDate;
use crm_core::time::date_to_day;
use crm_core::{LifecycleStage, SegmentRow};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

/// The customer summary as of a date: one row per customer.
///
/// Columns: `customer_id`, `first_purchase`, `last_purchase` (date), `purchases`,
/// `purchases_per_year`, `average_purchase`, `revenue`, `margin`, `recency_days`,
/// `tenure_days`, `r`, `f`, `m` (RFM quintile scores 1-5; null without a purchase).
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct Summary {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    /// Transactions dated after the as-of date (left out of the analysis).
    #[pyo3(get)]
    excluded_after_as_of: usize,
}

impl Summary {
    /// The summary's columns as Arrow arrays: the float and date columns are handed on
    /// without a copy; the nullable ones share one validity mask (`purchases > 0`, see
    /// [`crm_core::Summary`] on the placeholders under it).
    pub(crate) fn batch(ids: ArrayRef, s: crm_core::Summary) -> RecordBatch {
        let crm_core::Summary {
            as_of,
            purchases,
            purchases_per_year,
            revenue,
            margin,
            first_purchase,
            last_purchase,
            rfm,
            ..
        } = s;
        let n = purchases.len();
        let today = date_to_day(as_of);
        let bought = NullBuffer::new(BooleanBuffer::collect_bool(n, |i| purchases[i] > 0));
        let valid = (bought.null_count() > 0).then_some(bought);
        // The derived columns, half on each of two threads. Slots without a purchase hold 0,
        // as Arrow builders write under a null.
        let (p, last, first) = (&purchases, &last_purchase, &first_purchase);
        let since = |days: &[i32]| -> Vec<i64> {
            p.iter().zip(days).map(|(&k, &d)| if k > 0 { (today - d) as i64 } else { 0 }).collect()
        };
        let counts_and_days = || {
            let counts: Vec<i64> = p.iter().map(|&k| k as i64).collect();
            let average: Vec<f64> =
                p.iter().zip(&revenue).map(|(&k, &r)| if k > 0 { r / k as f64 } else { 0.0 }).collect();
            (counts, average, since(last), since(first))
        };
        let scores = || {
            let score = |pick: fn(&crm_core::Rfm) -> u8| rfm.iter().map(pick).collect::<Vec<u8>>();
            (score(|x| x.r), score(|x| x.f), score(|x| x.m))
        };
        let ((counts, average, recency, tenure), (r, f, m)) = side_by_side(counts_and_days, scores);
        drop(rfm);
        let f64s = |v: Vec<f64>, nulls: Option<NullBuffer>| Arc::new(Float64Array::new(ScalarBuffer::from(v), nulls));
        let i64s = |v: Vec<i64>| Arc::new(Int64Array::new(ScalarBuffer::from(v), valid.clone()));
        let u8s = |v: Vec<u8>| Arc::new(UInt8Array::new(ScalarBuffer::from(v), valid.clone()));
        let dates = |v: Vec<i32>| Arc::new(Date32Array::new(ScalarBuffer::from(v), valid.clone()));
        let mut b = TableBuilder::new();
        b.array("customer_id", ids);
        b.array("first_purchase", dates(first_purchase));
        b.array("last_purchase", dates(last_purchase));
        b.i64("purchases", counts);
        b.f64("purchases_per_year", purchases_per_year);
        b.array("average_purchase", f64s(average, valid.clone()));
        b.f64("revenue", revenue);
        b.array("margin", margin.map_or_else(|| Arc::new(Float64Array::new_null(n)), |m| f64s(m, None)));
        b.array("recency_days", i64s(recency));
        b.array("tenure_days", i64s(tenure));
        b.array("r", u8s(r));
        b.array("f", u8s(f));
        b.array("m", u8s(m));
        b.finish()
    }

    pub(crate) fn create(py: Python<'_>, batch: RecordBatch, as_of: NaiveDate, excluded: usize) -> PyResult<Py<Self>> {
        let init =
            PyClassInitializer::from(Table::new(batch)).add_subclass(Summary { as_of, excluded_after_as_of: excluded });
        Py::new(py, init)
    }
}

#[pymethods]
impl Summary {
    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let s = slf.get();
        slf.as_super()
            .get()
            .describe(&format!("crm.Summary(as_of={}, excluded_after_as_of={})", s.as_of, s.excluded_after_as_of))
    }
}

/// Lifecycle stages as of a date: `customer_id`, `stage` (prospect, new, starter, active,
/// declining, lost, reactivated, won_back), and `counts` per stage.
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct Lifecycle {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    counts: [usize; 8],
}

impl Lifecycle {
    pub(crate) fn batch(ids: ArrayRef, l: &crm_core::Lifecycle) -> RecordBatch {
        let mut b = TableBuilder::new();
        b.array("customer_id", ids);
        let names: Vec<&str> = LifecycleStage::ALL.iter().map(|s| s.name()).collect();
        b.labels("stage", &names, l.stages.iter().map(|s| Some(*s as usize)));
        b.finish()
    }

    pub(crate) fn create(py: Python<'_>, batch: RecordBatch, l: &crm_core::Lifecycle) -> PyResult<Py<Self>> {
        let init =
            PyClassInitializer::from(Table::new(batch)).add_subclass(Lifecycle { as_of: l.as_of, counts: l.counts });
        Py::new(py, init)
    }
}

#[pymethods]
impl Lifecycle {
    /// Customers per stage, every stage in lifecycle order (prospect ... won_back).
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for s in LifecycleStage::ALL {
            d.set_item(s.name(), self.counts[s as usize])?;
        }
        Ok(d)
    }

    /// The stage names in lifecycle order.
    #[classattr]
    fn stages() -> Vec<&'static str> {
        LifecycleStage::ALL.iter().map(|s| s.name()).collect()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let l = slf.get();
        let counts: Vec<String> =
            LifecycleStage::ALL.iter().map(|s| format!("{}={}", s.name(), l.counts[*s as usize])).collect();
        slf.as_super().get().describe(&format!("crm.Lifecycle(as_of={}, {})", l.as_of, counts.join(", ")))
    }
}

/// Value segments as of a date: one row per customer (`customer_id`, `value`, `revenue`,
/// `profit`, `rank` (1 = most valuable; null when not ranked), `segment` (top, middle,
/// bottom), `abc` (A, B, C), `pyramid` (top, large, medium, small, inactive, prospect)),
/// and the tables `segment_table`, `abc_table`, `pyramid_table`.
#[pyclass(module = "crm", extends = Table, frozen)]
#[derive(Debug)]
pub struct Segments {
    /// The as-of date.
    #[pyo3(get)]
    as_of: NaiveDate,
    /// What ranked the customers (revenue, margin or profit).
    #[pyo3(get)]
    by: String,
    /// Shares of top, middle and bottom.
    #[pyo3(get)]
    shares: (f64, f64, f64),
    /// The value window in days (None: all history).
    #[pyo3(get)]
    window_days: Option<u32>,
    /// Top, middle, bottom: customers, revenue, margin, cost to serve, profit and shares.
    #[pyo3(get)]
    segment_table: Py<Table>,
    /// A, B, C classes.
    #[pyo3(get)]
    abc_table: Py<Table>,
    /// Top, large, medium, small, inactive, prospect.
    #[pyo3(get)]
    pyramid_table: Py<Table>,
}

/// The record batches of a segmentation: per customer, and the three segment tables.
#[derive(Debug)]
pub(crate) struct SegmentBatches {
    customers: RecordBatch,
    segment_table: RecordBatch,
    abc_table: RecordBatch,
    pyramid_table: RecordBatch,
    as_of: NaiveDate,
    config: crm_core::SegmentConfig,
}

impl Segments {
    pub(crate) fn batches(ids: ArrayRef, s: crm_core::Segments) -> SegmentBatches {
        let mut b = TableBuilder::new();
        b.array("customer_id", ids);
        let n = s.rank.len();
        b.f64("value", s.value);
        b.f64("revenue", s.revenue);
        match s.profit {
            Some(p) => b.f64("profit", p),
            None => b.array("profit", Arc::new(Float64Array::new_null(n))),
        }
        // The four derived columns, two on another thread.
        let ((rank, segment), (abc, pyramid)) = side_by_side(
            || {
                let rank: Int64Array = s.rank.iter().map(|r| r.map(|r| r as i64 + 1)).collect();
                (rank, label_array(&["top", "middle", "bottom"], s.segment.iter().map(|x| x.map(|v| v as usize))))
            },
            || {
                (
                    label_array(&["A", "B", "C"], s.abc.iter().map(|x| x.map(|v| v as usize))),
                    label_array(
                        &["top", "large", "medium", "small", "inactive", "prospect"],
                        s.pyramid.iter().map(|p| Some(*p as usize)),
                    ),
                )
            },
        );
        b.array("rank", Arc::new(rank));
        b.array("segment", segment);
        b.array("abc", abc);
        b.array("pyramid", pyramid);
        SegmentBatches {
            customers: b.finish(),
            segment_table: segment_table(&s.segment_table),
            abc_table: segment_table(&s.abc_table),
            pyramid_table: segment_table(&s.pyramid_table),
            as_of: s.as_of,
            config: s.config,
        }
    }

    pub(crate) fn create(py: Python<'_>, b: SegmentBatches) -> PyResult<Py<Self>> {
        let by = match b.config.measure {
            crm_core::ValueMeasure::Revenue => "revenue",
            crm_core::ValueMeasure::Margin => "margin",
            crm_core::ValueMeasure::Profit => "profit",
        };
        let [top, middle, bottom] = b.config.shares;
        let init = PyClassInitializer::from(Table::new(b.customers)).add_subclass(Segments {
            as_of: b.as_of,
            by: by.to_owned(),
            shares: (top, middle, bottom),
            window_days: b.config.window_days,
            segment_table: Py::new(py, Table::new(b.segment_table))?,
            abc_table: Py::new(py, Table::new(b.abc_table))?,
            pyramid_table: Py::new(py, Table::new(b.pyramid_table))?,
        });
        Py::new(py, init)
    }
}

pub(crate) fn segment_table(rows: &[SegmentRow]) -> RecordBatch {
    let mut b = TableBuilder::new();
    b.strs("segment", rows.iter().map(|r| r.segment.as_str()));
    b.i64("customers", rows.iter().map(|r| r.customers as i64).collect());
    b.f64("customer_share", rows.iter().map(|r| r.customer_share).collect());
    b.f64("revenue", rows.iter().map(|r| r.revenue).collect());
    b.f64("revenue_share", rows.iter().map(|r| r.revenue_share).collect());
    b.opt_f64("margin", rows.iter().map(|r| r.margin).collect());
    b.f64("cost_to_serve", rows.iter().map(|r| r.cost_to_serve).collect());
    b.opt_f64("profit", rows.iter().map(|r| r.profit).collect());
    b.opt_f64("profit_share", rows.iter().map(|r| r.profit_share).collect());
    b.i64("negative_profit_customers", rows.iter().map(|r| r.negative_profit_customers as i64).collect());
    b.finish()
}

#[pymethods]
impl Segments {
    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let s = slf.get();
        let window = s.window_days.map_or("None".to_owned(), |w| w.to_string());
        let mut text = slf.as_super().get().describe(&format!(
            "crm.Segments(as_of={}, by={:?}, shares={:?}, window_days={window})",
            s.as_of, s.by, s.shares
        ));
        text.push_str("\nsegment_table:\n");
        text.push_str(&s.segment_table.get().describe("crm.Table"));
        text
    }
}

/// One bad value in a CSV file.
#[pyclass(module = "crm", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct CsvProblem {
    /// Line in the file, 1-based; the header is line 1.
    #[pyo3(get)]
    line: u64,
    /// Column name as written in the header (None when the line itself is malformed).
    #[pyo3(get)]
    column: Option<String>,
    /// What was wrong.
    #[pyo3(get)]
    message: String,
}

impl From<crm_core::CsvProblem> for CsvProblem {
    fn from(p: crm_core::CsvProblem) -> Self {
        CsvProblem { line: p.line, column: Some(p.column).filter(|c| !c.is_empty()), message: p.message }
    }
}

#[pymethods]
impl CsvProblem {
    fn __repr__(&self) -> String {
        let column = self.column.as_ref().map_or("None".to_owned(), |c| format!("{c:?}"));
        format!("CsvProblem(line={}, column={column}, message={:?})", self.line, self.message)
    }

    fn __str__(&self) -> String {
        match &self.column {
            Some(c) => format!("line {}, column `{c}`: {}", self.line, self.message),
            None => format!("line {}: {}", self.line, self.message),
        }
    }
}

/// What reading a CSV file did: rows read, loaded, rejected (with `on_error="skip"`), and
/// the problems found.
#[pyclass(module = "crm", frozen)]
#[derive(Debug, Clone)]
pub struct CsvReport {
    /// The file.
    #[pyo3(get)]
    path: String,
    /// Data rows in the file.
    #[pyo3(get)]
    rows_read: usize,
    /// Rows loaded.
    #[pyo3(get)]
    rows_loaded: usize,
    /// Rows rejected.
    #[pyo3(get)]
    rows_rejected: usize,
    problems: Vec<CsvProblem>,
    /// Every problem counted (`problems` keeps the first 100).
    #[pyo3(get)]
    problems_total: usize,
    /// Rows without a customer id (counted, not loaded).
    #[pyo3(get)]
    anonymous_rows: usize,
    /// Their net revenue.
    #[pyo3(get)]
    anonymous_revenue: f64,
    /// Their lines (1-based, header on line 1).
    #[pyo3(get)]
    anonymous_lines: Vec<u64>,
    /// Return rows of customers (loaded with negative amounts).
    #[pyo3(get)]
    return_rows: usize,
    /// Distinct return orders of customers.
    #[pyo3(get)]
    return_orders: usize,
    /// Value of customers' returns (positive).
    #[pyo3(get)]
    return_value: f64,
    /// Return rows among anonymous rows.
    #[pyo3(get)]
    anonymous_return_rows: usize,
    /// The last day with a positive sale (the natural as-of date).
    #[pyo3(get)]
    last_sale: Option<NaiveDate>,
    /// What was found about the format: delimiter, decimal, encoding, date_format, day_first.
    #[pyo3(get)]
    detected: std::collections::BTreeMap<String, String>,
}

impl CsvReport {
    pub(crate) fn new(path: String, r: crm_core::ingest::CsvReport) -> Self {
        CsvReport {
            path,
            rows_read: r.rows_read,
            rows_loaded: r.rows_loaded,
            rows_rejected: r.rows_rejected,
            problems: r.problems.into_iter().map(CsvProblem::from).collect(),
            problems_total: r.problems_total,
            anonymous_rows: r.anonymous.rows,
            anonymous_revenue: r.anonymous.revenue,
            anonymous_lines: r.anonymous.lines,
            return_rows: r.returns.customers.rows,
            return_orders: r.returns.customers.orders,
            return_value: r.returns.customers.value,
            anonymous_return_rows: r.returns.anonymous.rows,
            last_sale: r.last_sale,
            detected: [
                ("delimiter", r.detected.delimiter.to_string()),
                ("decimal", r.detected.decimal.to_string()),
                ("encoding", r.detected.encoding),
                ("date_format", r.detected.date_format),
                ("day_first", r.detected.day_first.map_or(String::new(), |d| d.to_string())),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        }
    }
}

#[pymethods]
impl CsvReport {
    /// The problems found (at most 100; `problems_total` counts all).
    #[getter]
    fn problems(&self) -> Vec<CsvProblem> {
        self.problems.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "CsvReport(path={:?}, rows_read={}, rows_loaded={}, rows_rejected={}, problems_total={})",
            self.path, self.rows_read, self.rows_loaded, self.rows_rejected, self.problems_total
        )
    }
}

/// Runs `a` and `b` side by side on the engine's threads (for large results: converting
/// columns); both results.
pub(crate) fn side_by_side<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    crm_core::join(a, b)
}
