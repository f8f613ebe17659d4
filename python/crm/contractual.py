"""Contractual churn: the shifted-beta-geometric model (Fader & Hardie 2007, "How to
project customer retention"), fitted and evaluated by the engine.

Each period a subscriber cancels with a probability drawn once per subscriber from
Beta(alpha, beta); a cohort's survivor counts fit the two parameters.

>>> import crm
>>> m = crm.ShiftedBetaGeo.fit([1000, 631, 468, 382, 326, 289, 262, 241])
>>> round(m.alpha, 3), round(m.beta, 3)
(0.704, 1.182)
>>> round(float(m.survival(1)), 4)  # beta / (alpha + beta)
0.6267
"""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence

import numpy as np

from crm import _crm

__all__ = ["ShiftedBetaGeo"]


def _values(name: str, values: Any, low: float, *, above: bool = False, whole: bool = False) -> np.ndarray:
    """A float array of checked values (>= `low`, or > it with `above`)."""
    out = np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(-1))
    ok = np.isfinite(out) & ((out > low) if above else (out >= low))
    if whole:
        ok &= out == np.floor(out)
    if not ok.all():
        bad = float(out[~ok][0])
        rule = f"{'> ' if above else '>= '}{low:g}" + (" and whole" if whole else "")
        raise ValueError(f"{name}: {bad!r} is not a finite number {rule}")
    return out


def _shaped(out: np.ndarray, *given: Any) -> Any:
    """A float when every input was a scalar, else the array."""
    return float(out[0]) if all(np.ndim(g) == 0 for g in given) else out


class ShiftedBetaGeo:
    """The sBG model with parameters ``alpha`` and ``beta``; :meth:`fit` makes one from a
    cohort's survivor counts, with the fit's ``standard_errors``, ``log_likelihood``,
    ``iterations`` and ``converged``."""

    def __init__(self, alpha: float, beta: float) -> None:
        for name, v in (("alpha", alpha), ("beta", beta)):
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name}: {v!r} is not a finite number > 0")
        self.alpha, self.beta = float(alpha), float(beta)
        self.standard_errors: Optional[List[float]] = None
        self.log_likelihood: Optional[float] = None
        self.iterations: Optional[int] = None
        self.converged: Optional[bool] = None
        self._cohort: Optional[np.ndarray] = None

    @classmethod
    def fit(cls, alive: Sequence[float], *, tol: float = 1e-10, max_iterations: int = 500) -> "ShiftedBetaGeo":
        """Fits on the customers of one cohort still active at the start of periods 0, 1,
        ..., k (the first value is the cohort's size; counts never rise). Raises
        :class:`crm.InputError` naming the first bad count."""
        counts = np.ascontiguousarray(np.asarray(alive, dtype=np.float64).reshape(-1))
        if not (1 <= max_iterations <= 100_000):
            raise ValueError(f"max_iterations: {max_iterations} is not within 1..=100000")
        _, params, se, ll, _, iterations, converged = _crm._fit_model(
            "sbg", counts, np.zeros(0), None, None, None, 0.0, int(max_iterations), float(tol)
        )
        model = cls(params[0], params[1])
        model.standard_errors, model.log_likelihood = list(se), float(ll)
        model.iterations, model.converged = int(iterations), bool(converged)
        model._cohort = counts
        return model

    @property
    def params(self) -> List[float]:
        """``[alpha, beta]``."""
        return [self.alpha, self.beta]

    def _predict(self, what: str, t: np.ndarray, x: Optional[np.ndarray] = None) -> np.ndarray:
        return _crm._predict("sbg", self.params, what, t, x=x)

    def survival(self, t: Any) -> Any:
        """Share of a cohort still active after ``t`` periods (``t >= 0``)."""
        return _shaped(self._predict("survival", _values("t", t, 0.0)), t)

    def retention_rate(self, t: Any) -> Any:
        """Retention rate in period ``t`` (``t >= 1``): (beta + t - 1) / (alpha + beta + t - 1)."""
        return _shaped(self._predict("retention_rate", _values("t", t, 1.0)), t)

    def discounted_expected_residual_lifetime(self, discount_rate: Any, renewals: Any = 0) -> Any:
        """Discounted expected further periods of a subscriber who has renewed
        ``renewals`` times (whole, >= 0), at ``discount_rate`` a period (> 0), Fader &
        Hardie (2010): multiply by the margin per period for the residual value."""
        d = _values("discount_rate", discount_rate, 0.0, above=True)
        n = _values("renewals", renewals, 0.0, whole=True)
        d, n = np.broadcast_arrays(d, n)
        out = self._predict("residual_lifetime", np.ascontiguousarray(d), np.ascontiguousarray(n))
        return _shaped(out, discount_rate, renewals)

    def survival_interval(
        self, t: Any, *, level: float = 0.9, method: str = "normal", draws: int = 500, seed: int = 0
    ) -> np.ndarray:
        """Survival after ``t`` periods with a ``level`` interval from the fit's uncertainty
        (only for a fitted model): rows of (point, lower, upper). ``method``: "normal" or
        "delta" (from the Hessian at the optimum) or "bootstrap" (seeded)."""
        if self._cohort is None:
            raise ValueError("survival_interval needs a model made by ShiftedBetaGeo.fit")
        if not (0.0 < level < 1.0):
            raise ValueError(f"level: {level!r} is not within (0, 1)")
        tail = (1.0 - level) / 2.0
        point, bounds = _crm._predict_interval(
            "sbg", self.params, "survival", self._cohort, big_t=_values("t", t, 0.0),
            method=method, draws=int(draws), levels=[tail, 1.0 - tail], seed=int(seed),
        )
        return np.column_stack([point, bounds[0], bounds[1]])

    def __repr__(self) -> str:
        return f"<crm.ShiftedBetaGeo: alpha {self.alpha:.4g}, beta {self.beta:.4g}>"
