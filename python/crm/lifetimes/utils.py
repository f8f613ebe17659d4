"""lifetimes' data utilities: per-customer frequency / recency / T (and mean spend) from a
transaction log, and a calibration / holdout split. pandas in, pandas out, with the same
column names and index as lifetimes."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from crm import _crm
from crm.exceptions import CrmError

__all__ = ["summary_data_from_transaction_data", "calibration_and_holdout_data"]


def _find_first_transactions(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str],
    datetime_format: Optional[str],
    observation_period_end: pd.Timestamp,
    freq: str,
) -> pd.DataFrame:
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    tx = transactions[cols].copy()
    # Dates become their period's start before the cut, so the whole end period counts.
    dates = pd.to_datetime(tx[datetime_col], format=datetime_format)
    tx[datetime_col] = dates.dt.to_period(freq).dt.to_timestamp()
    tx = tx.loc[tx[datetime_col] <= observation_period_end]
    # One row per (customer, period), customers ascending and periods in time order: the
    # summary's rows come out in customer order, as lifetimes gives them.
    grouped = tx.groupby([customer_id_col, datetime_col], sort=True, as_index=False)
    periods = grouped.sum() if monetary_value_col else grouped.first()
    periods["first"] = periods.groupby(customer_id_col, sort=False).cumcount() == 0
    return periods


def _period_end(value: Any, datetime_format: Optional[str], freq: str) -> pd.Timestamp:
    return pd.to_datetime(value, format=datetime_format).to_period(freq).to_timestamp()


def _native_summary(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str],
    end: pd.Timestamp,
    freq: str,
    freq_multiplier: int,
) -> Optional[pd.DataFrame]:
    """The summary computed by the engine (rows in customer id order, as lifetimes), when
    the data fits its daily periods: naive datetime64 dates, integer or string ids, finite
    amounts. ``None`` otherwise, and the pandas path gives lifetimes' own result."""
    ids, dates = transactions[customer_id_col], transactions[datetime_col]
    if freq != "D" or not pd.api.types.is_datetime64_dtype(dates.dtype):
        return None
    if not (pd.api.types.is_integer_dtype(ids.dtype) or pd.api.types.is_string_dtype(ids.dtype)):
        return None
    if monetary_value_col is not None and not pd.api.types.is_numeric_dtype(transactions[monetary_value_col].dtype):
        return None
    amounts = transactions[monetary_value_col].to_numpy(dtype=float) if monetary_value_col else np.ones(len(dates))
    table = {"id": ids.to_numpy(), "date": dates.to_numpy(), "amount": amounts}
    try:
        base = _crm.CustomerBase.from_transactions(table, customer_id_col="id", date_col="date", amount_col="amount")
        rows, x, t_x, age, spend = _crm._rfm_summary(base, end.date(), days_per_unit=float(freq_multiplier))
    except (CrmError, TypeError):
        # Missing ids, NaN amounts, ...: lifetimes' pandas semantics decide.
        return None
    index = pd.Index(np.asarray(base.customer_ids)[rows], name=customer_id_col).astype(ids.dtype)
    out = pd.DataFrame({"frequency": x, "recency": t_x, "T": age}, index=index)
    if monetary_value_col:
        out["monetary_value"] = spend
    return out.astype(float)


def summary_data_from_transaction_data(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str] = None,
    datetime_format: Optional[str] = None,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: int = 1,
) -> pd.DataFrame:
    """One row per customer (index ``customer_id_col``): frequency (repeat periods with a
    purchase), recency (first to last purchase period) and T (first purchase period to
    ``observation_period_end``) in units of ``freq`` / ``freq_multiplier``, and
    monetary_value (mean spend of the repeat periods, 0 without) when
    ``monetary_value_col`` is given."""
    if observation_period_end is None:
        observation_period_end = pd.to_datetime(transactions[datetime_col], format=datetime_format).max()
    end = _period_end(observation_period_end, datetime_format, freq)
    native = _native_summary(transactions, customer_id_col, datetime_col, monetary_value_col, end, freq, freq_multiplier)
    if native is not None:
        return native
    periods = _find_first_transactions(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format, end, freq
    )
    customers = periods.groupby(customer_id_col, sort=False)[datetime_col].agg(["min", "max", "count"])
    unit = np.timedelta64(1, freq)
    customers["frequency"] = customers["count"] - 1
    customers["T"] = (end - customers["min"]) / unit / freq_multiplier
    customers["recency"] = (customers["max"] - customers["min"]) / unit / freq_multiplier
    columns = ["frequency", "recency", "T"]
    if monetary_value_col:
        periods.loc[periods["first"], monetary_value_col] = np.nan
        customers["monetary_value"] = periods.groupby(customer_id_col)[monetary_value_col].mean().fillna(0)
        columns.append("monetary_value")
    return customers[columns].astype(float)


def calibration_and_holdout_data(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    calibration_period_end: Any,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: int = 1,
    datetime_format: Optional[str] = None,
    monetary_value_col: Optional[str] = None,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    """The summary of the calibration period (columns with ``_cal``) joined with the
    holdout: frequency_holdout (periods with a purchase), monetary_value_holdout and
    duration_holdout."""
    if include_first_transaction:
        raise NotImplementedError("crm.lifetimes does not support include_first_transaction")
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    tx = transactions[cols].copy()
    tx[datetime_col] = pd.to_datetime(tx[datetime_col], format=datetime_format)
    if observation_period_end is None:
        observation_period_end = tx[datetime_col].max()
    observation_end = pd.to_datetime(observation_period_end, format=datetime_format)
    calibration_end = pd.to_datetime(calibration_period_end, format=datetime_format)
    calibration = tx.loc[tx[datetime_col] <= calibration_end]
    summary = summary_data_from_transaction_data(
        calibration,
        customer_id_col,
        datetime_col,
        monetary_value_col=monetary_value_col,
        observation_period_end=calibration_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
    )
    summary.columns = [c + "_cal" for c in summary.columns]
    holdout = tx.loc[(tx[datetime_col] <= observation_end) & (tx[datetime_col] > calibration_end)].copy()
    if holdout.empty:
        raise ValueError(
            "There is no data available. Check the `observation_period_end` and `calibration_period_end` "
            "and confirm that values in `transactions` occur prior to those dates."
        )
    holdout[datetime_col] = holdout[datetime_col].dt.to_period(freq)
    per_period = holdout.groupby([customer_id_col, datetime_col], sort=False).size()
    frame = per_period.groupby(level=customer_id_col).count().to_frame("frequency_holdout")
    if monetary_value_col:
        frame["monetary_value_holdout"] = holdout.groupby(customer_id_col)[monetary_value_col].mean()
    combined = summary.join(frame, how="left").fillna(0)
    delta = (observation_end.to_period(freq) - calibration_end.to_period(freq)).n
    combined["duration_holdout"] = delta / freq_multiplier
    return combined
