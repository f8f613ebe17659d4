"""crm.ShiftedBetaGeo: the sBG model of contractual churn from Python, against Fader &
Hardie (2007)'s published fits and the model's closed forms worked out here."""

from math import exp, lgamma

import numpy as np
import pytest

import crm

# Fader & Hardie (2007), "How to project customer retention", Table 1: customers of one
# cohort still active at the start of years 0-7, and their published fits.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]


def survival(a: float, b: float, t: float) -> float:
    """S(t) = B(a, b + t) / B(a, b)."""
    return exp(lgamma(a + b) - lgamma(b) + lgamma(b + t) - lgamma(a + b + t))


@pytest.mark.parametrize(("alive", "alpha", "beta"), [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_fit_gives_the_published_parameters(alive, alpha, beta):
    m = crm.ShiftedBetaGeo.fit(alive)
    assert (round(m.alpha, 3), round(m.beta, 3)) == (alpha, beta)
    assert m.converged and m.iterations > 0 and len(m.standard_errors) == 2
    assert all(0 < se < v for se, v in zip(m.standard_errors, m.params))
    # The log-likelihood of the counts at the fit, worked out from S(t).
    a, b = m.params
    ll = sum((alive[t - 1] - alive[t]) * np.log(survival(a, b, t - 1) - survival(a, b, t)) for t in range(1, 8))
    ll += alive[7] * np.log(survival(a, b, 7))
    assert m.log_likelihood == pytest.approx(ll, rel=1e-10)


def test_predictions_match_the_closed_forms():
    m = crm.ShiftedBetaGeo(0.704, 1.182)
    a, b = m.params
    assert m.survival(1) == pytest.approx(b / (a + b), rel=1e-13)
    assert np.allclose(m.survival([0, 2, 12]), [1.0, b * (b + 1) / ((a + b) * (a + b + 1)), survival(a, b, 12)], rtol=1e-12)
    assert np.allclose(m.retention_rate([1, 5]), [(b + t - 1) / (a + b + t - 1) for t in (1, 5)], rtol=1e-13)
    # Discounted expected residual lifetime after r renewals: sum over k >= 0 of
    # S(r + 1 + k) / S(r) / (1 + d)^k (Fader & Hardie 2010), summed here term by term.
    for d, r in ((0.1, 0), (0.1, 3), (0.25, 1)):
        want = sum(survival(a, b, r + 1 + k) / survival(a, b, r) * (1 / (1 + d)) ** k for k in range(4000))
        assert m.discounted_expected_residual_lifetime(d, r) == pytest.approx(want, rel=1e-10)
    out = m.discounted_expected_residual_lifetime(0.1, [0, 3])
    assert isinstance(out, np.ndarray) and out.shape == (2,)


def test_survival_interval_brackets_the_point():
    m = crm.ShiftedBetaGeo.fit(REGULAR)
    rows = m.survival_interval([1, 5, 12], level=0.9)
    assert rows.shape == (3, 3)
    assert np.allclose(rows[:, 0], m.survival([1, 5, 12]), rtol=1e-12)
    assert np.all(rows[:, 1] < rows[:, 0]) and np.all(rows[:, 0] < rows[:, 2])
    # Wider at a higher level; the same draws for the same seed.
    wide = m.survival_interval([5], level=0.99)
    assert wide[0, 1] < rows[1, 1] and wide[0, 2] > rows[1, 2]
    boot = m.survival_interval([5], method="bootstrap", draws=200, seed=7)
    assert np.array_equal(boot, m.survival_interval([5], method="bootstrap", draws=200, seed=7))


def test_bad_input_is_named():
    with pytest.raises(crm.InputError, match="alive"):
        crm.ShiftedBetaGeo.fit([1000, 631, 700, 382])
    with pytest.raises(crm.ConfigError, match="alive"):
        crm.ShiftedBetaGeo.fit([1000])
    m = crm.ShiftedBetaGeo(0.704, 1.182)
    with pytest.raises(ValueError, match="t: -1.0"):
        m.survival([2, -1])
    with pytest.raises(ValueError, match="t: 0.0"):
        m.retention_rate(0)
    with pytest.raises(ValueError, match="discount_rate"):
        m.discounted_expected_residual_lifetime(0.0)
    with pytest.raises(ValueError, match="renewals: 1.5"):
        m.discounted_expected_residual_lifetime(0.1, 1.5)
    with pytest.raises(ValueError, match="alpha"):
        crm.ShiftedBetaGeo(0.0, 1.0)
    with pytest.raises(ValueError, match="fit"):
        m.survival_interval([1])
    with pytest.raises(ValueError, match="max_iterations"):
        crm.ShiftedBetaGeo.fit(REGULAR, max_iterations=0)
    # Draws and seeds out of range, negative ones included, name the argument.
    fitted = crm.ShiftedBetaGeo.fit(REGULAR)
    for draws in (-1, 1, 100_001):
        with pytest.raises(crm.ConfigError, match=f"{draws} is not in 2..=100000") as e:
            fitted.survival_interval([1], method="bootstrap", draws=draws)
        assert e.value.field == "draws"
    for seed in (-3, 2**64):
        with pytest.raises(crm.ConfigError, match=f"{seed} is not a seed in 0..2") as e:
            fitted.survival_interval([1], method="bootstrap", seed=seed)
        assert e.value.field == "seed"
    # Every 64-bit seed is taken.
    top = fitted.survival_interval([1], method="bootstrap", draws=20, seed=2**64 - 1)
    assert np.all(np.isfinite(top))
