//! Tables in: any Arrow-compatible table (the Arrow PyCapsule interface) or a dict of numpy
//! arrays, read into the core's columns.
//!
//! Importing holds the GIL (the producer may call into Python); decoding the columns is
//! plain Rust on Arrow arrays and runs without it. Every bad value is reported with the
//! table, the 0-based row and the caller's column name.

use crate::errors::{Failure, Fallible, Names};
use crate::sources::{Source, parquet_reader, source};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float64Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatchReader, StringArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, TimeUnit};
use chrono::NaiveDate;
use crm_core::time::{
    MAX_TIMESTAMP, MIN_TIMESTAMP, SECONDS_PER_DAY, day_of, day_to_date, out_of_range, parse_timestamp,
};
use crm_core::{KeyColumn, StrColumn};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use pyo3_arrow::input::AnyRecordBatch;
use std::sync::Arc;

/// One column of an imported table, as the chunks it came in.
#[derive(Debug)]
pub(crate) struct InColumn {
    pub name: String,
    pub data_type: DataType,
    pub chunks: Vec<ArrayRef>,
}

/// An imported table.
#[derive(Debug)]
pub(crate) struct InTable {
    /// What the table is (`transactions`, `customers`, `interactions`), for messages.
    pub what: &'static str,
    pub columns: Vec<InColumn>,
    pub rows: usize,
}

impl InTable {
    /// The column with this name. A name the table has twice is an error: which one was
    /// meant cannot be told.
    pub(crate) fn column(&self, name: &str) -> Fallible<&InColumn> {
        self.find(name)?.ok_or_else(|| Failure::ColumnNotFound {
            table: self.what,
            column: name.to_owned(),
            available: self.columns.iter().map(|c| c.name.clone()).collect(),
        })
    }

    /// The column with this name, when the table has it (twice is an error, as in
    /// [`Self::column`]).
    pub(crate) fn find(&self, name: &str) -> Fallible<Option<&InColumn>> {
        let mut found = self.columns.iter().filter(|c| c.name == name);
        let first = found.next();
        if found.next().is_some() {
            return Err(Failure::input(
                self.what,
                None,
                name,
                format!("the table has two or more columns named `{name}`: rename or drop the extra ones"),
            ));
        }
        Ok(first)
    }
}

/// Reads every batch of an Arrow stream into the table's columns.
fn read_batches(reader: impl RecordBatchReader, what: &'static str) -> Fallible<InTable> {
    let schema = reader.schema();
    let mut columns: Vec<InColumn> = schema
        .fields()
        .iter()
        .map(|f| InColumn { name: f.name().clone(), data_type: f.data_type().clone(), chunks: Vec::new() })
        .collect();
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|e| Failure::Type(format!("{what}: could not read the Arrow stream: {e}")))?;
        rows += batch.num_rows();
        for (c, array) in columns.iter_mut().zip(batch.columns()) {
            c.chunks.push(array.clone());
        }
    }
    Ok(InTable { what, columns, rows })
}

