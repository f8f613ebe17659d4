//! C arrays to crm-core columns: ids (integers or `crm_str` strings) and times. One copy
//! per column; values themselves are checked by crm-core (NaN amounts, ...).

use crate::enums::{crm_time_unit, time_unit};
use crate::error::{Failure, crm_result};
use crate::ptr::{crm_str, row_str};
use crm_core::time::SECONDS_PER_DAY;
use crm_core::{Error, KeyColumn, StrColumn};

/// Checks that every column has the reference column's length, then that there are rows.
/// `columns` are (name, length) pairs; the first is the reference.
pub(crate) fn check_lengths(columns: &[(&str, usize)]) -> Result<usize, Failure> {
    let (reference, n) = columns[0];
    for &(column, actual) in &columns[1..] {
        if actual != n {
            return Err(Error::LengthMismatch {
                column: column.to_owned(),
                reference: reference.to_owned(),
                expected: n,
                actual,
            }
            .into());
        }
    }
    if n == 0 {
        return Err(Failure::new(crm_result::EmptyInput, format!("no rows: the length of `{reference}` is 0")));
    }
    Ok(n)
}

/// A string column from `crm_str`s, validated as UTF-8, in one buffer.
///
/// # Safety
/// Every `crm_str` points to `len` readable bytes (or is NULL with `len` 0).
pub(crate) unsafe fn str_column(values: &[crm_str], column: &str) -> Result<StrColumn, Failure> {
    let bytes = values.iter().map(|s| s.len).sum();
    let mut out = StrColumn::with_capacity(values.len(), bytes);
    for (row, s) in values.iter().enumerate() {
        // SAFETY: per the contract.
        out.push(unsafe { row_str(s, row, column) }?);
    }
    Ok(out)
}

/// A string id column: like [`str_column`], and an empty id is refused.
///
/// # Safety
/// As [`str_column`].
pub(crate) unsafe fn str_ids(values: &[crm_str], column: &str) -> Result<KeyColumn, Failure> {
    if let Some(row) = values.iter().position(|s| s.len == 0) {
        return Err(Error::InvalidValue { row, column: column.to_owned(), message: "empty customer id".into() }.into());
    }
    // SAFETY: per the contract.
    Ok(KeyColumn::Str(unsafe { str_column(values, column) }?))
}

/// Unix seconds from times in the given unit.
pub(crate) fn seconds(times: &[i64], unit: u8, column: &str) -> Result<Vec<i64>, Failure> {
    match time_unit(unit)? {
        crm_time_unit::Seconds => Ok(times.to_vec()),
        crm_time_unit::Days => times.iter().enumerate().map(|(row, &d)| day_second(row, d, column)).collect(),
    }
}

/// The Unix second of day `d` (row `row` of `column`), or the error naming the row when it
/// overflows.
pub(crate) fn day_second(row: usize, d: i64, column: &str) -> Result<i64, Failure> {
    d.checked_mul(SECONDS_PER_DAY).ok_or_else(|| {
        Error::InvalidValue { row, column: column.to_owned(), message: format!("{d} days is out of range") }.into()
    })
}
