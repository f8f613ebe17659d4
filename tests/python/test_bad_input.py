"""The bad-input matrix (issue #13): one row per (input, entry point) with the error kind it
must raise, its stable code and the place the error must name. tests/c/test_bad_input.c is
the same matrix on the C face, by the same case names: test_the_c_matrix_has_the_same_cases
reads it and checks the names and codes agree.

A new entry point is a new row. Cases that need more than a raise (kept rows, results after
the fix) stay in test_hardening.py, which this matrix does not replace.
"""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict

import numpy as np
import pyarrow as pa
import pytest

import crm
from crm import _crm
from crm.exceptions import ERROR_CODES

DAY = "datetime64[D]"
PURCHASE = {"type": "purchase"}


def tx(ids, dates=None, amounts=None, **extra):
    n = len(ids)
    table = {
        "customer_id": ids,
        "date": np.array(dates or ["2024-01-01"] * n, dtype=DAY),
        "amount": np.array(amounts if amounts is not None else [1.0] * n),
    }
    table.update(extra)
    return table


def build(table, **kw):
    return crm.CustomerBase.from_transactions(table, **kw)


def two_buyers():
    return build(tx(np.array([1, 1, 2]), ["2024-01-01", "2024-03-01", "2024-02-01"], [10.0, 20.0, 30.0]))


@dataclass
class Case:
    """One bad input: `call` must raise `cls` with the code of `kind`, the attributes in
    `names` and `needle` in its message."""

    name: str
    item: str
    call: Callable[[Any], Any]
    cls: type
    kind: str
    names: Dict[str, Any] = field(default_factory=dict)
    needle: str = ""


def csv_file(tmp, name, text):
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def parquet_file(tmp, columns):
    import pyarrow.parquet as pq

    path = tmp / "tx.parquet"
    pq.write_table(pa.table(columns), path)
    return path


# Line 3 has a bad date (skipped), Gamma's quoted name spans lines 4-5, line 6 repeats
# customer 1 of line 2.
CUSTOMERS_DUPLICATE_ON_LINE_6 = (
    b"id,name,acquisition_date\r\n1,Alfa,2024-01-01\r\n2,Beta,2024-13-45\r\n"
    b"3,\"Gamma\r\nAB\",2024-02-01\r\n1,Alfa,2024-03-01\r\n"
)
# Line 3 has a bad date (skipped), line 4 is blank, customer 9 on line 6 is unknown.
SALES_UNKNOWN_ON_LINE_6 = (
    b"customer_id,date,amount\r\n1,2024-01-05,10\r\n3,not a date,5\r\n\r\n"
    b"3,2024-01-06,7\r\n9,2024-01-07,8\r\n"
)