/// Imports a table-like object: anything with `__arrow_c_stream__` or `__arrow_c_array__`
/// (pyarrow, polars, pandas >= 2.2, duckdb, ...), a polars `LazyFrame` (collected), a
/// pyarrow `Dataset` (read), the path of a Parquet file, or a dict of array-likes (numpy
/// arrays, lists, pandas Series). Anything else is a `TypeError` naming the argument.
pub(crate) fn import_table(obj: &Bound<'_, PyAny>, what: &'static str) -> Fallible<InTable> {
    let py = obj.py();
    let obj = match source(obj, what)? {
        Source::Parquet(path) => {
            return py.detach(|| read_batches(parquet_reader(&path)?, what));
        }
        Source::Table(table) => table,
    };
    if obj.hasattr("__arrow_c_stream__")? || obj.hasattr("__arrow_c_array__")? {
        let input: AnyRecordBatch = obj.extract()?;
        return read_batches(input.into_reader()?, what);
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut columns: Vec<InColumn> = Vec::with_capacity(dict.len());
        let mut rows = None;
        for (k, v) in dict.iter() {
            let name: String = k.extract().map_err(|_| Failure::Type(format!("{what}: dict keys must be strings")))?;
            let array = numpy_to_arrow(py, &v, what, &name)?;
            match rows {
                None => rows = Some(array.len()),
                Some(n) if n != array.len() => {
                    // The core's kind (LengthMismatchError, code 4), as the C face.
                    let reference = columns[0].name.clone();
                    let mut names = Names::default();
                    names.add(&name, what, &name);
                    names.add(&reference, what, &reference);
                    let e =
                        crm_core::Error::LengthMismatch { column: name, reference, expected: n, actual: array.len() };
                    return Err(Failure::Core(e, names));
                }
                _ => {}
            }
            columns.push(InColumn { name, data_type: array.data_type().clone(), chunks: vec![array] });
        }
        return Ok(InTable { what, columns, rows: rows.unwrap_or(0) });
    }
    let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(Failure::Type(format!(
        "`{what}`: expected an Arrow-compatible table (an object with __arrow_c_stream__ such as \
         a pyarrow.Table, polars.DataFrame or pandas.DataFrame), a polars.LazyFrame, a \
         pyarrow.dataset.Dataset, the path of a Parquet file or a dict of numpy arrays, got {type_name}"
    )))
}

