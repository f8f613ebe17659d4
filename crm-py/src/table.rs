//! Tables out: a result is an Arrow record batch behind the Arrow PyCapsule interface, so
//! `pyarrow.table(r)`, `polars.DataFrame(r)` and `pandas.DataFrame.from_arrow(r)` take its
//! buffers without copying them.

use crate::errors::Failure;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampSecondType, UInt8Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringViewArray, StructArray,
    TimestampSecondArray,
};
use arrow_buffer::{NullBufferBuilder, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::NaiveDate;
use crm_core::KeyColumn;
use crm_core::time::{date_to_day, day_to_date};
use pyo3::exceptions::{PyImportError, PyKeyError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyIterator, PyList};
use pyo3_arrow::ffi::{ArrayIterator, to_schema_pycapsule, to_stream_pycapsule};
use std::sync::Arc;

/// Collects named columns into a record batch.
#[derive(Debug, Default)]
pub(crate) struct TableBuilder {
    fields: Vec<Field>,
    arrays: Vec<ArrayRef>,
}

impl TableBuilder {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, name: &str, array: ArrayRef) {
        self.fields.push(Field::new(name, array.data_type().clone(), array.null_count() > 0 || is_optional(name)));
        self.arrays.push(array);
    }

    /// External ids: int64 or string as given.
    pub(crate) fn keys(&mut self, name: &str, keys: &KeyColumn) {
        self.push(name, key_array(keys));
    }

    pub(crate) fn i64(&mut self, name: &str, values: Vec<i64>) {
        self.push(name, Arc::new(Int64Array::from(values)));
    }

    pub(crate) fn opt_i64(&mut self, name: &str, values: Vec<Option<i64>>) {
        self.push(name, Arc::new(Int64Array::from(values)));
    }

    pub(crate) fn f64(&mut self, name: &str, values: Vec<f64>) {
        self.push(name, Arc::new(Float64Array::from(values)));
    }

    pub(crate) fn opt_f64(&mut self, name: &str, values: Vec<Option<f64>>) {
        self.push(name, Arc::new(Float64Array::from(values)));
    }

    pub(crate) fn opt_date(&mut self, name: &str, values: Vec<Option<NaiveDate>>) {
        self.push(name, Arc::new(Date32Array::from_iter(values.into_iter().map(|d| d.map(date_to_day)))));
    }

    pub(crate) fn timestamps(&mut self, name: &str, seconds: Vec<i64>) {
        self.push(name, Arc::new(TimestampSecondArray::from(seconds)));
    }

    pub(crate) fn opt_bool(&mut self, name: &str, values: Vec<Option<bool>>) {
        self.push(name, Arc::new(BooleanArray::from(values)));
    }

    pub(crate) fn strs<'a>(&mut self, name: &str, values: impl IntoIterator<Item = &'a str>) {
        self.push(name, Arc::new(StringViewArray::from_iter_values(values)));
    }

    pub(crate) fn opt_strs<'a>(&mut self, name: &str, values: impl IntoIterator<Item = Option<&'a str>>) {
        self.push(name, Arc::new(values.into_iter().collect::<StringViewArray>()));
    }

    /// A column of a few short labels (at most 12 bytes each), given as indices into
    /// `labels`: the string views are written directly, without copying any string.
    pub(crate) fn labels(&mut self, name: &str, labels: &[&str], codes: impl ExactSizeIterator<Item = Option<usize>>) {
        self.push(name, label_array(labels, codes));
    }

    /// A column built elsewhere.
    pub(crate) fn array(&mut self, name: &str, array: ArrayRef) {
        self.push(name, array);
    }

    pub(crate) fn finish(self) -> RecordBatch {
        let schema = Arc::new(Schema::new(self.fields));
        RecordBatch::try_new(schema, self.arrays).expect("columns of one length")
    }
}

/// The Arrow string view of a string of at most 12 bytes (stored inline: length, then the
/// bytes, zero-padded).
fn inline_view(s: &str) -> u128 {
    assert!(s.len() <= 12, "label `{s}` is longer than 12 bytes");
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&(s.len() as u32).to_le_bytes());
    bytes[4..4 + s.len()].copy_from_slice(s.as_bytes());
    u128::from_le_bytes(bytes)
}

