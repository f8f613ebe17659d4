//! The Python package's `crm` command (`crm ...` and `python -m crm ...`): the Rust
//! program itself, run with the GIL released.

use pyo3::prelude::*;
use std::ffi::OsString;

/// Runs the `crm` program with these arguments (the first is the program's name) and
/// returns its exit code.
#[pyfunction]
pub fn run_cli(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(|| crm_core::cli::run(argv))
}
