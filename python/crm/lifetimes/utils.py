"""lifetimes' data utilities: per-customer frequency / recency / T (and mean spend) from a
transaction log, and a calibration / holdout split. pandas in, pandas out, with the same
column names and index as lifetimes."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from crm import _crm
from crm.exceptions import CrmError
from crm.lifetimes._arrays import asarray

__all__ = [
    "summary_data_from_transaction_data",
    "calibration_and_holdout_data",
    "calculate_alive_path",
    "expected_cumulative_transactions",
]


class ConvergenceError(ValueError):
    """A fit that did not converge."""


# The period aliases pandas 2.2 deprecated and pandas 3 removed, as lifetimes-era notebooks
# write them ("H" for hours), in today's spelling.
_OLD_FREQ = {"H": "h", "T": "min", "S": "s", "L": "ms", "U": "us", "N": "ns"}


def _pandas_freq(freq: str) -> str:
    return _OLD_FREQ.get(freq, freq)


def _unit(freq: str) -> np.timedelta64:
    """One period of ``freq`` as a numpy duration (numpy spells minutes "m")."""
    return np.timedelta64(1, "m" if freq == "min" else freq)


def _parse_dates(values: pd.Series, datetime_format: Optional[str]) -> pd.Series:
    """Dates from a column; numbers with a format (``19970101`` with ``"%Y%m%d"``) are
    read as their digits, as lifetimes' pandas read them."""
    if datetime_format is not None and pd.api.types.is_numeric_dtype(values.dtype):
        values = values.astype(str)
    return pd.to_datetime(values, format=datetime_format)


def _to_datetime(value: Any, datetime_format: Optional[str]) -> pd.Timestamp:
    if isinstance(value, pd.Period):
        return value.to_timestamp()
    try:
        return pd.to_datetime(value, format=datetime_format)
    except (ValueError, TypeError):
        return pd.to_datetime(value)


def _find_first_transactions(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str] = None,
    datetime_format: Optional[str] = None,
    observation_period_end: Any = None,
    freq: str = "D",
) -> pd.DataFrame:
    """One row per customer and period of ``freq`` with a transaction up to
    ``observation_period_end`` (default: the last transaction): the customer, the period
    (``period[freq]``), the summed ``monetary_value_col`` when given, and ``first`` (the
    customer's first period). Rows in customer then period order, as lifetimes."""
    freq = _pandas_freq(freq)
    if observation_period_end is None:
        observation_period_end = transactions[datetime_col].max()
    end = _to_datetime(observation_period_end, datetime_format)
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    tx = transactions[cols].copy()
    tx[datetime_col] = _parse_dates(tx[datetime_col], datetime_format)
    tx = tx.sort_values(cols)
    tx[datetime_col] = tx[datetime_col].dt.to_period(freq)
    # A period counts when it starts by the end, so the whole end period is in.
    tx = tx.loc[(tx[datetime_col].dt.start_time <= end).to_numpy()].reset_index(drop=True)
    if monetary_value_col:
        periods = tx.groupby([customer_id_col, datetime_col], sort=False, as_index=False)[monetary_value_col].sum()
    else:
        periods = tx.loc[~tx.duplicated([customer_id_col, datetime_col])]
    periods = periods[cols].copy()
    periods["first"] = ~periods.duplicated(customer_id_col)
    return periods


def _period_end(value: Any, datetime_format: Optional[str], freq: str) -> pd.Timestamp:
    if freq == "D" and datetime_format is None and isinstance(value, str):
        # An ISO date ("2024-12-31") read directly: pandas' parser guesses the format
        # first, which costs more than the whole summary's bookkeeping.
        try:
            stamp = pd.Timestamp.fromisoformat(value)
        except ValueError:
            stamp = None
        if stamp is not None and stamp.tzinfo is None:
            return stamp.normalize()
    return _to_datetime(value, datetime_format).to_period(freq).to_timestamp()


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
    # String ids go as the Series: Arrow-backed ones (pandas 3's str) without a copy, object
    # ones through pyarrow; numpy's object array of Python strings would cost more than the
    # whole summary.
    id_column = ids.to_numpy() if pd.api.types.is_integer_dtype(ids.dtype) else ids
    table = {"id": id_column, "date": dates.to_numpy(), "amount": amounts}
    try:
        # One pass over the columns when the rows are in time order with integer ids (no
        # base is kept: the notebook asks for the summary alone).
        row_ids, block = _crm._rfm_summary_of_transactions(
            table,
            end.date(),
            customer_id_col="id",
            date_col="date",
            amount_col="amount",
            days_per_unit=float(freq_multiplier),
        )
    except (CrmError, TypeError):
        # Missing ids, NaN amounts, ...: lifetimes' pandas semantics decide.
        return None
    if isinstance(ids.dtype, np.dtype):
        index = pd.Index(row_ids.to_numpy(zero_copy_only=False), name=customer_id_col)
    else:
        # Arrow-backed text (pandas 3's str): the ids' Arrow array, wrapped without a copy.
        index = pd.Index(pd.array(row_ids, dtype=ids.dtype), name=customer_id_col)
    # The dtype pandas' groupby gives (lifetimes' path): the ids' own, but text in object
    # columns is inferred as pandas does (pandas 3's str, object before).
    if index.dtype != ids.dtype and ids.dtype != object:
        index = index.astype(ids.dtype)
    # The engine's (4, rows) block of frequency, recency, T and spend: pandas keeps its
    # transpose as the frame's block without a copy.
    names = ["frequency", "recency", "T", "monetary_value"][: 4 if monetary_value_col else 3]
    return pd.DataFrame(block[: len(names)].T, index=index, columns=names, copy=False)


