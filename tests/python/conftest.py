"""Shared helpers: the same small table as pyarrow, polars, pandas, a dict of numpy arrays,
a polars LazyFrame, a pyarrow Dataset or a Parquet file."""

from __future__ import annotations

import atexit
import datetime as dt
import itertools
import pathlib
import tempfile
from typing import Any, Callable, Dict, List

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest


def d(text: str) -> dt.date:
    """A date from ISO text."""
    return dt.date.fromisoformat(text)


def as_pyarrow(columns: Dict[str, List[Any]]) -> Any:
    return pa.table(columns)


def as_polars(columns: Dict[str, List[Any]]) -> Any:
    return pl.DataFrame(columns)


def as_pandas(columns: Dict[str, List[Any]]) -> Any:
    return pd.DataFrame(columns)


def as_numpy(columns: Dict[str, List[Any]]) -> Any:
    out = {}
    for name, values in columns.items():
        if values and isinstance(values[0], dt.date):
            out[name] = np.array(values, dtype="datetime64[D]")
        else:
            out[name] = np.array(values)
    return out


def as_polars_lazy(columns: Dict[str, List[Any]]) -> Any:
    return pl.LazyFrame(columns)


def as_pyarrow_dataset(columns: Dict[str, List[Any]]) -> Any:
    return pads.dataset(pa.table(columns))


_PARQUET_DIR = tempfile.TemporaryDirectory(prefix="crm-test-parquet-")
atexit.register(_PARQUET_DIR.cleanup)
_parquet_files = itertools.count()


def parquet_file(columns: Dict[str, List[Any]]) -> pathlib.Path:
    """The table written to a new Parquet file (removed when the tests end)."""
    path = pathlib.Path(_PARQUET_DIR.name) / f"table{next(_parquet_files)}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def as_parquet_str(columns: Dict[str, List[Any]]) -> Any:
    return str(parquet_file(columns))


MAKERS: Dict[str, Callable[[Dict[str, List[Any]]], Any]] = {
    "pyarrow": as_pyarrow,
    "polars": as_polars,
    "pandas": as_pandas,
    "numpy": as_numpy,
    "polars_lazy": as_polars_lazy,
    "pyarrow_dataset": as_pyarrow_dataset,
    "parquet_str": as_parquet_str,
    "parquet_pathlib": parquet_file,
}


@pytest.fixture(params=sorted(MAKERS))
def make_table(request: Any) -> Callable[[Dict[str, List[Any]]], Any]:
    """Builds a table of each kind in turn (pyarrow, polars, pandas, dict of numpy, polars
    LazyFrame, pyarrow Dataset, Parquet path as str and as pathlib.Path)."""
    return MAKERS[request.param]
