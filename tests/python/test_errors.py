"""Every error path raises the documented exception, with the table, row / line and column."""

import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import crm


def tx(**overrides):
    table = {"customer_id": [1, 2, 3], "date": ["2024-01-01", "2024-01-02", "2024-01-03"], "amount": [1.0, 2.0, 3.0]}
    table.update(overrides)
    return table


def test_hierarchy():
    assert issubclass(crm.InputError, crm.CrmError) and issubclass(crm.InputError, ValueError)
    assert issubclass(crm.ConfigError, crm.CrmError) and issubclass(crm.ConfigError, ValueError)
    assert issubclass(crm.MissingDataError, crm.CrmError)
    for cls in (crm.ColumnNotFoundError, crm.UnknownCustomerError, crm.DuplicateCustomerError, crm.CsvError):
        assert issubclass(cls, crm.InputError)
    assert issubclass(crm.CsvColumnNotFoundError, crm.CsvError)
    assert issubclass(crm.CsvColumnNotFoundError, crm.ColumnNotFoundError)
    assert issubclass(crm.InternalError, crm.CrmError)


def test_nan_amount_names_row_and_column():
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(Betrag=[1.0, math.nan, 3.0]), amount_col="Betrag")
    assert (e.value.table, e.value.row, e.value.column) == ("transactions", 1, "Betrag")
    assert "row 1" in str(e.value) and "Betrag" in str(e.value) and "finite" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_infinite_margin_and_null_amount():
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(m=[1.0, 2.0, math.inf]), margin_col="m")
    assert (e.value.row, e.value.column) == (2, "m")
    table = pa.table({"customer_id": [1, 2], "date": ["2024-01-01"] * 2, "amount": pa.array([None, 1.0])})
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(table)
    assert (e.value.row, e.value.column) == (0, "amount")
    assert "null" in str(e.value)


def test_null_id_and_bad_date():
    table = pa.table({"customer_id": pa.array([1, None]), "date": ["2024-01-01"] * 2, "amount": [1.0, 1.0]})
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(table)
    assert (e.value.row, e.value.column) == (1, "customer_id")
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(date=["2024-01-01", "2024-01-02", "yesterday"]))
    assert (e.value.row, e.value.column) == (2, "date")
    assert "yesterday" in str(e.value)
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(date=[1, 2, 3]))
    assert e.value.column == "date" and e.value.row is None
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(customer_id=[1.5, 2.0, 3.0]))
    assert e.value.column == "customer_id"


def test_unknown_customer():
    with pytest.raises(crm.UnknownCustomerError) as e:
        crm.CustomerBase.from_transactions(tx(customer_id=[1, 9, 2]), customers={"customer_id": [1, 2, 3]})
    err = e.value
    assert (err.table, err.row, err.column, err.customer) == ("transactions", 1, "customer_id", "9")
    assert isinstance(err, crm.InputError) and isinstance(err, ValueError)
    interactions = crm.Interactions(
        {"kunde": [1, 7], "date": ["2024-01-01"] * 2, "channel": ["web"] * 2, "direction": ["in"] * 2, "kind": ["x"] * 2},
        customer_id_col="kunde",
    )
    with pytest.raises(crm.UnknownCustomerError) as e:
        crm.CustomerBase.from_transactions(tx(), customers={"customer_id": [1, 2, 3]}, interactions=interactions)
    assert (e.value.table, e.value.row, e.value.column, e.value.customer) == ("interactions", 1, "kunde", "7")


def test_duplicate_customer():
    with pytest.raises(crm.DuplicateCustomerError) as e:
        crm.CustomerBase.from_transactions(tx(), customers=crm.Customers({"id": [1, 2, 3, 2]}, id_col="id"))
    err = e.value
    assert (err.table, err.row, err.first_row, err.customer, err.column) == ("customers", 3, 1, "2", "id")


def test_id_kinds_must_match():
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(), customers={"customer_id": ["1", "2", "3"]})
    assert "string" in str(e.value) and "integer" in str(e.value)