/// A numpy array (or anything `numpy.asarray` takes) as an Arrow array.
fn numpy_to_arrow(py: Python<'_>, value: &Bound<'_, PyAny>, what: &'static str, name: &str) -> Fallible<ArrayRef> {
    let np = crate::table::numpy(py, "a dict of columns")?;
    let mut arr = np.call_method1("asarray", (value,))?;
    if arr.getattr("ndim")?.extract::<usize>()? != 1 {
        return Err(Failure::Type(format!("{what}: column `{name}` must be one-dimensional")));
    }
    let mut kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    let object = kind == "O";
    if object {
        // Object arrays: decide by the first non-None element.
        let items = arr.call_method0("tolist")?;
        let first = items.try_iter()?.find(|x| x.as_ref().map_or(true, |x| !x.is_none()));
        kind = match first {
            Some(x) => {
                let x = x?;
                let datetime = py.import("datetime")?;
                if x.is_instance_of::<PyString>() {
                    "U".into()
                } else if x.is_instance(&datetime.getattr("date")?)? {
                    arr = naive_utc(py, &arr)?.call_method1("astype", ("datetime64[s]",))?;
                    "M".into()
                } else if x.is_instance_of::<PyBool>() {
                    "b".into()
                } else if x.is_instance_of::<PyInt>() {
                    "i".into()
                } else if x.is_instance_of::<PyFloat>() {
                    "f".into()
                } else {
                    let t = x.get_type().name()?.to_string();
                    return Err(Failure::Type(format!(
                        "{what}: column `{name}` holds {t} objects, which crm cannot read"
                    )));
                }
            }
            None => "U".into(),
        };
        // Every value must be of the first one's kind: "1" and 1 are different ids.
        let datetime = py.import("datetime")?;
        let date = datetime.getattr("date")?;
        let items = arr.call_method0("tolist")?;
        for (row, x) in items.try_iter()?.enumerate() {
            let x = x?;
            let same = x.is_none()
                || match kind.as_str() {
                    "U" => x.is_instance_of::<PyString>(),
                    "M" => x.is_instance(&date)?,
                    "b" => x.is_instance_of::<PyBool>(),
                    "i" => x.is_instance_of::<PyInt>() && !x.is_instance_of::<PyBool>(),
                    _ => {
                        (x.is_instance_of::<PyFloat>() || x.is_instance_of::<PyInt>()) && !x.is_instance_of::<PyBool>()
                    }
                };
            if !same {
                let t = x.get_type().name()?.to_string();
                let first = match kind.as_str() {
                    "U" => "strings",
                    "M" => "dates",
                    "b" => "booleans",
                    "i" => "integers",
                    _ => "numbers",
                };
                return Err(Failure::input(
                    what,
                    Some(row),
                    name,
                    format!("holds {first} and a {t} ({x}): mixed kinds"),
                ));
            }
        }
    }
    if object {
        // Element-wise, so that None becomes a null.
        let items = arr.call_method0("tolist")?;
        let array: Option<ArrayRef> = match kind.as_str() {
            "b" => Some(Arc::new(BooleanArray::from(items.extract::<Vec<Option<bool>>>()?))),
            "i" => Some(Arc::new(Int64Array::from(items.extract::<Vec<Option<i64>>>()?))),
            "f" => Some(Arc::new(Float64Array::from(items.extract::<Vec<Option<f64>>>()?))),
            _ => None,
        };
        if let Some(a) = array {
            return Ok(a);
        }
    }
    let array: ArrayRef = match kind.as_str() {
        "i" | "u" => {
            if kind == "u" && arr.len()? > 0 && arr.call_method0("max")?.gt(i64::MAX)? {
                return Err(Failure::input(what, None, name, "holds integers above 2^63 - 1, which crm cannot read"));
            }
            let a = arr.call_method("astype", ("int64",), Some(&no_copy(py)?))?;
            let a: PyReadonlyArray1<'_, i64> = a.extract()?;
            Arc::new(Int64Array::from(a.as_slice().map_err(PyErr::from)?.to_vec()))
        }
        "f" => {
            let a = arr.call_method("astype", ("float64",), Some(&no_copy(py)?))?;
            let a: PyReadonlyArray1<'_, f64> = a.extract()?;
            Arc::new(Float64Array::from(a.as_slice().map_err(PyErr::from)?.to_vec()))
        }
        "b" => {
            let a: Vec<bool> = arr.call_method0("tolist")?.extract()?;
            Arc::new(BooleanArray::from(a))
        }
        "M" => {
            // Seconds to nanoseconds are kept in their unit (the reader divides); coarser or
            // multiple units (days, minutes, 5s, ...) are cast to seconds by numpy.
            let (unit, count): (String, i64) = np.call_method1("datetime_data", (arr.getattr("dtype")?,))?.extract()?;
            let a = arr.call_method1("view", ("int64",))?;
            let a: PyReadonlyArray1<'_, i64> = a.extract()?;
            let mut values = a.as_slice().map_err(PyErr::from)?.to_vec();
            let unit = match (unit.as_str(), count) {
                ("s", 1) => TimeUnit::Second,
                ("ms", 1) => TimeUnit::Millisecond,
                ("us", 1) => TimeUnit::Microsecond,
                ("ns", 1) => TimeUnit::Nanosecond,
                (unit, count) => {
                    // numpy's casts wrap silently: coarser units are scaled here, checked.
                    let out_of_range = |row: usize, v: i64| {
                        Failure::input(
                            what,
                            Some(row),
                            name,
                            format!("{v} x {count}{unit} is outside the supported dates"),
                        )
                    };
                    let seconds_per_unit = match unit {
                        "W" => 7 * 86_400,
                        "D" => 86_400,
                        "h" => 3_600,
                        "m" => 60,
                        "s" => 1,
                        // Years and months: beyond a million of either no date is supported.
                        "Y" | "M" => {
                            if let Some(row) = values.iter().position(|&v| {
                                v != i64::MIN && v.checked_mul(count).is_none_or(|x| x.abs() > 1_000_000)
                            }) {
                                return Err(out_of_range(row, values[row]));
                            }
                            0
                        }
                        _ => 0,
                    };
                    if seconds_per_unit == 0 {
                        arr = arr.call_method1("astype", ("datetime64[s]",))?;
                        let a = arr.call_method1("view", ("int64",))?;
                        values = a.extract::<PyReadonlyArray1<'_, i64>>()?.as_slice().map_err(PyErr::from)?.to_vec();
                    } else {
                        let scale = count.saturating_mul(seconds_per_unit);
                        let scaled: Option<Vec<i64>> = values
                            .iter()
                            .map(|&v| if v == i64::MIN { Some(v) } else { v.checked_mul(scale) })
                            .collect();
                        match scaled {
                            Some(s) => values = s,
                            None => {
                                let row = values.iter().position(|&v| v != i64::MIN && v.checked_mul(scale).is_none());
                                let row = row.expect("one overflows");
                                return Err(out_of_range(row, values[row]));
                            }
                        }
                    }
                    TimeUnit::Second
                }
            };
            // NaT is i64::MIN: a null.
            let nulls =
                values.contains(&i64::MIN).then(|| NullBuffer::from_iter(values.iter().map(|&v| v != i64::MIN)));
            let values = ScalarBuffer::from(values);
            match unit {
                TimeUnit::Second => Arc::new(TimestampSecondArray::new(values, nulls)),
                TimeUnit::Millisecond => Arc::new(TimestampMillisecondArray::new(values, nulls)),
                TimeUnit::Microsecond => Arc::new(TimestampMicrosecondArray::new(values, nulls)),
                TimeUnit::Nanosecond => Arc::new(TimestampNanosecondArray::new(values, nulls)),
            }
        }
        "U" | "S" | "O" => {
            let items = arr.call_method0("tolist")?;
            let mut values: Vec<Option<String>> = Vec::with_capacity(arr.len()?);
            for x in items.try_iter()? {
                let x = x?;
                values.push(if x.is_none() {
                    None
                } else if let Some(b) = x.extract::<Vec<u8>>().ok().filter(|_| kind == "S") {
                    let row = values.len();
                    Some(
                        String::from_utf8(b)
                            .map_err(|e| Failure::input(what, Some(row), name, format!("bytes are not UTF-8 ({e})")))?,
                    )
                } else {
                    Some(x.str()?.to_string())
                });
            }
            Arc::new(StringArray::from(values))
        }
        other => {
            let dtype = arr.getattr("dtype")?.str()?.to_string();
            return Err(Failure::Type(format!(
                "{what}: column `{name}` has numpy dtype {dtype} (kind `{other}`), which crm cannot read"
            )));
        }
    };
    Ok(array)
}

