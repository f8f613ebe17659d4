"""The lifetimes fitters on the crm engine (fit and predict run in Rust, without the GIL).

One module per fitter, as in lifetimes (``crm.lifetimes.fitters.beta_geo_fitter`` ...);
this one holds what they share. The attributes and methods are lifetimes 0.11.3's: ``params_``, ``data``, ``_scale``,
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
from crm.lifetimes._arrays import asarray
from crm.lifetimes._intervals import RfmIntervals
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
    return np.ascontiguousarray(asarray(values, dtype=np.float64).reshape(-1))


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
    arrays = np.broadcast_arrays(*[asarray(v, dtype=np.float64) for v in (a, b, c) if v is not None])
    flat = [_array(v) for v in arrays]
    zeros = np.zeros(len(flat[0]))
    if model == "gammagamma":
        return _crm._predict(model, [float(p) for p in params], "log_likelihood", zeros, x=flat[0], tx=flat[1])
    return _crm._predict(
        model, [float(p) for p in params], "log_likelihood", zeros, x=flat[0], tx=flat[1], big_t=flat[2]
    )


def _collapsed(columns: Sequence[np.ndarray], weights: np.ndarray) -> List[np.ndarray]:
    """Identical rows merged with their weights added (the Hessian needs only these)."""
    cols = [asarray(c, dtype=np.float64) for c in columns]
    order = np.lexsort(cols[::-1])
    sorted_cols = [c[order] for c in cols]
    new = np.zeros(len(order), dtype=bool)
    new[:1] = True
    for c in sorted_cols:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    summed = np.add.reduceat(asarray(weights, dtype=np.float64)[order], starts) if len(order) else np.zeros(0)
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


class _LazyData:
    """A fitter's ``data`` frame, built on first read from the columns the fit kept: most
    notebooks never read it, and building it is most of a fit's time outside the engine at
    10,000 customers. A non-data descriptor, so assigning ``data`` works as on lifetimes."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        pending = obj.__dict__.pop("_pending_data", None)
        if pending is None:
            raise AttributeError(f"{type(obj).__name__!r} object has no attribute 'data'")
        columns, weights, index = pending
        frame = pd.DataFrame({**columns, "weights": weights}, index=index)
        obj.__dict__["data"] = frame
        return frame


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
    data = _LazyData()

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
        params = getattr(self, "params_", None)
        if isinstance(params, pd.Series):
            # One pass over the Series (label lookups cost microseconds each, and every
            # prediction asks).
            by_name = dict(zip(params.index.tolist(), params.to_numpy().tolist()))
            return [float(by_name[n]) for n in self._names]
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
        getattr(self, "data", None)  # the frame built, if the fit left it pending
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
            initial = [float(v) for v in asarray(initial_params, dtype=float).reshape(-1)]
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
        self,
        out: tuple,
        columns: Dict[str, np.ndarray],
        weights: np.ndarray,
        index: Any,
        verbose: bool,
        owned: Sequence[str] = (),
    ) -> None:
        names, params, se, ll, n, iterations, converged = out
        self.params_ = pd.Series(np.asarray(params, dtype=float), index=_names_index(self._names), copy=False)
        self.log_likelihood_ = float(ll)
        self.data_size_ = float(n)
        self.iterations_ = int(iterations)
        self.converged_ = bool(converged)
        self.__dict__.pop("_hessian_cache", None)
        # ``data`` is built when first read (copies now: the inputs may change meanwhile).
        self.__dict__.pop("data", None)
        # (`owned`: arrays the fit made itself, which nobody else can change.)
        self.__dict__["_pending_data"] = (
            {k: v if k in owned else np.array(v) for k, v in columns.items()},
            weights if "weights" in owned else np.array(weights),
            None if index is None else (index.copy() if hasattr(index, "copy") else list(index)),
        )
        # lifetimes' objective at the optimum, from the engine's log-likelihood: with time
        # in units of the largest T each repeat purchase's density gains -ln(_scale).
        w = asarray(weights, dtype=float)
        ll_in_units = float(ll)
        if self._time_params:
            # Not np.dot: a BLAS call of this size wakes OpenBLAS' threads, which then spin
            # for a while on the cores the engine's next call needs (half its speed on 2).
            ll_in_units -= np.log(self._scale) * float(np.sum(w * asarray(columns["frequency"], dtype=float)))
        penalty = 0.0
        if self.penalizer_coef:
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
        shaped = np.broadcast_arrays(*[asarray(v, dtype=np.float64) for v in given])
        flat = iter([_array(a) for a in shaped])
        args: Dict[str, Any] = {"t": next(flat)}
        for name, v in (("x", x), ("tx", tx), ("big_t", big_t), ("n", n)):
            if v is not None:
                args[name] = next(flat)
        out = _crm._predict(self._model, self._params(), what, **args)
        if shaped and np.ndim(shaped[0]) > 1:
            out = out.reshape(shaped[0].shape)
        return _like(out, *given)


_NAMES_INDEX: Dict[Sequence[str], pd.Index] = {}


def _names_index(names: Sequence[str]) -> pd.Index:
    """The index of a fitter's ``params_``, made once per model: pandas 3 takes about
    0.1 ms to infer a text index from a list, as long as the Python side of a whole fit of
    10,000 customers. A copy each time, so that renaming one leaves the others."""
    index = _NAMES_INDEX.get(names)
    if index is None:
        index = _NAMES_INDEX[names] = pd.Index(list(names))
    return index.copy()


def _log_params_to_natural(log_params: Any) -> np.ndarray:
    return np.exp(asarray(log_params, dtype=float))


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
        x = asarray(frequency).astype(int)
        tx, t = asarray(recency, dtype=float), asarray(T, dtype=float)
        _check_inputs(x, tx, t)
        w = np.ones(len(t), dtype=np.int64) if weights is None else asarray(weights)
        self._scale = _scale_time(t)
        initial = None
        if initial_params is not None:
            initial = self._natural_initial(np.exp(asarray(initial_params, dtype=float)))
        out = self._engine_fit(
            [_array(x), _array(tx), _array(t)],
            None if weights is None else _array(w),
            initial,
            int(kwargs.pop("maxiter", 500)),
            tol,
        )
        owned = ("frequency",) if weights is not None else ("frequency", "weights")
        self._store(out, {"frequency": x, "recency": tx, "T": t}, w, index, verbose, owned)
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
        w = asarray(weights, dtype=float)
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
        return asarray(z, dtype=float).reshape(frequency.shape)

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """Expected purchases of a new customer by ``t``."""
        return self._predict("expected", t)

    def _generate_new_data(self, size: int = 1) -> pd.DataFrame:
        return self._generator(self.data["T"].to_numpy(), *self._params(), size=size)


# The fitters, importable from here as well (their modules import the names above).
from crm.lifetimes.fitters.beta_geo_fitter import BetaGeoFitter  # noqa: E402
from crm.lifetimes.fitters.beta_geo_beta_binom_fitter import BetaGeoBetaBinomFitter  # noqa: E402
from crm.lifetimes.fitters.gamma_gamma_fitter import GammaGammaFitter  # noqa: E402
from crm.lifetimes.fitters.modified_beta_geo_fitter import ModifiedBetaGeoFitter  # noqa: E402
from crm.lifetimes.fitters.pareto_nbd_fitter import ParetoNBDFitter  # noqa: E402
