"""The lifetimes fitters on the crm engine (fit and predict run in Rust, without the GIL).

The attributes and methods are lifetimes 0.11.3's: ``params_``, ``data``, ``_scale``,
``_negative_log_likelihood_``, ``_hessian_``, ``variance_matrix_``, ``standard_errors_``,
``confidence_intervals_``, ``summary``, ``predict``, ``generate_new_data``,
``save_model`` / ``load_model`` and lifetimes' repr.
"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from crm import _crm
from crm.exceptions import ConfigError, CrmError, InputError, InternalError
from crm.lifetimes import generate_data
from crm.lifetimes._intervals import BgbbIntervals, RfmIntervals, SpendIntervals
from crm.lifetimes.utils import ConvergenceError, _check_inputs, _scale_time

__all__ = [
    "BaseFitter",
    "BetaGeoFitter",
    "ModifiedBetaGeoFitter",
    "ParetoNBDFitter",
    "BetaGeoBetaBinomFitter",
    "GammaGammaFitter",
]

_FREQ_UNITS_PER_MONTH = {"W": 4.345, "M": 1.0, "D": 30.0, "H": 30.0 * 24.0}

# The methods lifetimes may pass to scipy.optimize.minimize (the engine's optimiser runs
# whichever is named; see ParetoNBDFitter.fit).
_SCIPY_METHODS = {
    "nelder-mead",
    "powell",
    "cg",
    "bfgs",
    "newton-cg",
    "l-bfgs-b",
    "tnc",
    "cobyla",
    "cobyqa",
    "slsqp",
    "trust-constr",
    "dogleg",
    "trust-ncg",
    "trust-exact",
    "trust-krylov",
}


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


def _row_log_likelihood(model: str, params: Sequence[float], a: Any, b: Any, c: Any = None) -> np.ndarray:
    """The engine's log-likelihood per row, broadcast over the inputs."""
    arrays = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in (a, b, c) if v is not None])
    flat = [_array(v) for v in arrays]
    zeros = np.zeros(len(flat[0]))
    if model == "gammagamma":
        return _crm._predict(model, [float(p) for p in params], "log_likelihood", zeros, x=flat[0], tx=flat[1])
    return _crm._predict(
        model, [float(p) for p in params], "log_likelihood", zeros, x=flat[0], tx=flat[1], big_t=flat[2]
    )


def _collapsed(columns: Sequence[np.ndarray], weights: np.ndarray) -> List[np.ndarray]:
    """Identical rows merged with their weights added (the Hessian needs only these)."""
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    order = np.lexsort(cols[::-1])
    sorted_cols = [c[order] for c in cols]
    new = np.zeros(len(order), dtype=bool)
    new[:1] = True
    for c in sorted_cols:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    summed = np.add.reduceat(np.asarray(weights, dtype=np.float64)[order], starts) if len(order) else np.zeros(0)
    return [c[starts] for c in sorted_cols] + [summed]


