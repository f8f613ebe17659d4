"""Prediction intervals of the crm.lifetimes fitters (``..._interval`` methods, not in
lifetimes): the same numbers as crm-core/tests/intervals.rs and tests/c/test_intervals.c,
standard errors against lifetimes 0.11.3, determinism and range checks."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm
from crm import _crm
from crm.lifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(DATA / "cdnow_summary.csv", index_col="ID")


@pytest.fixture(scope="module")
def bgf(cdnow):
    # tol as the Rust and C faces' default (lifetimes' 1e-7 stops 1e-8 away from it).
    return BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"], tol=1e-10)


@pytest.fixture(scope="module")
def ggf(cdnow):
    repeat = cdnow[cdnow["x"] > 0]
    return GammaGammaFitter().fit(repeat["x"], repeat["zbar"])


PROFILES = pd.DataFrame({"x": [0.0, 2.0, 7.0], "t_x": [0.0, 30.43, 35.0], "T": [38.86] * 3}, index=[10, 20, 30])


def test_the_numbers_of_the_rust_and_c_faces(bgf):
    out = bgf.conditional_expected_number_of_purchases_up_to_time_interval(
        52, PROFILES["x"], PROFILES["t_x"], PROFILES["T"], draws=1000, seed=42
    )
    assert list(out.columns) == ["point", "lower", "upper"] and list(out.index) == [10, 20, 30]
    np.testing.assert_allclose(out["point"], [0.2516657120287551, 1.5585837938063118, 5.520662943752939], rtol=1e-9)
    np.testing.assert_allclose(out["lower"], [0.23292767922078603, 1.461667987769271, 4.895578174269583], rtol=1e-9)
    np.testing.assert_allclose(out["upper"], [0.2714077809257806, 1.6684961577002535, 6.168407787999107], rtol=1e-9)
    # The point is the plain prediction.
    plain = bgf.conditional_expected_number_of_purchases_up_to_time(52, PROFILES["x"], PROFILES["t_x"], PROFILES["T"])
    np.testing.assert_allclose(out["point"], plain, rtol=1e-12)
    delta = bgf.conditional_expected_number_of_purchases_up_to_time_interval(
        52, PROFILES["x"], PROFILES["t_x"], PROFILES["T"], method="delta"
    )
    np.testing.assert_allclose(delta["lower"], [0.23310189788924784, 1.4559262506466237, 4.921027971355241], rtol=1e-9)
    np.testing.assert_allclose(delta["upper"], [0.2717079147979849, 1.668479733253521, 6.193364377511026], rtol=1e-9)


def test_standard_errors_match_lifetimes(bgf, ggf, cdnow):
    # lifetimes 0.11.3: BetaGeoFitter().fit(...).standard_errors_ and likewise.
    cov = bgf.parameter_covariance()
    assert list(cov.index) == ["r", "alpha", "a", "b"]
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), [0.012557320698, 0.378221457044, 0.185719071912, 0.705345343533], rtol=1e-3)
    np.testing.assert_allclose(cov.values, cov.values.T, rtol=1e-12)
    np.testing.assert_allclose(np.sqrt(np.diag(ggf.parameter_covariance())), [1.189687048083, 0.290165617449, 4.159993928425], rtol=1e-3)
    mbg = ModifiedBetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    np.testing.assert_allclose(np.sqrt(np.diag(mbg.parameter_covariance())), [0.083263945298, 0.695597191603, 0.154785320699, 0.537472350789], rtol=1e-3)
    d = pd.read_csv(DATA / "donations.csv")
    bb = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    np.testing.assert_allclose(np.sqrt(np.diag(bb.parameter_covariance())), [0.069391362187, 0.029447716221, 0.051009850333, 0.320818939435], rtol=1e-3)
    # BG/BB intervals on the weighted table; quantiles as columns.
    out = bb.conditional_probability_alive_interval(1, d["frequency"], d["recency"], d["periods"], quantiles=[0.1, 0.5, 0.9], draws=200)
    assert list(out.columns) == ["point", "q0.1", "q0.5", "q0.9"]
    assert (out["q0.1"] <= out["q0.5"]).all() and (out["q0.5"] <= out["q0.9"]).all()
    # m as in lifetimes' conditional_probability_alive: a donor of all six years was alive
    # through them (m = 0: 1 exactly, no spread) and is so next year with 0.93 (the paper's
    # fit gives 0.93 too, crm-core's bgbb doctest).
    for m in (0, 1, 5):
        got = bb.conditional_probability_alive_interval(m, d["frequency"], d["recency"], d["periods"], method="delta")
        want = bb.conditional_probability_alive(m, d["frequency"], d["recency"], d["periods"])
        np.testing.assert_allclose(got["point"], want, rtol=1e-12)
    six = bb.conditional_probability_alive_interval(0, [6.0], [6.0], [6.0], method="delta")
    assert six.iloc[0].tolist() == [1.0, 1.0, 1.0]
    assert round(bb.conditional_probability_alive_interval(1, [6.0], [6.0], [6.0])["point"].iloc[0], 2) == 0.93


def test_penalized_intervals_use_the_fits_objective(cdnow):
    """With penalizer_coef, the normal and delta intervals use the Hessian of the objective
    the fit minimised (penalty included), as lifetimes' variance_matrix_ does."""
    # lifetimes 0.11.3: BetaGeoFitter(penalizer_coef=0.1).fit(x, t_x, T)._hessian_ (autograd,
    # its penalised mean objective in the log-parameters) and params_.
    hessian = np.array(
        [
            [0.418452590036, -0.187366179534, -0.011867742344, 0.008651845659],
            [-0.187366179534, 0.149748786599, 0.019989715286, -0.012099442447],
            [-0.011867742344, 0.019989715286, 0.060058578246, -0.050117075317],
            [0.008651845659, -0.012099442447, -0.050117075317, 0.080341718222],
        ]
    )
    log_covariance = np.linalg.inv(hessian) / len(cdnow)
    f = BetaGeoFitter(penalizer_coef=0.1).fit(cdnow["x"], cdnow["t_x"], cdnow["T"], tol=1e-10)
    np.testing.assert_allclose(f.params_, [0.230947014, 4.219287524, 0.128654740, 0.267126796], rtol=1e-4)
    x, tx, t = PROFILES["x"].to_numpy(), PROFILES["t_x"].to_numpy(), PROFILES["T"].to_numpy()
    out = f.conditional_expected_number_of_purchases_up_to_time_interval(52, x, tx, t, method="delta")
    # By hand: the gradient of ln(prediction) in the log-parameters (central differences),
    # its normal under lifetimes' covariance, the 5 % and 95 % quantiles.
    u = np.log(f.params_.to_numpy())

    def log_prediction(v):
        g = copy.copy(f)
        g.params_ = pd.Series(np.exp(v), index=f.params_.index)
        return np.log(g.conditional_expected_number_of_purchases_up_to_time(52, x, tx, t))

    step = np.eye(4) * 1e-4
    grad = np.array([(log_prediction(u + step[k]) - log_prediction(u - step[k])) / 2e-4 for k in range(4)])
    sd = np.sqrt(np.einsum("ki,kl,li->i", grad, log_covariance, grad))
    point = np.exp(log_prediction(u))
    np.testing.assert_allclose(out["point"], point, rtol=1e-12)
    np.testing.assert_allclose(out["lower"], point * np.exp(-1.6448536269514722 * sd), rtol=1e-3)
    np.testing.assert_allclose(out["upper"], point * np.exp(1.6448536269514722 * sd), rtol=1e-3)
    # The normal draws spread as much (1,000 draws: within 15 %).
    normal = f.conditional_expected_number_of_purchases_up_to_time_interval(52, x, tx, t, draws=1000, seed=3)
    np.testing.assert_allclose(normal["upper"] - normal["lower"], out["upper"] - out["lower"], rtol=0.15)


