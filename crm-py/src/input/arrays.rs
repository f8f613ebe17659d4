//! A dict of columns in: numpy arrays (and anything `numpy.asarray` takes: lists, pandas
//! Series of numpy dtypes) and Arrow arrays (pyarrow arrays, polars Series, pandas Series
//! with Arrow storage: anything with `__arrow_c_array__` or `__arrow_c_stream__`).

use super::{InColumn, InTable};
use crate::errors::{Failure, Fallible, Names};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray,
};
use arrow_buffer::{ArrowNativeType, Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use pyo3_arrow::input::AnyArray;
use std::sync::Arc;

/// The table of a dict of columns: every column the same length (else the core's
/// `LengthMismatch`, naming both columns).
pub(super) fn dict_table(dict: &Bound<'_, PyDict>, what: &'static str) -> Fallible<InTable> {
    let py = dict.py();
    let mut columns: Vec<InColumn> = Vec::with_capacity(dict.len());
    let mut rows = None;
    for (k, v) in dict.iter() {
        let name: String = k.extract().map_err(|_| Failure::Type(format!("{what}: dict keys must be strings")))?;
        let (data_type, chunks) = match arrow_chunks(&v)? {
            Some(imported) => imported,
            None => {
                let array = numpy_to_arrow(py, &v, what, &name)?;
                (array.data_type().clone(), vec![array])
            }
        };
        let len = chunks.iter().map(|c| c.len()).sum();
        match rows {
            None => rows = Some(len),
            Some(n) if n != len => {
                // The core's kind (LengthMismatchError, code 4), as the C face.
                let reference = columns[0].name.clone();
                let mut names = Names::default();
                names.add(&name, what, &name);
                names.add(&reference, what, &reference);
                let e = crm_core::Error::LengthMismatch { column: name, reference, expected: n, actual: len };
                return Err(Failure::Core(e, names));
            }
            _ => {}
        }
        columns.push(InColumn { name, data_type, chunks });
    }
    Ok(InTable { what, columns, rows: rows.unwrap_or(0), shareable: false })
}

/// The chunks of a column that speaks the Arrow PyCapsule interface (pyarrow arrays,
/// polars Series), without a copy where the producer has Arrow memory; a pandas Series with
/// Arrow storage (pandas 3's str, string[pyarrow], nullable integers) through pyarrow, also
/// without a copy. `None` for numpy arrays, plain Python objects and pandas Series of numpy
/// dtypes (read as numpy: a NaN stays a NaN), and when the producer cannot export the
/// column: the numpy path then names the bad row.
fn arrow_chunks(value: &Bound<'_, PyAny>) -> Fallible<Option<(DataType, Vec<ArrayRef>)>> {
    let module = value.get_type().module().map(|m| m.to_string()).unwrap_or_default();
    let value = if module.starts_with("pandas") {
        let arrow_storage = value.getattr("array").is_ok_and(|a| a.hasattr("__arrow_array__").unwrap_or(false));
        if !arrow_storage {
            return Ok(None);
        }
        let Ok(pa) = value.py().import("pyarrow") else { return Ok(None) };
        let Ok(array) = pa.call_method1("array", (value,)) else { return Ok(None) };
        array
    } else {
        value.clone()
    };
    if !(value.hasattr("__arrow_c_array__")? || value.hasattr("__arrow_c_stream__")?) {
        return Ok(None);
    }
    let Ok(input) = value.extract::<AnyArray>() else { return Ok(None) };
    let Ok(reader) = input.into_reader() else { return Ok(None) };
    let data_type = reader.field().data_type().clone();
    match reader.collect::<Result<Vec<ArrayRef>, _>>() {
        Ok(chunks) => Ok(Some((data_type, chunks))),
        Err(_) => Ok(None),
    }
}

/// Keeps a numpy array alive while Arrow reads its memory.
struct NumpyOwner(#[allow(dead_code)] Py<PyAny>);
impl std::panic::RefUnwindSafe for NumpyOwner {}

/// The values of a one-dimensional numpy array of `T`, without a copy when the array is
/// contiguous and aligned (the Arrow buffer holds a reference to the array); a copy
/// otherwise.
fn numpy_values<T: numpy::Element + ArrowNativeType>(arr: &Bound<'_, PyAny>) -> Fallible<ScalarBuffer<T>> {
    let typed = arr.cast::<PyArray1<T>>().map_err(PyErr::from)?;
    let read = typed.try_readonly().map_err(|e| Failure::Type(format!("a dict column: {e}")))?;
    if let Ok(slice) = read.as_slice()
        && let Some(ptr) = std::ptr::NonNull::new(slice.as_ptr() as *mut u8)
        && !slice.is_empty()
        && ptr.as_ptr().align_offset(std::mem::align_of::<T>()) == 0
    {
        let owner = Arc::new(NumpyOwner(arr.clone().unbind()));
        // SAFETY: `ptr` points at `slice.len()` initialised, aligned values of `T` in the
        // array's memory, which `owner` keeps alive (and numpy never moves) for as long as
        // the buffer lives. Like pyarrow's zero-copy view, the caller must not write to the
        // array while the base is being built.
        let buffer = unsafe { Buffer::from_custom_allocation(ptr, std::mem::size_of_val(slice), owner) };
        return Ok(ScalarBuffer::new(buffer, 0, slice.len()));
    }
    Ok(read.as_array().iter().copied().collect::<Vec<T>>().into())
}

/// Text in a numpy array (fixed-width unicode, or objects whose first value is a str) as an
/// Arrow array, converted by pyarrow in one pass when it is installed. `None` without
/// pyarrow or when a value is neither a str nor None (the caller names the row). Bytes
/// that are UTF-8 read as their text, as in a pandas frame's Arrow export.
fn text_by_pyarrow(py: Python<'_>, arr: &Bound<'_, PyAny>) -> Fallible<Option<ArrayRef>> {
    let Ok(pa) = py.import("pyarrow") else { return Ok(None) };
    let kwargs = PyDict::new(py);
    kwargs.set_item("type", pa.call_method0("large_string")?)?;
    kwargs.set_item("from_pandas", false)?;
    let Ok(array) = pa.call_method("array", (arr,), Some(&kwargs)) else { return Ok(None) };
    Ok(arrow_chunks(&array)?.and_then(|(_, mut chunks)| (chunks.len() == 1).then(|| chunks.remove(0))))
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
        if kind == "U"
            && let Some(text) = text_by_pyarrow(py, &arr)?
        {
            return Ok(text);
        }
        // Every value must be of the first one's kind: "1" and 1 are different ids.
        let datetime = py.import("datetime")?;
        let date = datetime.getattr("date")?;
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
        // Element-wise, so that None becomes a null.
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
            Arc::new(Int64Array::new(numpy_values::<i64>(&a)?, None))
        }
        "f" => {
            let a = arr.call_method("astype", ("float64",), Some(&no_copy(py)?))?;
            Arc::new(Float64Array::new(numpy_values::<f64>(&a)?, None))
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
            let mut values = numpy_values::<i64>(&a)?;
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
                        values = numpy_values::<i64>(&arr.call_method1("view", ("int64",))?)?;
                    } else {
                        let scale = count.saturating_mul(seconds_per_unit);
                        let scaled: Option<Vec<i64>> = values
                            .iter()
                            .map(|&v| if v == i64::MIN { Some(v) } else { v.checked_mul(scale) })
                            .collect();
                        match scaled {
                            Some(s) => values = s.into(),
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
            match unit {
                TimeUnit::Second => Arc::new(TimestampSecondArray::new(values, nulls)),
                TimeUnit::Millisecond => Arc::new(TimestampMillisecondArray::new(values, nulls)),
                TimeUnit::Microsecond => Arc::new(TimestampMicrosecondArray::new(values, nulls)),
                TimeUnit::Nanosecond => Arc::new(TimestampNanosecondArray::new(values, nulls)),
            }
        }
        "U" | "S" | "O" => {
            if kind == "U"
                && let Some(text) = text_by_pyarrow(py, &arr)?
            {
                return Ok(text);
            }
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
