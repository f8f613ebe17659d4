//! The one place where failures become Python exceptions.
//!
//! Work that runs without the GIL returns a [`Failure`] (plain Rust data, `Send`); it turns
//! into a Python exception only when the GIL is held again, in [`Failure::into_pyerr`]. The
//! exception classes live in `crm.exceptions` (pure Python, so that `InputError` can be both a
//! `crm.CrmError` and a `ValueError`):
//!
//! | core error / failure                       | Python exception                          |
//! |--------------------------------------------|-------------------------------------------|
//! | `InvalidValue`, `LengthMismatch`, bad cell | `InputError` (`.table`, `.row`, `.column`)|
//! | `UnknownCustomer`                          | `UnknownCustomerError` (`.customer`)      |
//! | `DuplicateCustomer`                        | `DuplicateCustomerError` (`.first_row`)   |
//! | `IdKindMismatch`                           | `InputError`                              |
//! | `Csv` (bad values in a file)               | `CsvError` (`.path`, `.line`, `.problems`)|
//! | a column name not in the table             | `ColumnNotFoundError` (`.column`)         |
//! | `InvalidConfig`, a bad keyword argument    | `ConfigError` (`.field`)                  |
//! | `MissingData`                              | `MissingDataError`                        |
//! | `Io` (file not found / other)              | `FileNotFoundError` / `OSError`           |
//! | not a table                                | `TypeError`                               |
//! | a Rust panic                               | `InternalError`                           |

use crate::results::CsvProblem;
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
                    d.set_item("table", table)?;
                    d.set_item("row", row)?;
                    d.set_item("column", column)
                })
            }
            Failure::ColumnNotFound { table, column, available } => {
                let text = format!("{table}: no column `{column}` (the table has {available:?})");
                raise(py, "ColumnNotFoundError", text, |d| {
                    d.set_item("table", table)?;
                    d.set_item("column", column)?;
                    d.set_item("available", available)
                })
            }
            Failure::Config { field, message } => {
                raise(py, "ConfigError", format!("invalid `{field}`: {message}"), |d| d.set_item("field", field))
            }
            Failure::Panic(m) => {
                raise(py, "InternalError", format!("internal error in the crm engine (please report it): {m}"), |_| {
                    Ok(())
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

fn core_error(py: Python<'_>, e: crm_core::Error, names: &Names) -> PyResult<PyErr> {
    use crm_core::Error as E;
    match e {
        E::InvalidValue { row, column, message } => {
            let (table, column) = names.resolve(&column);
            let table = table.unwrap_or("input");
            Failure::Input { table, row: Some(row), column, message }.into_pyerr_result(py)
        }
        E::LengthMismatch { column, reference, expected, actual } => {
            let (table, col) = names.resolve(&column);
            let (_, reference) = names.resolve(&reference);
            let message = format!("has {actual} values but `{reference}` has {expected}");
            Failure::Input { table: table.unwrap_or("input"), row: None, column: col, message }.into_pyerr_result(py)
        }
        E::UnknownCustomer { row, column, customer } => {
            let (table, column) = names.resolve(&column);
            let table = table.unwrap_or("input");
            let text = format!(
                "{table}: row {row}, column `{column}`: unknown customer `{customer}` (not in the customer table)"
            );
            raise(py, "UnknownCustomerError", text, |d| {
                d.set_item("table", table)?;
                d.set_item("row", row)?;
                d.set_item("column", column)?;
                d.set_item("customer", customer)
            })
        }
        E::DuplicateCustomer { row, first_row, customer } => {
            let (_, column) = names.resolve("id");
            let text = format!("customers: row {row}: duplicate customer id `{customer}` (first in row {first_row})");
            raise(py, "DuplicateCustomerError", text, |d| {
                d.set_item("table", "customers")?;
                d.set_item("row", row)?;
                d.set_item("first_row", first_row)?;
                d.set_item("column", column)?;
                d.set_item("customer", customer)
            })
        }
        E::IdKindMismatch { column, expected, found } => {
            let (table, column) = names.resolve(&column);
            let table = table.unwrap_or("input");
            let text = format!("{table}: customer ids in `{column}` are {found} but the base uses {expected} ids");
            raise(py, "InputError", text, |d| {
                d.set_item("table", table)?;
                d.set_item("column", column)
            })
        }
        E::InvalidConfig { field, message } => Failure::Config { field, message }.into_pyerr_result(py),
        E::MissingData(m) => raise(py, "MissingDataError", format!("missing data: {m}"), |_| Ok(())),
        E::Csv { path, problems, total } => csv_error(py, path, problems, total),
        E::Io { path, message, not_found } => Ok(if not_found {
            PyFileNotFoundError::new_err((2, message, path))
        } else {
            PyOSError::new_err((5, message, path))
        }),
        other => raise(py, "CrmError", other.to_string(), |_| Ok(())),
    }
}

impl Failure {
    fn into_pyerr_result(self, py: Python<'_>) -> PyResult<PyErr> {
        Ok(self.into_pyerr(py))
    }
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
