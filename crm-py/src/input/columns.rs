//! Decoding imported columns into the core's: ids, numbers, instants, labels. Plain Rust
//! on Arrow arrays (no GIL needed); every bad value names the table, the 0-based row and
//! the caller's column name.

use super::InColumn;
use crate::errors::{Failure, Fallible};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float64Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType};
use arrow_cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, TimeUnit};
use chrono::NaiveDate;
use crm_core::shared::{Shared, SharedInstants, SharedTransactions};
use crm_core::time::{MAX_TIMESTAMP, MIN_TIMESTAMP, day_of, day_to_date, out_of_range, parse_timestamp};
use crm_core::{KeyColumn, StrColumn};
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

/// True when every chunk of a text column is Utf8 or LargeUtf8 without nulls: its ids can
/// be taken as Arrow's offsets and bytes ([`append_text`]).
fn plain_text(col: &InColumn) -> bool {
    col.chunks.iter().all(|c| c.null_count() == 0 && matches!(c.data_type(), DataType::Utf8 | DataType::LargeUtf8))
}

/// Appends the strings of a Utf8 or LargeUtf8 chunk without nulls: one copy of its bytes.
/// `None` when its bytes are not UTF-8 (a foreign producer's array).
fn append_text(out: &mut StrColumn, chunk: &ArrayRef) -> Option<()> {
    fn append<O: arrow_array::OffsetSizeTrait>(
        out: &mut StrColumn,
        a: &arrow_array::GenericStringArray<O>,
    ) -> Option<()> {
        let offsets = a.value_offsets();
        let (first, last) = (offsets.first()?.as_usize(), offsets.last()?.as_usize());
        let data = std::str::from_utf8(a.value_data().get(first..last)?).ok()?;
        out.extend_from_offsets(offsets.iter().map(|o| o.as_usize() - first), data);
        Some(())
    }
    match chunk.data_type() {
        DataType::Utf8 => append(out, chunk.as_string::<i32>()),
        DataType::LargeUtf8 => append(out, chunk.as_string::<i64>()),
        _ => None,
    }
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
        let (rows, bytes) =
            (col.chunks.iter().map(|c| c.len()).sum(), col.chunks.iter().map(|c| c.get_buffer_memory_size()).sum());
        if plain_text(col) {
            let mut out = StrColumn::with_capacity(rows, bytes);
            if col.chunks.iter().all(|c| append_text(&mut out, c).is_some()) {
                return Ok(KeyColumn::Str(out));
            }
        }
        let mut out = StrColumn::with_capacity(rows, bytes);
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
        match instants_of(chunk) {
            Some(instants) => instants.instants().append_seconds(&mut out),
            None if is_string(chunk.data_type()) => {}
            None => {
                return Err(Failure::input(
                    what,
                    None,
                    &col.name,
                    format!("must hold dates, timestamps or ISO 8601 strings, not {}", chunk.data_type()),
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

/// The three transaction columns as the engine can read them in place, shared with it
/// (their buffers kept, not copied): one chunk each without nulls, int64 ids, dates or
/// timestamps of any unit, float64 amounts. `None` for anything else: the caller then
/// converts the columns ([`keys`], [`seconds`], [`numbers`]), which also names a bad
/// value's row.
pub(crate) fn shared(ids: &InColumn, time: &InColumn, amount: &InColumn) -> Option<SharedTransactions> {
    let (i, t, a) = (one_chunk(ids)?, one_chunk(time)?, one_chunk(amount)?);
    let ids = Shared::new(i.as_primitive_opt::<Int64Type>()?.values().clone());
    let amount = Shared::new(a.as_primitive_opt::<Float64Type>()?.values().clone());
    Some(SharedTransactions::new(ids, instants_of(t)?, amount))
}

/// A column's one chunk, when it has one and no nulls.
fn one_chunk(c: &InColumn) -> Option<&ArrayRef> {
    match c.chunks.as_slice() {
        [chunk] if chunk.null_count() == 0 => Some(chunk),
        _ => None,
    }
}

/// A chunk of dates or timestamps as the engine reads them, its buffer shared (`None` for
/// other types). The values are i64 counts of the unit whatever the zone: zoned values are
/// UTC instants already; the zone only says how to display them.
fn instants_of(chunk: &ArrayRef) -> Option<SharedInstants> {
    fn values<T: ArrowPrimitiveType>(a: &ArrayRef) -> Shared<T::Native> {
        Shared::new(a.as_primitive::<T>().values().clone())
    }
    Some(match chunk.data_type() {
        DataType::Date32 => SharedInstants::Days(values::<Date32Type>(chunk)),
        DataType::Date64 => SharedInstants::Millis(values::<Date64Type>(chunk)),
        DataType::Timestamp(TimeUnit::Second, _) => SharedInstants::Seconds(values::<TimestampSecondType>(chunk)),
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            SharedInstants::Millis(values::<TimestampMillisecondType>(chunk))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            SharedInstants::Micros(values::<TimestampMicrosecondType>(chunk))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => SharedInstants::Nanos(values::<TimestampNanosecondType>(chunk)),
        _ => return None,
    })
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