/// An object array of dates and datetimes with the zoned datetimes as naive UTC ones (the
/// one rule for zoned times, see [`seconds`]); numpy would only warn about the zones.
fn naive_utc<'py>(py: Python<'py>, arr: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
    let items = arr.call_method0("tolist")?;
    let list = PyList::empty(py);
    for x in items.try_iter()? {
        let x = x?;
        let zoned = x.hasattr("tzinfo")? && !x.call_method0("utcoffset")?.is_none();
        let kwargs = PyDict::new(py);
        kwargs.set_item("tzinfo", py.None())?;
        list.append(if zoned {
            x.call_method1("astimezone", (&utc,))?.call_method("replace", (), Some(&kwargs))?
        } else {
            x
        })?;
    }
    crate::table::numpy(py, "a dict of columns")?.call_method1("array", (list, "object"))
}

/// `copy=False` for numpy's `astype`: no copy when the dtype already matches.
fn no_copy(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("copy", false)?;
    Ok(kwargs)
}

fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

fn is_numeric(t: &DataType) -> bool {
    is_integer(t)
        || matches!(
            t,
            DataType::Float16
                | DataType::Float32
                | DataType::Float64
                | DataType::Decimal32(..)
                | DataType::Decimal64(..)
                | DataType::Decimal128(..)
                | DataType::Decimal256(..)
        )
}

fn is_string(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_string(v),
        _ => false,
    }
}

fn is_temporal(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(..))
}

const STRICT: CastOptions<'static> =
    CastOptions { safe: false, format_options: arrow_cast::display::FormatOptions::new() };

fn cast_failure(col: &InColumn, what: &'static str, e: impl std::fmt::Display) -> Failure {
    Failure::input(what, None, &col.name, format!("cannot read {} values: {e}", col.data_type))
}

/// The first null row of a chunk, if any.
fn first_null(a: &dyn Array) -> Option<usize> {
    if a.null_count() == 0 { None } else { (0..a.len()).find(|&i| a.is_null(i)) }
}

