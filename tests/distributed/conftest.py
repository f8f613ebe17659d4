"""Data and the comparison of the distributed suite: every distributed result must equal
the single-machine engine's on the same rows."""

from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import crm

#: The partition counts every analysis is checked at.
PARTITIONS = (1, 2, 7, 64)


def shuffled(table: pa.Table, seed: int) -> pa.Table:
    """The same rows in another order."""
    order = np.random.default_rng(seed).permutation(table.num_rows)
    return table.take(pa.array(order))


def ties_and_refunds() -> pa.Table:
    """A base built for ties: few distinct amounts and days, so revenue, purchase counts
    and recency tie across customers (and across partitions); refunds, customers with
    refunds only, and margins."""
    rng = random.Random(16)
    ids, days, amounts, margins = [], [], [], []
    start = dt.datetime(2023, 1, 1)
    for customer in range(1, 401):
        for _ in range(rng.choice([1, 1, 2, 3, 5])):
            ids.append(customer)
            days.append(start + dt.timedelta(days=rng.choice([0, 30, 30, 200, 364, 400, 500])))
            amount = rng.choice([10.0, 10.0, 25.0, 40.0, -10.0])
            amounts.append(amount)
            margins.append(amount * 0.25)
        if customer % 37 == 0:  # a refund only
            ids.append(10_000 + customer)
            days.append(start + dt.timedelta(days=45))
            amounts.append(-15.0)
            margins.append(-3.75)
    return pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "date": pa.array(days, pa.timestamp("s")),
            "amount": pa.array(amounts, pa.float64()),
            "margin": pa.array(margins, pa.float64()),
        }
    )


@pytest.fixture(scope="session")
def datasets() -> dict[str, tuple[pa.Table, dict]]:
    sample = pa.table(crm.sample(1500, seed=7).transactions)
    return {
        "sample": (sample, {"margin_col": "margin"}),
        "ties": (ties_and_refunds(), {"margin_col": "margin"}),
    }


def single_summary(table: pa.Table, columns: dict, as_of=None) -> pa.Table:
    return crm.CustomerBase.from_transactions(table, **columns).summary(as_of).to_arrow()


def assert_same_table(got: pa.Table, want: pa.Table, key: str = "customer_id") -> None:
    """Equal row for row after sorting by `key`: exact for counts, dates and scores; money
    within 1e-9 relative."""
    got = got.sort_by(key)
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows
    for name in want.column_names:
        a, b = got.column(name).combine_chunks(), want.column(name).combine_chunks()
        if pa.types.is_floating(b.type):
            assert a.is_null().equals(b.is_null()), name
            x = a.fill_null(0).to_numpy(zero_copy_only=False)
            y = b.fill_null(0).to_numpy(zero_copy_only=False)
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=0, err_msg=name)
        else:
            assert a.cast(b.type).equals(b), name


def single_lifecycle(table: pa.Table, columns: dict, as_of=None) -> pa.Table:
    result = crm.CustomerBase.from_transactions(table, **columns).lifecycle(as_of).to_arrow()
    return result.set_column(1, "stage", result.column("stage").cast(pa.string()))


def single_clv(table: pa.Table, model: str, penalizer_coef: float = 0.0, t: float = 30.0, months: int = 12):
    """The one-machine lifetimes workflow on the same rows: the summary from the
    transactions, the fits on one row per customer, the predictions per customer. Gives
    the summary + predictions table (sorted by customer) and the two fitters."""
    from crm import lifetimes
    from crm.lifetimes.utils import summary_data_from_transaction_data

    frame = table.select(["customer_id", "date", "amount"]).to_pandas()
    frame["date"] = pd.to_datetime(frame["date"])
    s = summary_data_from_transaction_data(frame, "customer_id", "date", monetary_value_col="amount")
    cls = {
        "bgnbd": lifetimes.BetaGeoFitter,
        "mbgnbd": lifetimes.ModifiedBetaGeoFitter,
        "paretonbd": lifetimes.ParetoNBDFitter,
    }
    np.random.seed(16)  # Pareto/NBD draws its starting point
    purchases = cls[model](penalizer_coef=penalizer_coef).fit(s["frequency"], s["recency"], s["T"])
    repeat = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    gamma = lifetimes.GammaGammaFitter(penalizer_coef=penalizer_coef).fit(repeat["frequency"], repeat["monetary_value"])
    x, tx, age, m = (s[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))
    out = s.reset_index()
    out["expected_purchases"] = purchases.conditional_expected_number_of_purchases_up_to_time(t, x, tx, age)
    out["p_alive"] = purchases.conditional_probability_alive(x, tx, age)
    out["expected_spend"] = gamma.conditional_expected_average_profit(x, m)
    out["clv"] = np.asarray(gamma.customer_lifetime_value(purchases, x, tx, age, m, time=months, discount_rate=0.01))
    want = pa.Table.from_pandas(out, preserve_index=False).sort_by("customer_id")
    return want, purchases, gamma


def assert_same_fit(got, want) -> None:
    """The same parameters within 1e-9 relative (the fits run on the same distinct rows)."""
    assert list(got.params_.index) == list(want.params_.index)
    np.testing.assert_allclose(got.params_.to_numpy(), want.params_.to_numpy(), rtol=1e-9, atol=0)


