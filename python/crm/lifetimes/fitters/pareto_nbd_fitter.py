"""The Pareto/NBD fitter (Schmittlein, Morrison & Colombo 1987)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from crm import _crm
from crm.lifetimes._arrays import asarray
from crm.lifetimes import generate_data
from crm.lifetimes.utils import _check_inputs, _scale_time
from crm.lifetimes.fitters import _RfmFitter, _array, _like, _row_log_likelihood, _SCIPY_METHODS


class ParetoNBDFitter(_RfmFitter):
    """The Pareto/NBD model (Schmittlein et al. 1987): r, alpha, s, beta."""

    _model = "paretonbd"
    _names = ("r", "alpha", "s", "beta")
    _must_converge = False
    _time_params = ("alpha", "beta")
    _generator = staticmethod(generate_data.pareto_nbd_model)

    def fit(  # type: ignore[override]
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        weights: Any = None,
        iterative_fitting: int = 1,
        initial_params: Any = None,
        verbose: bool = False,
        tol: float = 1e-4,
        index: Any = None,
        fit_method: str = "Nelder-Mead",
        maxiter: int = 2000,
        **kwargs: Any,
    ) -> "ParetoNBDFitter":
        """Fits as lifetimes: ``iterative_fitting`` fits from starting points drawn around 1
        (numpy's global generator, so ``np.random.seed`` repeats them) keep the best;
        ``initial_params`` are the parameters with time in units of the largest T;
        ``maxiter`` limits each fit's iterations and ``tol`` stops a fit when the gradient
        of lifetimes' objective (a sum over the rows) in the log-parameters is shorter. The engine minimises by
        quasi-Newton steps whatever ``fit_method`` names (an unknown name is an error, as in
        scipy)."""
        if iterative_fitting <= 0:
            raise ValueError("iterative_fitting parameter should be greater than 0 as of lifetimes v0.2.1")
        if iterative_fitting > 1 and initial_params is not None:
            raise ValueError(
                "iterative_fitting and initial_params should not be both set, as no improvement could be made."
            )
        if not (callable(fit_method) or str(fit_method).lower() in _SCIPY_METHODS):
            raise ValueError(f"Unknown solver {fit_method!r} (scipy.optimize.minimize's methods are accepted)")
        x = asarray(frequency).astype(int)
        tx, t = asarray(recency, dtype=float), asarray(T, dtype=float)
        w = np.ones(len(t), dtype=np.int64) if weights is None else asarray(weights)
        _check_inputs(x, tx, t)
        self._scale = _scale_time(t)
        best = None
        for _ in range(int(iterative_fitting)):
            start = (
                np.random.normal(1.0, scale=0.05, size=4)
                if initial_params is None
                else asarray(initial_params, dtype=float)
            )
            out = self._engine_fit(
                [_array(x), _array(tx), _array(t)],
                None if weights is None else _array(w),
                self._natural_initial(start),
                int(maxiter),
                # lifetimes' Pareto/NBD objective is the sum over the rows (over the mean
                # weight): its gradient is the engine's (per customer) times the rows.
                tol / max(len(t), 1),
            )
            if best is None or out[3] > best[3]:
                best = out
        self._store(best, {"frequency": x, "recency": tx, "T": t}, w, index, verbose)
        return self

    @classmethod
    def _negative_log_likelihood(  # type: ignore[override]
        cls, params: Any, freq: Any, rec: Any, T: Any, weights: Any, penalizer_coef: float = 0.0
    ) -> float:
        """lifetimes' Pareto/NBD objective (natural parameters): the weighted negative
        log-likelihood over the mean weight, plus the penalty; inf outside the domain."""
        p = asarray(params, dtype=float)
        if np.any(p <= 0.0):
            return np.inf
        ll = _row_log_likelihood(cls._model, p, freq, rec, T)
        w = asarray(weights, dtype=float)
        return -(w * ll).sum() / w.mean() + penalizer_coef * float(np.sum(p**2))

    def _objective(self, log_params: np.ndarray, freq: Any, rec: Any, T: Any, weights: Any) -> float:
        """The objective ``_hessian_`` (and so the standard errors) is taken of: lifetimes'
        divided by the customers per row, i.e. per customer as for the other models (its
        sum over rows would count each customer once per row of its collapsed data)."""
        p = np.exp(asarray(log_params, dtype=float))
        w = asarray(weights, dtype=float)
        ll = _row_log_likelihood(self._model, p, freq, rec, T)
        rows = max(len(self.data), 1)
        return float(-(w * ll).sum() / w.sum() + self.penalizer_coef / rows * np.sum(p**2))

    @staticmethod
    def _objective_divisor(weights: np.ndarray) -> float:
        return float(weights.mean())  # lifetimes' Pareto/NBD objective: over the mean weight

    @staticmethod
    def _log_A_0(params: Sequence[float], freq: Any, recency: Any, age: Any) -> Any:
        """ln A0 of the Pareto/NBD likelihood (Fader & Hardie's note), per customer."""
        arrays = np.broadcast_arrays(*[asarray(v, dtype=float) for v in (freq, recency, age)])
        flat = [_array(a) for a in arrays]
        out = _crm._predict(
            "paretonbd",
            [float(p) for p in params],
            "log_a0",
            np.zeros(len(flat[0])),
            x=flat[0],
            tx=flat[1],
            big_t=flat[2],
        )
        return _like(out, freq, recency, age)

    def conditional_probability_of_n_purchases_up_to_time(
        self, n: Any, t: Any, frequency: Any, recency: Any, T: Any
    ) -> Any:
        """P(n purchases in the next t periods | frequency, recency, T)."""
        return self._predict("conditional_probability", t, frequency, recency, T, n=n)