fn null_failure(what: &'static str, row: usize, col: &InColumn, thing: &str) -> Failure {
    Failure::input(what, Some(row), &col.name, format!("missing {thing} (null)"))
}

/// Calls `f(row, value)` for every string of a string column (nulls as `None`).
fn for_each_str(
    col: &InColumn,
    what: &'static str,
    mut f: impl FnMut(usize, Option<&str>) -> Fallible<()>,
) -> Fallible<()> {
    let mut offset = 0;
    for chunk in &col.chunks {
        let owned;
        let chunk: &dyn Array = if matches!(chunk.data_type(), DataType::Dictionary(..)) {
            owned = arrow_cast::cast(chunk, &DataType::LargeUtf8).map_err(|e| cast_failure(col, what, e))?;
            owned.as_ref()
        } else {
            chunk.as_ref()
        };
        macro_rules! each {
            ($arr:expr) => {{
                let a = $arr;
                for i in 0..a.len() {
                    f(offset + i, if a.is_null(i) { None } else { Some(a.value(i)) })?;
                }
            }};
        }
        match chunk.data_type() {
            DataType::Utf8 => each!(chunk.as_string::<i32>()),
            DataType::LargeUtf8 => each!(chunk.as_string::<i64>()),
            DataType::Utf8View => each!(chunk.as_string_view()),
            other => return Err(Failure::input(what, None, &col.name, format!("{other} is not a string column"))),
        }
        offset += chunk.len();
    }
    Ok(())
}

/// A column of ids (customer, product, order): integers or strings, no nulls.
pub(crate) fn keys(col: &InColumn, what: &'static str, thing: &str) -> Fallible<KeyColumn> {
    if is_integer(&col.data_type) {
        let mut out = Vec::with_capacity(col.chunks.iter().map(|c| c.len()).sum());
        let mut offset = 0;
        for chunk in &col.chunks {
            if let Some(r) = first_null(chunk.as_ref()) {
                return Err(null_failure(what, offset + r, col, thing));
            }
            if chunk.data_type() == &DataType::Int64 {
                out.extend_from_slice(chunk.as_primitive::<Int64Type>().values());
            } else {
                let a = cast_with_options(chunk, &DataType::Int64, &STRICT).map_err(|e| cast_failure(col, what, e))?;
                out.extend_from_slice(a.as_primitive::<Int64Type>().values());
            }
            offset += chunk.len();
        }
        Ok(KeyColumn::Int(out))
    } else if matches!(col.data_type, DataType::Float16 | DataType::Float32 | DataType::Float64) {
        // Integer ids that blanks made floats (pandas): every value must be a whole number.
        let mut out = Vec::with_capacity(col.chunks.iter().map(|c| c.len()).sum());
        for chunk in &col.chunks {
            if let Some(r) = first_null(chunk.as_ref()) {
                return Err(null_failure(what, out.len() + r, col, thing));
            }
            let a = cast_with_options(chunk, &DataType::Float64, &STRICT).map_err(|e| cast_failure(col, what, e))?;
            for &v in a.as_primitive::<Float64Type>().values() {
                // i64 holds every whole float in [-2^63, 2^63).
                const LIMIT: f64 = (1u64 << 63) as f64;
                if v.fract() != 0.0 || !(-LIMIT..LIMIT).contains(&v) {
                    let m = format!("{thing} {v} is not a whole number (float ids must be integral)");
                    return Err(Failure::input(what, Some(out.len()), &col.name, m));
                }
                out.push(v as i64);
            }
        }
        Ok(KeyColumn::Int(out))
    } else if is_string(&col.data_type) {
        let bytes: usize = col.chunks.iter().map(|c| c.get_buffer_memory_size()).sum();
        let mut out = StrColumn::with_capacity(col.chunks.iter().map(|c| c.len()).sum(), bytes);
        for_each_str(col, what, |row, v| match v {
            Some(s) => {
                out.push(s);
                Ok(())
            }
            None => Err(null_failure(what, row, col, thing)),
        })?;
        Ok(KeyColumn::Str(out))
    } else {
        Err(Failure::input(
            what,
            None,
            &col.name,
            format!("{thing}s must be integers or strings, not {}", col.data_type),
        ))
    }
}

