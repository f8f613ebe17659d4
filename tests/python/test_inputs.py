"""Inputs: every table kind gives identical results; dates, ids and amounts of many types."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from conftest import MAKERS, d

import crm

TRANSACTIONS = {
    "cust": ["x", "y", "x", "z", "y", "x", "w"],
    "when": [d("2023-02-01"), d("2023-05-01"), d("2024-03-01"), d("2024-06-15"), d("2024-11-30"), d("2024-12-20"), d("2022-01-01")],
    "value": [120.0, 40.0, 80.0, 300.0, -10.0, 55.5, 70.0],
    "gross": [30.0, 10.0, 20.0, 90.0, -2.0, 11.0, 7.0],
}


def _all_results(table):
    base = crm.CustomerBase.from_transactions(
        table, customer_id_col="cust", date_col="when", amount_col="value", margin_col="gross"
    )
    seg = base.segments("2024-12-31", by="margin")
    return (
        base.summary("2024-12-31").to_pydict(),
        base.lifecycle("2024-12-31").to_pydict(),
        seg.to_pydict(),
        seg.segment_table.to_pydict(),
        seg.abc_table.to_pydict(),
        seg.pyramid_table.to_pydict(),
    )


def test_pyarrow_polars_pandas_and_numpy_give_identical_results():
    results = {kind: _all_results(make(TRANSACTIONS)) for kind, make in MAKERS.items()}
    reference = results["pyarrow"]
    for kind, result in results.items():
        assert result == reference, kind
    summary = dict(zip(reference[0]["customer_id"], reference[0]["revenue"]))
    assert summary == {"w": 70.0, "x": 255.5, "y": 30.0, "z": 300.0}


def test_row_order_does_not_matter():
    shuffled = {k: [v[i] for i in [6, 3, 0, 5, 1, 4, 2]] for k, v in TRANSACTIONS.items()}
    assert _all_results(pa.table(shuffled)) == _all_results(pa.table(TRANSACTIONS))


def test_many_batches_and_record_batches():
    table = pa.table(TRANSACTIONS)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=2))
    assert chunked.column("cust").num_chunks > 1
    assert _all_results(chunked) == _all_results(table)
    assert _all_results(table.combine_chunks().to_batches()[0]) == _all_results(table)


def test_a_result_table_is_an_input():
    base = crm.CustomerBase.from_transactions(crm.sample(200, seed=3).transactions)
    assert base.n_customers > 100


def _dates_of(values, **kwargs):
    table = pa.table({"customer_id": pa.array([1] * len(values)), "date": values, "amount": [1.0] * len(values)})
    s = crm.CustomerBase.from_transactions(table, **kwargs).summary("2030-01-01").to_pylist()[0]
    return s["first_purchase"], s["last_purchase"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamps_of_any_unit(unit):
    values = pa.array([dt.datetime(2024, 3, 1, 23, 59), dt.datetime(2024, 3, 5, 0, 1)], pa.timestamp(unit))
    assert _dates_of(values) == (d("2024-03-01"), d("2024-03-05"))


def test_date64_and_strings_and_formats():
    assert _dates_of(pa.array([d("2024-03-01"), d("2024-03-05")], pa.date64())) == (d("2024-03-01"), d("2024-03-05"))
    assert _dates_of(pa.array(["2024-03-01", "2024-03-05T10:00:00"])) == (d("2024-03-01"), d("2024-03-05"))
    assert _dates_of(pa.array(["01.03.2024", "05.03.2024"]), date_format="%d.%m.%Y") == (
        d("2024-03-01"),
        d("2024-03-05"),
    )
    assert _dates_of(pa.array(["2024-03-01", "05.03.2024"]), date_format=["%Y-%m-%d", "%d.%m.%Y"]) == (
        d("2024-03-01"),
        d("2024-03-05"),
    )
    assert _dates_of(pa.array(["2024-03-01", "2024-03-05"], pa.large_string())) == (d("2024-03-01"), d("2024-03-05"))
    assert _dates_of(pa.array(["2024-03-01", "2024-03-05"], pa.string_view())) == (d("2024-03-01"), d("2024-03-05"))


def test_time_zone_aware_timestamps_count_in_utc():
    # 00:30 in Stockholm on 1 March is 23:30 UTC on 29 February: the purchase is on 29 February.
    local = pd.Series(pd.to_datetime(["2024-03-01 00:30", "2024-07-01 01:30"])).dt.tz_localize("Europe/Stockholm")
    assert _dates_of(pa.array(local)) == (d("2024-02-29"), d("2024-06-30"))
    frame = pd.DataFrame({"customer_id": [1, 1], "date": local, "amount": [1.0, 2.0]})
    s = crm.CustomerBase.from_transactions(frame).summary("2024-12-31").to_pylist()[0]
    assert (s["first_purchase"], s["last_purchase"]) == (d("2024-02-29"), d("2024-06-30"))
    utc = pa.array([dt.datetime(2024, 2, 29, 23, 30)], pa.timestamp("us", tz="UTC"))
    assert _dates_of(utc) == (d("2024-02-29"), d("2024-02-29"))
    fixed = pa.array([dt.datetime(2024, 2, 29, 23, 30)], pa.timestamp("us", tz="+02:00"))
    assert _dates_of(fixed) == (d("2024-02-29"), d("2024-02-29"))


def test_polars_datetimes_and_numpy_datetimes():
    frame = pl.DataFrame(
        {"customer_id": [1, 1], "date": [dt.datetime(2024, 3, 1, 12), dt.datetime(2024, 3, 5, 8)], "amount": [1.0, 2.0]}
    )
    s = crm.CustomerBase.from_transactions(frame).summary("2024-12-31").to_pylist()[0]
    assert s["last_purchase"] == d("2024-03-05")
    arrays = {
        "customer_id": np.array([1, 1], dtype=np.uint16),
        "date": np.array(["2024-03-01T12:00", "2024-03-05T08:00"], dtype="datetime64[ns]"),
        "amount": np.array([1, 2], dtype=np.int32),
    }
    s = crm.CustomerBase.from_transactions(arrays).summary("2024-12-31").to_pylist()[0]
    assert (s["first_purchase"], s["last_purchase"], s["revenue"]) == (d("2024-03-01"), d("2024-03-05"), 3.0)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns", "m", "D", "5s"])
def test_numpy_datetimes_of_any_unit(unit):
    # 1969-12-31 23:59 (negative counts: floor, not truncation) and 2024-03-05 00:01.
    dates = np.array(["1969-12-31T23:59", "2024-03-05T00:01"], dtype="datetime64[m]").astype(f"datetime64[{unit}]")
    arrays = {"customer_id": np.array([1, 1]), "date": dates, "amount": np.array([1.0, 2.0])}
    s = crm.CustomerBase.from_transactions(arrays).summary("2030-01-01").to_pylist()[0]
    assert (s["first_purchase"], s["last_purchase"]) == (d("1969-12-31"), d("2024-03-05"))


def test_pandas_numpy_columns_read_directly_give_the_arrow_results():
    # Plain numpy-backed pandas columns are read as numpy arrays (not through pandas' Arrow
    # export): same results as the same data from pyarrow, errors with the same row.
    s = crm.sample(2_000, seed=4, profiles=False, interactions=False)
    table = s.transactions
    frame = table.to_pandas()
    frame["date"] = pd.to_datetime(frame["date"]) + pd.Timedelta(hours=13)
    frame["extra"] = "not read"
    assert frame["date"].dtype.kind == "M" and frame["customer_id"].dtype == np.int64
    kwargs = dict(margin_col="margin")
    a = crm.CustomerBase.from_transactions(frame, **kwargs).summary(s.end).to_pylist()
    b = crm.CustomerBase.from_transactions(pa.table(frame), **kwargs).summary(s.end).to_pylist()
    assert a == b
    assert a != crm.CustomerBase.from_transactions(table, **kwargs).summary(s.end).to_pylist()  # the shift counts
    frame.loc[5, "date"] = pd.NaT
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(frame)
    assert (e.value.row, e.value.column) == (5, "date")


def test_dict_columns_of_every_kind_give_the_arrow_results():
    # A dict may hold pyarrow arrays, polars Series, pandas Series (numpy or Arrow storage),
    # numpy text or object arrays and lists: all read as the same table.
    table = pa.table(TRANSACTIONS)
    reference = _all_results(table)
    ids = TRANSACTIONS["cust"]
    kinds = {
        "pyarrow": pa.array(ids),
        "chunked": pa.chunked_array([ids[:3], ids[3:]]),
        "sliced": pa.array(["not an id"] + list(ids) + ["nor this"])[1:-1],
        "large_string": pa.array(ids, type=pa.large_string()),
        "string_view": pa.array(ids, type=pa.string_view()),
        "polars": pl.Series(ids),
        "pandas str": pd.Series(ids, dtype="string[pyarrow]"),
        "pandas object": pd.Series(ids, dtype=object),
        "numpy text": np.array(ids),
        "numpy object": np.array(ids, dtype=object),
        "list": list(ids),
    }
    for kind, column in kinds.items():
        assert _all_results({**table.to_pydict(), "cust": column}) == reference, kind
    # and the same frame through pandas' own columns (str, object) as through Arrow
    frame = table.to_pandas()
    for dtype in ("string[pyarrow]", object):
        assert _all_results(frame.astype({"cust": dtype})) == reference, dtype


def test_numpy_columns_of_any_layout_read_the_same_and_are_not_kept():
    # Contiguous numpy columns are read in place, others copied: strided views, big-endian
    # and read-only arrays give the same base, and changing the arrays afterwards does not
    # change it.
    ids = np.array([3, 1, 3, 2, 1, 3], dtype=np.int64)
    days = np.array(["2024-01-05", "2024-02-01", "2024-03-09", "2024-03-10", "2024-06-30", "2024-07-01"], dtype="datetime64[ns]")
    amounts = np.array([10.0, 20.5, 7.25, 99.0, 1.0, 3.5])
    expected = crm.CustomerBase.from_transactions(pa.table({"customer_id": ids, "date": days, "amount": amounts})).summary("2024-12-31").to_pydict()
    wide = lambda a: np.repeat(a, 2)[::2]  # a strided view with the same values
    frozen = [a.copy() for a in (ids, days, amounts)]
    for a in frozen:
        a.flags.writeable = False
    layouts = {
        "contiguous": (ids.copy(), days.copy(), amounts.copy()),
        "strided": (wide(ids), wide(days), wide(amounts)),
        "big-endian": (ids.astype(">i8"), days, amounts.astype(">f8")),
        "read-only": tuple(frozen),
    }
    for name, (i, d, a) in layouts.items():
        base = crm.CustomerBase.from_transactions({"customer_id": i, "date": d, "amount": a})
        if i.flags.writeable:
            i[:], a[:] = 0, -1.0
        assert base.summary("2024-12-31").to_pydict() == expected, name


def test_dict_text_columns_name_the_bad_row_whatever_the_route():
    dates = np.array(["2024-03-01"] * 4, dtype="datetime64[D]")
    for ids in (np.array(["a", "b", None, "c"], dtype=object), pd.Series(["a", "b", None, "c"], dtype="string[pyarrow]"),
                pa.array(["a", "b", None, "c"])):
        with pytest.raises(crm.InputError) as e:
            crm.CustomerBase.from_transactions({"customer_id": ids, "date": dates, "amount": np.ones(4)})
        assert (e.value.row, e.value.column) == (2, "customer_id"), type(ids)
    with pytest.raises(crm.InputError, match="mixed kinds") as e:
        crm.CustomerBase.from_transactions({"customer_id": np.array(["a", "b", 7, "c"], dtype=object), "date": dates, "amount": np.ones(4)})
    assert (e.value.row, e.value.column) == (2, "customer_id")


def test_numpy_missing_dates_and_too_large_ids_are_refused():
    dates = np.array(["2024-03-01", "NaT"], dtype="datetime64[ns]")
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions({"customer_id": np.array([1, 2]), "date": dates, "amount": np.ones(2)})
    assert (e.value.row, e.value.column) == (1, "date")
    big = np.array([1, 2**63], dtype=np.uint64)
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions({"customer_id": big, "date": dates[:1].repeat(2), "amount": np.ones(2)})
    assert e.value.column == "customer_id"


def test_id_and_amount_types():
    table = pa.table(
        {
            "customer_id": pa.array([3, 1, 3], pa.uint32()),
            "date": ["2024-01-01"] * 3,
            "amount": pa.array([1, 2, 3], pa.int16()),
        }
    )
    s = crm.CustomerBase.from_transactions(table).summary("2024-12-31")
    assert s["customer_id"].tolist() == [1, 3]
    assert s.schema["customer_id"] == "Int64"
    assert s["revenue"].tolist() == [2.0, 4.0]
    decimals = pa.table(
        {"customer_id": ["a"], "date": ["2024-01-01"], "amount": pa.array([Decimal("12.5")], pa.decimal128(10, 2))}
    )
    s = crm.CustomerBase.from_transactions(decimals).summary("2024-12-31")
    assert s.to_pylist()[0]["revenue"] == 12.5
    assert s.schema["customer_id"] == "Utf8View"
    categorical = pl.DataFrame(
        {"customer_id": ["b", "a", "b"], "date": [d("2024-01-01")] * 3, "amount": [1.0, 2.0, 3.0]},
        schema_overrides={"customer_id": pl.Categorical},
    )
    s = crm.CustomerBase.from_transactions(categorical).summary("2024-12-31")
    assert s.to_pydict()["customer_id"] == ["a", "b"]
    assert s["revenue"].tolist() == [2.0, 4.0]


def test_orders_and_products():
    table = {
        "customer_id": [1, 1, 1, 2],
        "date": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-01-01"],
        "amount": [10.0, 5.0, 7.0, 1.0],
        "order": ["o1", "o1", "o2", "o3"],
        "product": ["p", "q", "p", "p"],
    }
    s = crm.CustomerBase.from_transactions(table, order_col="order", product_col="product").summary("2024-12-31")
    assert s["purchases"].tolist() == [2, 1]  # rows of one order are one purchase
    assert s["average_purchase"].tolist() == [11.0, 1.0]


def test_customer_table_fields_and_attributes():
    sample = crm.sample(300, seed=5)
    from_tables = crm.CustomerBase.from_transactions(
        sample.transactions, margin_col="margin", customers=sample.customers, interactions=sample.interactions
    )
    direct = sample.base()
    assert (from_tables.n_customers, from_tables.n_transactions, from_tables.n_interactions) == (
        direct.n_customers,
        direct.n_transactions,
        direct.n_interactions,
    )
    assert from_tables.has_customer_table
    for method in ("summary", "lifecycle"):
        assert getattr(from_tables, method)(sample.end).to_pydict() == getattr(direct, method)(sample.end).to_pydict()
    a = from_tables.segments(sample.end, by="profit")
    b = direct.segments(sample.end, by="profit")
    assert a.to_pydict() == b.to_pydict()
    assert a.segment_table.to_pydict() == b.segment_table.to_pydict()


def test_customers_and_interactions_specs_with_own_column_names():
    transactions = {"kund": [1, 2], "datum": ["2024-01-01", "2024-02-01"], "belopp": [5.0, 6.0]}
    customers = crm.Customers(
        {"nr": [1, 2, 3], "name": ["A", "B", "C"], "permission_email": [True, False, None], "size": [1.0, None, 3.0]},
        id_col="nr",
    )
    interactions = crm.Interactions(
        {"who": [3], "day": ["2024-03-01"], "via": ["web"], "dir": ["in"], "what": ["lead"]},
        customer_id_col="who",
        date_col="day",
        channel_col="via",
        direction_col="dir",
        kind_col="what",
    )
    base = crm.CustomerBase.from_transactions(
        transactions,
        customer_id_col="kund",
        date_col="datum",
        amount_col="belopp",
        customers=customers,
        interactions=interactions,
    )
    assert base.n_customers == 3 and base.n_interactions == 1
    assert base.customer_ids.tolist() == [1, 2, 3]
    assert base.lifecycle("2024-06-30").to_pydict()["stage"] == ["starter", "starter", "prospect"]
    assert "Customers" in repr(customers) and "Interactions" in repr(interactions)


def test_a_base_from_customers_and_interactions_alone():
    base = crm.CustomerBase.from_transactions(customers={"customer_id": ["p1", "p2"]})
    assert base.n_customers == 2 and base.n_transactions == 0
    assert base.last_date is None
    assert base.lifecycle("2024-12-31").counts["prospect"] == 2
    with pytest.raises(crm.ConfigError) as e:
        base.summary()
    assert e.value.field == "as_of"
