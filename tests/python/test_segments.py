"""Value segments, ABC classes and the pyramid, against figures worked out by hand
(crm-core/src/segments.rs and crm-core/src/rank.rs)."""

import pytest
from conftest import d

import crm

TEN = {
    "customer_id": list(range(1, 11)),
    "date": [d("2024-06-01")] * 10,
    "amount": [100.0 * i for i in range(1, 11)],  # customer k bought 100 x k
}


def test_ten_customers_split_2_5_3(make_table):
    seg = crm.CustomerBase.from_transactions(make_table(TEN)).segments("2024-12-31")
    assert isinstance(seg, crm.Segments)
    assert seg.columns == ["customer_id", "value", "revenue", "profit", "rank", "segment", "abc", "pyramid"]
    rows = {r["customer_id"]: r for r in seg.to_pylist()}
    assert [rows[c]["segment"] for c in range(1, 11)] == ["bottom"] * 3 + ["middle"] * 5 + ["top"] * 2
    assert [rows[c]["rank"] for c in range(1, 11)] == list(range(10, 0, -1))  # 1 = most valuable
    table = seg.segment_table.to_pydict()
    assert table["segment"] == ["top", "middle", "bottom"]
    assert table["customers"] == [2, 5, 3]
    assert table["customer_share"] == pytest.approx([0.2, 0.5, 0.3])
    assert table["revenue"] == [1900.0, 3000.0, 600.0]
    assert table["revenue_share"] == pytest.approx([1900 / 5500, 3000 / 5500, 600 / 5500])
    assert table["margin"] == [None, None, None]  # no margins given
    assert table["profit"] == [None, None, None]
    assert seg.shares == (0.2, 0.5, 0.3)
    assert seg.by == "revenue"
    assert seg.window_days == 365


def test_abc_and_pyramid():
    seg = crm.CustomerBase.from_transactions(TEN).segments("2024-12-31")
    rows = {r["customer_id"]: r for r in seg.to_pylist()}
    # Ranked 1000, 900, ..., 100 of 5500: the running share before each customer is
    # 0, .18, .35, .49, .62, .71 (A), .80, .87, .93 (B), .96 (C).
    assert [rows[c]["abc"] for c in range(10, 0, -1)] == ["A"] * 6 + ["B"] * 3 + ["C"]
    assert seg.abc_table["customers"].tolist() == [6, 3, 1]
    # Pyramid 1 / 4 / 15 / 80 % of 10: 0 / 1 / 1 / 8 (cumulative share x 10, half up).
    assert rows[10]["pyramid"] == "large"
    assert rows[9]["pyramid"] == "medium"
    assert {rows[c]["pyramid"] for c in range(1, 9)} == {"small"}
    assert seg.pyramid_table.to_pydict()["segment"] == ["top", "large", "medium", "small", "inactive", "prospect"]
    assert seg.pyramid_table["customers"].tolist() == [0, 1, 1, 8, 0, 0]


def test_window_inactive_prospect_and_ties_by_id():
    transactions = {
        "customer_id": ["b", "a", "c", "old"],
        "date": ["2024-06-01", "2024-06-01", "2024-06-01", "2022-01-01"],
        "amount": [50.0, 50.0, 10.0, 999.0],
    }
    customers = {"customer_id": ["a", "b", "c", "old", "never"]}
    seg = crm.CustomerBase.from_transactions(transactions, customers=customers).segments("2024-12-31")
    rows = {r["customer_id"]: r for r in seg.to_pylist()}
    assert rows["a"]["rank"] == 1 and rows["b"]["rank"] == 2  # equal value: ascending id
    assert rows["c"]["rank"] == 3
    assert rows["old"]["rank"] is None and rows["old"]["segment"] is None
    assert rows["old"]["pyramid"] == "inactive"
    assert rows["never"]["pyramid"] == "prospect"
    assert seg.segment_table["customers"].tolist() == [1, 1, 1]  # 3 ranked: 0.6 -> 1, 2.1 -> 2, 3
    # All history: the old customer is ranked first.
    everything = crm.CustomerBase.from_transactions(transactions, customers=customers).segments(
        "2024-12-31", window_days=None
    )
    assert {r["customer_id"]: r["rank"] for r in everything.to_pylist()}["old"] == 1
    assert everything.window_days is None


