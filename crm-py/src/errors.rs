//! The one place where failures become Python exceptions.
//!
//! Work that runs without the GIL returns a [`Failure`] (plain Rust data, `Send`); it turns
//! into a Python exception only when the GIL is held again, in [`Failure::into_pyerr`]. The
//! exception classes live in `crm.exceptions` (pure Python, so that `InputError` can be both a
//! `crm.CrmError` and a `ValueError`). The class of a core error follows from its kind
//! ([`crm_core::ErrorKind`], matched exhaustively in [`class_of`]), and every exception gets
//! the kind's code as `.code`, the number the C face returns for the same input:
//!
//! | core error kind (code) / failure           | Python exception                          |
//! |--------------------------------------------|-------------------------------------------|
//! | `LengthMismatch` (4)                       | `LengthMismatchError` (an `InputError`)   |
//! | `InvalidValue` (10), a bad cell            | `InputError` (`.table`, `.row`, `.column`)|
//! | `UnknownCustomer` (11)                     | `UnknownCustomerError` (`.customer`)      |
//! | `DuplicateCustomer` (12)                   | `DuplicateCustomerError` (`.first_row`)   |
//! | `IdKindMismatch` (13)                      | `IdKindMismatchError` (an `InputError`)   |
//! | `InvalidConfig` (14), a bad keyword        | `ConfigError` (`.field`)                  |
//! | `MissingData` (15)                         | `MissingDataError`                        |
//! | `Csv` (16, bad values in a file)           | `CsvError` (`.path`, `.line`, `.problems`)|
//! | `Io` (17) / `FileNotFound` (18)            | `OSError` / `FileNotFoundError`           |
//! | `Fit` (19)                                 | `FitError`                                |
//! | a column name not in the table (10)        | `ColumnNotFoundError` (`.column`)         |
//! | not a table                                | `TypeError`                               |
//! | a Rust panic (99)                          | `InternalError`                           |

use crate::results::CsvProblem;
use crm_core::ErrorKind;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::panic::AssertUnwindSafe;

/// How a core column name reads in the caller's terms: the table it belongs to and the
/// column name the caller gave (`amount` -> `transactions`, `Betrag`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    entries: Vec<(String, &'static str, String)>,
}

impl Names {
    /// Adds a mapping from a core column name to a table and a user column name.
    pub(crate) fn add(&mut self, core: &str, table: &'static str, user: &str) {
        self.entries.push((core.to_owned(), table, user.to_owned()));
    }

    /// Adds the columns of the customer table the core checks by their own name (the
    /// known fields and the attributes).
    pub(crate) fn add_customer_columns<'a>(&mut self, attributes: impl IntoIterator<Item = &'a str>) {
        for name in ["acquisition_cost", "acquisition_date", "permissions"].into_iter().chain(attributes) {
            self.add(name, "customers", name);
        }
    }

    /// The table and user name of a core column name (the name itself when unknown).
    fn resolve(&self, core: &str) -> (Option<&'static str>, String) {
        match self.entries.iter().find(|(c, _, _)| c == core) {
            Some((_, table, user)) => (Some(*table), user.clone()),
            None => (None, core.to_owned()),
        }
    }
}