/// A column of finite numbers, no nulls.
pub(crate) fn numbers(col: &InColumn, what: &'static str) -> Fallible<Vec<f64>> {
    if col.data_type == DataType::Float64 && col.chunks.iter().all(|c| c.null_count() == 0) {
        // The common case, in one copy.
        let mut out = Vec::with_capacity(col.chunks.iter().map(|c| c.len()).sum());
        for chunk in &col.chunks {
            out.extend_from_slice(chunk.as_primitive::<Float64Type>().values());
        }
        if !out.iter().all(|v| v.is_finite()) {
            let row = out.iter().position(|v| !v.is_finite()).expect("a non-finite value");
            return Err(Failure::input(what, Some(row), &col.name, format!("{} is not a finite number", out[row])));
        }
        return Ok(out);
    }
    let values = optional_numbers(col, what)?;
    let mut out = Vec::with_capacity(values.len());
    for (row, v) in values.into_iter().enumerate() {
        match v {
            Some(x) => out.push(x),
            None => return Err(null_failure(what, row, col, "value")),
        }
    }
    Ok(out)
}

/// A column of finite numbers; nulls as `None`.
pub(crate) fn optional_numbers(col: &InColumn, what: &'static str) -> Fallible<Vec<Option<f64>>> {
    if !is_numeric(&col.data_type) {
        return Err(Failure::input(what, None, &col.name, format!("must be numeric, not {}", col.data_type)));
    }
    let mut out = Vec::with_capacity(col.chunks.iter().map(|c| c.len()).sum());
    for chunk in &col.chunks {
        let a = cast_with_options(chunk, &DataType::Float64, &STRICT).map_err(|e| cast_failure(col, what, e))?;
        let a = a.as_primitive::<Float64Type>();
        for (i, &v) in a.values().iter().enumerate() {
            if a.is_null(i) {
                out.push(None);
                continue;
            }
            if !v.is_finite() {
                return Err(Failure::input(what, Some(out.len()), &col.name, format!("{v} is not a finite number")));
            }
            out.push(Some(v));
        }
    }
    Ok(out)
}

/// A column of timestamps as Unix seconds of the local wall-clock time, no nulls.
///
/// Arrow dates and timestamps of any unit; a timestamp with a time zone is the instant it
/// names, counted in UTC as on every other route (Python datetimes, numpy, ISO 8601 text
/// with an offset): 2024-01-02 01:30+05:00 is on 2024-01-01;
/// strings are parsed as ISO 8601 or with `formats`.
pub(crate) fn seconds(col: &InColumn, what: &'static str, formats: &[String]) -> Fallible<Vec<i64>> {
    let mut out: Vec<i64> = Vec::with_capacity(col.chunks.iter().map(|c| c.len()).sum());
    let mut offset = 0;
    let missing = |row| null_failure(what, row, col, "date");
    for chunk in &col.chunks {
        if !is_string(&col.data_type)
            && let Some(r) = first_null(chunk.as_ref())
        {
            return Err(missing(offset + r));
        }
        match chunk.data_type() {
            DataType::Date32 => {
                out.extend(chunk.as_primitive::<Date32Type>().values().iter().map(|&d| d as i64 * SECONDS_PER_DAY))
            }
            DataType::Date64 => {
                out.extend(chunk.as_primitive::<Date64Type>().values().iter().map(|&ms| ms.div_euclid(1000)))
            }
            DataType::Timestamp(unit, _) => {
                let per_second: i64 = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                // The values are i64 counts of the unit whatever the zone: read them in place.
                let raw: &[i64] = match unit {
                    TimeUnit::Second => chunk.as_primitive::<TimestampSecondType>().values(),
                    TimeUnit::Millisecond => chunk.as_primitive::<TimestampMillisecondType>().values(),
                    TimeUnit::Microsecond => chunk.as_primitive::<TimestampMicrosecondType>().values(),
                    TimeUnit::Nanosecond => chunk.as_primitive::<TimestampNanosecondType>().values(),
                };
                // Zoned values are UTC instants already (the zone only says how to display them).
                out.extend(raw.iter().map(|&v| v.div_euclid(per_second)));
            }
            t if is_string(t) => {}
            other => {
                return Err(Failure::input(
                    what,
                    None,
                    &col.name,
                    format!("must hold dates, timestamps or ISO 8601 strings, not {other}"),
                ));
            }
        }
        offset += chunk.len();
    }
    if is_string(&col.data_type) {
        for_each_str(col, what, |row, v| {
            let v = v.ok_or_else(|| missing(row))?;
            match parse_timestamp(v, formats) {
                Some(s) => {
                    out.push(s);
                    Ok(())
                }
                None => {
                    Err(Failure::input(what, Some(row), &col.name, format!("`{v}` is not a date{}", expected(formats))))
                }
            }
        })?;
    }
    Ok(out)
}

