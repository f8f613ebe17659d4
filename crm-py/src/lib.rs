//! The native module `crm._crm`. The pure-Python package `crm` (in `python/crm`) re-exports
//! it and adds the exception classes and the plotting helpers.
//!
//! Tables come in through the Arrow PyCapsule interface ([`input`]) and go out the same way
//! ([`table`]); failures become Python exceptions in one place ([`errors`]); heavy work runs
//! without the GIL and behind a panic guard.

mod base;
mod errors;
mod input;
mod results;
mod sample;
mod table;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _crm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crm_core::VERSION)?;
    m.add_class::<base::CustomerBase>()?;
    m.add_class::<base::Customers>()?;
    m.add_class::<base::Interactions>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<results::Summary>()?;
    m.add_class::<results::Lifecycle>()?;
    m.add_class::<results::Segments>()?;
    m.add_class::<results::CsvReport>()?;
    m.add_class::<results::CsvProblem>()?;
    m.add_class::<sample::Sample>()?;
    m.add_function(wrap_pyfunction!(sample::sample, m)?)?;
    m.add_function(wrap_pyfunction!(sample::time_native, m)?)?;
    m.add_function(wrap_pyfunction!(threads, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}

/// Number of worker threads the engine uses for per-customer work.
#[pyfunction]
fn threads() -> usize {
    crm_core::threads()
}

/// Panics inside the engine's panic guard, to test that a panic becomes
/// `crm.InternalError` and never crashes the interpreter. Not part of the API.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    errors::detached(py, move || -> errors::Fallible<()> { panic!("{message}") })?;
    Ok(())
}
