"""Inputs that are read first (issue #13): a polars LazyFrame, a pyarrow Dataset and a
Parquet path (str or pathlib) are accepted for the transactions, customers and interactions
tables, with the same results and the same errors as a pyarrow table; anything else is a
TypeError naming the argument.

Every table kind of conftest.MAKERS (these included) also runs test_inputs.py's identity
test and the make_table tests of the analyses.
"""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from conftest import MAKERS, as_polars_lazy, as_pyarrow_dataset, parquet_file

import crm
from crm.exceptions import ERROR_CODES

SOURCES = {name: MAKERS[name] for name in ("polars_lazy", "pyarrow_dataset", "parquet_str", "parquet_pathlib")}

TX = {
    "customer_id": ["a", "a", "b", "c"],
    "date": [dt.date(2024, 1, 10), dt.date(2024, 6, 1), dt.date(2024, 3, 5), dt.date(2023, 2, 1)],
    "amount": [100.0, 50.0, 80.0, 20.0],
}
CUSTOMERS = {
    "customer_id": ["a", "b", "c", "d"],
    "acquisition_cost": [10.0, 20.0, 5.0, 7.5],
    "region": ["north", "south", "north", "east"],
}
INTERACTIONS = {
    "customer_id": ["a", "b", "b"],
    "date": [dt.datetime(2024, 2, 1, 9), dt.datetime(2024, 4, 1, 12), dt.datetime(2024, 5, 1, 8)],
    "channel": ["email", "phone", "web"],
    "direction": ["outbound", "inbound", "inbound"],
    "kind": ["offer", "call", "visit"],
}


def build(make):
    return crm.CustomerBase.from_transactions(
        make(TX),
        customers=make(CUSTOMERS),
        interactions=crm.Interactions(make(INTERACTIONS)),
    )


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_table_argument_takes_the_source(name):
    base = build(SOURCES[name])
    # Worked by hand: four customers (d has no purchase), four transactions, three
    # interactions; revenue a 100 + 50, b 80, c 20.
    assert (base.n_customers, base.n_transactions, base.n_interactions) == (4, 4, 3)
    assert base.has_customer_table and list(base.customer_ids) == ["a", "b", "c", "d"]
    summary = base.summary("2024-12-31").to_pydict()
    assert dict(zip(summary["customer_id"], summary["revenue"])) == {"a": 150.0, "b": 80.0, "c": 20.0, "d": 0.0}
    reference = build(pa.table)
    assert summary == reference.summary("2024-12-31").to_pydict()
    assert base.lifecycle("2024-12-31").to_pydict() == reference.lifecycle("2024-12-31").to_pydict()


def test_a_lazy_frame_is_collected_with_its_plan():
    import polars as pl

    lazy = as_polars_lazy(TX).filter(pl.col("amount") > 30).with_columns(pl.col("amount") * 2)
    summary = crm.CustomerBase.from_transactions(lazy).summary("2024-12-31").to_pydict()
    # c's 20 is filtered out; the rest doubled.
    assert dict(zip(summary["customer_id"], summary["revenue"])) == {"a": 300.0, "b": 160.0}


def test_a_dataset_of_parquet_files_is_read_whole():
    import pyarrow.dataset as pads

    first = parquet_file({k: v[:2] for k, v in TX.items()})
    second = parquet_file({k: v[2:] for k, v in TX.items()})
    dataset = pads.dataset([str(first), str(second)], format="parquet")
    summary = crm.CustomerBase.from_transactions(dataset).summary("2024-12-31").to_pydict()
    assert dict(zip(summary["customer_id"], summary["revenue"])) == {"a": 150.0, "b": 80.0, "c": 20.0}
    assert as_pyarrow_dataset(TX).count_rows() == 4


def test_parquet_columns_are_mapped_and_checked_as_arrow_columns():
    path = parquet_file({"kund": ["a", "b"], "dag": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "belopp": [5.0, 7.0]})
    base = crm.CustomerBase.from_transactions(path, customer_id_col="kund", date_col="dag", amount_col="belopp")
    assert base.summary("2024-12-31").to_pydict()["revenue"] == [5.0, 7.0]
    far = parquet_file({"customer_id": [1, 2], "date": pa.array([0, 2**31 - 1], pa.date32()), "amount": [1.0, 1.0]})
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(far)
    assert (e.value.table, e.value.row, e.value.column) == ("transactions", 1, "date"), str(e.value)


def test_a_missing_or_unreadable_file_is_an_os_error_naming_it(tmp_path):
    missing = tmp_path / "nope.parquet"
    with pytest.raises(FileNotFoundError) as e:
        crm.CustomerBase.from_transactions(missing)
    assert e.value.code == ERROR_CODES["FileNotFound"] and e.value.filename == str(missing)
    garbage = tmp_path / "data.bin"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(OSError) as e:
        crm.CustomerBase.from_transactions(transactions=garbage)
    assert e.value.code == ERROR_CODES["Io"] and "not a Parquet file" in str(e.value), str(e.value)


@pytest.mark.parametrize(
    "argument, value, type_name",
    [
        ("transactions", [1, 2, 3], "list"),
        ("transactions", 42, "int"),
        ("customers", {1, 2}, "set"),
        ("interactions", np.zeros(3), "ndarray"),
    ],
)
def test_an_unsupported_object_names_the_argument(argument, value, type_name):
    if argument == "interactions":
        value = crm.Interactions(value)
    with pytest.raises(TypeError) as e:
        crm.CustomerBase.from_transactions(**{argument: value})
    assert str(e.value).startswith(f"`{argument}`: expected an Arrow-compatible table"), str(e.value)
    assert str(e.value).endswith(f"got {type_name}"), str(e.value)


def test_a_csv_path_points_to_from_csv(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount\na,2024-01-01,1\n")
    with pytest.raises(TypeError, match=r"`transactions`: .*tx\.csv is a text file; read CSV files with "):
        crm.CustomerBase.from_transactions(path)