def summary_data_from_transaction_data(
    transactions: pd.DataFrame,
    customer_id_col: str,
    datetime_col: str,
    monetary_value_col: Optional[str] = None,
    datetime_format: Optional[str] = None,
    observation_period_end: Any = None,
    freq: str = "D",
    freq_multiplier: int = 1,
    include_first_transaction: bool = False,
) -> pd.DataFrame:
    """One row per customer (index ``customer_id_col``): frequency (repeat periods with a
    purchase), recency (first to last purchase period) and T (first purchase period to
    ``observation_period_end``) in units of ``freq`` / ``freq_multiplier``, and
    monetary_value (mean spend of the repeat periods, 0 without) when
    ``monetary_value_col`` is given. ``include_first_transaction`` counts the first period
    too (in frequency and in the mean spend)."""
    freq = _pandas_freq(freq)
    if observation_period_end is None:
        observation_period_end = _parse_dates(transactions[datetime_col], datetime_format).max()
    end = _period_end(observation_period_end, datetime_format, freq)
    if not include_first_transaction:
        native = _native_summary(
            transactions, customer_id_col, datetime_col, monetary_value_col, end, freq, freq_multiplier
        )
        if native is not None:
            return native
    periods = _find_first_transactions(
        transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format, end, freq
    )
    periods[datetime_col] = periods[datetime_col].dt.start_time
    customers = periods.groupby(customer_id_col, sort=False)[datetime_col].agg(["min", "max", "count"])
    unit = _unit(freq)
    customers["frequency"] = customers["count"] if include_first_transaction else customers["count"] - 1
    customers["T"] = (end - customers["min"]) / unit / freq_multiplier
    customers["recency"] = (customers["max"] - customers["min"]) / unit / freq_multiplier
    columns = ["frequency", "recency", "T"]
    if monetary_value_col:
        spend = periods[monetary_value_col].astype(float)
        if not include_first_transaction:
            spend = spend.where(~periods["first"])
        customers["monetary_value"] = spend.groupby(periods[customer_id_col]).mean().fillna(0)
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
    freq = _pandas_freq(freq)
    cols = [customer_id_col, datetime_col] + ([monetary_value_col] if monetary_value_col else [])
    tx = transactions[cols].copy()
    tx[datetime_col] = _parse_dates(tx[datetime_col], datetime_format)
    if observation_period_end is None:
        observation_period_end = tx[datetime_col].max()
    observation_end = _to_datetime(observation_period_end, datetime_format)
    calibration_end = _to_datetime(calibration_period_end, datetime_format)
    calibration = tx.loc[tx[datetime_col] <= calibration_end]
    summary = summary_data_from_transaction_data(
        calibration,
        customer_id_col,
        datetime_col,
        monetary_value_col=monetary_value_col,
        observation_period_end=calibration_end,
        freq=freq,
        freq_multiplier=freq_multiplier,
        include_first_transaction=include_first_transaction,
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


def calculate_alive_path(
    model: Any, transactions: pd.DataFrame, datetime_col: str, t: int, freq: str = "D"
) -> pd.Series:
    """P(alive) of one customer (``transactions`` are theirs) at each of the ``t + 1``
    periods of ``freq`` from their first purchase, by the fitted ``model``."""
    freq = _pandas_freq(freq)
    dates = pd.to_datetime(transactions[datetime_col])
    per_period = pd.Series(1, index=pd.DatetimeIndex(dates)).resample(freq).sum().to_numpy()
    bought = np.zeros(max(int(t) + 1, len(per_period)))
    bought[: len(per_period)] = per_period > 0
    age = np.arange(len(bought), dtype=float)
    frequency = np.cumsum(bought) - 1.0  # the first purchase is not a repeat
    recency = pd.Series(np.where(bought > 0, age, np.nan)).ffill().fillna(0.0).to_numpy()
    alive = model.conditional_probability_alive(frequency, recency, age)
    return pd.Series(asarray(alive, dtype=float).reshape(-1))


def _scale_time(age: Any) -> float:
    """lifetimes' time scale for fitting: one over the largest age."""
    return 1.0 / np.max(asarray(age))


# The messages of _check_inputs, in the order of its checks (lifetimes' words).
_CHECK_MESSAGES = (
    "Some values in recency vector are larger than T vector.",
    "There exist non-zero recency values when frequency is zero.",
    "There exist negative recency (ex: last order set before first order)",
    "There exists a zero length vector in one of frequency, recency or T.",
    "There exist non-integer values in the frequency vector.",
    "There exist non-positive (<= 0) values in the monetary_value vector.",
)


def _check_inputs(frequency: Any, recency: Any = None, T: Any = None, monetary_value: Any = None) -> None:
    """lifetimes' checks of a summary: recency <= T, recency 0 without repeat purchases,
    recency >= 0, no empty column, whole frequencies, positive spend. ValueError when one
    fails. Float columns of one length take one pass in the engine; anything else numpy's
    checks."""
    frequency = asarray(frequency)
    given = [None if v is None else asarray(v) for v in (recency, T, monetary_value)]
    if frequency.dtype == np.int64:  # the fitters' own astype(int): whole numbers already
        frequency = frequency.astype(np.float64)
    if all(
        a.dtype == np.float64 and a.ndim == 1 and a.flags.c_contiguous and a.flags.aligned and len(a) == len(frequency)
        for a in [frequency, *given]
        if a is not None
    ):
        failed = _crm._check_summary(frequency, *given)
        if failed is not None:
            raise ValueError(_CHECK_MESSAGES[failed])
        return
    if recency is not None:
        recency = asarray(recency)
        if T is not None and np.any(recency > asarray(T)):
            raise ValueError(_CHECK_MESSAGES[0])
        if np.any(recency[frequency == 0] != 0):
            raise ValueError(_CHECK_MESSAGES[1])
        if np.any(recency < 0):
            raise ValueError(_CHECK_MESSAGES[2])
        if any(asarray(x).shape[0] == 0 for x in (recency, frequency, T) if x is not None):
            raise ValueError(_CHECK_MESSAGES[3])
    if np.sum((frequency - frequency.astype(int)) ** 2) != 0:
        raise ValueError(_CHECK_MESSAGES[4])
    if monetary_value is not None and np.any(asarray(monetary_value) <= 0):
        raise ValueError(_CHECK_MESSAGES[5])


def _customer_lifetime_value(
    transaction_prediction_model: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str = "D",
) -> pd.Series:
    """Discounted value of the next ``time`` months with ``monetary_value`` as each
    customer's expected spend per purchase (the engine's CLV; see
    ``GammaGammaFitter.customer_lifetime_value``)."""
    from crm.lifetimes.fitters.gamma_gamma_fitter import _engine_clv

    return _engine_clv(
        transaction_prediction_model, [], frequency, recency, T, monetary_value, time, discount_rate, freq
    )


def expected_cumulative_transactions(
    model: Any,
    transactions: pd.DataFrame,
    datetime_col: str,
    customer_id_col: str,
    t: int,
    datetime_format: Optional[str] = None,
    freq: str = "D",
    freq_multiplier: int = 1,
    set_index_date: bool = False,
) -> pd.DataFrame:
    """Actual and predicted cumulative repeat transactions of the whole base over the
    ``t`` periods of ``freq`` from the first transaction, every ``freq_multiplier``
    periods: predicted = sum over first-purchase cohorts of the cohort's size x the
    model's expected purchases by that age (lifetimes' tracking plot data)."""
    freq = _pandas_freq(freq)
    start_date = _parse_dates(transactions[datetime_col], datetime_format).min()
    end = start_date.to_period(freq) + t
    periods = _find_first_transactions(
        transactions,
        customer_id_col,
        datetime_col,
        datetime_format=datetime_format,
        observation_period_end=end.to_timestamp(),
        freq=freq,
    )
    first = periods["first"].to_numpy()
    cohort = periods.loc[first].groupby(datetime_col).size()
    cohort_ordinals = np.array([p.ordinal for p in cohort.index], dtype=np.int64)
    cohort_sizes = cohort.to_numpy(dtype=float)
    date_periods = pd.date_range(start_date, periods=t + 1, freq=freq).to_period(freq)
    predicted = []
    for i, period in enumerate(date_periods):
        if i % freq_multiplier == 0 and i > 0:
            ages = (period.ordinal - cohort_ordinals).astype(float)
            before = ages > 0
            expected = asarray(
                model.expected_number_of_purchases_up_to_time(ages[before] / freq_multiplier), dtype=float
            )
            predicted.append(float(np.sum(expected * cohort_sizes[before])))
    repeat = periods.loc[~first].groupby(datetime_col).size()
    tracking = repeat.reindex(date_periods, fill_value=0).to_numpy()
    actual = [int(tracking[: j * freq_multiplier].sum()) for j in range(1, t // freq_multiplier + 1)]
    if set_index_date:
        index: Any = date_periods[freq_multiplier - 1 : -1 : freq_multiplier]
    else:
        index = range(0, t // freq_multiplier)
    return pd.DataFrame({"actual": actual, "predicted": predicted}, index=index)
