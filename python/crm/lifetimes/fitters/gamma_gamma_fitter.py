"""The Gamma-Gamma spend fitter (Fader, Hardie & Lee 2005) and the CLV it gives."""

from __future__ import annotations

from typing import Any, List

import numpy as np
import pandas as pd

from crm import _crm
from crm.lifetimes._arrays import asarray
from crm.lifetimes._intervals import SpendIntervals
from crm.lifetimes.utils import _check_inputs
from crm.lifetimes.fitters import (
    BaseFitter,
    _array,
    _row_log_likelihood,
    _collapsed,
    _numeric_hessian,
    _log_params_to_natural,
    _FREQ_UNITS_PER_MONTH,
)


class GammaGammaFitter(SpendIntervals, BaseFitter):
    """The Gamma-Gamma spend model (Fader, Hardie and Lee 2005): p, q, v."""

    _model = "gammagamma"
    _names = ("p", "q", "v")
    _data_names = ("frequency", "monetary_value")

    def fit(
        self,
        frequency: Any,
        monetary_value: Any,
        weights: Any = None,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-7,
        index: Any = None,
        q_constraint: bool = False,
        **kwargs: Any,
    ) -> "GammaGammaFitter":
        """Fits to the repeat buyers' frequency and mean spend. ``q_constraint=True`` keeps
        q >= 1 (so the population mean spend p v / (q - 1) exists): when the free optimum
        has q < 1, the fit is redone with q on that bound. ``tol`` as in
        :meth:`BetaGeoFitter.fit`."""
        _check_inputs(asarray(frequency), monetary_value=asarray(monetary_value))
        x = asarray(frequency).astype(float)
        m = asarray(monetary_value).astype(float)
        w = np.ones_like(x, dtype=int) if weights is None else asarray(weights)
        initial = None if initial_params is None else np.exp(asarray(initial_params, dtype=float))
        # Without weights the engine counts every row once itself (no array of ones to convert).
        engine_w = None if weights is None else _array(w)
        out = self._engine_fit([_array(x), _array(m)], engine_w, initial, int(kwargs.pop("maxiter", 500)), tol)
        if q_constraint and out[1][1] < 1.0:
            out = self._fit_on_q_bound(x, m, w.astype(float), out)
        # lifetimes' frame has the columns in this order (then the weights).
        owned = ("monetary_value", "frequency") + (("weights",) if weights is None else ())
        self._store(out, {"monetary_value": m, "frequency": x}, w, index, verbose, owned)
        return self

    def _fit_on_q_bound(self, x: np.ndarray, m: np.ndarray, w: np.ndarray, free: tuple) -> tuple:
        """The best (p, v) with q = 1: Newton steps on the two log-parameters with
        central differences (two parameters, distinct rows only)."""
        cx, cm, cw = _collapsed([x, m], w)

        def f(u: np.ndarray) -> float:
            return self._objective(np.array([u[0], 0.0, u[1]]), cx, cm, cw)

        u = np.log([free[1][0], free[1][2]])
        for _ in range(200):
            h = 1e-5
            g = np.array([(f(u + e) - f(u - e)) / (2 * h) for e in np.eye(2) * h])
            hess = _numeric_hessian(f, u)
            try:
                step = -np.linalg.solve(hess, g)
            except np.linalg.LinAlgError:
                step = -g
            if not np.all(np.linalg.eigvalsh(hess) > 0):
                step = -g
            t = 1.0
            while f(u + t * step) > f(u) and t > 1e-8:
                t /= 2.0
            u = u + t * step
            if np.max(np.abs(t * step)) < 1e-10:
                break
        params = [float(np.exp(u[0])), 1.0, float(np.exp(u[1]))]
        ll = float((cw * _row_log_likelihood("gammagamma", params, cx, cm)).sum())
        names, _, se, _, n, iterations, converged = free
        return (names, params, [np.nan] * 3, ll, n, iterations, converged)

    @classmethod
    def _negative_log_likelihood(
        cls, log_params: Any, frequency: Any, avg_monetary_value: Any, weights: Any, penalizer_coef: float = 0.0
    ) -> float:
        """lifetimes' objective: weighted mean negative log-likelihood plus the penalty."""
        params = _log_params_to_natural(log_params)
        ll = _row_log_likelihood(cls._model, params, frequency, avg_monetary_value)
        w = asarray(weights, dtype=float)
        return -(w * ll).sum() / w.sum() + penalizer_coef * float(np.sum(params**2))

    def conditional_expected_average_profit(self, frequency: Any = None, monetary_value: Any = None) -> Any:
        """Expected spend per transaction given frequency and mean spend (the fitted data
        when both are None)."""
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
        if frequency is None:
            frequency = self.data["frequency"]
        return self._predict("average_profit", np.zeros(np.shape(frequency)), frequency, monetary_value)

    def customer_lifetime_value(
        self,
        transaction_prediction_model: BaseFitter,
        frequency: Any,
        recency: Any,
        T: Any,
        monetary_value: Any,
        time: int = 12,
        discount_rate: float = 0.01,
        freq: str = "D",
    ) -> Any:
        """Discounted value of the next ``time`` months: expected purchases per month from
        ``transaction_prediction_model`` x expected spend, discounted at ``discount_rate`` a
        month; ``freq`` is the unit of recency and T ("D", "W", "M" or "H")."""
        return _engine_clv(
            transaction_prediction_model,
            self._params(),
            frequency,
            recency,
            T,
            monetary_value,
            time,
            discount_rate,
            freq,
        )


def _engine_clv(
    model: BaseFitter,
    spend_params: List[float],
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    time: int,
    discount_rate: float,
    freq: str,
) -> pd.Series:
    """CLV by the engine: with Gamma-Gamma parameters, ``monetary_value`` is the mean spend
    they adjust; without (``[]``), it is the expected spend itself."""
    if freq not in _FREQ_UNITS_PER_MONTH:
        raise ValueError(f"freq must be one of {sorted(_FREQ_UNITS_PER_MONTH)}")
    out = _crm._customer_lifetime_value(
        model._model,
        model._params(),
        spend_params,
        _array(frequency),
        _array(recency),
        _array(T),
        _array(monetary_value),
        int(time),
        float(discount_rate),
        _FREQ_UNITS_PER_MONTH[freq],
    )
    index = frequency.index if isinstance(frequency, pd.Series) else None
    return pd.Series(out, index=index, name="clv")
