"""Results: Arrow export (pyarrow, polars, pandas), numpy columns, plain Python objects."""

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import crm


@pytest.fixture(scope="module")
def base():
    s = crm.sample(500, seed=7)
    return crm.CustomerBase.from_transactions(
        s.transactions, margin_col="margin", customers=s.customers, interactions=s.interactions
    )


def test_arrow_consumers_read_every_result(base):
    seg = base.segments(by="profit")
    for result in (base.summary(), base.lifecycle(), seg, seg.segment_table, seg.abc_table, seg.pyramid_table):
        arrow = pa.table(result)
        assert arrow.num_rows == len(result) == result.num_rows
        assert arrow.column_names == result.columns
        assert pl.DataFrame(result).shape == result.shape
        assert result.to_arrow().equals(arrow)
        assert result.to_polars().equals(pl.DataFrame(result))
        frame = result.to_pandas()
        assert isinstance(frame, pd.DataFrame) and frame.shape == result.shape
        assert pl.from_arrow(arrow).to_dict(as_series=False) == result.to_pydict()


def test_export_shares_the_buffers(base):
    s = base.summary()
    a = pa.table(s).column("revenue").chunk(0).buffers()[1].address
    b = pa.table(s).column("revenue").chunk(0).buffers()[1].address
    assert a == b  # both exports point at the engine's buffer: nothing was copied


def test_schemas(base):
    s = pa.table(base.summary())
    assert s.schema.field("first_purchase").type == pa.date32()
    assert s.schema.field("customer_id").type == pa.int64()
    assert s.schema.field("purchases").type == pa.int64()
    assert s.schema.field("r").type == pa.uint8()
    seg = pa.table(base.segments())
    assert seg.schema.field("segment").type == pa.string_view()
    assert seg.schema.field("rank").type == pa.int64()
    assert pa.table(base.lifecycle()).schema.field("stage").type == pa.string_view()


def test_string_ids_stay_strings():
    base = crm.CustomerBase.from_transactions({"customer_id": ["b", "a"], "date": ["2024-01-01"] * 2, "amount": [1.0, 2.0]})
    s = base.summary("2024-02-01")
    assert pa.table(s).schema.field("customer_id").type == pa.string_view()
    assert s["customer_id"].tolist() == ["a", "b"]
    assert s["customer_id"].dtype == object
    assert base.customer_ids.tolist() == ["a", "b"]


def test_numpy_columns(base):
    s = base.summary()
    assert s["purchases"].dtype == np.int64
    assert s["revenue"].dtype == np.float64
    assert s["first_purchase"].dtype == np.dtype("datetime64[D]")
    assert s["r"].dtype == np.float64  # nulls for customers without a purchase
    assert np.array_equal(s.column("revenue"), pa.table(s).column("revenue").to_numpy())
    assert "revenue" in s and "nope" not in s
    with pytest.raises(KeyError):
        s["nope"]
    t = crm.sample(50, seed=1).transactions
    assert t["date"].dtype == np.dtype("datetime64[s]")


def test_plain_python_objects(base):
    lc = base.lifecycle("2024-06-30")
    assert isinstance(lc.counts, dict) and sum(lc.counts.values()) == base.n_customers
    assert lc.as_of == dt.date(2024, 6, 30)
    rows = base.summary("2024-06-30").to_pylist()
    assert len(rows) == base.n_customers
    assert isinstance(rows[0]["customer_id"], int)
    assert all(r["first_purchase"] is None or isinstance(r["first_purchase"], dt.date) for r in rows)


def test_reprs(base):
    assert repr(base).startswith("CustomerBase(customers=500")
    assert "has_margin=True" in repr(base)
    text = repr(base.summary("2024-06-30"))
    assert text.startswith("crm.Summary(as_of=2024-06-30, excluded_after_as_of=")
    assert "customer_id" in text and "more rows" in text
    assert "crm.Lifecycle(as_of=2024-06-30, prospect=" in repr(base.lifecycle("2024-06-30"))
    text = repr(base.segments("2024-06-30"))
    assert 'by="revenue"' in text and "segment_table" in text
    assert repr(crm.sample(10)).startswith("Sample(customers=10")


def test_results_are_immutable(base):
    s = base.summary()
    with pytest.raises(AttributeError):
        s.as_of = dt.date(2000, 1, 1)


def test_a_consumer_can_ask_for_plain_strings(base):
    lc = base.lifecycle()
    schema = pa.schema([("customer_id", pa.int64()), ("stage", pa.string())])
    table = pa.table(lc, schema=schema)
    assert table.schema.field("stage").type == pa.string()
    assert table.column("stage").to_pylist() == lc.to_pydict()["stage"]


def test_numpy_is_optional(base, monkeypatch):
    import sys

    s = base.summary()
    monkeypatch.setitem(sys.modules, "numpy", None)  # as if numpy were not installed
    with pytest.raises(ImportError, match=r"crm-engine\[numpy\]"):
        s["revenue"]
    with pytest.raises(ImportError, match="numpy"):
        base.customer_ids
    with pytest.raises(ImportError, match="numpy"):
        crm.CustomerBase.from_transactions({"customer_id": [1], "date": ["2024-01-01"], "amount": [1.0]})
    # Everything else works without numpy.
    assert pa.table(s).num_rows == len(s)
    assert len(s.to_pylist()) == len(s)