def _numeric_hessian(f: Any, x: np.ndarray) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (steps relative to |x|, at least 1e-4)."""
    k = len(x)
    h = np.maximum(np.abs(x), 1.0) * 1e-4
    out = np.empty((k, k))
    f0 = f(x)
    for i in range(k):
        e_i = np.zeros(k)
        e_i[i] = h[i]
        out[i, i] = (f(x + e_i) - 2.0 * f0 + f(x - e_i)) / h[i] ** 2
        for j in range(i):
            e_j = np.zeros(k)
            e_j[j] = h[j]
            v = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (4.0 * h[i] * h[j])
            out[i, j] = out[j, i] = v
    return out


class BaseFitter:
    """What every fitter shares: lifetimes' repr, ``_unload_params``, ``save_model`` /
    ``load_model``, the parameters' uncertainty and ``summary``."""

    _model = ""
    _names: Sequence[str] = ()
    _data_names: Sequence[str] = ()
    # Parameters measured in time units (divided by ``_scale`` after a fit on scaled times).
    _time_params: Sequence[str] = ()
    # lifetimes raises ConvergenceError when its optimiser stops unconverged (not for
    # Pareto/NBD, whose Nelder-Mead result it keeps).
    _must_converge = True

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef

    def __repr__(self) -> str:
        name = type(self).__name__
        try:
            subjects = " fitted with {:d} subjects,".format(self.data.shape[0])
        except AttributeError:
            subjects = ""
        try:
            params = ", ".join("{}: {:.2f}".format(k, v) for k, v in sorted(self.params_.items()))
        except AttributeError:
            return f"<lifetimes.{name}>"
        return f"<lifetimes.{name}:{subjects} {params}>"

    def _unload_params(self, *names: str) -> List[float]:
        params = getattr(self, "params_", None)
        if params is None:
            raise ValueError("Model has not been fit yet. Please call the .fit method first.")
        return [params[n] for n in names]

    def _params(self) -> List[float]:
        return [float(v) for v in self._unload_params(*self._names)]

    # -- saving -------------------------------------------------------------------------

    def save_model(
        self,
        path: str,
        save_data: bool = True,
        save_generate_data_method: bool = True,
        values_to_save: Optional[Sequence[Any]] = None,
    ) -> None:
        """Pickles the fitter to ``path``; without ``data`` (``save_data=False``) or
        ``generate_new_data`` when asked, each replaced by the matching entry of
        ``values_to_save`` (default None)."""
        dropped = ["data" * (not save_data), "generate_new_data" * (not save_generate_data_method)]
        replacements = list(values_to_save) if values_to_save is not None else [None] * len(dropped)
        state = dict(self.__dict__)
        for name, value in zip(dropped, replacements):
            if name in state:
                state[name] = value
        copy = type(self).__new__(type(self))
        copy.__dict__.update(state)
        with open(path, "wb") as out:
            pickle.dump(copy, out)

    def load_model(self, path: str) -> None:
        """Loads a fitter saved by :meth:`save_model` into this one."""
        with open(path, "rb") as f:
            self.__dict__.update(pickle.load(f).__dict__)

    # -- uncertainty (lifetimes' definitions) -------------------------------------------

    def _hessian_point(self) -> np.ndarray:
        """Where lifetimes takes its Hessian: the log-parameters in scaled time units."""
        p = np.array(self._params())
        scale = getattr(self, "_scale", 1.0)
        for i, n in enumerate(self._names):
            if n in self._time_params:
                p[i] *= scale
        return np.log(p)

    def _hessian_args(self) -> List[np.ndarray]:
        data = getattr(self, "data", None)
        if not isinstance(data, pd.DataFrame):
            raise AttributeError("_hessian_ needs the fitted data (the model was saved without it)")
        scale = getattr(self, "_scale", 1.0)
        cols = [data[c].to_numpy(dtype=float) * (scale if c in ("recency", "T") else 1.0) for c in self._data_names]
        return _collapsed(cols, data["weights"].to_numpy(dtype=float))

    def _objective(self, log_params: np.ndarray, *args: Any) -> float:
        return float(self._negative_log_likelihood(log_params, *args, self.penalizer_coef))

    @staticmethod
    def _objective_divisor(weights: np.ndarray) -> float:
        """What lifetimes divides the weighted log-likelihood by (the customers)."""
        return float(weights.sum())

    @property
    def _hessian_(self) -> np.ndarray:
        """The Hessian of the fit's objective (penalised mean negative log-likelihood) in
        the log-parameters, time measured in units of the largest T, as lifetimes."""
        cached = self.__dict__.get("_hessian_cache")
        if cached is None:
            args = self._hessian_args()
            cached = _numeric_hessian(lambda u: self._objective(u, *args), self._hessian_point())
            self.__dict__["_hessian_cache"] = cached
        return cached

    @property
    def variance_matrix_(self) -> pd.DataFrame:
        """The parameters' covariance (delta method from :attr:`_hessian_`)."""
        p = np.array(self._params())
        weight = float(self.data["weights"].sum())
        inverse = np.linalg.inv(self._hessian_)
        names = list(self._names)
        return pd.DataFrame(np.outer(p, p) * inverse / weight, index=names, columns=names)

    @property
    def standard_errors_(self) -> pd.Series:
        """Standard errors of the parameters."""
        return pd.Series(np.sqrt(np.diag(self.variance_matrix_.to_numpy())), index=list(self._names))

    @property
    def confidence_intervals_(self) -> pd.DataFrame:
        """The parameters' 95% normal intervals."""
        se = self.standard_errors_
        params = pd.Series(self._params(), index=list(self._names))
        return pd.DataFrame(
            {"lower 95% bound": params - 1.96 * se, "upper 95% bound": params + 1.96 * se}, index=params.index
        )

    @property
    def summary(self) -> pd.DataFrame:
        """coef, se(coef), lower 95% bound, upper 95% bound per parameter."""
        df = pd.DataFrame(index=list(self._names))
        df["coef"] = pd.Series(self._params(), index=list(self._names))
        df["se(coef)"] = self.standard_errors_
        ci = self.confidence_intervals_
        df["lower 95% bound"] = ci["lower 95% bound"]
        df["upper 95% bound"] = ci["upper 95% bound"]
        return df

    # -- fitting ------------------------------------------------------------------------

    def _engine_fit(
        self,
        columns: Sequence[np.ndarray],
        weights: Optional[np.ndarray],
        initial_params: Any,
        max_iterations: int = 500,
        tol: float = 1e-10,
    ) -> tuple:
        initial = None
        if initial_params is not None:
            initial = [float(v) for v in np.asarray(initial_params, dtype=float).reshape(-1)]
        try:
            out = _crm._fit_model(
                self._model,
                columns[0],
                columns[1],
                columns[2] if len(columns) > 2 else None,
                weights,
                initial,
                float(self.penalizer_coef),
                int(max_iterations),
                float(tol),
            )
        except (InputError, ConfigError, InternalError):
            raise
        except CrmError as e:  # the engine's fit failure
            raise ConvergenceError(f"{e}. Try adding a larger penalizer to see if that helps convergence.") from e
        names, params, se, ll, n, iterations, converged = out
        if not all(np.isfinite(params)) or (self._must_converge and not converged):
            raise ConvergenceError(
                f"The model did not converge in {iterations} iterations. "
                "Try adding a larger penalizer to see if that helps convergence."
            )
        return out

    def _store(
        self, out: tuple, columns: Dict[str, np.ndarray], weights: np.ndarray, index: Any, verbose: bool
    ) -> None:
        names, params, se, ll, n, iterations, converged = out
        self.params_ = pd.Series(params, index=list(self._names), dtype=float)
        self.log_likelihood_ = float(ll)
        self.data_size_ = float(n)
        self.iterations_ = int(iterations)
        self.converged_ = bool(converged)
        self.__dict__.pop("_hessian_cache", None)
        self.data = pd.DataFrame({**columns, "weights": weights}, index=index)
        # lifetimes' objective at the optimum, from the engine's log-likelihood: with time
        # in units of the largest T each repeat purchase's density gains -ln(_scale).
        w = np.asarray(weights, dtype=float)
        ll_in_units = float(ll)
        if self._time_params:
            ll_in_units -= np.log(self._scale) * float(np.dot(w, np.asarray(columns["frequency"], dtype=float)))
        penalty = float(self.penalizer_coef) * float(np.sum(np.exp(self._hessian_point()) ** 2))
        self._negative_log_likelihood_ = -ll_in_units / self._objective_divisor(w) + penalty
        if hasattr(type(self), "conditional_expected_number_of_purchases_up_to_time"):
            self.predict = self.conditional_expected_number_of_purchases_up_to_time
        if hasattr(type(self), "_generate_new_data"):
            self.generate_new_data = self._generate_new_data
        if verbose:
            print(f"{type(self).__name__}: {iterations} iterations, converged={converged}, log-likelihood={ll:.4f}")

    def _predict(self, what: str, t: Any, x: Any = None, tx: Any = None, big_t: Any = None, n: Any = None) -> Any:
        given = [v for v in (t, x, tx, big_t, n) if v is not None]
        shaped = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in given])
        flat = iter([_array(a) for a in shaped])
        args: Dict[str, Any] = {"t": next(flat)}
        for name, v in (("x", x), ("tx", tx), ("big_t", big_t), ("n", n)):
            if v is not None:
                args[name] = next(flat)
        out = _crm._predict(self._model, self._params(), what, **args)
        if shaped and np.ndim(shaped[0]) > 1:
            out = out.reshape(shaped[0].shape)
        return _like(out, *given)


