"""Prediction intervals for the crm.lifetimes fitters (not in lifetimes).

Every per-customer prediction gets an ``..._interval`` twin returning a DataFrame with the
point prediction and its quantiles over the parameters' uncertainty:

* ``method="normal"`` (default): ``draws`` parameter vectors from the asymptotic normal of
  the log-parameters (inverse Hessian of the negative log-likelihood at the optimum);
* ``method="delta"``: the same normal, each prediction linearised in the log-parameters (on
  its log scale, probabilities on the logit scale): no draws, the fast choice for millions
  of customers;
* ``method="bootstrap"``: ``draws`` refits on resamples of the fitted customers.

``level=0.9`` gives the columns ``point``, ``lower`` (5 %) and ``upper`` (95 %);
``quantiles=[...]`` gives ``point`` and one column ``q<quantile>`` per quantile instead.
``seed`` makes the draws reproducible (the same numbers on any thread count). The
intervals reflect the parameters' uncertainty only, not the customers' own randomness.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import pandas as pd

from crm import _crm
from crm.lifetimes._arrays import asarray

__all__ = ["RfmIntervals", "BgbbIntervals", "SpendIntervals"]

_UNITS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24.0}


def _array(values: Any) -> np.ndarray:
    return np.ascontiguousarray(asarray(values, dtype=np.float64).reshape(-1))


def _levels(level: Optional[float], quantiles: Optional[Sequence[float]]) -> List[float]:
    if quantiles is not None:
        return [float(q) for q in quantiles]
    if level is None or not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return [(1.0 - float(level)) / 2.0, (1.0 + float(level)) / 2.0]


def _frame(point: np.ndarray, bounds: Sequence[np.ndarray], quantiles: Optional[Sequence[float]], like: Any) -> pd.DataFrame:
    columns = {"point": point}
    if quantiles is None:
        columns["lower"], columns["upper"] = bounds[0], bounds[1]
    else:
        for q, b in zip(quantiles, bounds):
            columns[f"q{float(q):g}"] = b
    index = like.index if isinstance(like, pd.Series) and len(like) == len(point) else None
    return pd.DataFrame(columns, index=index)


class _Intervals:
    """What the interval methods share: the fit data and the parameters' covariance."""

    _model: str
    _names: Sequence[str]
    _data_names: Sequence[str]

    def _fit_arrays(self) -> dict:
        data = getattr(self, "data", None)
        if getattr(self, "params_", None) is None or data is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        cols = [_array(data[name]) for name in self._data_names]
        weights = data["weights"] if "weights" in data else None  # customers per row
        return {
            "a": cols[0],
            "b": cols[1],
            "c": cols[2] if len(cols) > 2 else None,
            "weights": None if weights is None else _array(weights),
        }

    def _param_list(self) -> List[float]:
        params = getattr(self, "params_", None)
        if params is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [float(params[n]) for n in self._names]

    def parameter_covariance(self) -> pd.DataFrame:
        """Covariance of the fitted parameters: the inverse Hessian of the negative
        log-likelihood in log-parameter space at the optimum, scaled to the parameters
        (its diagonal's square roots are the standard errors)."""
        names, cov, _, _ = _crm._parameter_covariance(self._model, self._param_list(), **self._fit_arrays())
        return pd.DataFrame(asarray(cov), index=names, columns=names)

    def _interval(
        self,
        what: str,
        rows: dict,
        like: Any,
        horizon: float,
        level: Optional[float],
        quantiles: Optional[Sequence[float]],
        draws: int,
        method: str,
        seed: int,
    ) -> pd.DataFrame:
        point, bounds = _crm._predict_interval(
            self._model,
            self._param_list(),
            what,
            horizon=float(horizon),
            method=method,
            draws=int(draws),
            levels=_levels(level, quantiles),
            seed=int(seed),
            penalizer=float(getattr(self, "penalizer_coef", 0.0)),
            **self._fit_arrays(),
            **{k: _array(v) for k, v in rows.items()},
        )
        return _frame(point, bounds, quantiles, like)