CASES = [
    # Values (core kind InvalidValue, code 10).
    Case("nan_amount", "values", lambda t: build(tx(np.array([1, 2]), amounts=[1.0, np.nan])),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "amount"}, "finite"),
    Case("far_date_date32", "1", lambda t: build({"customer_id": [1, 2], "date": pa.array([0, 2**31 - 1], pa.date32()), "amount": [1.0, 1.0]}),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "date"}, "supported"),
    Case("far_date_year_300000", "1", lambda t: build({"customer_id": [1, 2], "date": np.array(["2024-01-01", "300000-01-01"], dtype="datetime64[s]"), "amount": [1.0, 1.0]}),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "date"}, "supported"),
    Case("far_customer_date", "1", lambda t: crm.CustomerBase.from_transactions(customers={"customer_id": [1, 2], "acquisition_date": np.array([0, 2**40], dtype=DAY)}),
         crm.InputError, "InvalidValue", {"table": "customers", "row": 1, "column": "acquisition_date"}, "supported"),
    Case("timestamp_s_max", "1", lambda t: build({"customer_id": [1, 2], "date": pa.array([0, 2**63 - 1], pa.timestamp("s")), "amount": [1.0, 1.0]}),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "date"}, "9223372036854775807 s is outside the supported years"),
    Case("parquet_far_date", "1", lambda t: build(parquet_file(t, {"customer_id": [1, 2], "date": pa.array([0, 2**31 - 1], pa.date32()), "amount": [1.0, 1.0]})),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "date"}, "supported"),
    Case("days_2_pow_40", "6", lambda t: build({"customer_id": [1, 2], "date": np.array([0, 2**40], dtype=DAY), "amount": [1.0, 1.0]}),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "date"}, "supported"),
    Case("undecodable_bytes_ids", "4", lambda t: build(tx(np.array([b"ok", b"\xff", b"\xfe"], dtype="S"))),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "customer_id"}),
    Case("mixed_object_ids", "4", lambda t: build(tx(np.array(["1", 1, "b"], dtype=object))),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "customer_id"}),
    Case("mixed_object_ids_int_first", "4", lambda t: build(tx(np.array([1, "1", "b"], dtype=object))),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "customer_id"}, "mixed kinds"),
    Case("fractional_float_id", "11", lambda t: build(tx(np.array([1.0, 2.5]))),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "customer_id"}, "whole"),
    Case("nan_float_id", "11", lambda t: build(tx(np.array([1.0, np.nan, 2.0]))),
         crm.InputError, "InvalidValue", {"table": "transactions", "row": 1, "column": "customer_id"}),
    Case("arrow_column_twice", "9", lambda t: build(pa.Table.from_arrays(
        [pa.array([1, 2]), pa.array(["2024-01-01", "2024-01-02"]), pa.array([1.0, 2.0]), pa.array([3.0, 4.0])],
        names=["customer_id", "date", "amount", "amount"])),
         crm.InputError, "InvalidValue", {"column": "amount"}, "two or more columns named `amount`"),
    Case("far_interaction_date", "15", lambda t: crm.CustomerBase.from_transactions(interactions=crm.Interactions(
        {"who": [1, 1], "day": np.array([0, 2**40], dtype=DAY), "via": ["web"] * 2, "dir": ["in"] * 2, "what": ["a"] * 2},
        customer_id_col="who", date_col="day", channel_col="via", direction_col="dir", kind_col="what")),
         crm.InputError, "InvalidValue", {"table": "interactions", "row": 1, "column": "day"}),
    Case("csv_customer_far_date", "15", lambda t: crm.CustomerBase.from_csv(
        csv_file(t, "tx.csv", "customer_id,date,amount\nA,2024-01-05,100\n"),
        customers=crm.Customers(csv_file(t, "cu.csv", "id,acquisition_date\nA,2024-01-01\nB,0999-12-31\n"), id_col="id")),
         crm.InputError, "InvalidValue", {"table": "customers", "row": 1, "column": "acquisition_date"}),
    Case("nan_acquisition_cost", "15", lambda t: crm.CustomerBase.from_transactions(customers={"customer_id": [1, 2], "acquisition_cost": [1.0, np.nan]}),
         crm.InputError, "InvalidValue", {"table": "customers", "row": 1, "column": "acquisition_cost"}, "NaN is not a finite number"),
    Case("inf_acquisition_cost", "15", lambda t: crm.CustomerBase.from_transactions(customers={"customer_id": [1, 2], "acquisition_cost": [1.0, np.inf]}),
         crm.InputError, "InvalidValue", {"table": "customers", "row": 1, "column": "acquisition_cost"}, "inf is not a finite number"),
    # Customers (codes 11, 12, 13) and columns (code 4).
    Case("unknown_customer", "values", lambda t: crm.CustomerBase.from_transactions(tx(np.array([1, 5])), customers={"customer_id": [1, 2]}),
         crm.UnknownCustomerError, "UnknownCustomer", {"table": "transactions", "row": 1, "customer": "5"}),
    Case("duplicate_customer", "values", lambda t: crm.CustomerBase.from_transactions(customers={"customer_id": [1, 2, 1]}),
         crm.DuplicateCustomerError, "DuplicateCustomer", {"table": "customers", "row": 2, "first_row": 0}),
    Case("id_kind_mismatch", "values", lambda t: crm.CustomerBase.from_transactions(tx(np.array([1, 2])), customers={"customer_id": ["a", "b"]}),
         crm.IdKindMismatchError, "IdKindMismatch", {"table": "transactions"}, "integer"),
    Case("length_mismatch", "values", lambda t: build({"customer_id": [1, 2], "date": np.array(["2024-01-01"] * 2, dtype=DAY), "amount": [1.0]}),
         crm.LengthMismatchError, "LengthMismatch", {"table": "transactions", "column": "amount"}, "has 1 values but `customer_id` has 2"),
    # Arguments (code 14).
    Case("inactivity_days_2_pow_31", "2", lambda t: two_buyers().lifecycle("2024-12-31", inactivity_days=2**31),
         crm.ConfigError, "InvalidConfig", {"field": "inactivity_days"}, "36500"),
    Case("window_days_3e9", "2", lambda t: two_buyers().segments("2024-12-31", window_days=3_000_000_000),
         crm.ConfigError, "InvalidConfig", {"field": "window_days"}, "36500"),
    Case("flows_inactivity_days", "2", lambda t: two_buyers().flows("2024-01-01", "2024-12-31", inactivity_days=2**31),
         crm.ConfigError, "InvalidConfig", {"field": "inactivity_days"}),
    Case("funnel_window_days", "2", lambda t: two_buyers().funnel(
        {"name": "f", "steps": [{"name": "a", "event": PURCHASE}, {"name": "b", "event": PURCHASE, "window_days": 2**31}]},
        "2024-01-01", "2024-12-01", "2024-12-31"),
         crm.ConfigError, "InvalidConfig", {"field": "window_days"}),
    Case("scoring_days", "2", lambda t: two_buyers().score(
        {"rules": [{"name": "r", "weight": 1.0, "condition": {"type": "purchase_within", "days": 2**32 - 1}}]}, "2024-12-31"),
         crm.ConfigError, "InvalidConfig", {"field": "days"}),
    Case("backtest_horizon_days", "2", lambda t: two_buyers().backtest({"rules": []}, "2024-06-30", PURCHASE, 2**31 - 1),
         crm.ConfigError, "InvalidConfig", {"field": "horizon_days"}),
    Case("process_unknown_field", "7", lambda t: crm.Process.from_toml(
        'id = "P:9"\nname = "p"\nkind = "retain"\n\n[[dialogs]]\nid = "D:1"\nname = "d"\n'
        'trigger = { type = "event", kind = "x" }\ntiming = { type = "immediately" }\n'
        'channel = "email"\nrequires_permision = false\n'),
         crm.ConfigError, "InvalidConfig", {}, "did you mean `requires_permission`?"),
    Case("funnel_unknown_field", "7", lambda t: two_buyers().funnel(
        {"name": "f", "steps": [{"name": "a", "event": PURCHASE, "windw_days": 7}]}, "2024-01-01", "2024-12-01", "2024-12-31"),
         crm.ConfigError, "InvalidConfig", {}, "did you mean `window_days`?"),
    Case("scoring_unknown_field", "7", lambda t: two_buyers().score(
        {"rules": [{"name": "r", "wieght": 2, "weight": 1, "condition": {"type": "purchase_within", "days": 9}}]}, "2024-12-31"),
         crm.ConfigError, "InvalidConfig", {}, "did you mean `weight`?"),
    Case("retention_clv_retention_2", "10", lambda t: crm.retention_clv(100.0, 2.0),
         crm.ConfigError, "InvalidConfig", {"field": "retention"}),
    Case("discounted_clv_rate_minus_1", "10", lambda t: crm.discounted_clv(100.0, 2.0, -1.0),
         crm.ConfigError, "InvalidConfig", {"field": "discount"}),
    Case("sample_size_alpha_0", "10", lambda t: crm.sample_size(0.5, 0.6, alpha=0.0),
         crm.ConfigError, "InvalidConfig", {"field": "alpha"}),
    Case("flow_series_count_2_pow_40", "14", lambda t: two_buyers().flow_series("2024-01-01", count=2**40),
         crm.ConfigError, "InvalidConfig", {"field": "count"}, "1200"),
    Case("migration_periods_1e9", "14", lambda t: two_buyers().migration("2024-01-01", "2024-06-01").project(periods=10**9),
         crm.ConfigError, "InvalidConfig", {"field": "periods"}),
    Case("sample_customers_1e12", "14", lambda t: crm.sample(customers=10**12),
         crm.ConfigError, "InvalidConfig", {"field": "customers"}),
    # Data the analysis needs (code 15).
    Case("margin_without_margins", "values", lambda t: two_buyers().segments("2024-12-31", by="margin"),
         crm.MissingDataError, "MissingData", {}, "margin"),
    # Files (codes 16, 18).
    Case("csv_bad_amount", "15", lambda t: crm.CustomerBase.from_csv(csv_file(t, "tx.csv", "customer_id,date,amount\nA,2024-01-05,x\n")),
         crm.CsvError, "Csv", {"line": 2, "column": "amount"}),
    Case("csv_missing_column", "15", lambda t: crm.CustomerBase.from_csv(csv_file(t, "tx.csv", "who,date,amount\nA,2024-01-05,1\n")),
         crm.CsvColumnNotFoundError, "Csv", {"line": 1}, "customer_id"),
    Case("csv_invalid_utf8", "3", lambda t: crm.CustomerBase.from_csv(csv_file(t, "tx.csv", b"customer_id,date,amount\nA,2024-01-01,1\nB,2024-01-02,2\nC\xff,2024-01-03,3\n")),
         crm.CsvError, "Csv", {"line": 4, "column": "customer_id"}, "not valid UTF-8"),
    Case("csv_column_twice", "9", lambda t: crm.CustomerBase.from_csv(csv_file(t, "tx.csv", "customer_id,date,amount,amount\nA,2024-01-01,1,2\n")),
         crm.CsvError, "Csv", {"line": 1, "column": "amount"}, "the header names column `amount` twice"),
    # CRLF files where a skipped row comes before the offending one (item 15): the error names
    # the file's line, not the row's index among loaded rows.
    Case("csv_duplicate_customer_line", "15", lambda t: crm.CustomerBase.from_csv(
        csv_file(t, "tx.csv", b"customer_id,date,amount\r\n1,2024-01-05,100\r\n"), on_error="skip",
        customers=crm.Customers(csv_file(t, "cu.csv", CUSTOMERS_DUPLICATE_ON_LINE_6), id_col="id")),
         crm.DuplicateCustomerError, "DuplicateCustomer",
         {"table": "customers", "row": 2, "first_row": 0, "line": 6, "first_line": 2, "customer": "1"},
         "cu.csv, line 6: duplicate customer id `1` (first on line 2)"),
    Case("csv_unknown_customer_line", "15", lambda t: crm.CustomerBase.from_csv(
        csv_file(t, "tx.csv", SALES_UNKNOWN_ON_LINE_6), on_error="skip",
        customers=crm.Customers(csv_file(t, "cu.csv", b"id\r\n1\r\n3\r\n"), id_col="id")),
         crm.UnknownCustomerError, "UnknownCustomer",
         {"table": "transactions", "row": 2, "line": 6, "customer": "9", "column": "customer_id"},
         "tx.csv, line 6, column `customer_id`: unknown customer `9`"),
    Case("file_not_found", "files", lambda t: crm.CustomerBase.from_csv(t / "missing.csv"),
         FileNotFoundError, "FileNotFound", {}),
    # No panic reaches Python as anything but crm.InternalError (code 99, C's CRM_RESULT_PANIC).
    Case("internal_panic", "13", lambda t: _crm._panic_unguarded_for_tests("deliberate test panic"),
         crm.InternalError, "Internal", {}, "deliberate test panic"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, tmp_path):
    with pytest.raises(case.cls) as e:
        case.call(tmp_path)
    err = e.value
    assert err.code == ERROR_CODES[case.kind], (err.code, str(err))
    for name, value in case.names.items():
        assert getattr(err, name) == value, (name, getattr(err, name, None), str(err))
    assert case.needle in str(err), str(err)
    if isinstance(err, crm.CrmError) and case.kind != "Internal":
        assert isinstance(err, ValueError)  # data and argument errors are ValueErrors too


