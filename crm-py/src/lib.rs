//! The native module `crm._crm`. The pure-Python package `crm` (in `python/crm`) wraps it.

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _crm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", crm_core::VERSION)?;
    Ok(())
}