def test_missing_column_names_the_column():
    with pytest.raises(crm.ColumnNotFoundError) as e:
        crm.CustomerBase.from_transactions(tx(), amount_col="revenue")
    err = e.value
    assert (err.table, err.column) == ("transactions", "revenue")
    assert err.available == ["customer_id", "date", "amount"]
    assert isinstance(err, ValueError)
    with pytest.raises(crm.ColumnNotFoundError) as e:
        crm.CustomerBase.from_transactions(tx(), margin_col="margin")
    assert e.value.column == "margin"
    with pytest.raises(crm.ColumnNotFoundError) as e:
        crm.CustomerBase.from_transactions(tx(), interactions={"customer_id": [1], "date": ["2024-01-01"]})
    assert (e.value.table, e.value.column) == ("interactions", "channel")


def test_bad_channel_in_interactions():
    interactions = {
        "customer_id": [1, 2],
        "date": ["2024-01-01"] * 2,
        "channel": ["web", "pigeon"],
        "direction": ["in", "out"],
        "kind": ["a", "b"],
    }
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(tx(), interactions=interactions)
    assert (e.value.table, e.value.row, e.value.column) == ("interactions", 1, "channel")
    assert "pigeon" in str(e.value)


@pytest.mark.parametrize("value", [[1, 2, 3], 42, np.array([1.0, 2.0])])
def test_non_table_input_is_a_type_error(value):
    with pytest.raises(TypeError) as e:
        crm.CustomerBase.from_transactions(value)
    assert "Arrow" in str(e.value)


@pytest.mark.parametrize("path", [Path("transactions.csv"), "transactions.csv"])
def test_a_csv_path_hints_at_from_csv(path):
    # Other paths are read as Parquet (test_input_sources.py).
    with pytest.raises(TypeError, match="from_csv"):
        crm.CustomerBase.from_transactions(path)


def test_no_input_at_all():
    with pytest.raises(TypeError):
        crm.CustomerBase.from_transactions()


def test_margin_and_cost_of_goods_together():
    with pytest.raises(crm.ConfigError) as e:
        crm.CustomerBase.from_transactions(tx(m=[1.0] * 3, c=[1.0] * 3), margin_col="m", cost_of_goods_col="c")
    assert e.value.field == "margin_col"


def test_bad_as_of():
    base = crm.CustomerBase.from_transactions(tx())
    with pytest.raises(crm.ConfigError) as e:
        base.summary("31/12/2024")
    assert e.value.field == "as_of"
    with pytest.raises(TypeError):
        base.summary(20241231)
    with pytest.raises(crm.ConfigError) as e:
        base.summary("2024-12-31", min_span_days=0)
    assert e.value.field == "min_span_days"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_round_trip(tmp_path):
    path = write(
        tmp_path,
        "tx.csv",
        "kund;datum;belopp;marginal\n1;2024-01-05;100;30\n2;2024-02-01;50,0;10\n1;2024-03-01;-5.5;-1\n".replace(
            "50,0", "50.0"
        ),
    )
    base = crm.CustomerBase.from_csv(
        path, customer_id_col="kund", date_col="datum", amount_col="belopp", margin_col="marginal", delimiter=";"
    )
    assert base.n_transactions == 3 and base.has_margin
    s = base.summary("2024-12-31").to_pydict()
    assert s["revenue"] == [94.5, 50.0]
    assert s["margin"] == [29.0, 10.0]
    report = base.csv_reports["transactions"]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 3, 0)
    assert "rows_loaded=3" in repr(report)


def test_csv_with_customers_and_interactions(tmp_path):
    tx_path = write(tmp_path, "tx.csv", "customer_id,date,amount\nA,2024-01-05,100\nB,2024-02-01,50\n")
    cu_path = write(
        tmp_path,
        "customers.csv",
        "id,name,employees,permission_email\nA,Alpha,10,yes\nB,Beta,,no\nC,Gamma,3,2024-01-01\n",
    )
    ix_path = write(
        tmp_path,
        "ix.csv",
        "customer_id,date,channel,direction,kind,cost\nC,2024-03-01,phone,outbound,call,12.5\n",
    )
    base = crm.CustomerBase.from_csv(
        tx_path,
        customers=crm.Customers(cu_path, id_col="id", attribute_types={"employees": "number"}),
        interactions=ix_path,
    )
    assert (base.n_customers, base.n_interactions) == (3, 1)
    assert sorted(base.csv_reports) == ["customers", "interactions", "transactions"]
    assert base.lifecycle("2024-06-30").to_pydict()["stage"] == ["starter", "starter", "prospect"]


