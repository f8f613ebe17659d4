"""The public data sets lifetimes ships, as pandas frames (the same loaders and names):
the CDNOW summaries (Fader, Hardie & Lee 2005), the CDNOW 1/10 sample and master
transaction logs, the donations table of the BG/BB paper (Fader, Hardie & Shang 2010) and
an example transaction log made with the models' simulators."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pandas as pd

__all__ = [
    "load_dataset",
    "load_cdnow_summary",
    "load_transaction_data",
    "load_cdnow_summary_data_with_monetary_value",
    "load_donations",
]


def load_dataset(filename: str, **kwargs: Any) -> pd.DataFrame:
    """One of the data files (for example ``"CDNOW_sample.txt"``) read by
    ``pandas.read_csv(**kwargs)``."""
    with resources.as_file(resources.files(__name__) / filename) as path:
        if not path.is_file():
            raise FileNotFoundError(f"crm.lifetimes.datasets has no data set {filename!r}")
        return pd.read_csv(path, **kwargs)


def load_donations(**kwargs: Any) -> pd.DataFrame:
    """The donations table of the BG/BB paper: frequency, recency, periods, weights."""
    return load_dataset("donations.csv", **kwargs)


def load_cdnow_summary(**kwargs: Any) -> pd.DataFrame:
    """The CDNOW summary (2,357 customers): ID, frequency, recency, T in weeks."""
    return load_dataset("cdnow_customers_summary.csv", **kwargs)


def load_transaction_data(**kwargs: Any) -> pd.DataFrame:
    """An example transaction log (date, id), simulated for 2014."""
    return load_dataset("example_transactions.csv", **kwargs)


def load_cdnow_summary_data_with_monetary_value(**kwargs: Any) -> pd.DataFrame:
    """The CDNOW summary with the mean repeat spend, indexed by customer_id: frequency,
    recency, T, monetary_value."""
    df = load_dataset("cdnow_customers_summary_with_transactions.csv", **kwargs)
    df.columns = ["customer_id", "frequency", "recency", "T", "monetary_value"]
    return df.set_index("customer_id")