def test_clv_intervals_use_each_models_penalty(cdnow):
    """A CLV interval describes both fits as made: BG/NBD with its penalizer_coef and
    Gamma-Gamma with its own (the delta method, by hand from lifetimes' Hessians)."""
    # lifetimes 0.11.3 _hessian_: BetaGeoFitter(penalizer_coef=0.1) (as above) and
    # GammaGammaFitter(penalizer_coef=0.01) on the 946 repeat buyers.
    bg_hessian = np.array(
        [
            [0.418452590036, -0.187366179534, -0.011867742344, 0.008651845659],
            [-0.187366179534, 0.149748786599, 0.019989715286, -0.012099442447],
            [-0.011867742344, 0.019989715286, 0.060058578246, -0.050117075317],
            [0.008651845659, -0.012099442447, -0.050117075317, 0.080341718222],
        ]
    )
    gg_hessian = np.array(
        [
            [1.31048467465, -0.900979692211, 0.58895474246],
            [-0.900979692211, 1.500721576731, -0.874843949633],
            [0.58895474246, -0.874843949633, 1.163604153139],
        ]
    )
    repeat = cdnow[cdnow["x"] > 0]
    covariance = np.zeros((7, 7))
    covariance[:4, :4] = np.linalg.inv(bg_hessian) / len(cdnow)
    covariance[4:, 4:] = np.linalg.inv(gg_hessian) / len(repeat)
    bgf = BetaGeoFitter(penalizer_coef=0.1).fit(cdnow["x"], cdnow["t_x"], cdnow["T"], tol=1e-10)
    ggf = GammaGammaFitter(penalizer_coef=0.01).fit(repeat["x"], repeat["zbar"])
    np.testing.assert_allclose(ggf.params_, [4.109250257, 0.968385416, 3.780801423], rtol=1e-4)
    # Repeat buyers (this Gamma-Gamma fit has q < 1: a negative mean spend for x = 0).
    x, tx, t = np.array([1.0, 2.0, 7.0]), np.array([10.0, 30.43, 35.0]), np.full(3, 38.86)
    m = np.array([15.0, 22.35, 40.0])
    out = ggf.customer_lifetime_value_interval(bgf, x, tx, t, m, time=12, freq="W", method="delta")

    def log_clv(v):
        b, g = copy.copy(bgf), copy.copy(ggf)
        b.params_ = pd.Series(np.exp(v[:4]), index=bgf.params_.index)
        g.params_ = pd.Series(np.exp(v[4:]), index=ggf.params_.index)
        return np.log(np.asarray(g.customer_lifetime_value(b, x, tx, t, m, time=12, freq="W")))

    u = np.log(np.concatenate([bgf.params_.to_numpy(), ggf.params_.to_numpy()]))
    step = np.eye(7) * 1e-4
    grad = np.array([(log_clv(u + step[k]) - log_clv(u - step[k])) / 2e-4 for k in range(7)])
    sd = np.sqrt(np.einsum("ki,kl,li->i", grad, covariance, grad))
    point = np.exp(log_clv(u))
    np.testing.assert_allclose(out["point"], point, rtol=1e-9)
    np.testing.assert_allclose(out["lower"], point * np.exp(-1.6448536269514722 * sd), rtol=1e-3)
    np.testing.assert_allclose(out["upper"], point * np.exp(1.6448536269514722 * sd), rtol=1e-3)


