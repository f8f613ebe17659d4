"""Simulated customers from the models' own stories (lifetimes' ``generate_data``), drawn by
the engine. Without ``seed=`` the seed comes from numpy's global generator, so
``np.random.seed(...)`` repeats a simulation as it does in lifetimes; the same seed gives the
same customers in every function that simulates the same model (the transaction log of
:func:`beta_geometric_nbd_model_transactional_data` summarises to
:func:`beta_geometric_nbd_model`'s customers)."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import pandas as pd

from crm import _crm
from crm.lifetimes._arrays import asarray

__all__ = [
    "beta_geometric_nbd_model",
    "beta_geometric_nbd_model_transactional_data",
    "pareto_nbd_model",
    "modified_beta_geometric_nbd_model",
    "beta_geometric_beta_binom_model",
]


def _seed(seed: Optional[int]) -> int:
    if seed is None:
        return int(np.random.randint(0, np.iinfo(np.int64).max, dtype=np.int64))
    return int(seed)


def _ages(T: Any, size: int) -> np.ndarray:
    """lifetimes' T: one age for everybody, or one per customer (the first ``size``)."""
    if np.ndim(T) == 0:
        return np.full(int(size), float(T))
    ages = asarray(T, dtype=np.float64).reshape(-1)
    if len(ages) < size:
        raise ValueError(f"T has {len(ages)} ages for size={size} customers")
    return np.ascontiguousarray(ages[: int(size)])


def _simulate(model: str, params: Tuple[float, ...], ages: np.ndarray, seed: Optional[int]) -> Tuple[np.ndarray, ...]:
    offsets, times, rate, dropout, alive = _crm._simulate(model, [float(p) for p in params], ages, _seed(seed))
    counts = np.diff(offsets.astype(np.int64))
    return counts, times, rate, dropout, alive


def _frequency_recency(counts: np.ndarray, times: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """lifetimes' summary of simulated purchase times: frequency counts the distinct whole
    time units with a purchase, recency is the last purchase time (0 without)."""
    n = len(counts)
    customer = np.repeat(np.arange(n), counts)
    whole = np.floor(times)
    new = np.ones(len(times))
    if len(times) > 1:
        new[1:] = (customer[1:] != customer[:-1]) | (whole[1:] != whole[:-1])
    frequency = np.bincount(customer, weights=new, minlength=n).astype(float)
    ends = np.cumsum(counts)
    recency = np.where(counts > 0, times[np.maximum(ends - 1, 0)] if len(times) else 0.0, 0.0)
    return frequency, recency.astype(float)


def _rfm_frame(
    model: str, params: Tuple[float, ...], T: Any, size: int, seed: Optional[int], dropout_name: str
) -> pd.DataFrame:
    ages = _ages(T, size)
    counts, times, rate, dropout, alive = _simulate(model, params, ages, seed)
    frequency, recency = _frequency_recency(counts, times)
    df = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": recency,
            "T": ages,
            "lambda": rate,
            dropout_name: dropout,
            "alive": alive.astype(float),
        },
        index=pd.Index(np.arange(len(ages), dtype=float), name="customer_id"),
    )
    return df


def beta_geometric_nbd_model(
    T: Any, r: float, alpha: float, a: float, b: float, size: int = 1, seed: Optional[int] = None
) -> pd.DataFrame:
    """Customers simulated from the BG/NBD model, observed for ``T``: frequency, recency, T,
    lambda, p, alive, indexed by customer_id."""
    return _rfm_frame("bgnbd", (r, alpha, a, b), T, size, seed, "p")


def modified_beta_geometric_nbd_model(
    T: Any, r: float, alpha: float, a: float, b: float, size: int = 1, seed: Optional[int] = None
) -> pd.DataFrame:
    """Customers simulated from the MBG/NBD model (same columns as
    :func:`beta_geometric_nbd_model`)."""
    return _rfm_frame("mbgnbd", (r, alpha, a, b), T, size, seed, "p")


def pareto_nbd_model(
    T: Any, r: float, alpha: float, s: float, beta: float, size: int = 1, seed: Optional[int] = None
) -> pd.DataFrame:
    """Customers simulated from the Pareto/NBD model: frequency, recency, T, lambda, mu,
    alive, indexed by customer_id."""
    return _rfm_frame("paretonbd", (r, alpha, s, beta), T, size, seed, "mu")


def beta_geometric_nbd_model_transactional_data(
    T: Any,
    r: float,
    alpha: float,
    a: float,
    b: float,
    observation_period_end: Any = "2019-1-1",
    freq: str = "D",
    size: int = 1,
    seed: Optional[int] = None,
) -> pd.DataFrame:
    """A transaction log (customer_id, date) of customers simulated from the BG/NBD model:
    each customer's first purchase ``T`` units of ``freq`` before
    ``observation_period_end``, then the repeat purchases."""
    end = pd.to_datetime(observation_period_end)
    ages = _ages(T, size)
    counts, times, _, _, _ = _simulate("bgnbd", (r, alpha, a, b), ages, seed)
    starts = end - pd.to_timedelta(ages - 1.0, unit=freq)
    first = starts - pd.Timedelta(1, unit=freq)
    repeat = np.repeat(starts.to_numpy(), counts) + pd.to_timedelta(times, unit=freq).to_numpy()
    n = len(ages)
    ids = np.concatenate([np.arange(n), np.repeat(np.arange(n), counts)])
    dates = np.concatenate([first.to_numpy(), repeat])
    order = np.argsort(ids, kind="stable")
    return pd.DataFrame({"customer_id": ids[order], "date": dates[order]})


def beta_geometric_beta_binom_model(
    N: Any, alpha: float, beta: float, gamma: float, delta: float, size: int = 1, seed: Optional[int] = None
) -> pd.DataFrame:
    """Customers simulated from the BG/BB model with ``N`` transaction opportunities:
    frequency, recency (the last opportunity with a transaction, 1-based; 0 without),
    n_periods, p (transaction probability), theta (dropout probability), alive and
    customer_id."""
    periods = _ages(N, size)
    counts, times, p, theta, alive = _simulate("bgbb", (alpha, beta, gamma, delta), periods, seed)
    ends = np.cumsum(counts)
    recency = np.where(counts > 0, times[np.maximum(ends - 1, 0)] + 1.0 if len(times) else 0.0, 0.0)
    return pd.DataFrame(
        {
            "frequency": counts.astype(float),
            "recency": recency.astype(float),
            "n_periods": periods,
            "p": p,
            "theta": theta,
            "alive": alive.astype(float),
            "customer_id": np.arange(len(periods), dtype=float),
        }
    )
