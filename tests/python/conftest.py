"""Shared helpers: the same small table as pyarrow, polars, pandas or a dict of numpy arrays."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
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


MAKERS: Dict[str, Callable[[Dict[str, List[Any]]], Any]] = {
    "pyarrow": as_pyarrow,
    "polars": as_polars,
    "pandas": as_pandas,
    "numpy": as_numpy,
}


@pytest.fixture(params=sorted(MAKERS))
def make_table(request: Any) -> Callable[[Dict[str, List[Any]]], Any]:
    """Builds a table of each kind in turn (pyarrow, polars, pandas, dict of numpy)."""
    return MAKERS[request.param]
