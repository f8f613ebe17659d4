//! Parquet input (feature `parquet`): the same mapping, returns and anonymous rows as CSV.
//! Ids may be integers, strings or integral floats; dates Date32, Date64, timestamps of any
//! unit (with a time zone: the instant, in UTC) or strings read as CSV dates. Problems name
//! the data row (1-based) where CSV names the line.

use super::dates::{DateParser, DateScan};
use super::number::parse_number;
use super::sales::{AmountFrom, Part, RowId, SalesMap, SalesRow, check_spec, join};
use super::table::{Ids, Log, decimal_option};
use super::{CsvReport, Detected, TransactionCsv};
use crate::error::{Error, Result};
use crate::time::SECONDS_PER_DAY;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// Rows per batch read.
const BATCH: usize = 1 << 16;

fn io(path: &str, e: impl std::fmt::Display) -> Error {
    Error::Io { path: path.to_owned(), message: e.to_string(), not_found: false }
}

/// A column of one batch in the form the rows are read from.
enum Col {
    Int(ArrayRef),
    Float(ArrayRef),
    Text(ArrayRef),
    /// Unix seconds = raw value * mul / div (floored).
    Time(ArrayRef, i64, i64),
    Days(ArrayRef),
}

fn cast(a: &ArrayRef, to: &DataType, path: &str) -> Result<ArrayRef> {
    arrow_cast::cast(a, to).map_err(|e| io(path, e))
}

/// A numeric column: floats (integers and decimals cast) or text.
fn numeric(a: &ArrayRef, path: &str) -> Result<Col> {
    if a.data_type().is_numeric() {
        Ok(Col::Float(cast(a, &DataType::Float64, path)?))
    } else {
        Ok(Col::Text(cast(a, &DataType::Utf8, path)?))
    }
}

fn ids(a: &ArrayRef, path: &str) -> Result<Col> {
    Ok(match a.data_type() {
        t if t.is_integer() => Col::Int(cast(a, &DataType::Int64, path)?),
        t if t.is_floating() => Col::Float(cast(a, &DataType::Float64, path)?),
        _ => Col::Text(cast(a, &DataType::Utf8, path)?),
    })
}

fn times(a: &ArrayRef, path: &str, column: &str) -> Result<Col> {
    Ok(match a.data_type() {
        DataType::Date32 => Col::Days(a.clone()),
        DataType::Date64 => Col::Time(cast(a, &DataType::Int64, path)?, 1, 1000),
        DataType::Timestamp(unit, _) => {
            let div = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            Col::Time(cast(a, &DataType::Int64, path)?, 1, div)
        }
        t if t.is_numeric() || matches!(t, DataType::Boolean) => {
            return Err(Error::config(column, format!("column `{column}` is {t}, not a date, timestamp or text")));
        }
        _ => Col::Text(cast(a, &DataType::Utf8, path)?),
    })
}