/// Columns that may hold nulls even when a given result has none (kept nullable so that
/// schemas do not change with the data).
fn is_optional(name: &str) -> bool {
    matches!(
        name,
        "first_purchase"
            | "last_purchase"
            | "average_purchase"
            | "margin"
            | "recency_days"
            | "tenure_days"
            | "r"
            | "f"
            | "m"
            | "profit"
            | "profit_share"
            | "rank"
            | "segment"
            | "abc"
            | "outcome"
            | "acquisition_date"
            | "rate_from_previous"
            | "low"
            | "high"
            | "median_days"
            | "q1_days"
            | "q3_days"
            | "difference"
            | "difference_low"
            | "difference_high"
            | "z"
            | "p_value"
            | "lift"
            | "roi"
            | "break_even_uplift"
            | "sample_size_needed"
    )
}

/// A result table: Arrow columns behind the Arrow PyCapsule interface.
///
/// `pyarrow.table(t)`, `polars.DataFrame(t)` and `pandas.DataFrame.from_arrow(t)` read it
/// without copying; `to_arrow()`, `to_polars()` and `to_pandas()` do the same for you;
/// `t["revenue"]` is a column as a numpy array; `to_pylist()` / `to_pydict()` give plain
/// Python objects.
#[pyclass(module = "crm", name = "Table", subclass, frozen)]
#[derive(Debug)]
pub struct Table {
    pub(crate) batch: RecordBatch,
}

impl Table {
    pub(crate) fn new(batch: RecordBatch) -> Self {
        Table { batch }
    }

    fn column_index(&self, name: &str) -> PyResult<usize> {
        self.batch
            .schema()
            .index_of(name)
            .map_err(|_| PyKeyError::new_err(format!("no column `{name}`; the columns are {:?}", self.column_names())))
    }

    pub(crate) fn column_names(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// One dict per row of `columns` (the batch's, possibly converted).
    fn rows<'py>(&self, py: Python<'py>, columns: Vec<ArrayRef>) -> PyResult<Bound<'py, PyList>> {
        let names = self.column_names();
        let columns = columns.iter().map(|a| to_pylist(py, a)).collect::<PyResult<Vec<Bound<'py, PyList>>>>()?;
        let rows = PyList::empty(py);
        for r in 0..self.batch.num_rows() {
            let row = PyDict::new(py);
            for (name, col) in names.iter().zip(&columns) {
                row.set_item(name, col.get_item(r)?)?;
            }
            rows.append(row)?;
        }
        Ok(rows)
    }

    /// The text shown by `repr`: a title, the shape and the first rows.
    pub(crate) fn describe(&self, title: &str) -> String {
        let n = self.batch.num_rows();
        let head = self.batch.slice(0, n.min(10));
        let body = arrow_cast::pretty::pretty_format_batches(&[head]).map(|t| t.to_string()).unwrap_or_default();
        let more = if n > 10 { format!("\n... {} more rows", n - 10) } else { String::new() };
        format!("{title}: {n} rows x {} columns\n{body}{more}", self.batch.num_columns())
    }
}

fn import_error(what: &str, extra: &str) -> PyErr {
    PyImportError::new_err(format!("{what} needs {extra}: pip install 'crm-engine[{extra}]'"))
}

/// numpy, or an ImportError that says how to get it (rust-numpy would panic without it).
pub(crate) fn numpy<'py>(py: Python<'py>, what: &str) -> PyResult<Bound<'py, PyModule>> {
    py.import("numpy").map_err(|_| import_error(what, "numpy"))
}