/// A failure of work done without the GIL.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An error of the core, with the names to translate its column names.
    Core(crm_core::Error, Names),
    /// A bad value in an input table.
    Input { table: &'static str, row: Option<usize>, column: String, message: String },
    /// A column name that is not in the table.
    ColumnNotFound { table: &'static str, column: String, available: Vec<String> },
    /// A bad keyword argument.
    Config { field: String, message: String },
    /// An input of the wrong type.
    Type(String),
    /// A Rust panic, caught.
    Panic(String),
    /// An exception raised by Python code we called.
    Py(PyErr),
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Py(e)
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> Self {
        Python::attach(|py| f.into_pyerr(py))
    }
}

/// A result whose error is a [`Failure`].
pub(crate) type Fallible<T> = Result<T, Failure>;

impl Failure {
    pub(crate) fn config(field: &str, message: impl Into<String>) -> Self {
        Failure::Config { field: field.to_owned(), message: message.into() }
    }

    pub(crate) fn input(table: &'static str, row: Option<usize>, column: &str, message: impl Into<String>) -> Self {
        Failure::Input { table, row, column: column.to_owned(), message: message.into() }
    }

    /// The Python exception for this failure.
    pub(crate) fn into_pyerr(self, py: Python<'_>) -> PyErr {
        let built = match self {
            Failure::Py(e) => return e,
            Failure::Type(m) => return PyTypeError::new_err(m),
            Failure::Core(e, names) => core_error(py, e, &names),
            Failure::Input { table, row, column, message } => {
                let text = match row {
                    Some(r) => format!("{table}: row {r}, column `{column}`: {message}"),
                    None => format!("{table}: column `{column}`: {message}"),
                };
                raise(py, "InputError", text, |d| {
                    d.set_item("code", ErrorKind::InvalidValue.code())?;
                    d.set_item("table", table)?;
                    d.set_item("row", row)?;
                    d.set_item("column", column)
                })
            }
            Failure::ColumnNotFound { table, column, available } => {
                let text = format!("{table}: no column `{column}` (the table has {available:?})");
                raise(py, "ColumnNotFoundError", text, |d| {
                    d.set_item("code", ErrorKind::InvalidValue.code())?;
                    d.set_item("table", table)?;
                    d.set_item("column", column)?;
                    d.set_item("available", available)
                })
            }
            Failure::Config { field, message } => {
                raise(py, "ConfigError", format!("invalid `{field}`: {message}"), |d| {
                    d.set_item("code", ErrorKind::InvalidConfig.code())?;
                    d.set_item("field", field)
                })
            }
            Failure::Panic(m) => {
                raise(py, "InternalError", format!("internal error in the crm engine (please report it): {m}"), |d| {
                    d.set_item("code", INTERNAL_CODE)
                })
            }
        };
        built.unwrap_or_else(|e| e)
    }
}

/// Instantiates `crm.exceptions.<class>(message, **attrs)` as a `PyErr`.
fn raise(
    py: Python<'_>,
    class: &str,
    message: String,
    attrs: impl FnOnce(&Bound<'_, PyDict>) -> PyResult<()>,
) -> PyResult<PyErr> {
    let cls = py.import("crm.exceptions")?.getattr(class)?;
    let kwargs = PyDict::new(py);
    attrs(&kwargs)?;
    let instance = cls.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// `{kind name: code}` of the core's error kinds (`crm.exceptions.ERROR_CODES` is checked
/// against it).
#[pyfunction(name = "_error_codes")]
pub(crate) fn error_codes() -> Vec<(String, u32)> {
    ErrorKind::ALL.iter().map(|k| (format!("{k:?}"), k.code())).collect()
}

/// The code of `InternalError` (a caught panic), the C face's `CRM_RESULT_PANIC`.
const INTERNAL_CODE: u32 = 99;

/// The Python class of a core error kind: a class of `crm.exceptions`, or a built-in
/// `OSError` class for files (exhaustive: a new kind does not compile until it has a class).
enum Class {
    Crm(&'static str),
    FileNotFound,
    Os,
}

fn class_of(kind: ErrorKind) -> Class {
    match kind {
        ErrorKind::LengthMismatch => Class::Crm("LengthMismatchError"),
        ErrorKind::InvalidValue => Class::Crm("InputError"),
        ErrorKind::UnknownCustomer => Class::Crm("UnknownCustomerError"),
        ErrorKind::DuplicateCustomer => Class::Crm("DuplicateCustomerError"),
        ErrorKind::IdKindMismatch => Class::Crm("IdKindMismatchError"),
        ErrorKind::InvalidConfig => Class::Crm("ConfigError"),
        ErrorKind::MissingData => Class::Crm("MissingDataError"),
        ErrorKind::Csv => Class::Crm("CsvError"),
        ErrorKind::Io => Class::Os,
        ErrorKind::FileNotFound => Class::FileNotFound,
        ErrorKind::Fit => Class::Crm("FitError"),
    }
}

/// What a core error says in the caller's terms: its message and the attributes of its
/// exception (the kind's class and code come from [`class_of`]).
type Attrs = Vec<(&'static str, Py<PyAny>)>;

fn core_error(py: Python<'_>, e: crm_core::Error, names: &Names) -> PyResult<PyErr> {
    use crm_core::Error as E;
    let kind = e.kind();
    let mut attrs: Attrs = Vec::new();
    let mut put = |name: &'static str, value: Bound<'_, PyAny>| attrs.push((name, value.unbind()));
    let message = match e {
        E::InvalidValue { row, column, message } => {
            let (table, column) = names.resolve(&column);
            let table = table.unwrap_or("input");
            let text = format!("{table}: row {row}, column `{column}`: {message}");
            put("table", table.into_pyobject(py)?.into_any());
            put("row", row.into_pyobject(py)?.into_any());
            put("column", column.into_pyobject(py)?.into_any());
            text
        }
        E::LengthMismatch { column, reference, expected, actual } => {
            let (table, col) = names.resolve(&column);
            let (_, reference) = names.resolve(&reference);
            let table = table.unwrap_or("input");
            let text = format!("{table}: column `{col}`: has {actual} values but `{reference}` has {expected}");
            put("table", table.into_pyobject(py)?.into_any());
            put("column", col.into_pyobject(py)?.into_any());
            text
        }
        E::UnknownCustomer { row, column, customer, at } => {
            let (table, column) = names.resolve(&column);
            let table = table.unwrap_or("input");
            let text = format!(
                "{table}: {}, column `{column}`: unknown customer `{customer}` (not in the customer table)",
                place(row, &at)
            );
            put_file_line(&mut put, py, "", at)?;
            put("table", table.into_pyobject(py)?.into_any());
            put("row", row.into_pyobject(py)?.into_any());
            put("column", column.into_pyobject(py)?.into_any());
            put("customer", customer.into_pyobject(py)?.into_any());
            text
        }
        E::DuplicateCustomer { row, first_row, customer, at, first_at } => {
            let (_, column) = names.resolve("id");
            let first = match (&first_at, &at) {
                (Some(f), Some(a)) if f.path == a.path => format!("first on line {}", f.line),
                (Some(f), _) => format!("first in {f}"),
                (None, _) => format!("first in row {first_row}"),
            };
            let text = format!("customers: {}: duplicate customer id `{customer}` ({first})", place(row, &at));
            put_file_line(&mut put, py, "", at)?;
            put_file_line(&mut put, py, "first_", first_at)?;
            put("table", "customers".into_pyobject(py)?.into_any());
            put("row", row.into_pyobject(py)?.into_any());
            put("first_row", first_row.into_pyobject(py)?.into_any());
            put("column", column.into_pyobject(py)?.into_any());
            put("customer", customer.into_pyobject(py)?.into_any());
            text
        }
        E::IdKindMismatch { column, expected, found } => {
            let (table, column) = names.resolve(&column);
            let table = table.unwrap_or("input");
            let text = format!("{table}: customer ids in `{column}` are {found} but the base uses {expected} ids");
            put("table", table.into_pyobject(py)?.into_any());
            put("column", column.into_pyobject(py)?.into_any());
            text
        }
        E::InvalidConfig { field, message } => {
            let text = format!("invalid `{field}`: {message}");
            put("field", field.into_pyobject(py)?.into_any());
            text
        }
        E::MissingData(m) => format!("missing data: {m}"),
        E::Csv { path, problems, total } => return csv_error(py, path, problems, total),
        E::Io { path, message, .. } => {
            let err = match class_of(kind) {
                Class::FileNotFound => PyFileNotFoundError::new_err((2, message, path)),
                _ => PyOSError::new_err((5, message, path)),
            };
            err.value(py).setattr("code", kind.code())?;
            return Ok(err);
        }
        E::Fit { model, message } => {
            let text = format!("{model} fit failed: {message}");
            put("model", model.into_pyobject(py)?.into_any());
            text
        }
        // The class and code still come from the kind; only the wording is the core's.
        other => other.to_string(),
    };
    let Class::Crm(class) = class_of(kind) else { unreachable!("only file errors have built-in classes") };
    raise(py, class, message, |d| {
        d.set_item("code", kind.code())?;
        for (name, value) in attrs {
            d.set_item(name, value)?;
        }
        Ok(())
    })
}

/// `row R`, or the file and line the row was read from.
fn place(row: usize, at: &Option<Box<crm_core::FileLine>>) -> String {
    at.as_ref().map_or_else(|| format!("row {row}"), ToString::to_string)
}

/// The `file` and `line` attributes (`first_file`, `first_line` with `prefix` "first_") of
/// a row read from a CSV file.
fn put_file_line(
    put: &mut impl FnMut(&'static str, Bound<'_, PyAny>),
    py: Python<'_>,
    prefix: &str,
    at: Option<Box<crm_core::FileLine>>,
) -> PyResult<()> {
    let Some(at) = at else { return Ok(()) };
    let (file, line) = if prefix.is_empty() { ("file", "line") } else { ("first_file", "first_line") };
    put(file, at.path.into_pyobject(py)?.into_any());
    put(line, at.line.into_pyobject(py)?.into_any());
    Ok(())
}

fn csv_error(py: Python<'_>, path: String, problems: Vec<crm_core::CsvProblem>, total: usize) -> PyResult<PyErr> {
    let first = problems.first().cloned();
    let message = format!(
        "{total} bad value(s) in `{path}`; first: {}",
        first.as_ref().map(|p| p.to_string()).unwrap_or_default()
    );
    // A column missing from the header is a missing column first, a bad file second.
    let missing = first.as_ref().filter(|p| total == 1 && p.line == 1 && p.message.starts_with("no column `"));
    let class = if missing.is_some() { "CsvColumnNotFoundError" } else { "CsvError" };
    let list = PyList::empty(py);
    for p in problems {
        list.append(Py::new(py, CsvProblem::from(p))?)?;
    }
    raise(py, class, message, |d| {
        d.set_item("code", ErrorKind::Csv.code())?;
        d.set_item("table", "csv")?;
        d.set_item("path", &path)?;
        d.set_item("line", first.as_ref().map(|p| p.line))?;
        d.set_item("column", first.as_ref().map(|p| p.column.clone()).filter(|c| !c.is_empty()))?;
        d.set_item("problems", list)?;
        d.set_item("total", total)
    })
}

/// Runs `work` without the GIL, turning a panic into [`Failure::Panic`].
pub(crate) fn detached<T, F>(py: Python<'_>, work: F) -> Fallible<T>
where
    T: Send,
    F: FnOnce() -> Fallible<T> + Send,
{
    py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(panic_failure(p))))
}

/// Runs `work` with the GIL held, turning a panic into [`Failure::Panic`].
pub(crate) fn guarded<T>(work: impl FnOnce() -> Fallible<T>) -> Fallible<T> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|p| Err(panic_failure(p)))
}

fn panic_failure(payload: Box<dyn std::any::Any + Send>) -> Failure {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    Failure::Panic(message)
}