/// Reads a Parquet file of transactions with the mapping of a CSV file (the CSV-only
/// options — delimiter, encoding — are ignored; `decimal` and the date options apply to
/// text columns).
///
/// # Examples
///
/// ```no_run
/// use crm_core::ingest::{read_transactions_parquet, TransactionCsv};
/// let spec = TransactionCsv { customer: "CustomerID".into(), ..Default::default() };
/// let (cols, report) = read_transactions_parquet("sales.parquet", &spec)?;
/// println!("{} rows, {} anonymous", cols.len(), report.anonymous.rows);
/// # Ok::<(), crm_core::Error>(())
/// ```
///
/// # Errors
/// As [`super::read_transactions`]; problems name data rows (1-based) as lines.
pub fn read_transactions_parquet(
    path: impl AsRef<Path>,
    spec: &TransactionCsv,
) -> Result<(crate::TransactionColumns, CsvReport)> {
    check_spec(spec)?;
    let shown = path.as_ref().display().to_string();
    let file = std::fs::File::open(path.as_ref()).map_err(|e| Error::Io {
        path: shown.clone(),
        message: e.to_string(),
        not_found: e.kind() == std::io::ErrorKind::NotFound,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| io(&shown, e))?;
    let names: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
    let header = super::source::Header { names, data: 0..0, first_line: 1 };
    let mut wanted: Vec<&str> = vec![&spec.customer, &spec.timestamp];
    let amount_names: Vec<&str> = match (&spec.quantity, &spec.unit_price) {
        (Some(q), Some(u)) => vec![q, u],
        _ => vec![&spec.amount],
    };
    wanted.extend(&amount_names);
    let product = spec.product.as_ref().or(spec.category.as_ref());
    wanted.extend(
        [spec.margin.as_ref(), spec.cost_of_goods.as_ref(), product, spec.order.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| s.as_str()),
    );
    let mut roots = Vec::new();
    for name in &wanted {
        roots.push(header.column(&shown, name)?);
    }
    roots.sort_unstable();
    roots.dedup();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder.with_projection(mask).with_batch_size(BATCH).build().map_err(|e| io(&shown, e))?;
    let decimal = decimal_option(spec.options.decimal)?.unwrap_or(b'.');
    let dates = DateParser { day_first: spec.options.day_first, formats: &spec.options.date_formats };
    let prefix = spec.cancellation_prefix.as_deref().unwrap_or("").as_bytes();
    let kind = spec.options.id_kind;
    // Column positions in the projected batches are found by name.
    let map = SalesMap {
        customer: 0,
        timestamp: 0,
        amount: AmountFrom::Column(0),
        margin: spec.margin.as_ref().map(|_| 0),
        cost_of_goods: spec.cost_of_goods.as_ref().map(|_| 0),
        product: product.map(|_| 0),
        order: spec.order.as_ref().map(|_| 0),
    };
    let mut parts = Vec::new();
    let mut first_row = 1u64;
    for batch in reader {
        let batch: RecordBatch = batch.map_err(|e| io(&shown, e))?;
        let by_name = |n: &str| batch.column_by_name(n).cloned().expect("projected column");
        let id_col = ids(&by_name(&spec.customer), &shown)?;
        let time_col = times(&by_name(&spec.timestamp), &shown, &spec.timestamp)?;
        let amount_cols: Vec<Col> = amount_names.iter().map(|n| numeric(&by_name(n), &shown)).collect::<Result<_>>()?;
        let margin_col = spec.margin.as_ref().map(|n| numeric(&by_name(n), &shown)).transpose()?;
        let cogs_col = spec.cost_of_goods.as_ref().map(|n| numeric(&by_name(n), &shown)).transpose()?;
        let text = |n: &String| cast(&by_name(n), &DataType::Utf8, &shown);
        let product_col = product.map(text).transpose()?;
        let order_col = spec.order.as_ref().map(text).transpose()?;
        let n = batch.num_rows();
        let mut part = Part::new(&map, spec, n);
        let mut log = std::mem::take(&mut part.log);
        let mut scan = std::mem::take(&mut part.scan);
        for i in 0..n {
            let line = i as u64;
            let id = read_id(&id_col, i, kind, line, &spec.customer, &mut log);
            let time = read_time(&time_col, i, &dates, line, &spec.timestamp, &mut log, &mut scan);
            let first = read_number(&amount_cols[0], i, decimal, line, amount_names[0], &mut log);
            let (amount, negative_quantity) = match amount_cols.get(1) {
                Some(price) => {
                    let p = read_number(price, i, decimal, line, amount_names[1], &mut log);
                    (first.zip(p).map(|(q, p)| q * p), first.is_some_and(|q| q < 0.0))
                }
                None => (first, false),
            };
            let margin = margin_col
                .as_ref()
                .map(|c| read_number(c, i, decimal, line, spec.margin.as_deref().unwrap_or(""), &mut log));
            let cogs = cogs_col
                .as_ref()
                .map(|c| read_number(c, i, decimal, line, spec.cost_of_goods.as_deref().unwrap_or(""), &mut log));
            let product_text = product_col.as_ref().map(|c| read_text(c, i, line, product.map_or("", |s| s), &mut log));
            let order_text =
                order_col.as_ref().map(|c| read_text(c, i, line, spec.order.as_deref().unwrap_or(""), &mut log));
            if !log.end_row() {
                continue;
            }
            let (Some(id), Some(time), Some(amount)) = (id, time, amount) else { continue };
            let row = SalesRow {
                id,
                time,
                amount,
                negative_quantity,
                margin: margin.flatten(),
                cogs: cogs.flatten(),
                product: product_text.flatten(),
                order: order_text.flatten(),
            };
            part.load(row, line, prefix);
        }
        part.log = log;
        part.scan = scan;
        parts.push((part, first_row));
        first_row += n as u64;
    }
    let mut detected =
        Detected { delimiter: ',', decimal: decimal as char, encoding: "parquet".into(), ..Default::default() };
    let (cols, mut report, _) = join(parts, spec, &shown, 1, &mut detected)?;
    if detected.date_format.is_empty() {
        detected.date_format = "timestamp".into();
    }
    report.detected = detected;
    Ok((cols, report))
}

fn array(col: &Col) -> &ArrayRef {
    match col {
        Col::Int(a) | Col::Float(a) | Col::Text(a) | Col::Time(a, ..) | Col::Days(a) => a,
    }
}

fn read_id<'a>(col: &'a Col, i: usize, kind: super::IdKind, line: u64, name: &str, log: &mut Log) -> Option<RowId<'a>> {
    if array(col).is_null(i) {
        return Some(RowId::Anonymous);
    }
    match col {
        Col::Int(a) => Some(RowId::Int(a.as_primitive::<Int64Type>().value(i))),
        Col::Float(a) => {
            let v = a.as_primitive::<Float64Type>().value(i);
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Some(RowId::Int(v as i64))
            } else {
                log.bad(line, name, format!("`{v}` is not an integral id"));
                None
            }
        }
        Col::Text(a) => {
            let s = a.as_string::<i32>().value(i).trim();
            if s.is_empty() {
                return Some(RowId::Anonymous);
            }
            if let Err(m) = Ids::check(kind, s) {
                log.bad(line, name, m);
                return None;
            }
            Some(RowId::Text(s))
        }
        _ => None,
    }
}