def _log_params_to_natural(log_params: Any) -> np.ndarray:
    return np.exp(np.asarray(log_params, dtype=float))


class _RfmFitter(RfmIntervals, BaseFitter):
    _data_names = ("frequency", "recency", "T")
    _time_params = ("alpha",)

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
        sharing a row. ``initial_params`` are lifetimes' starting point: the
        log-parameters with time in units of the largest T. ``tol``: the fit stops when the
        gradient of lifetimes' objective is shorter (scipy's BFGS meaning); ``maxiter``
        (keyword) limits the optimiser's iterations."""
        x = np.asarray(frequency).astype(int)
        tx, t = np.asarray(recency, dtype=float), np.asarray(T, dtype=float)
        _check_inputs(x, tx, t)
        w = np.ones(len(t), dtype=np.int64) if weights is None else np.asarray(weights)
        self._scale = _scale_time(t)
        initial = None
        if initial_params is not None:
            initial = self._natural_initial(np.exp(np.asarray(initial_params, dtype=float)))
        out = self._engine_fit(
            [_array(x), _array(tx), _array(t)],
            None if weights is None else _array(w),
            initial,
            int(kwargs.pop("maxiter", 500)),
            tol,
        )
        self._store(out, {"frequency": x, "recency": tx, "T": t}, w, index, verbose)
        return self

    def _natural_initial(self, scaled: np.ndarray) -> np.ndarray:
        out = np.array(scaled, dtype=float)
        for i, n in enumerate(self._names):
            if n in self._time_params:
                out[i] /= self._scale
        return out

    @classmethod
    def _negative_log_likelihood(
        cls, log_params: Any, freq: Any, rec: Any, T: Any, weights: Any, penalizer_coef: float = 0.0
    ) -> float:
        """lifetimes' objective: the weighted mean negative log-likelihood plus
        ``penalizer_coef`` x the sum of the squared parameters."""
        params = _log_params_to_natural(log_params)
        ll = _row_log_likelihood(cls._model, params, freq, rec, T)
        w = np.asarray(weights, dtype=float)
        return -(w * ll).sum() / w.sum() + penalizer_coef * float(np.sum(params**2))

    def conditional_expected_number_of_purchases_up_to_time(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the next ``t`` periods of a customer with this history."""
        return self._predict("conditional", t, frequency, recency, T)

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that a customer with this history is alive at T."""
        return self._predict("alive", np.zeros(np.shape(frequency)), frequency, recency, T)

    def conditional_probability_alive_matrix(
        self, max_frequency: Optional[int] = None, max_recency: Optional[int] = None
    ) -> np.ndarray:
        """P(alive) for every whole (recency, frequency) up to the maxima (default: the
        largest observed frequency and T), at age ``max_recency``: rows are recency,
        columns frequency."""
        max_frequency = max_frequency or int(self.data["frequency"].max())
        max_recency = max_recency or int(self.data["T"].max())
        recency, frequency = np.meshgrid(
            np.arange(max_recency + 1, dtype=float), np.arange(max_frequency + 1, dtype=float), indexing="ij"
        )
        z = self._predict(
            "alive", np.zeros(frequency.shape), frequency, recency, np.full(frequency.shape, float(max_recency))
        )
        return np.asarray(z, dtype=float).reshape(frequency.shape)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """Expected purchases of a new customer by ``t``."""
        return self._predict("expected", t)

    def _generate_new_data(self, size: int = 1) -> pd.DataFrame:
        return self._generator(self.data["T"].to_numpy(), *self._params(), size=size)


class BetaGeoFitter(_RfmFitter):
    """The BG/NBD model (Fader, Hardie and Lee 2005): r, alpha, a, b."""

    _model = "bgnbd"
    _names = ("r", "alpha", "a", "b")
    _generator = staticmethod(generate_data.beta_geometric_nbd_model)

    def probability_of_n_purchases_up_to_time(self, t: Any, n: Any) -> Any:
        """P(n repeat purchases by t) for a new customer."""
        return self._predict("probability", t, n)


class ModifiedBetaGeoFitter(BetaGeoFitter):
    """The MBG/NBD model (Batislam et al. 2007): r, alpha, a, b."""

    _model = "mbgnbd"
    _generator = staticmethod(generate_data.modified_beta_geometric_nbd_model)


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
        x = np.asarray(frequency).astype(int)
        tx, t = np.asarray(recency, dtype=float), np.asarray(T, dtype=float)
        w = np.ones(len(t), dtype=np.int64) if weights is None else np.asarray(weights)
        _check_inputs(x, tx, t)
        self._scale = _scale_time(t)
        best = None
        for _ in range(int(iterative_fitting)):
            start = (
                np.random.normal(1.0, scale=0.05, size=4)
                if initial_params is None
                else np.asarray(initial_params, dtype=float)
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
        p = np.asarray(params, dtype=float)
        if np.any(p <= 0.0):
            return np.inf
        ll = _row_log_likelihood(cls._model, p, freq, rec, T)
        w = np.asarray(weights, dtype=float)
        return -(w * ll).sum() / w.mean() + penalizer_coef * float(np.sum(p**2))

    def _objective(self, log_params: np.ndarray, freq: Any, rec: Any, T: Any, weights: Any) -> float:
        """The objective ``_hessian_`` (and so the standard errors) is taken of: lifetimes'
        divided by the customers per row, i.e. per customer as for the other models (its
        sum over rows would count each customer once per row of its collapsed data)."""
        p = np.exp(np.asarray(log_params, dtype=float))
        w = np.asarray(weights, dtype=float)
        ll = _row_log_likelihood(self._model, p, freq, rec, T)
        rows = max(len(self.data), 1)
        return float(-(w * ll).sum() / w.sum() + self.penalizer_coef / rows * np.sum(p**2))

    @staticmethod
    def _objective_divisor(weights: np.ndarray) -> float:
        return float(weights.mean())  # lifetimes' Pareto/NBD objective: over the mean weight

    @staticmethod
    def _log_A_0(params: Sequence[float], freq: Any, recency: Any, age: Any) -> Any:
        """ln A0 of the Pareto/NBD likelihood (Fader & Hardie's note), per customer."""
        arrays = np.broadcast_arrays(*[np.asarray(v, dtype=float) for v in (freq, recency, age)])
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
        x = np.asarray(frequency).astype(int)
        tx = np.asarray(recency).astype(int)
        n = np.asarray(n_periods).astype(int)
        w = np.ones_like(tx) if weights is None else np.asarray(weights)
        _check_inputs(x, tx, n)
        initial = None if initial_params is None else np.exp(np.asarray(initial_params, dtype=float))
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
        w = np.asarray(weights, dtype=float)
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
        x = np.asarray(counts.index, dtype=float)
        p = _crm._predict(self._model, self._params(), "probability", np.full(len(x), float(n)), x=_array(x))
        return pd.DataFrame(p * float(counts.sum()), index=pd.Index(counts.index, name="frequency"), columns=["model"])

    def _probability_of_transactions(self, n: Any, x: Any) -> Any:
        """P(x transactions in the first n opportunities) for a new customer."""
        return self._predict("probability", n, x)

    def _generate_new_data(self, size: int = 1) -> pd.DataFrame:
        n = np.repeat(self.data["n_periods"].to_numpy(), self.data["weights"].to_numpy().astype(int))
        return generate_data.beta_geometric_beta_binom_model(n, *self._params(), size=size)


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
        _check_inputs(np.asarray(frequency), monetary_value=np.asarray(monetary_value))
        x = np.asarray(frequency).astype(float)
        m = np.asarray(monetary_value).astype(float)
        w = np.ones_like(x, dtype=int) if weights is None else np.asarray(weights)
        initial = None if initial_params is None else np.exp(np.asarray(initial_params, dtype=float))
        out = self._engine_fit([_array(x), _array(m)], _array(w), initial, int(kwargs.pop("maxiter", 500)), tol)
        if q_constraint and out[1][1] < 1.0:
            out = self._fit_on_q_bound(x, m, w.astype(float), out)
        self._store(out, {"monetary_value": m, "frequency": x}, w, index, verbose)
        # lifetimes' frame has the columns in this order.
        self.data = self.data[["monetary_value", "frequency", "weights"]]
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
        w = np.asarray(weights, dtype=float)
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
