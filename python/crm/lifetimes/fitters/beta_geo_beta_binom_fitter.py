"""The BG/BB fitter for discrete-time opportunities (Fader, Hardie & Shang 2010)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm import _crm
from crm.lifetimes._arrays import asarray
from crm.lifetimes import generate_data
from crm.lifetimes._intervals import BgbbIntervals
from crm.lifetimes.utils import _check_inputs
from crm.lifetimes.fitters import BaseFitter, _array, _row_log_likelihood, _log_params_to_natural


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
        number of opportunities, with optional weights (customers per row);
        ``initial_params`` are the log-parameters, ``tol`` as in :meth:`BetaGeoFitter.fit`."""
        x = asarray(frequency).astype(int)
        tx = asarray(recency).astype(int)
        n = asarray(n_periods).astype(int)
        w = np.ones_like(tx) if weights is None else asarray(weights)
        _check_inputs(x, tx, n)
        initial = None if initial_params is None else np.exp(asarray(initial_params, dtype=float))
        out = self._engine_fit(
            [_array(x), _array(tx), _array(n)], _array(w), initial, int(kwargs.pop("maxiter", 500)), tol
        )
        self._store(out, {"frequency": x, "recency": tx, "n_periods": n}, w, index, verbose)
        return self

    @classmethod
    def _negative_log_likelihood(
        cls, log_params: Any, frequency: Any, recency: Any, n_periods: Any, weights: Any, penalizer_coef: float = 0.0
    ) -> float:
        """lifetimes' objective: weighted mean negative log-likelihood plus the penalty."""
        params = _log_params_to_natural(log_params)
        ll = _row_log_likelihood(cls._model, params, frequency, recency, n_periods)
        w = asarray(weights, dtype=float)
        return -(w * ll).sum() / w.sum() + penalizer_coef * float(np.sum(params**2))

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Expected transactions in the next ``m_periods_in_future`` opportunities."""
        return self._predict("conditional", m_periods_in_future, frequency, recency, n_periods)

    def conditional_probability_alive(
        self, m_periods_in_future: Any, frequency: Any, recency: Any, n_periods: Any
    ) -> Any:
        """Probability of being alive ``m_periods_in_future`` opportunities after the
        observed ones (0: through the observed opportunities, 1: at the next)."""
        return self._predict("alive", m_periods_in_future, frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n: int) -> pd.DataFrame:
        """Expected customers by number of transactions in the first ``n`` opportunities,
        for each frequency observed in the fitted data (index ``frequency``, column
        ``model``), as lifetimes."""
        counts = self.data.groupby("frequency")["weights"].sum()
        x = asarray(counts.index, dtype=float)
        p = _crm._predict(self._model, self._params(), "probability", np.full(len(x), float(n)), x=_array(x))
        return pd.DataFrame(p * float(counts.sum()), index=pd.Index(counts.index, name="frequency"), columns=["model"])

    def _probability_of_transactions(self, n: Any, x: Any) -> Any:
        """P(x transactions in the first n opportunities) for a new customer."""
        return self._predict("probability", n, x)

    def _generate_new_data(self, size: int = 1) -> pd.DataFrame:
        n = np.repeat(self.data["n_periods"].to_numpy(), self.data["weights"].to_numpy().astype(int))
        return generate_data.beta_geometric_beta_binom_model(n, *self._params(), size=size)