def test_error_codes_are_the_cores():
    from crm import _crm

    native = dict(_crm._error_codes())
    assert {k: v for k, v in ERROR_CODES.items() if k != "Internal"} == native
    assert ERROR_CODES["Internal"] == crm.InternalError.code == 99  # CRM_RESULT_PANIC


def test_every_kind_is_in_the_matrix():
    kinds = {c.kind for c in CASES}
    # Io (17) needs an unreadable file and Fit (19) a model that cannot be fitted: both are
    # in test_errors.py / test_input_sources.py / the lifetimes tests.
    assert set(ERROR_CODES) - kinds == {"Io", "Fit"}


# Cases of the Python face only, and why C has none.
PYTHON_ONLY = {
    "mixed_object_ids": "C ids come typed (int64 or UTF-8 strings)",
    "mixed_object_ids_int_first": "C ids come typed",
    "fractional_float_id": "C has no float ids",
    "nan_float_id": "C has no float ids",
    "arrow_column_twice": "C takes columns, not Arrow tables",
    "parquet_far_date": "C reads no Parquet",
    "nan_acquisition_cost": "NaN clears the cost in C (crm_customer_set_acquisition_cost); inf_acquisition_cost is shared",
    "sample_customers_1e12": "C has no sample generator",
}
# Shared cases where the C face answers at its own boundary, with its own code.
C_CODES = {
    "undecodable_bytes_ids": "INVALID_UTF8",  # checked as the C strings come in
    "far_customer_date": "INVALID_ARGUMENT",  # crm_customer_set_acquisition_date refuses the day
}


def c_cases():
    """(name, CRM_RESULT_ constant) of every CASE row of tests/c/test_bad_input.c."""
    text = (pathlib.Path(__file__).parents[1] / "c" / "test_bad_input.c").read_text()
    return dict(re.findall(r"^\s*CASE\((\w+), \"[^\"]*\", CRM_RESULT_(\w+),", text, re.M))


def test_the_c_matrix_has_the_same_cases():
    c = c_cases()
    python = {case.name: case for case in CASES}
    assert len(c) >= 30
    assert set(c) == set(python) - set(PYTHON_ONLY), (set(c) ^ (set(python) - set(PYTHON_ONLY)))
    for name, constant in c.items():
        kind = python[name].kind
        same = "PANIC" if kind == "Internal" else re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper()
        assert constant == C_CODES.get(name, same), (name, constant, kind)