class RfmIntervals(_Intervals):
    """Intervals of BG/NBD, MBG/NBD and Pareto/NBD predictions."""

    def conditional_expected_number_of_purchases_up_to_time_interval(
        self,
        t: float,
        frequency: Any,
        recency: Any,
        T: Any,
        level: float = 0.9,
        quantiles: Optional[Sequence[float]] = None,
        draws: int = 500,
        method: str = "normal",
        seed: int = 0,
    ) -> pd.DataFrame:
        """Expected purchases in the next ``t`` periods per customer with its interval."""
        rows = {"x": frequency, "tx": recency, "big_t": T}
        return self._interval("conditional", rows, frequency, t, level, quantiles, draws, method, seed)

    def conditional_probability_alive_interval(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        level: float = 0.9,
        quantiles: Optional[Sequence[float]] = None,
        draws: int = 500,
        method: str = "normal",
        seed: int = 0,
    ) -> pd.DataFrame:
        """P(alive at T) per customer with its interval."""
        rows = {"x": frequency, "tx": recency, "big_t": T}
        return self._interval("alive", rows, frequency, 0.0, level, quantiles, draws, method, seed)


class BgbbIntervals(_Intervals):
    """Intervals of BG/BB predictions (x, t_x, n opportunities)."""

    def conditional_expected_number_of_purchases_up_to_time_interval(
        self,
        m_periods_in_future: float,
        frequency: Any,
        recency: Any,
        n_periods: Any,
        level: float = 0.9,
        quantiles: Optional[Sequence[float]] = None,
        draws: int = 500,
        method: str = "normal",
        seed: int = 0,
    ) -> pd.DataFrame:
        """Expected transactions in the next ``m_periods_in_future`` opportunities."""
        rows = {"x": frequency, "tx": recency, "big_t": n_periods}
        return self._interval("conditional", rows, frequency, m_periods_in_future, level, quantiles, draws, method, seed)

    def conditional_probability_alive_interval(
        self,
        m_periods_in_future: float,
        frequency: Any,
        recency: Any,
        n_periods: Any,
        level: float = 0.9,
        quantiles: Optional[Sequence[float]] = None,
        draws: int = 500,
        method: str = "normal",
        seed: int = 0,
    ) -> pd.DataFrame:
        """P(alive ``m_periods_in_future`` opportunities after the n observed), the
        interval twin of ``conditional_probability_alive`` (the same arguments first)."""
        rows = {"x": frequency, "tx": recency, "big_t": n_periods}
        m = float(m_periods_in_future)
        return self._interval("alive_after", rows, frequency, m, level, quantiles, draws, method, seed)


class SpendIntervals(_Intervals):
    """Intervals of Gamma-Gamma predictions and of CLV."""

    def conditional_expected_average_profit_interval(
        self,
        frequency: Any = None,
        monetary_value: Any = None,
        level: float = 0.9,
        quantiles: Optional[Sequence[float]] = None,
        draws: int = 500,
        method: str = "normal",
        seed: int = 0,
    ) -> pd.DataFrame:
        """Expected spend per transaction with its interval (the fitted data when both
        are None)."""
        if frequency is None:
            frequency = self.data["frequency"]  # type: ignore[attr-defined]
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]  # type: ignore[attr-defined]
        rows = {"x": frequency, "monetary_value": monetary_value}
        return self._interval("average_profit", rows, frequency, 0.0, level, quantiles, draws, method, seed)

    def customer_lifetime_value_interval(
        self,
        transaction_prediction_model: Any,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: str = "D",
        level: float = 0.9,
        quantiles: Optional[Sequence[float]] = None,
        draws: int = 500,
        method: str = "normal",
        seed: int = 0,
    ) -> pd.DataFrame:
        """``customer_lifetime_value`` with its interval over both models' parameter
        uncertainty (drawn independently; the spend model's draws use ``seed + 1``)."""
        if freq not in _UNITS_PER_MONTH:
            raise ValueError(f"freq must be one of {sorted(_UNITS_PER_MONTH)}")
        model = transaction_prediction_model
        purchase = model._fit_arrays()
        spend = self._fit_arrays()
        point, bounds = _crm._clv_interval(
            model._model,
            model._param_list(),
            purchase["a"],
            purchase["b"],
            purchase["c"],
            purchase["weights"],
            self._param_list(),
            spend["a"],
            spend["b"],
            spend["weights"],
            _array(frequency),
            _array(recency),
            _array(T),
            _array(monetary_value),
            months=int(time),
            discount=float(discount_rate),
            units_per_month=_UNITS_PER_MONTH[freq],
            method=method,
            draws=int(draws),
            levels=_levels(level, quantiles),
            seed=int(seed),
            penalizer=float(getattr(model, "penalizer_coef", 0.0)),
            gg_penalizer=float(getattr(self, "penalizer_coef", 0.0)),
        )
        return _frame(point, bounds, quantiles, frequency)
