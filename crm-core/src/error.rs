//! The one error type of the core. Every variant says what was wrong and where.

use serde::{Deserialize, Serialize};

/// A result whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One bad value in a CSV file: its line (1-based, the header is line 1), its column and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvProblem {
    /// Line in the file, 1-based; the header is line 1.
    pub line: u64,
    /// Column name as written in the header (empty when the line itself is malformed).
    pub column: String,
    /// What was wrong with the value.
    pub message: String,
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}, column `{}`: {}", self.line, self.column, self.message)
        }
    }
}

/// Where a row came from when it was read from a file: the file and its line (1-based; the
/// header is line 1, as in [`CsvProblem`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLine {
    /// The file, as it was given.
    pub path: String,
    /// Line in the file, 1-based.
    pub line: u64,
}

impl std::fmt::Display for FileLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, line {}", self.path, self.line)
    }
}

/// `row R` for a row of columns, or the file and line it was read from.
fn place(row: usize, at: &Option<Box<FileLine>>) -> String {
    match at {
        Some(at) => at.to_string(),
        None => format!("row {row}"),
    }
}

/// Where the first of two duplicates is: its line (its file too when another file).
fn first_place(first_row: usize, first_at: &Option<Box<FileLine>>, at: &Option<Box<FileLine>>) -> String {
    match (first_at, at) {
        (Some(first), Some(at)) if first.path == at.path => format!("first on line {}", first.line),
        (Some(first), _) => format!("first in {first}"),
        (None, _) => format!("first in row {first_row}"),
    }
}

/// Everything that can go wrong in the core.
///
/// Rows of columnar input are 0-based indices into the columns; lines of CSV files are
/// 1-based line numbers. Nothing is dropped silently: an input that cannot be used whole is
/// refused with the first place that is wrong (or, for CSV, every place).
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum Error {
    /// Two columns of one table have different lengths.
    #[error("column `{column}` has {actual} values but `{reference}` has {expected}")]
    LengthMismatch {
        /// The column whose length is wrong.
        column: String,
        /// The column it was compared with.
        reference: String,
        /// Length of the reference column.
        expected: usize,
        /// Length of `column`.
        actual: usize,
    },
    /// A value that cannot be used, e.g. a NaN amount.
    #[error("row {row}, column `{column}`: {message}")]
    InvalidValue {
        /// 0-based row index in the input columns.
        row: usize,
        /// Column name.
        column: String,
        /// What was wrong.
        message: String,
    },
    /// A transaction or interaction names a customer that the customer table does not have.
    #[error("{}, column `{column}`: unknown customer `{customer}` (not in the customer table)", place(*.row, .at))]
    UnknownCustomer {
        /// 0-based row index in the input columns (all batches of the table, in order).
        row: usize,
        /// The file and line of the row, when it was read from a CSV file (boxed to keep
        /// errors small).
        at: Option<Box<FileLine>>,
        /// Column name.
        column: String,
        /// The customer id as given.
        customer: String,
    },
    /// The same customer id appears twice in the customer table.
    #[error(
        "{}: duplicate customer id `{customer}` ({})",
        place(*.row, .at),
        first_place(*.first_row, .first_at, .at)
    )]
    DuplicateCustomer {
        /// 0-based row of the second occurrence (all batches of the table, in order).
        row: usize,
        /// 0-based row of the first occurrence.
        first_row: usize,
        /// The file and line of the second occurrence, when read from a CSV file.
        at: Option<Box<FileLine>>,
        /// The file and line of the first occurrence, when read from a CSV file.
        first_at: Option<Box<FileLine>>,
        /// The customer id.
        customer: String,
    },
    /// Customer ids of different kinds (integer and string) were mixed.
    #[error("customer ids in `{column}` are {found} but the base uses {expected} ids")]
    IdKindMismatch {
        /// Where the other kind was found.
        column: String,
        /// The kind the base uses ("integer" or "string").
        expected: String,
        /// The kind found.
        found: String,
    },
    /// A configuration value is out of range or inconsistent.
    #[error("invalid config `{field}`: {message}")]
    InvalidConfig {
        /// The field, e.g. `shares`.
        field: String,
        /// Why it is invalid.
        message: String,
    },
    /// An analysis needs a column the base does not have (e.g. margin).
    #[error("missing data: {0}")]
    MissingData(String),
    /// A CSV file with bad values; every one is listed (up to a cap; `total` counts all).
    #[error("{total} bad value(s) in `{path}`; first: {}", problems.first().map(|p| p.to_string()).unwrap_or_default())]
    Csv {
        /// The file.
        path: String,
        /// The problems found, in file order (at most [`crate::ingest::MAX_REPORTED_PROBLEMS`]).
        problems: Vec<CsvProblem>,
        /// How many problems there were in all.
        total: usize,
    },
    /// A model fit did not converge or its likelihood could not be evaluated.
    #[error("{model} fit failed: {message}")]
    Fit {
        /// The model.
        model: String,
        /// What went wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
        /// True when the file does not exist.
        not_found: bool,
    },
}

