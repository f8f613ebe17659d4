"""Data and the comparison of the distributed suite: every distributed result must equal
the single-machine engine's on the same rows."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
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