#[pymethods]
impl Table {
    /// Exports the table as an Arrow C stream (the Arrow PyCapsule interface).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyCapsule>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let schema = self.batch.schema();
        let field =
            Arc::new(Field::new_struct("", schema.fields().clone(), false).with_metadata(schema.metadata().clone()));
        let array: ArrayRef = Arc::new(StructArray::from(self.batch.clone()));
        let reader = Box::new(ArrayIterator::new(vec![Ok(array)], field));
        Ok(to_stream_pycapsule(py, reader, requested_schema)?)
    }

    /// Exports the schema as an Arrow C schema (the Arrow PyCapsule interface).
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        Ok(to_schema_pycapsule(py, self.batch.schema().as_ref())?)
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// (rows, columns).
    #[getter]
    fn shape(&self) -> (usize, usize) {
        (self.batch.num_rows(), self.batch.num_columns())
    }

    /// Column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.column_names()
    }

    /// Column name -> Arrow type name.
    #[getter]
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for f in self.batch.schema().fields() {
            d.set_item(f.name(), f.data_type().to_string())?;
        }
        Ok(d)
    }

    /// One column as a numpy array (nulls as NaN / NaT / None; integers with nulls as float).
    fn column<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let i = self.column_index(name)?;
        numpy(py, "Table.column()")?;
        to_numpy(py, self.batch.column(i))
    }

    fn __getitem__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.column(py, name)
    }

    fn __contains__(&self, name: &str) -> bool {
        self.batch.schema().index_of(name).is_ok()
    }

    /// Column name -> list of Python values (int, float, str, datetime.date, None).
    fn to_pydict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (f, a) in self.batch.schema().fields().iter().zip(self.batch.columns()) {
            d.set_item(f.name(), to_pylist(py, a)?)?;
        }
        Ok(d)
    }

    /// One dict per row.
    fn to_pylist<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.rows(py, self.batch.columns().to_vec())
    }

    /// Iterating gives the rows as dicts, a missing number as NaN (pandas' missing value):
    /// what `pandas.DataFrame(t)` reads, on pandas 2 and 3 alike, whose constructor takes
    /// no Arrow stream. pandas then infers the dtypes from the values (`to_pandas()` keeps
    /// the Arrow types, and the columns of a table without rows).
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        let columns = self.batch.columns().iter().map(nan_for_null).collect();
        self.rows(py, columns)?.try_iter()
    }

    /// As a `pyarrow.Table` (needs pyarrow).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let pa = slf.py().import("pyarrow").map_err(|_| import_error("to_arrow()", "pyarrow"))?;
        pa.call_method1("table", (slf,))
    }

    /// As a `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let pl = slf.py().import("polars").map_err(|_| import_error("to_polars()", "polars"))?;
        pl.call_method1("DataFrame", (slf,))
    }

    /// As a `pandas.DataFrame` (needs pandas and pyarrow).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let pd = py.import("pandas").map_err(|_| import_error("to_pandas()", "pandas"))?;
        let frame = pd.getattr("DataFrame")?;
        if frame.hasattr("from_arrow")? {
            return frame.call_method1("from_arrow", (slf,));
        }
        Self::to_arrow(slf)?.call_method0("to_pandas")
    }

    fn __repr__(&self) -> String {
        self.describe("crm.Table")
    }
}

/// An Arrow column as a numpy array.
fn to_numpy<'py>(py: Python<'py>, a: &ArrayRef) -> PyResult<Bound<'py, PyAny>> {
    use numpy::PyArray1;
    let nulls = a.null_count() > 0;
    let as_f64 = |a: &ArrayRef| -> PyResult<Bound<'py, PyAny>> {
        let f = arrow_cast::cast(a, &DataType::Float64).map_err(|e| Failure::Type(e.to_string()))?;
        let f = f.as_primitive::<Float64Type>();
        let v: Vec<f64> = (0..f.len()).map(|i| if f.is_null(i) { f64::NAN } else { f.value(i) }).collect();
        Ok(PyArray1::from_vec(py, v).into_any())
    };
    let ints_as = |values: Vec<i64>, dtype: &str| -> PyResult<Bound<'py, PyAny>> {
        PyArray1::from_vec(py, values).into_any().call_method1("view", (dtype,))
    };
    match a.data_type() {
        DataType::Int64 if !nulls => Ok(PyArray1::from_slice(py, a.as_primitive::<Int64Type>().values()).into_any()),
        DataType::UInt8 if !nulls => Ok(PyArray1::from_slice(py, a.as_primitive::<UInt8Type>().values()).into_any()),
        DataType::Int64 | DataType::UInt8 | DataType::Float64 => as_f64(a),
        DataType::Date32 => {
            let d = a.as_primitive::<Date32Type>();
            let v = (0..d.len()).map(|i| if d.is_null(i) { i64::MIN } else { d.value(i) as i64 }).collect();
            ints_as(v, "datetime64[D]")
        }
        DataType::Timestamp(TimeUnit::Second, _) => {
            let d = a.as_primitive::<TimestampSecondType>();
            let v = (0..d.len()).map(|i| if d.is_null(i) { i64::MIN } else { d.value(i) }).collect();
            ints_as(v, "datetime64[s]")
        }
        DataType::Boolean if !nulls => {
            let v: Vec<bool> = a.as_boolean().values().iter().collect();
            Ok(PyArray1::from_vec(py, v).into_any())
        }
        _ => {
            let np = numpy(py, "Table.column()")?;
            np.call_method1("array", (to_pylist(py, a)?,))?.call_method1("astype", ("object",))
        }
    }
}

