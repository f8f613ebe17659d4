"""A base keeps the three transaction columns of an immutable Arrow table (pyarrow, polars,
DuckDB, Parquet) as they are, without copying them (issue #15): the table's buffers stay
allocated for the base after the table is dropped, until the base groups its transactions
or is dropped; the answers are those of a copied table bit for bit, in every time unit. A
pandas frame's or a dict's numpy arrays may be changed in place by their owner, so they
are copied: changing them after the build changes nothing.
"""

import datetime as dt
import gc

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import crm

AS_OF = dt.date(2024, 12, 31)


def ipc(table):
    """A table's bytes, so that -0.0 and 0.0 (equal for Arrow) differ."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def answers(base):
    s = base.segments(AS_OF, window_days=200)
    return [ipc(pa.table(t)) for t in (s, s.pyramid_table, base.summary(AS_OF))]


def pool_table(n):
    """n rows whose three columns pyarrow's memory pool allocated (so that
    pa.total_allocated_bytes() sees them): 5,000 customers over 700 days from 2023-04-14."""
    ids = pc.add(pa.array(np.arange(n) % 5_000, pa.int64()), 1)
    days = pc.add(pa.array(np.arange(n) * 700 // n, pa.int32()), pa.scalar(19_461, pa.int32())).cast(pa.date32())
    amount = pc.multiply(pa.array(np.linspace(1.0, 100.0, n)), 1.0)
    return pa.table({"customer_id": ids, "date": days, "amount": amount})


def test_an_arrow_tables_buffers_are_kept_by_the_base_until_it_groups():
    before = pa.total_allocated_bytes()
    table = pool_table(200_000)
    allocated = pa.total_allocated_bytes() - before
    assert allocated >= 200_000 * 20  # 8 + 4 + 8 bytes a row
    reference = answers(crm.CustomerBase.from_transactions(pool_table(200_000).to_pandas()))
    base = crm.CustomerBase.from_transactions(table)
    del table
    gc.collect()
    assert pa.total_allocated_bytes() - before >= allocated, "the base holds the table's buffers"
    assert answers(base) == reference
    assert pa.total_allocated_bytes() - before >= allocated, "segments and summary read them in place"
    base.lifecycle(AS_OF)  # groups the transactions: a copy of their own
    gc.collect()
    assert pa.total_allocated_bytes() - before < allocated, "grouped: the buffers are let go"
    assert answers(base) == reference

    again = crm.CustomerBase.from_transactions(pool_table(200_000))
    gc.collect()
    assert pa.total_allocated_bytes() - before >= allocated
    del again
    gc.collect()
    assert pa.total_allocated_bytes() - before < allocated, "dropped with the base"


def test_a_table_with_more_columns_is_copied_and_answers_the_same():
    before = pa.total_allocated_bytes()
    table = pool_table(50_000)
    table = table.append_column("margin", pc.multiply(table["amount"], 0.25))
    allocated = pa.total_allocated_bytes() - before
    copied = crm.CustomerBase.from_transactions(table.to_pandas(), margin_col="margin")
    base = crm.CustomerBase.from_transactions(table, margin_col="margin")
    del table
    gc.collect()
    assert pa.total_allocated_bytes() - before < allocated, "margins come as owned columns"
    assert answers(base) == answers(copied)
    assert base.summary(AS_OF).to_pydict()["margin"] == copied.summary(AS_OF).to_pydict()["margin"]


# Milliseconds with fractions of a second (floored), nanoseconds with a zone (the instant
# counts), dates, seconds: every unit a host hands over.
UNITS = {
    "date32": pa.date32(),
    "ms": pa.timestamp("ms"),
    "us": pa.timestamp("us"),
    "ns_zoned": pa.timestamp("ns", tz="Europe/Berlin"),
    "s": pa.timestamp("s"),
    "date64": pa.date64(),
}


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_every_time_unit_answers_as_a_copied_table(unit):
    sample = crm.sample(2_000, seed=11, profiles=False, interactions=False)
    tx = pa.table(sample.transactions).select(["customer_id", "date", "amount"])
    assert tx.schema.field("customer_id").type == pa.int64()
    # Times shifted by 0.7 s into the second, except for dates (midnights).
    date = tx["date"].cast(pa.timestamp("ms"))
    if unit not in ("date32", "date64"):
        date = pc.add(date, pa.scalar(700, pa.duration("ms")))
    date = date.cast(UNITS[unit], safe=False) if unit != "date64" else date.cast(pa.date64())
    table = tx.set_column(1, "date", date)
    shared = crm.CustomerBase.from_transactions(table)
    copied = crm.CustomerBase.from_transactions(table.to_pandas())
    assert answers(shared) == answers(copied)
    assert shared.summary(AS_OF).to_pydict()["first_purchase"] == copied.summary(AS_OF).to_pydict()["first_purchase"]
    frame = pl.from_arrow(table)
    assert answers(crm.CustomerBase.from_transactions(frame)) == answers(copied)


def test_seconds_are_floored_and_zones_are_instants():
    # Customer 7 buys at 2024-03-01 23:59:59.999 UTC and 2024-03-02 00:30 Berlin
    # (= 2024-03-01 23:30 UTC): both on 2024-03-01, so one purchase day; customer 8 at
    # 2024-03-02 00:00:00.001 UTC, on 2024-03-02.
    ms = [
        dt.datetime(2024, 3, 1, 23, 59, 59, 999_000, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 3, 2, 0, 0, 0, 1_000, tzinfo=dt.timezone.utc),
    ]
    table = pa.table(
        {
            "customer_id": pa.array([7, 7, 8], pa.int64()),
            "date": pa.array(ms, pa.timestamp("ms", tz="Europe/Berlin")),
            "amount": [10.0, 5.0, 1.0],
        }
    )
    s = crm.CustomerBase.from_transactions(table).summary(dt.date(2024, 3, 31)).to_pydict()
    assert s["first_purchase"] == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert s["last_purchase"] == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert s["revenue"] == [15.0, 1.0]


def test_bad_values_in_a_kept_table_are_named_as_in_a_copied_one():
    table = pa.table({"cid": pa.array([1, 2, 3], pa.int64()), "day": pa.array([0, 1, 2], pa.date32()), "eur": [1.0, np.nan, 2.0]})
    with pytest.raises(crm.CrmError) as shared:
        crm.CustomerBase.from_transactions(table, customer_id_col="cid", date_col="day", amount_col="eur")
    with pytest.raises(crm.CrmError) as copied:
        crm.CustomerBase.from_transactions(table.to_pandas(), customer_id_col="cid", date_col="day", amount_col="eur")
    assert str(shared.value) == str(copied.value)
    assert shared.value.row == 1 and shared.value.column == "eur"


def test_numpy_arrays_changed_after_the_build_change_nothing():
    ids = np.array([1, 2, 1, 3], dtype=np.int64)
    dates = np.array(["2024-01-05", "2024-02-01", "2024-06-01", "2024-07-01"], dtype="datetime64[ns]")
    amount = np.array([10.0, 20.0, 30.0, 40.0])
    frame = pd.DataFrame({"customer_id": ids, "date": dates, "amount": amount}, copy=False)
    from_frame = crm.CustomerBase.from_transactions(frame)
    from_dict = crm.CustomerBase.from_transactions({"customer_id": ids, "date": dates, "amount": amount})
    amount[:] = -1.0
    ids[:] = 9
    for base in (from_frame, from_dict):
        s = base.summary(AS_OF).to_pydict()
        # By hand: customer 1 10 + 30, customer 2 20, customer 3 40.
        assert (s["customer_id"], s["revenue"]) == ([1, 2, 3], [40.0, 20.0, 40.0])