def assert_same_flows(got, want) -> None:
    """The same flow series: counts exactly, money and rates within 1e-9 relative, and
    the same flows per value segment in every period."""
    assert_same_table(got.to_arrow(), want.to_arrow(), key="start")
    assert len(got.flows) == len(want.flows)
    for g, w in zip(got.flows, want.flows):
        assert g.by_segment.to_pylist() == w.by_segment.to_pylist(), w.start


def assert_same_migration(got, want, value_rtol: float = 0.0) -> None:
    """The same migration matrix: states, dates and counts exactly, rates bit for bit,
    state values within `value_rtol` (sums over customers in another order)."""
    assert (got.from_date, got.to_date, got.states) == (want.from_date, want.to_date, want.states)
    np.testing.assert_array_equal(got.counts, want.counts)
    np.testing.assert_array_equal(got.rates, want.rates)
    np.testing.assert_allclose(got.state_value, want.state_value, rtol=value_rtol, atol=0)


def single_segments(table: pa.Table, columns: dict, as_of=None, **options):
    """The one-machine segmentation of the same rows."""
    return crm.CustomerBase.from_transactions(table, **columns).segments(as_of, **options)


def with_string_ids(table: pa.Table) -> pa.Table:
    """The ids as strings whose byte order differs from the numbers' ("c10" < "c9")."""
    ids = pa.array([f"c{i}" for i in table.column("customer_id").to_pylist()], pa.string())
    return table.set_column(0, "customer_id", ids)


def assert_same_segments(got, customers: pa.Table, want) -> None:
    """The same segmentation: ranks and classes exactly, money within 1e-9 relative, and
    the same three tables."""
    want_customers = want.to_arrow()
    for name in ("segment", "abc", "pyramid"):
        i = want_customers.schema.get_field_index(name)
        want_customers = want_customers.set_column(i, name, want_customers.column(name).cast(pa.string()))
    assert_same_table(customers, want_customers)
    for name in ("segment_table", "abc_table", "pyramid_table"):
        a, b = getattr(got, name).to_arrow(), getattr(want, name).to_arrow()
        assert a.column("segment").to_pylist() == b.column("segment").to_pylist(), name
        labels = pa.array(range(b.num_rows))
        assert_same_table(a.set_column(0, "segment", labels), b.set_column(0, "segment", labels), "segment")
    assert (got.as_of, got.by, got.shares, got.window_days) == (want.as_of, want.by, want.shares, want.window_days)


def donors() -> pa.Table:
    """The donations of the BG/BB paper, one row per donor (11,104): customer_id,
    frequency, recency, n_periods."""
    from crm.lifetimes.datasets import load_donations

    d = load_donations()
    rows = d.loc[d.index.repeat(d["weights"].astype(int))].reset_index(drop=True)
    return pa.table(
        {
            "customer_id": pa.array(range(1, len(rows) + 1), pa.int64()),
            "frequency": pa.array(rows["frequency"].astype(float)),
            "recency": pa.array(rows["recency"].astype(float)),
            "n_periods": pa.array(rows["periods"].astype(float)),
        }
    )


def single_bgbb(table: pa.Table, t: float = 5.0):
    """The one-machine BG/BB fit on one row per donor, and its predictions per donor."""
    from crm import lifetimes

    x, tx, n = (table.column(c).to_numpy() for c in ("frequency", "recency", "n_periods"))
    fitter = lifetimes.BetaGeoBetaBinomFitter().fit(x, tx, n)
    want = table.append_column(
        "expected_purchases", pa.array(fitter.conditional_expected_number_of_purchases_up_to_time(t, x, tx, n))
    ).append_column("p_alive", pa.array(np.asarray(fitter.conditional_probability_alive(0, x, tx, n), float)))
    return fitter, want.sort_by("customer_id")


def single_report(table: pa.Table, columns: dict, as_of=None, **options):
    """The one-machine customer-development report of the same rows."""
    return crm.CustomerBase.from_transactions(table, **columns).report(as_of, **options)


def _assert_same_value(got, want, path: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), path
        for k, v in want.items():
            _assert_same_value(got[k], v, f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (a, b) in enumerate(zip(got, want)):
            _assert_same_value(a, b, f"{path}[{i}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert abs(got - want) <= 1e-9 * max(abs(got), abs(want), 1.0), f"{path}: {got} vs {want}"
    else:
        assert got == want, f"{path}: {got!r} vs {want!r}"


def assert_same_report(got, want) -> None:
    """The same report in every figure (its JSON): counts, texts and caveats exactly, money
    within 1e-9 relative; share of wallet too (without customer tables every wallet is the
    whole base's quantile, on one machine as on the cluster)."""
    g, w = json.loads(got.to_json()), json.loads(want.to_json())
    assert w["wallet"] is not None and w["profiles"] is None
    assert g["wallet"]["quantile"] == w["wallet"]["quantile"]
    _assert_same_value(g, w, "report")
    assert "| top |" in got.to_markdown() and "<svg" in got.to_html()