/// An Arrow column as a list of Python values.
/// A float column with its nulls as NaN (other columns as they are).
fn nan_for_null(a: &ArrayRef) -> ArrayRef {
    if a.null_count() == 0 || a.data_type() != &DataType::Float64 {
        return a.clone();
    }
    Arc::new(a.as_primitive::<Float64Type>().iter().map(|v| Some(v.unwrap_or(f64::NAN))).collect::<Float64Array>())
}

fn to_pylist<'py>(py: Python<'py>, a: &ArrayRef) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    macro_rules! each {
        ($arr:expr, $conv:expr) => {{
            let arr = $arr;
            for i in 0..arr.len() {
                if arr.is_null(i) {
                    out.append(py.None())?;
                } else {
                    out.append($conv(arr.value(i)))?;
                }
            }
        }};
    }
    match a.data_type() {
        DataType::Int64 => each!(a.as_primitive::<Int64Type>(), |v: i64| v),
        DataType::UInt8 => each!(a.as_primitive::<UInt8Type>(), |v: u8| v),
        DataType::Float64 => each!(a.as_primitive::<Float64Type>(), |v: f64| v),
        DataType::Utf8 => each!(a.as_string::<i32>(), |v: &str| v.to_owned()),
        DataType::Utf8View => each!(a.as_string_view(), |v: &str| v.to_owned()),
        DataType::Boolean => each!(a.as_boolean(), |v: bool| v),
        DataType::Date32 => each!(a.as_primitive::<Date32Type>(), day_to_date),
        DataType::Timestamp(TimeUnit::Second, None) => {
            each!(a.as_primitive::<TimestampSecondType>(), |v: i64| chrono::DateTime::from_timestamp(v, 0)
                .map(|t| t.naive_utc()))
        }
        other => return Err(Failure::Type(format!("cannot convert {other} values to Python")).into()),
    }
    Ok(out)
}

/// Ids as an Arrow array (Int64 or StringView).
pub(crate) fn key_array(keys: &KeyColumn) -> ArrayRef {
    match keys {
        KeyColumn::Int(v) => Arc::new(Int64Array::from(v.clone())),
        KeyColumn::Str(s) => Arc::new(StringViewArray::from_iter_values(s.iter())),
    }
}

/// The column of [`TableBuilder::labels`] (`None` is null).
pub(crate) fn label_array(labels: &[&str], codes: impl ExactSizeIterator<Item = Option<usize>>) -> ArrayRef {
    let label_views: Vec<u128> = labels.iter().map(|l| inline_view(l)).collect();
    let mut nulls = NullBufferBuilder::new(codes.len());
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        match code {
            Some(c) => {
                out.push(label_views[c]);
                nulls.append_non_null();
            }
            None => {
                out.push(0);
                nulls.append_null();
            }
        }
    }
    // The checked constructor would re-validate the UTF-8 of every row (a sixth of a
    // segments call); the views are copies of the few checked above.
    let (views, nulls) = (ScalarBuffer::from(out), nulls.finish());
    debug_assert!(StringViewArray::try_new(views.clone(), Vec::new(), nulls.clone()).is_ok());
    // SAFETY: every view is either zero (null slot, length 0) or one of `label_views`, each an
    // inline view (length <= 12, asserted by `inline_view`) of a `&str`, hence valid UTF-8;
    // no data buffers are referenced; `nulls` has one bit per view.
    Arc::new(unsafe { StringViewArray::new_unchecked(views, Vec::new(), nulls) })
}
