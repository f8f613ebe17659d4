//! Inputs that are not yet a table: a polars `LazyFrame` (collected), a pyarrow `Dataset`
//! (read whole) and the path of a Parquet file (`str` or `os.PathLike`, read here, without
//! pyarrow). Each becomes the Arrow batches [`crate::input::import_table`] reads, so every
//! such input gets the same column mapping, types and checks as a `pyarrow.Table`.

use crate::errors::{Failure, Fallible, Names};
use arrow_array::RecordBatchReader;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::fs::File;
use std::path::PathBuf;

/// Rows per batch read from a Parquet file.
const BATCH: usize = 1 << 16;

/// What an input is, before it is read as a table.
pub(crate) enum Source<'py> {
    /// An object to read as a table as it is (Arrow stream or a dict).
    Table(Bound<'py, PyAny>),
    /// A path to a Parquet file.
    Parquet(PathBuf),
}

/// The module and type name of `obj` (`polars.lazyframe.frame`, `LazyFrame`).
fn type_of(obj: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    let t = obj.get_type();
    let module: String = t.getattr("__module__")?.extract().unwrap_or_default();
    Ok((module, t.name()?.to_string()))
}

/// Classifies `obj`: a lazy frame is collected and a dataset read (both give a table), a
/// path is a Parquet file; anything else is returned for the table reader to judge.
pub(crate) fn source<'py>(obj: &Bound<'py, PyAny>, what: &'static str) -> Fallible<Source<'py>> {
    let (module, name) = type_of(obj)?;
    if module.starts_with("polars") && name == "LazyFrame" {
        return Ok(Source::Table(obj.call_method0("collect")?));
    }
    // pyarrow.dataset's FileSystemDataset, InMemoryDataset, UnionDataset, ...
    if module.starts_with("pyarrow") && name.ends_with("Dataset") && obj.hasattr("to_table")? {
        return Ok(Source::Table(obj.call_method0("to_table")?));
    }
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        let path: PathBuf = obj.extract().map_err(|_| Failure::Type(format!("`{what}`: not a usable path")))?;
        let csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["csv", "tsv", "txt"].iter().any(|c| e.eq_ignore_ascii_case(c)));
        if csv {
            return Err(Failure::Type(format!(
                "`{what}`: {} is a text file; read CSV files with CustomerBase.from_csv (a path here \
                 is read as Parquet)",
                path.display()
            )));
        }
        return Ok(Source::Parquet(path));
    }
    Ok(Source::Table(obj.clone()))
}

/// An `Io` error of the core for `path` (`FileNotFoundError` / `OSError` in Python).
fn io_error(path: &std::path::Path, message: String, not_found: bool) -> Failure {
    let path = path.display().to_string();
    Failure::Core(crm_core::Error::Io { path, message, not_found }, Names::default())
}

/// Opens a Parquet file as a reader of its batches (all columns).
pub(crate) fn parquet_reader(path: &std::path::Path) -> Fallible<impl RecordBatchReader> {
    let file = File::open(path).map_err(|e| {
        let not_found = e.kind() == std::io::ErrorKind::NotFound;
        io_error(path, e.to_string(), not_found)
    })?;
    let not_parquet = |e: parquet::errors::ParquetError| io_error(path, format!("not a Parquet file: {e}"), false);
    ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(not_parquet)?
        .with_batch_size(BATCH)
        .build()
        .map_err(not_parquet)
}
