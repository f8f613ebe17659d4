"""The customer summary, against figures worked out by hand (crm-core/src/summary.rs and
the RFM tie rule of crm-core/src/rank.rs)."""

import datetime as dt

import numpy as np
import pytest
from conftest import d

import crm


def test_summary_doc_example(make_table):
    # crm-core/src/summary.rs: customer 7 buys 100 on 2023-01-01, 50 on 2024-01-01 and
    # returns 20 on 2024-06-01; as of 2024-12-31.
    table = make_table(
        {
            "customer_id": [7, 7, 7],
            "date": [d("2023-01-01"), d("2024-01-01"), d("2024-06-01")],
            "amount": [100.0, 50.0, -20.0],
        }
    )
    base = crm.CustomerBase.from_transactions(table)
    s = base.summary("2024-12-31")
    assert isinstance(s, crm.Summary)
    assert s.as_of == dt.date(2024, 12, 31)
    assert s.excluded_after_as_of == 0
    [row] = s.to_pylist()
    assert row["customer_id"] == 7
    assert row["purchases"] == 2  # the refund is not a purchase
    assert row["revenue"] == 130.0  # but it nets out
    assert row["recency_days"] == 365  # 2024-01-01 .. 2024-12-31 (leap year)
    assert row["first_purchase"] == dt.date(2023, 1, 1)
    assert row["last_purchase"] == dt.date(2024, 1, 1)
    assert row["tenure_days"] == 730
    assert row["average_purchase"] == 65.0
    # 2 purchases over 730 days, annualised with 365.25-day years.
    assert row["purchases_per_year"] == pytest.approx(2 * 365.25 / 730)
    assert row["margin"] is None  # no margin column given
    assert (row["r"], row["f"], row["m"]) == (1, 1, 1)  # the only buyer


def test_summary_columns_and_types():
    base = crm.CustomerBase.from_transactions({"customer_id": [1], "date": ["2024-01-01"], "amount": [5.0]})
    s = base.summary("2024-01-31")
    assert s.columns == [
        "customer_id",
        "first_purchase",
        "last_purchase",
        "purchases",
        "purchases_per_year",
        "average_purchase",
        "revenue",
        "margin",
        "recency_days",
        "tenure_days",
        "r",
        "f",
        "m",
    ]
    assert s.schema["first_purchase"] == "Date32"
    assert s.schema["customer_id"] == "Int64"
    assert s.schema["r"] == "UInt8"


def test_quickstart_of_lib_rs():
    # crm-core/src/lib.rs: three customers, as of 1970-03-01.
    table = {"customer_id": [1, 1, 2, 3], "date": np.array([0, 30, 10, 0], dtype="datetime64[D]"), "amount": [120.0, 80.0, 50.0, 500.0]}
    base = crm.CustomerBase.from_transactions(table)
    s = base.summary("1970-03-01")
    assert s["purchases"].tolist() == [2, 1, 1]
    assert s["revenue"].tolist() == [200.0, 50.0, 500.0]
    segments = base.segments("1970-03-01")
    assert segments.segment_table["customers"].tolist() == [1, 1, 1]  # 20 % of 3 rounds to 1


def test_rfm_quintile_tie_rule():
    # crm-core/src/rank.rs: values 1,1,1,2,3 score 1,1,1,4,5 (a tie group takes the score
    # of its lowest position: floor(p * 5 / n) + 1).
    table = {
        "customer_id": [1, 2, 3, 4, 5],
        "date": ["2024-06-01"] * 5,
        "amount": [1.0, 1.0, 1.0, 2.0, 3.0],
    }
    s = crm.CustomerBase.from_transactions(table).summary("2024-06-30")
    assert s["m"].tolist() == [1, 1, 1, 4, 5]
    assert s["f"].tolist() == [1, 1, 1, 1, 1]  # all tied: one purchase each
    assert s["r"].tolist() == [1, 1, 1, 1, 1]  # all tied: same day


def test_rfm_ten_distinct_values_make_pairs():
    # 10 distinct values -> 1,1,2,2,3,3,4,4,5,5; recency: more recent is better.
    ids = list(range(1, 11))
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=10 * i) for i in range(10)]
    table = {"customer_id": ids, "date": dates, "amount": [float(i) for i in ids]}
    s = crm.CustomerBase.from_transactions(table).summary("2024-12-31")
    assert s["m"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert s["r"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_customers_without_purchase_have_nulls():
    base = crm.CustomerBase.from_transactions(
        {"customer_id": [1, 2], "date": ["2024-01-01", "2024-02-01"], "amount": [10.0, -5.0]}
    )
    s = base.summary("2024-03-01")
    rows = s.to_pylist()
    assert rows[1]["purchases"] == 0
    assert rows[1]["revenue"] == -5.0
    assert rows[1]["first_purchase"] is None
    assert rows[1]["average_purchase"] is None
    assert rows[1]["r"] is None
    assert np.isnan(s["r"][1])
    assert np.isnat(s["first_purchase"][1])


def test_margin_min_span_and_excluded_after_as_of():
    table = {
        "customer_id": [1, 1, 1],
        "date": ["2024-11-01", "2024-12-01", "2025-02-01"],
        "amount": [100.0, 100.0, 999.0],
        "margin": [30.0, 20.0, 1.0],
    }
    base = crm.CustomerBase.from_transactions(table, margin_col="margin")
    s = base.summary("2024-12-31")
    assert s.excluded_after_as_of == 1
    row = s.to_pylist()[0]
    assert row["margin"] == 50.0
    assert row["revenue"] == 200.0
    # Tenure 60 days, annualised over at least 365 days: 2 a year.
    assert row["purchases_per_year"] == pytest.approx(2 * 365.25 / 365)
    short = base.summary("2024-12-31", min_span_days=30).to_pylist()[0]
    assert short["purchases_per_year"] == pytest.approx(2 * 365.25 / 60)


def test_as_of_accepts_dates_strings_numpy_and_defaults_to_last_day():
    base = crm.CustomerBase.from_transactions(
        {"customer_id": [1, 1], "date": ["2024-01-01", "2024-03-01"], "amount": [1.0, 1.0]}
    )
    assert base.last_date == dt.date(2024, 3, 1)
    assert base.first_date == dt.date(2024, 1, 1)
    expected = base.summary("2024-03-10").to_pydict()
    for as_of in [dt.date(2024, 3, 10), dt.datetime(2024, 3, 10, 23, 59), np.datetime64("2024-03-10")]:
        assert base.summary(as_of).to_pydict() == expected
    assert base.summary().as_of == dt.date(2024, 3, 1)
    assert base.summary().to_pylist()[0]["recency_days"] == 0