/// The kind of an [`Error`]: what the caller has to fix, with a numeric code that is the same
/// in every face (the C face's `crm_result`, Python's `err.code`).
///
/// Every error has exactly one kind ([`Error::kind`]); codes are never renumbered (a new kind
/// gets a new number) and this enum is exhaustive on purpose: a new kind does not compile in
/// a face until the face says what it becomes there.
///
/// | code | kind                | C `crm_result`                   | Python exception          |
/// |-----:|---------------------|----------------------------------|---------------------------|
/// |    4 | `LengthMismatch`    | `CRM_RESULT_LENGTH_MISMATCH`     | `LengthMismatchError`     |
/// |   10 | `InvalidValue`      | `CRM_RESULT_INVALID_VALUE`       | `InputError`              |
/// |   11 | `UnknownCustomer`   | `CRM_RESULT_UNKNOWN_CUSTOMER`    | `UnknownCustomerError`    |
/// |   12 | `DuplicateCustomer` | `CRM_RESULT_DUPLICATE_CUSTOMER`  | `DuplicateCustomerError`  |
/// |   13 | `IdKindMismatch`    | `CRM_RESULT_ID_KIND_MISMATCH`    | `IdKindMismatchError`     |
/// |   14 | `InvalidConfig`     | `CRM_RESULT_INVALID_CONFIG`      | `ConfigError`             |
/// |   15 | `MissingData`       | `CRM_RESULT_MISSING_DATA`        | `MissingDataError`        |
/// |   16 | `Csv`               | `CRM_RESULT_CSV`                 | `CsvError`                |
/// |   17 | `Io`                | `CRM_RESULT_IO`                  | `OSError`                 |
/// |   18 | `FileNotFound`      | `CRM_RESULT_FILE_NOT_FOUND`      | `FileNotFoundError`       |
/// |   19 | `Fit`               | `CRM_RESULT_FIT`                 | `FitError`                |
///
/// ```
/// use crm_core::{Error, ErrorKind};
/// let e = Error::InvalidConfig { field: "alpha".into(), message: "must be in (0, 1)".into() };
/// assert_eq!(e.kind(), ErrorKind::InvalidConfig);
/// assert_eq!(e.kind().code(), 14);
/// assert_eq!(ErrorKind::from_code(14), Some(ErrorKind::InvalidConfig));
/// ```
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Two columns of one table have different lengths.
    LengthMismatch = 4,
    /// A value that cannot be used (row and column named).
    InvalidValue = 10,
    /// A row names a customer the customer table does not have.
    UnknownCustomer = 11,
    /// A customer id appears twice in the customer table.
    DuplicateCustomer = 12,
    /// Integer and string customer ids mixed.
    IdKindMismatch = 13,
    /// A configuration field out of range or inconsistent (field named).
    InvalidConfig = 14,
    /// An analysis needs data the base does not have.
    MissingData = 15,
    /// A CSV file with bad values (line and column named).
    Csv = 16,
    /// A file could not be read or written.
    Io = 17,
    /// A file does not exist.
    FileNotFound = 18,
    /// A model fit failed.
    Fit = 19,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::LengthMismatch,
        ErrorKind::InvalidValue,
        ErrorKind::UnknownCustomer,
        ErrorKind::DuplicateCustomer,
        ErrorKind::IdKindMismatch,
        ErrorKind::InvalidConfig,
        ErrorKind::MissingData,
        ErrorKind::Csv,
        ErrorKind::Io,
        ErrorKind::FileNotFound,
        ErrorKind::Fit,
    ];

    /// The stable numeric code.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The kind of a code, `None` for a number that is no kind's code.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl Error {
    /// The kind of this error (see [`ErrorKind`] for the codes).
    pub fn kind(&self) -> ErrorKind {
        // Exhaustive on purpose: a new variant must be given a kind here.
        match self {
            Error::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            Error::InvalidValue { .. } => ErrorKind::InvalidValue,
            Error::UnknownCustomer { .. } => ErrorKind::UnknownCustomer,
            Error::DuplicateCustomer { .. } => ErrorKind::DuplicateCustomer,
            Error::IdKindMismatch { .. } => ErrorKind::IdKindMismatch,
            Error::InvalidConfig { .. } => ErrorKind::InvalidConfig,
            Error::MissingData(_) => ErrorKind::MissingData,
            Error::Csv { .. } => ErrorKind::Csv,
            Error::Fit { .. } => ErrorKind::Fit,
            Error::Io { not_found: true, .. } => ErrorKind::FileNotFound,
            Error::Io { not_found: false, .. } => ErrorKind::Io,
        }
    }

    pub(crate) fn config(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidConfig { field: field.to_owned(), message: message.into() }
    }

    pub(crate) fn invalid(row: usize, column: &str, message: impl Into<String>) -> Self {
        Error::InvalidValue { row, column: column.to_owned(), message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct_and_round_trip() {
        let codes: HashSet<u32> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        for k in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(k.code()), Some(k));
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(99), None);
    }
}
