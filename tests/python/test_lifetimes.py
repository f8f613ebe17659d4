"""crm.lifetimes: the lifetimes API on the published figures (CDNOW, donations)."""

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crm
from crm.lifetimes import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from crm.lifetimes.utils import calibration_and_holdout_data, summary_data_from_transaction_data

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(DATA / "cdnow_summary.csv", index_col="ID")


@pytest.fixture(scope="module")
def bgf(cdnow):
    return BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])


def test_bg_nbd_on_cdnow(bgf, cdnow):
    p = bgf.params_
    assert list(p.index) == ["r", "alpha", "a", "b"]
    assert f"{p['r']:.3f} {p['alpha']:.3f} {p['a']:.3f} {p['b']:.3f}" == "0.243 4.414 0.793 2.426"
    assert f"{bgf.log_likelihood_:.1f}" == "-9582.4"
    # lifetimes' objective at the optimum: time in units of the largest T (38.86 weeks).
    x = cdnow["x"].to_numpy()
    scaled = -(bgf.log_likelihood_ + np.log(38.86) * x.sum()) / 2357
    assert bgf._negative_log_likelihood_ == pytest.approx(scaled, rel=1e-9)
    assert bgf._negative_log_likelihood_ == pytest.approx(0.2502717288, rel=1e-9)
    s = bgf.summary
    assert list(s.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    assert (s["se(coef)"] > 0).all()
    assert (s["lower 95% bound"] < s["coef"]).all()
    # Customer 1 (x=2, t_x=30.43, T=38.86): 1.226 purchases in the next 39 weeks.
    assert f"{bgf.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86):.3f}" == "1.226"
    assert bgf.predict(39, 2, 30.43, 38.86) == bgf.conditional_expected_number_of_purchases_up_to_time(
        39, 2, 30.43, 38.86
    )
    pred = bgf.predict(39, cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert isinstance(pred, pd.Series) and pred.index.equals(cdnow.index)
    alive = bgf.conditional_probability_alive(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert ((alive >= 0) & (alive <= 1)).all()
    assert bgf.conditional_probability_alive(0, 0, 38.86) == 1.0
    e = bgf.expected_number_of_purchases_up_to_time(np.array([10.0, 39.0]))
    assert isinstance(e, np.ndarray) and e[1] > e[0]
    total = sum(bgf.probability_of_n_purchases_up_to_time(39, n) for n in range(200))
    assert total == pytest.approx(1.0, abs=1e-9)
    assert "BetaGeoFitter" in repr(bgf)


def test_other_purchase_models_on_cdnow(cdnow):
    pnbd = ParetoNBDFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert list(pnbd.params_.index) == ["r", "alpha", "s", "beta"]
    assert f"{pnbd.log_likelihood_:.1f}" == "-9595.0"
    alive = pnbd.conditional_probability_alive(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert ((alive >= 0) & (alive <= 1)).all()
    mbg = ModifiedBetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert mbg.predict(39, 2, 30.43, 38.86) > 0
    penalized = BetaGeoFitter(penalizer_coef=0.1).fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert penalized.params_["r"] != pytest.approx(0.243, abs=1e-3)


def test_pareto_nbd_without_a_finite_maximum_stops_at_the_poisson_limit():
    """The "ties" base of tests/distributed/conftest.py: purchases with no sign of dropout
    and less spread than a Poisson process's, so the likelihood has no finite maximum (the
    fit once walked to alpha ~ 1e9 days, for minutes). Its supremum: one Poisson rate
    (purchases / exposure) for all and no dropout."""
    rng = random.Random(16)
    ids, days = [], []
    for customer in range(1, 401):
        for _ in range(rng.choice([1, 1, 2, 3, 5])):
            ids.append(customer)
            days.append(pd.Timestamp("2023-01-01") + pd.Timedelta(days=rng.choice([0, 30, 30, 200, 364, 400, 500])))
            rng.choice([10.0, 10.0, 25.0, 40.0, -10.0])  # the amount, drawn to keep the sequence
        if customer % 37 == 0:  # a refund only
            ids.append(10_000 + customer)
            days.append(pd.Timestamp("2023-01-01") + pd.Timedelta(days=45))
    s = summary_data_from_transaction_data(pd.DataFrame({"id": ids, "date": days}), "id", "date")
    x, tx, t = s["frequency"], s["recency"], s["T"]
    purchases, exposure = x.sum(), t.sum()
    assert (len(s), purchases, exposure) == (410, 360, 153_856)
    rate = purchases / exposure
    np.random.seed(16)
    pnbd = ParetoNBDFitter().fit(x, tx, t)
    sup = purchases * np.log(rate) - purchases
    assert sup - 1e-3 <= pnbd.log_likelihood_ <= sup + 1e-9
    # lifetimes 0.11.3 on these rows: -303.50268 in its units (time / 500).
    assert -pnbd._negative_log_likelihood_ >= -303.502682611
    p = pnbd.params_
    assert p["r"] / p["alpha"] == pytest.approx(rate, rel=1e-4)
    assert (pnbd.conditional_probability_alive(x, tx, t) > 1 - 1e-6).all()
    expected = pnbd.conditional_expected_number_of_purchases_up_to_time(100, x, tx, t)
    np.testing.assert_allclose(expected, 100 * rate, rtol=1e-3)


def test_gamma_gamma_and_clv(bgf, cdnow):
    repeat = cdnow[cdnow["x"] > 0]
    assert len(repeat) == 946
    ggf = GammaGammaFitter().fit(repeat["x"], repeat["zbar"])
    p = ggf.params_
    assert list(p.index) == ["p", "q", "v"]
    assert f"{p['p']:.2f} {p['q']:.2f}" == "6.25 3.74"
    assert p["v"] == pytest.approx(15.44, rel=1e-3)
    spend = ggf.conditional_expected_average_profit(repeat["x"], repeat["zbar"])
    assert spend.index.equals(repeat.index)
    assert ggf.conditional_expected_average_profit(0, 0) == pytest.approx(p["p"] * p["v"] / (p["q"] - 1))
    clv = ggf.customer_lifetime_value(
        bgf, repeat["x"], repeat["t_x"], repeat["T"], repeat["zbar"], time=12, discount_rate=0.01, freq="W"
    )
    assert clv.name == "clv" and clv.index.equals(repeat.index) and (clv > 0).all()
    # By hand for the first customer: monthly increments of expected purchases x spend.
    x, tx, t, m = repeat.iloc[0][["x", "t_x", "T", "zbar"]]
    upto = [bgf.predict(k * 4.345, x, tx, t) for k in range(0, 13)]
    want = sum((upto[k] - upto[k - 1]) / 1.01**k for k in range(1, 13)) * ggf.conditional_expected_average_profit(x, m)
    assert clv.iloc[0] == pytest.approx(want, rel=1e-9)
    with pytest.raises(ValueError, match="non-positive"):
        GammaGammaFitter().fit(cdnow["x"], cdnow["zbar"])
    with pytest.raises(crm.InputError, match="repeat buyers"):
        GammaGammaFitter().fit(cdnow["x"], cdnow["zbar"] + 1)


def test_bg_bb_on_the_donations():
    d = pd.read_csv(DATA / "donations.csv")
    bb = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
    p = bb.params_
    assert list(p.index) == ["alpha", "beta", "gamma", "delta"]
    assert f"{p['alpha']:.3f} {p['beta']:.3f} {p['gamma']:.3f} {p['delta']:.3f}" == "1.204 0.750 0.657 2.783"
    assert bb.data_size_ == 11_104
    assert bb.conditional_probability_alive(0, 6, 6, 6) > 0.9
    assert bb.conditional_expected_number_of_purchases_up_to_time(5, 6, 6, 6) > bb.predict(5, 1, 1, 6)
    # lifetimes' table: customers by transactions in the first 6 opportunities; Hardie's
    # sheet (cells C18, C24): 3454.9 with none, 1253.1 with six.
    e = bb.expected_number_of_transactions_in_first_n_periods(6)
    assert f"{e.loc[0, 'model']:.1f} {e.loc[6, 'model']:.1f}" == "3454.9 1253.1"


def read_cdnow_sample():
    return pd.read_csv(
        DATA / "cdnow_sample.txt",
        sep=r"\s+",
        header=None,
        names=["customer_id", "sample_id", "date", "quantity", "amount"],
        dtype={"date": str},
    )


def test_summary_data_from_transaction_data():
    tx = read_cdnow_sample()
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    s = summary_data_from_transaction_data(
        tx, "customer_id", "date", observation_period_end="1997-09-30", freq="D", freq_multiplier=7
    )
    assert list(s.columns) == ["frequency", "recency", "T"]
    assert s.index.name == "customer_id"
    assert len(s) == 2357
    assert int((s["frequency"] > 0).sum()) == 946
    row = s.loc[4]
    assert (row["frequency"], round(row["recency"], 2), round(row["T"], 2)) == (2, 30.43, 38.86)
    # Same model fit as the published summary.
    bgf = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    assert f"{bgf.params_['r']:.3f} {bgf.params_['alpha']:.2f}" == "0.243 4.41"
    m = summary_data_from_transaction_data(
        read_cdnow_sample(), "customer_id", "date", monetary_value_col="amount", datetime_format="%Y%m%d",
        observation_period_end="19970930",
    )
    assert list(m.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert (m.loc[m["frequency"] == 0, "monetary_value"] == 0).all()


@pytest.mark.parametrize(
    ("ids", "order"),
    [("int", "shuffled"), ("int", "time"), ("int", "day"), ("int", "lines"), ("str", "shuffled"), ("numbered", "time"),
     ("object", "shuffled"), ("string[pyarrow]", "shuffled")],
)
def test_summary_engine_path_equals_lifetimes_pandas_path(monkeypatch, ids, order):
    # The engine computes the summary for naive datetime64 dates; the pandas path (which
    # reproduces lifetimes: rows in customer id order, the whole end day counted) must give
    # the same frame. Shuffled rows, times of day, rows on the end day, several units. Rows
    # in time order with integer ids take the engine's one pass (no base); "day" keeps only
    # the dates, so that a customer's lines of a day share one timestamp; "lines" makes each
    # purchase an invoice of 1-9 consecutive lines in random amount order (also in the pass).
    import crm.lifetimes.utils as utils

    s = crm.sample(3_000, seed=5, profiles=False, interactions=False)
    tx = s.transactions.to_pandas()
    rng = np.random.default_rng(3)
    tx["date"] = pd.to_datetime(tx["date"]) + pd.to_timedelta(rng.integers(0, 86_400, len(tx)), unit="s")
    tx = tx.sample(frac=1.0, random_state=2).reset_index(drop=True)
    if order == "day":
        tx["date"] = tx["date"].dt.normalize()
    if order == "lines":
        tx = tx.sort_values("date", kind="stable").reset_index(drop=True)
        tx = tx.loc[tx.index.repeat(rng.integers(1, 10, len(tx)))].reset_index(drop=True)
        tx["amount"] = np.round(rng.normal(20.0, 15.0, len(tx)), 2)
    if order != "shuffled":
        tx = tx.sort_values("date", kind="stable").reset_index(drop=True)
    if ids != "int":
        # Text ids of varying width, of one fixed width ("C000123": interned as numbers), as
        # numpy objects and as Arrow strings.
        numbered = ids == "numbered"
        tx["customer_id"] = [f"C{i:06d}" if numbered else f"c{i}" for i in tx["customer_id"]]
        if ids in ("object", "string[pyarrow]"):
            tx["customer_id"] = tx["customer_id"].astype(ids)
    end = pd.Timestamp(s.end) - pd.Timedelta(days=40)
    if order == "day":
        assert (tx["date"] == end).any() and tx.duplicated(["customer_id", "date"]).any()
    else:
        assert ((tx["date"] > end) & (tx["date"] < end + pd.Timedelta(days=1))).any()
    assert not tx["customer_id"].is_monotonic_increasing
    cases = [dict(monetary_value_col="amount"), dict(freq_multiplier=7), dict(monetary_value_col="amount", freq_multiplier=3)]
    engine = [summary_data_from_transaction_data(tx, "customer_id", "date", observation_period_end=end, **c) for c in cases]
    monkeypatch.setattr(utils, "_native_summary", lambda *a, **k: None)
    for c, got in zip(cases, engine):
        want = summary_data_from_transaction_data(tx, "customer_id", "date", observation_period_end=end, **c)
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
        assert got.index.equals(want.index) and got.index.is_monotonic_increasing


def test_summary_falls_back_to_pandas_where_the_engine_refuses():
    # A NaN amount: the engine rejects it, lifetimes' pandas semantics decide (the NaN day
    # sums skip it).
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"]),
            "amount": [10.0, np.nan, 4.0],
        }
    )
    s = summary_data_from_transaction_data(tx, "customer_id", "date", "amount", observation_period_end="2024-01-10")
    assert s.loc[1, "frequency"] == 1.0 and s.loc[1, "T"] == 9.0
    assert list(s.index) == [1, 2]


def test_calibration_and_holdout_data():
    tx = read_cdnow_sample()
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    c = calibration_and_holdout_data(
        tx, "customer_id", "date", calibration_period_end="1997-06-30", observation_period_end="1997-09-30",
        monetary_value_col="amount",
    )
    assert list(c.columns) == [
        "frequency_cal", "recency_cal", "T_cal", "monetary_value_cal", "frequency_holdout",
        "monetary_value_holdout", "duration_holdout",
    ]
    assert (c["duration_holdout"] == 92).all()
    assert c["frequency_holdout"].sum() > 0


def test_native_rfm_summary_from_a_base():
    # a: days Jan 1 (two rows, 15), Jan 5 (20), Jan 11 (30): x = 2, t_x = 10, T = 20,
    # mean repeat spend 25. b: one day before the end (7) and one after it (ignored).
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b"],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-11", "2024-01-03", "2024-01-25"]
            ),
            "amount": [10.0, 5.0, 20.0, 30.0, 7.0, 9.0],
        }
    )
    base = crm.CustomerBase.from_transactions(tx)
    rows, x, tx_, t, m = crm._crm._rfm_summary(base, "2024-01-21")
    ids = list(np.asarray(base.customer_ids)[rows])
    got = {i: (x[k], tx_[k], t[k], m[k]) for k, i in enumerate(ids)}
    assert got == {"a": (2.0, 10.0, 20.0, 25.0), "b": (0.0, 0.0, 18.0, 0.0)}
    _, x, tx_, t, _ = crm._crm._rfm_summary(base, "2024-01-21", days_per_unit=7.0)
    assert sorted(t) == pytest.approx([18 / 7, 20 / 7]) and max(tx_) == pytest.approx(10 / 7)
    with pytest.raises(crm.ConfigError):
        crm._crm._rfm_summary(base, "2024-01-21", days_per_unit=0.0)