def test_every_prediction_has_an_interval(bgf, ggf, cdnow):
    x, tx, t, m = cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]
    alive = bgf.conditional_probability_alive_interval(x, tx, t, draws=200)
    assert alive.index.equals(cdnow.index)
    assert ((alive["lower"] <= alive["point"]) & (alive["point"] <= alive["upper"])).all()
    assert (alive.loc[x == 0, ["lower", "upper"]] == 1.0).all().all()
    pnbd = ParetoNBDFitter().fit(x, tx, t)
    e = pnbd.conditional_expected_number_of_purchases_up_to_time_interval(39, x.head(50), tx.head(50), t.head(50), draws=100)
    assert (e["lower"] < e["upper"]).all()
    spend = ggf.conditional_expected_average_profit_interval(x, m, draws=200)
    assert ((spend["lower"] < spend["point"]) & (spend["point"] < spend["upper"])).all()
    clv = ggf.customer_lifetime_value_interval(bgf, x, tx, t, m, time=12, freq="W", method="delta")
    plain = ggf.customer_lifetime_value(bgf, x, tx, t, m, time=12, freq="W")
    np.testing.assert_allclose(clv["point"], plain, rtol=1e-9)
    assert ((clv["lower"] < clv["point"]) & (clv["point"] < clv["upper"])).all()
    drawn = ggf.customer_lifetime_value_interval(bgf, x.head(100), tx.head(100), t.head(100), m.head(100), freq="W", draws=300)
    width = drawn["upper"] - drawn["lower"]
    # Draws and the delta method agree to a small share of the width.
    assert ((drawn["lower"] - clv["lower"].head(100)).abs() < 0.15 * width + 1e-9).all()


def test_seeded_and_deterministic(bgf, cdnow):
    args = (39, cdnow["x"].head(30), cdnow["t_x"].head(30), cdnow["T"].head(30))
    for method in ("normal", "bootstrap"):
        a = bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, draws=20, method=method, seed=3)
        b = bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, draws=20, method=method, seed=3)
        pd.testing.assert_frame_equal(a, b)
        c = bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, draws=20, method=method, seed=4)
        assert not a.equals(c)


def test_bad_arguments_are_named(bgf, cdnow):
    args = (39, cdnow["x"], cdnow["t_x"], cdnow["T"])
    with pytest.raises(crm.CrmError, match="draws"):
        bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, draws=1)
    with pytest.raises(crm.CrmError, match="levels"):
        bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, quantiles=[0.05, 1.5])
    with pytest.raises(crm.CrmError, match="method"):
        bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, method="bayes")
    with pytest.raises(ValueError, match="level"):
        bgf.conditional_expected_number_of_purchases_up_to_time_interval(*args, level=1.0)
    with pytest.raises(crm.CrmError, match="recency"):
        bgf.conditional_probability_alive_interval([1.0], [5.0], [3.0])
    with pytest.raises(ValueError, match="fit"):
        BetaGeoFitter().conditional_probability_alive_interval([1.0], [1.0], [3.0])


def test_sbg_survival_through_the_native_api():
    # Fader & Hardie (2007)'s regular customers; alpha = 0.704, beta = 1.182 published.
    cohort = np.array([1000.0, 631, 468, 382, 326, 289, 262, 241])
    point, bounds = _crm._predict_interval(
        "sbg", [0.704, 1.182], "survival", cohort, big_t=np.array([1.0, 5.0, 12.0]), draws=200
    )
    assert len(point) == 3 and np.all(bounds[0] < point) and np.all(point < bounds[1])