def test_bad_csv_value_has_line_and_column(tmp_path):
    path = write(tmp_path, "tx.csv", "customer_id,date,amount\n1,2024-01-05,100\n2,2024-02-01,abc\n3,2024-13-01,5\n")
    with pytest.raises(crm.CsvError) as e:
        crm.CustomerBase.from_csv(path)
    err = e.value
    assert (err.line, err.column, err.total) == (3, "amount", 2)
    assert err.path == str(path)
    assert [(p.line, p.column) for p in err.problems] == [(3, "amount"), (4, "date")]
    assert "abc" in err.problems[0].message
    assert "line 3" in str(err) and isinstance(err, ValueError)
    # Skipping bad rows loads the good ones and reports the rest.
    base = crm.CustomerBase.from_csv(path, on_error="skip")
    assert base.n_transactions == 1
    report = base.csv_reports["transactions"]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.problems_total) == (3, 1, 2, 2)
    assert str(report.problems[1]).startswith("line 4, column `date`")


def test_nan_in_csv(tmp_path):
    path = write(tmp_path, "tx.csv", "customer_id,date,amount\n1,2024-01-05,NaN\n")
    with pytest.raises(crm.CsvError) as e:
        crm.CustomerBase.from_csv(path)
    assert (e.value.line, e.value.column) == (2, "amount")


def test_csv_missing_column(tmp_path):
    path = write(tmp_path, "tx.csv", "customer_id,date,amount\n1,2024-01-05,1\n")
    with pytest.raises(crm.ColumnNotFoundError) as e:
        crm.CustomerBase.from_csv(path, amount_col="Betrag")
    assert isinstance(e.value, crm.CsvError)
    assert (e.value.line, e.value.column) == (1, "Betrag")


def test_csv_duplicate_customer(tmp_path):
    tx_path = write(tmp_path, "tx.csv", "customer_id,date,amount\n1,2024-01-05,1\n")
    cu_path = write(tmp_path, "cu.csv", "customer_id,name\n1,a\n2,b\n1,c\n")
    with pytest.raises(crm.DuplicateCustomerError) as e:
        crm.CustomerBase.from_csv(tx_path, customers=cu_path)
    assert (e.value.row, e.value.first_row, e.value.customer) == (2, 0, "1")


def test_missing_file_is_file_not_found(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError) as e:
        crm.CustomerBase.from_csv(missing)
    assert e.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        crm.CustomerBase.from_csv(write(tmp_path, "tx.csv", "customer_id,date,amount\n"), customers=missing)


@pytest.mark.parametrize(
    "kwargs, field",
    [({"delimiter": ";;"}, "delimiter"), ({"id_kind": "float"}, "id_kind"), ({"on_error": "ignore"}, "on_error")],
)
def test_bad_csv_options(tmp_path, kwargs, field):
    path = write(tmp_path, "tx.csv", "customer_id,date,amount\n1,2024-01-05,1\n")
    with pytest.raises(crm.ConfigError) as e:
        crm.CustomerBase.from_csv(path, **kwargs)
    assert e.value.field == field


def test_sample_config_errors():
    with pytest.raises(crm.ConfigError) as e:
        crm.sample(10, prospect_share=2.0)
    assert e.value.field == "prospect_share"


def test_a_rust_panic_is_an_internal_error_not_a_crash():
    from crm import _crm

    with pytest.raises(crm.InternalError, match="boom") as e:
        _crm._panic_for_tests("boom")
    assert isinstance(e.value, crm.CrmError) and isinstance(e.value, RuntimeError)
