"""numpy arrays of the columns users pass (pandas Series, Index, lists, arrays)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def asarray(values: Any, dtype: Any = None) -> np.ndarray:
    """``np.asarray`` that reads a pandas Series or Index through ``to_numpy``: numpy first
    asks a Series for ``__array_struct__``, and pandas answers a missing attribute by
    looking the name up in the index, which builds the index's hash table (15 ms for
    100,000 text ids, more than the fit that follows)."""
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    return np.asarray(values) if dtype is None else np.asarray(values, dtype=dtype)