fn read_time(
    col: &Col,
    i: usize,
    dates: &DateParser<'_>,
    line: u64,
    name: &str,
    log: &mut Log,
    scan: &mut DateScan,
) -> Option<i64> {
    let a = array(col);
    if a.is_null(i) {
        log.bad(line, name, "empty value".into());
        return None;
    }
    match col {
        Col::Days(a) => Some(a.as_primitive::<Date32Type>().value(i) as i64 * SECONDS_PER_DAY),
        Col::Time(a, mul, div) => Some((a.as_primitive::<Int64Type>().value(i) * mul).div_euclid(*div)),
        Col::Text(a) => {
            let s = a.as_string::<i32>().value(i).trim();
            let t = dates.parse(s.as_bytes(), line, scan);
            if t.is_none() {
                log.bad(line, name, format!("`{s}` is not a date"));
            }
            t
        }
        _ => None,
    }
}

fn read_number(col: &Col, i: usize, decimal: u8, line: u64, name: &str, log: &mut Log) -> Option<f64> {
    let a = array(col);
    if a.is_null(i) {
        log.bad(line, name, "empty value".into());
        return None;
    }
    let v = match col {
        Col::Float(a) => Some(a.as_primitive::<Float64Type>().value(i)).filter(|v| v.is_finite()),
        Col::Text(a) => parse_number(a.as_string::<i32>().value(i).trim().as_bytes(), decimal),
        _ => None,
    };
    if v.is_none() {
        log.bad(line, name, "not a finite number".into());
    }
    v
}

fn read_text<'a>(a: &'a ArrayRef, i: usize, line: u64, name: &str, log: &mut Log) -> Option<&'a str> {
    let s = if a.is_null(i) { "" } else { a.as_string::<i32>().value(i).trim() };
    if s.is_empty() {
        log.bad(line, name, "empty value".into());
        return None;
    }
    Some(s)
}