fn expected(formats: &[String]) -> String {
    if formats.is_empty() { " (ISO 8601, e.g. 2024-03-01)".into() } else { format!(" ({})", formats.join(" or ")) }
}

/// Values of a customer-table column, typed by its Arrow type.
#[derive(Debug)]
pub(crate) enum Values {
    Text(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    Number(Vec<Option<f64>>),
    Date(Vec<Option<NaiveDate>>),
}

/// Reads a column of any supported type, nulls as `None`.
pub(crate) fn values(col: &InColumn, what: &'static str, formats: &[String]) -> Fallible<Values> {
    let t = &col.data_type;
    if is_string(t) {
        let mut out = Vec::new();
        for_each_str(col, what, |_, v| {
            out.push(v.map(str::to_owned));
            Ok(())
        })?;
        Ok(Values::Text(out))
    } else if matches!(t, DataType::Boolean) {
        let mut out = Vec::new();
        for chunk in &col.chunks {
            out.extend(chunk.as_boolean().iter());
        }
        Ok(Values::Bool(out))
    } else if is_numeric(t) {
        let mut out = Vec::new();
        for chunk in &col.chunks {
            let a = cast_with_options(chunk, &DataType::Float64, &STRICT).map_err(|e| cast_failure(col, what, e))?;
            out.extend(a.as_primitive::<Float64Type>().iter());
        }
        Ok(Values::Number(out))
    } else if is_temporal(t) {
        let mut out: Vec<Option<NaiveDate>> = Vec::new();
        for chunk in &col.chunks {
            let single = InColumn { name: col.name.clone(), data_type: t.clone(), chunks: vec![fill_nulls(chunk)] };
            for (i, s) in seconds(&single, what, formats)?.into_iter().enumerate() {
                if chunk.is_null(i) {
                    out.push(None);
                } else if (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&s) {
                    out.push(Some(day_to_date(day_of(s))));
                } else {
                    return Err(Failure::input(what, Some(out.len()), &col.name, out_of_range(s)));
                }
            }
        }
        Ok(Values::Date(out))
    } else if arrow_cast::can_cast_types(t, &DataType::Utf8) {
        let mut out = Vec::new();
        for chunk in &col.chunks {
            let a = arrow_cast::cast(chunk, &DataType::Utf8).map_err(|e| cast_failure(col, what, e))?;
            out.extend(a.as_string::<i32>().iter().map(|v| v.map(str::to_owned)));
        }
        Ok(Values::Text(out))
    } else {
        Err(Failure::input(what, None, &col.name, format!("cannot read {t} values")))
    }
}

/// A temporal chunk with its nulls dropped from the validity (values kept), so that it can
/// be converted value by value.
fn fill_nulls(chunk: &ArrayRef) -> ArrayRef {
    if chunk.null_count() == 0 {
        return chunk.clone();
    }
    let data = chunk.to_data().into_builder().nulls(None).build();
    match data {
        Ok(d) => arrow_array::make_array(d),
        Err(_) => chunk.clone(),
    }
}
