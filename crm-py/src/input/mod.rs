//! Tables in: any Arrow-compatible table (the Arrow PyCapsule interface) or a dict of
//! columns ([`columns_of_dict`]), read into the core's columns ([`columns`]).
//!
//! Importing holds the GIL (the producer may call into Python); decoding the columns is
//! plain Rust on Arrow arrays and runs without it. Every bad value is reported with the
//! table, the 0-based row and the caller's column name.

mod arrays;
mod columns;

pub(crate) use columns::{Values, keys, numbers, optional_numbers, seconds, shared, values};

use crate::errors::{Failure, Fallible};
use crate::sources::{Source, parquet_reader, source};
use arrow_array::{ArrayRef, RecordBatchReader};
use arrow_schema::DataType;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::input::AnyRecordBatch;

/// One column of an imported table, as the chunks it came in.
#[derive(Debug)]
pub(crate) struct InColumn {
    pub name: String,
    pub data_type: DataType,
    pub chunks: Vec<ArrayRef>,
}

/// An imported table.
#[derive(Debug)]
pub(crate) struct InTable {
    /// What the table is (`transactions`, `customers`, `interactions`), for messages.
    pub what: &'static str,
    pub columns: Vec<InColumn>,
    pub rows: usize,
    /// Whether a base may keep the table's buffers instead of copying them: true for
    /// Arrow producers whose tables are immutable (pyarrow, polars, DuckDB, Parquet), false
    /// for pandas and numpy, whose arrays their owner may change in place.
    pub shareable: bool,
}

impl InTable {
    /// The column with this name. A name the table has twice is an error: which one was
    /// meant cannot be told.
    pub(crate) fn column(&self, name: &str) -> Fallible<&InColumn> {
        self.find(name)?.ok_or_else(|| Failure::ColumnNotFound {
            table: self.what,
            column: name.to_owned(),
            available: self.columns.iter().map(|c| c.name.clone()).collect(),
        })
    }

    /// The column with this name, when the table has it (twice is an error, as in
    /// [`Self::column`]).
    pub(crate) fn find(&self, name: &str) -> Fallible<Option<&InColumn>> {
        let mut found = self.columns.iter().filter(|c| c.name == name);
        let first = found.next();
        if found.next().is_some() {
            return Err(Failure::input(
                self.what,
                None,
                name,
                format!("the table has two or more columns named `{name}`: rename or drop the extra ones"),
            ));
        }
        Ok(first)
    }
}

/// Reads every batch of an Arrow stream into the table's columns.
fn read_batches(reader: impl RecordBatchReader, what: &'static str, shareable: bool) -> Fallible<InTable> {
    let schema = reader.schema();
    let mut columns: Vec<InColumn> = schema
        .fields()
        .iter()
        .map(|f| InColumn { name: f.name().clone(), data_type: f.data_type().clone(), chunks: Vec::new() })
        .collect();
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|e| Failure::Type(format!("{what}: could not read the Arrow stream: {e}")))?;
        rows += batch.num_rows();
        for (c, array) in columns.iter_mut().zip(batch.columns()) {
            c.chunks.push(array.clone());
        }
    }
    Ok(InTable { what, columns, rows, shareable })
}

/// Imports a table-like object: anything with `__arrow_c_stream__` or `__arrow_c_array__`
/// (pyarrow, polars, pandas >= 2.2, duckdb, ...), a polars `LazyFrame` (collected), a
/// pyarrow `Dataset` (read), the path of a Parquet file, or a dict of array-likes (numpy
/// arrays, lists, pandas Series). Anything else is a `TypeError` naming the argument.
pub(crate) fn import_table(obj: &Bound<'_, PyAny>, what: &'static str) -> Fallible<InTable> {
    let py = obj.py();
    let obj = match source(obj, what)? {
        Source::Parquet(path) => {
            return py.detach(|| read_batches(parquet_reader(&path)?, what, true));
        }
        Source::Table(table) => table,
    };
    if obj.hasattr("__arrow_c_stream__")? || obj.hasattr("__arrow_c_array__")? {
        // pandas may export its numpy arrays without a copy, and they stay writable.
        let module: String = obj.get_type().getattr("__module__")?.extract().unwrap_or_default();
        let input: AnyRecordBatch = obj.extract()?;
        return read_batches(input.into_reader()?, what, !module.starts_with("pandas"));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        return arrays::dict_table(dict, what);
    }
    let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(Failure::Type(format!(
        "`{what}`: expected an Arrow-compatible table (an object with __arrow_c_stream__ such as \
         a pyarrow.Table, polars.DataFrame or pandas.DataFrame), a polars.LazyFrame, a \
         pyarrow.dataset.Dataset, the path of a Parquet file or a dict of numpy arrays, got {type_name}"
    )))
}