def test_profit_is_margin_minus_cost_to_serve():
    transactions = {
        "customer_id": [1, 2],
        "date": ["2024-06-01", "2024-06-01"],
        "amount": [1000.0, 400.0],
        "cogs": [600.0, 100.0],
    }
    interactions = {
        "customer_id": [1, 1],
        "date": ["2024-07-01", "2024-08-01"],
        "channel": ["call centre", "email"],
        "direction": ["inbound", "outbound"],
        "kind": ["complaint", "campaign"],
        "cost": [150.0, 50.0],
    }
    base = crm.CustomerBase.from_transactions(transactions, cost_of_goods_col="cogs", interactions=interactions)
    assert base.has_margin and base.n_interactions == 2
    seg = base.segments("2024-12-31", by="profit")
    rows = {r["customer_id"]: r for r in seg.to_pylist()}
    assert rows[1]["profit"] == 200.0  # 400 margin - 200 cost to serve
    assert rows[2]["profit"] == 300.0
    assert rows[2]["rank"] == 1
    by_margin = {r["customer_id"]: r["rank"] for r in base.segments("2024-12-31", by="margin").to_pylist()}
    assert by_margin == {1: 1, 2: 2}
    table = base.segments("2024-12-31", shares=(0.5, 0.5, 0.0), by="profit").segment_table.to_pydict()
    assert table["customers"] == [1, 1, 0]
    assert table["cost_to_serve"] == [0.0, 200.0, 0.0]
    assert table["profit_share"] == pytest.approx([0.6, 0.4, 0.0])


def test_margin_segments_need_margins():
    base = crm.CustomerBase.from_transactions(TEN)
    with pytest.raises(crm.MissingDataError):
        base.segments("2024-12-31", by="margin")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"shares": (0.5, 0.5, 0.5)}, "shares"),
        ({"shares": (0.5, 0.5)}, "shares"),
        ({"abc_shares": (0.8, 0.1, 0.05)}, "abc_shares"),
        ({"pyramid_shares": (0.25, 0.25, 0.5)}, "pyramid_shares"),
        ({"by": "happiness"}, "by"),
        ({"window_days": 0}, "window_days"),
    ],
)
def test_bad_segment_config(kwargs, field):
    base = crm.CustomerBase.from_transactions(TEN)
    with pytest.raises(crm.ConfigError) as e:
        base.segments("2024-12-31", **kwargs)
    assert e.value.field == field


def test_a_fresh_base_answers_segments_and_summary_as_a_grouped_one():
    """A base built to ask for segments or the summary alone answers in one pass over the
    rows as given; after another analysis has grouped its transactions it answers from the
    grouped store. Both give the same tables bit for bit: an invoice-line export with
    returns and order ids (Latin-1), and generated rows with margins in time order (the
    pass) and shuffled (grouped)."""
    import datetime as dt
    from pathlib import Path

    import numpy as np
    import pandas as pd
    import pyarrow as pa

    def ipc(table):  # the bytes, so that -0.0 and 0.0 (equal for Arrow) differ
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return sink.getvalue().to_pybytes()

    def tables(build, as_of, **kw):
        fresh, grouped, fresh_summary = build(), build(), build()
        grouped.lifecycle(as_of)  # groups the transactions
        out = []
        for base, summary_base in ((fresh, fresh_summary), (grouped, grouped)):
            s = base.segments(as_of, **kw)
            tables = [s, s.segment_table, s.abc_table, s.pyramid_table, summary_base.summary(as_of)]
            out.append([ipc(pa.table(t)) for t in tables])
        return out, len(s)

    exports = Path(__file__).resolve().parents[1] / "data" / "exports"
    retail = lambda: crm.CustomerBase.from_csv(  # noqa: E731
        exports / "online_retail.csv", customer_id_col="CustomerID", date_col="InvoiceDate",
        quantity_col="Quantity", unit_price_col="UnitPrice", order_col="InvoiceNo",
        product_col="StockCode", cancellation_prefix="C", encoding="latin-1",
    )
    (one, two), rows = tables(retail, dt.date(2011, 1, 31))
    assert one == two and rows == 3

    tx = crm.sample(3_000, seed=5, profiles=False, interactions=False).transactions.to_pandas()
    in_time = tx.sort_values("date", kind="stable").reset_index(drop=True)
    shuffled = tx.sample(frac=1.0, random_state=np.random.RandomState(3)).reset_index(drop=True)
    as_of = in_time["date"].max().date() - dt.timedelta(days=40)
    # Rows before a 90-day window shuffled, the window's in time order: the pass takes
    # them (rows before the window only tell whether their customer bought).
    early = in_time["date"].dt.date < as_of - dt.timedelta(days=89)
    before = in_time[early].sample(frac=1.0, random_state=np.random.RandomState(4))
    mixed = pd.concat([before, in_time[~early]]).reset_index(drop=True)
    for frame in (in_time, shuffled, mixed):
        for kw in ({"by": "revenue"}, {"by": "margin", "window_days": 90}, {"by": "profit", "window_days": None}):
            (one, two), rows = tables(lambda: crm.CustomerBase.from_transactions(frame, margin_col="margin"), as_of, **kw)
            assert one == two, kw
            assert rows == tx["customer_id"].nunique()
