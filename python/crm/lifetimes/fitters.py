"""The lifetimes fitters on the crm engine (fit and predict run in Rust, without the GIL)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from crm import _crm
from crm.lifetimes._intervals import BgbbIntervals, RfmIntervals, SpendIntervals

__all__ = [
    "BaseFitter",
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
]

_FREQ_UNITS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24.0}


def _array(values: Any) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(-1))


def _like(values: np.ndarray, *inputs: Any) -> Any:
    """Results shaped like the inputs: a Series with the index of the first Series given,
    a float for scalar inputs, otherwise a numpy array."""
    for x in inputs:
        if isinstance(x, pd.Series) and len(x) == len(values):
            return pd.Series(values, index=x.index)
    if all(np.ndim(x) == 0 for x in inputs if x is not None):
        return float(values[0])
    return values


class BaseFitter:
    """What every fitter shares: ``params_``, ``summary``, ``log_likelihood_``."""

    _model = ""
    _names: Sequence[str] = ()

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef
        self.params_: Optional[pd.Series] = None

    def __repr__(self) -> str:
        name = type(self).__name__
        if self.params_ is None:
            return f"<crm.lifetimes.{name}>"
        params = ", ".join(f"{k}: {v:.2f}" for k, v in self.params_.items())
        return f"<crm.lifetimes.{name}: fitted with {self.data_size_:.0f} subjects, {params}>"

    def _fit(
        self,
        a: Any,
        b: Any,
        c: Any,
        weights: Any,
        initial_params: Any,
        verbose: bool,
        tol: float,
        index: Any,
    ) -> "BaseFitter":
        del tol  # the engine's optimiser has its own tolerance
        cols = [_array(a), _array(b)] + ([_array(c)] if c is not None else [])
        w = None if weights is None else _array(weights)
        self._fit_weights = w  # the intervals' Hessian and bootstrap use the fit data
        initial = None if initial_params is None else [float(v) for v in np.asarray(initial_params).reshape(-1)]
        names, params, se, ll, n, iterations, converged = _crm._fit_model(
            self._model,
            cols[0],
            cols[1],
            cols[2] if len(cols) > 2 else None,
            w,
            initial,
            float(self.penalizer_coef),
        )
        self.params_ = pd.Series(params, index=list(self._names), dtype=float)
        self._standard_errors = pd.Series(se, index=list(self._names), dtype=float)
        self.log_likelihood_ = float(ll)
        penalty = float(self.penalizer_coef) * float(np.sum(np.asarray(params) ** 2))
        self._negative_log_likelihood_ = -float(ll) / float(n) + penalty
        self.data_size_ = float(n)
        self.iterations_ = int(iterations)
        self.converged_ = bool(converged)
        self.data = pd.DataFrame({k: v for k, v in zip(self._data_names, cols)}, index=index)
        if verbose:
            print(f"{type(self).__name__}: {iterations} iterations, converged={converged}, log-likelihood={ll:.4f}")
        return self

    _data_names: Sequence[str] = ()

    def _unload_params(self, *names: str) -> List[float]:
        if self.params_ is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [float(self.params_[n]) for n in names]

    @property
    def summary(self) -> pd.DataFrame:
        """coef, se(coef), lower 95% bound, upper 95% bound per parameter."""
        self._unload_params(*self._names)
        assert self.params_ is not None
        df = pd.DataFrame(self.params_, columns=["coef"])
        df["se(coef)"] = self._standard_errors
        df["lower 95% bound"] = df["coef"] - 1.96 * df["se(coef)"]
        df["upper 95% bound"] = df["coef"] + 1.96 * df["se(coef)"]
        return df

    def _params(self) -> List[float]:
        return self._unload_params(*self._names)

    def _predict(self, what: str, t: Any, x: Any = None, tx: Any = None, big_t: Any = None) -> Any:
        arrays = [np.asarray(v, dtype=np.float64) for v in (t, x, tx, big_t) if v is not None]
        shaped = np.broadcast_arrays(*arrays)
        flat = [_array(a) for a in shaped]
        it = iter(flat)
        args: Dict[str, Any] = {"t": next(it)}
        for name, v in (("x", x), ("tx", tx), ("big_t", big_t)):
            if v is not None:
                args[name] = next(it)
        out = _crm._predict(self._model, self._params(), what, **args)
        if shaped and np.ndim(shaped[0]) > 1:
            out = out.reshape(shaped[0].shape)
        return _like(out, *(v for v in (t, x, tx, big_t) if v is not None))


class _RfmFitter(RfmIntervals, BaseFitter):
    _data_names = ("frequency", "recency", "T")

    def fit(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        weights: Any = None,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-7,
        index: Any = None,
        **kwargs: Any,
    ) -> "_RfmFitter":
        """Fits the model to frequency (repeat purchases), recency (age at the last
        purchase) and T (age), all in the same time unit; ``weights`` count customers
        sharing a row."""
        return self._fit(frequency, recency, T, weights, initial_params, verbose, tol, index)  # type: ignore[return-value]

    def conditional_expected_number_of_purchases_up_to_time(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the next ``t`` periods of a customer with this history."""
        return self._predict("conditional", t, frequency, recency, T)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that a customer with this history is alive at T."""
        return self._predict("alive", np.zeros(np.shape(frequency)), frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """Expected purchases of a new customer by ``t``."""
        return self._predict("expected", t)


class BetaGeoFitter(_RfmFitter):
    """The BG/NBD model (Fader, Hardie and Lee 2005): r, alpha, a, b."""

    _model = "bgnbd"
    _names = ("r", "alpha", "a", "b")

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> Any:
        """P(n purchases by t) for a new customer."""
        return self._predict("probability", t, n)


class ModifiedBetaGeoFitter(_RfmFitter):
    """The MBG/NBD model (Batislam et al. 2007): r, alpha, a, b."""

    _model = "mbgnbd"
    _names = ("r", "alpha", "a", "b")


class ParetoNBDFitter(_RfmFitter):
    """The Pareto/NBD model (Schmittlein et al. 1987): r, alpha, s, beta."""

    _model = "paretonbd"
    _names = ("r", "alpha", "s", "beta")


class BetaGeoBetaBinomFitter(BgbbIntervals, BaseFitter):
    """The BG/BB model for discrete opportunities (Fader, Hardie and Shang 2010): alpha,
    beta, gamma, delta."""

    _model = "bgbb"
    _names = ("alpha", "beta", "gamma", "delta")
    _data_names = ("frequency", "recency", "n_periods")

    def fit(
        self,
        frequency: Any,
        recency: Any,
        n_periods: Any,
        weights: Any = None,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-7,
        index: Any = None,
        **kwargs: Any,
    ) -> "BetaGeoBetaBinomFitter":
        """Fits to frequency, recency (the last opportunity with a transaction) and the
        number of opportunities, with optional weights (customers per row)."""
        return self._fit(frequency, recency, n_periods, weights, initial_params, verbose, tol, index)  # type: ignore[return-value]

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Expected transactions in the next ``m_periods_in_future`` opportunities."""
        return self._predict("conditional", m_periods_in_future, frequency, recency, n_periods)

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Probability of being alive after the observed opportunities (only
        ``m_periods_in_future=0`` is supported)."""
        if np.any(np.asarray(m_periods_in_future) != 0):
            raise NotImplementedError("crm.lifetimes supports m_periods_in_future=0 only")
        return self._predict("alive", np.zeros(np.shape(frequency)), frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n: Any) -> Any:
        """Expected transactions of a new customer in the first ``n`` opportunities."""
        return self._predict("expected", n)


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
        q_constraint: bool = False,
        index: Any = None,
        **kwargs: Any,
    ) -> "GammaGammaFitter":
        """Fits to the repeat buyers' frequency and mean spend."""
        if q_constraint:
            raise NotImplementedError("crm.lifetimes does not support q_constraint")
        return self._fit(frequency, monetary_value, None, weights, initial_params, verbose, tol, index)  # type: ignore[return-value]

    def conditional_expected_average_profit(self, frequency: Any = None, monetary_value: Any = None) -> Any:
        """Expected spend per transaction given frequency and mean spend (the fitted data
        when both are None)."""
        if frequency is None:
            frequency = self.data["frequency"]
        if monetary_value is None:
            monetary_value = self.data["monetary_value"]
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
        if freq not in _FREQ_UNITS_PER_MONTH:
            raise ValueError(f"freq must be one of {sorted(_FREQ_UNITS_PER_MONTH)}")
        model = transaction_prediction_model
        out = _crm._customer_lifetime_value(
            model._model,
            model._params(),
            self._params(),
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