def test_summary_reads_every_time_unit_in_place_as_converted():
    """Time-ordered int64 ids with dates or timestamps of any unit are summarised in place
    (no conversion); a table in several chunks is converted first. Every form gives the
    same ids and figures, bit for bit."""
    import pyarrow as pa

    from crm import _crm

    s = crm.sample(2_000, seed=9, profiles=False, interactions=False)
    tx = s.transactions.to_pandas().sort_values("date", kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(4)
    ns = pd.to_datetime(tx["date"]).to_numpy().astype("datetime64[ns]") + rng.integers(0, 86_400 * 10**9, len(tx)).astype("timedelta64[ns]")
    order = np.argsort(ns, kind="stable")
    ids, ns, amount = tx["customer_id"].to_numpy()[order], ns[order], tx["amount"].to_numpy()[order]
    end = s.end - __import__("datetime").timedelta(days=30)

    def summary(table):
        got_ids, block = _crm._rfm_summary_of_transactions(
            table, end, customer_id_col="id", date_col="date", amount_col="amount"
        )
        return got_ids.to_numpy(), block

    want_ids, want = summary({"id": ids, "date": ns, "amount": amount})
    for unit in ["s", "ms", "us"]:
        got_ids, got = summary(pa.table({"id": ids, "date": pa.array(ns.astype(f"datetime64[{unit}]")), "amount": amount}))
        np.testing.assert_array_equal(got_ids, want_ids)
        np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))
    chunked = pa.table({"id": ids, "date": pa.array(ns), "amount": amount})
    chunked = pa.concat_tables([chunked.slice(0, 1_000), chunked.slice(1_000)])
    got_ids, got = summary(chunked)
    np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))
    days = ns.astype("datetime64[D]")
    day_ids, by_day = summary(pa.table({"id": ids, "date": pa.array(days), "amount": amount}))
    midnight_ids, at_midnight = summary({"id": ids, "date": days.astype("datetime64[ns]"), "amount": amount})
    np.testing.assert_array_equal(day_ids, midnight_ids)
    np.testing.assert_array_equal(by_day.view(np.uint64), at_midnight.view(np.uint64))
    # Arrow's date64 (milliseconds at midnight): in place, and converted when chunked.
    d64 = pa.table({"id": ids, "date": pa.array(days).cast(pa.date64()), "amount": amount})
    for table in (d64, pa.concat_tables([d64.slice(0, 700), d64.slice(700)])):
        got_ids, got = summary(table)
        np.testing.assert_array_equal(got_ids, midnight_ids)
        np.testing.assert_array_equal(got.view(np.uint64), at_midnight.view(np.uint64))
    assert len(want_ids) > 1_000
