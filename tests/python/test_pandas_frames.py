"""`pandas.DataFrame(result)` (issue #13): pandas' constructor takes no Arrow stream (2.x
nor 3.x), so a result iterates as rows (dicts, a missing number as NaN). Runs on the main
venv's pandas 3 and, in tests/python/run.sh, on pandas 2 (.venv-pandas2: numpy, pandas and
pyarrow only, no conftest).
"""

import datetime as dt

import numpy as np
import pandas as pd

import crm


def two_buyers():
    dates = np.array(["2024-01-01", "2024-03-01", "2024-02-01"], dtype="datetime64[D]")
    table = {"customer_id": np.array([1, 1, 2]), "date": dates, "amount": np.array([10.0, 20.0, 30.0])}
    return crm.CustomerBase.from_transactions(table)


def test_a_summary_into_a_data_frame():
    frame = pd.DataFrame(two_buyers().summary("2024-12-31"))
    # Worked by hand: customer 1 bought 10 + 20 (2024-01-01, 2024-03-01), customer 2 30
    # on 2024-02-01; as of 2024-12-31 the recencies are 305 and 334 days.
    assert list(frame["customer_id"]) == [1, 2]
    assert list(frame["revenue"]) == [30.0, 30.0]
    assert list(frame["purchases"]) == [2, 1]
    assert list(frame["recency_days"]) == [305, 334]
    assert list(frame["first_purchase"]) == [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    assert frame["revenue"].dtype == np.float64 and frame["purchases"].dtype == np.int64
    # No margins: a missing number is NaN in a float column, as to_pandas() gives it.
    assert frame["margin"].dtype == np.float64 and frame["margin"].isna().all()


def test_every_result_gives_the_frame_to_pandas_gives():
    base = two_buyers()
    seg = base.segments("2024-12-31")
    for result in (base.summary("2024-12-31"), base.lifecycle("2024-12-31"), seg, seg.segment_table, seg.abc_table):
        frame = pd.DataFrame(result)
        assert list(frame.columns) == result.columns and len(frame) == len(result)
        # dtypes are pandas' inference from the values (uint8 codes read as int64).
        pd.testing.assert_frame_equal(frame, result.to_pandas(), check_dtype=False)


def test_rows_iterate_as_dicts():
    rows = list(two_buyers().summary("2024-12-31"))
    assert [r["customer_id"] for r in rows] == [1, 2]
    assert np.isnan(rows[0]["margin"])  # None in to_pylist(), NaN when iterated
    assert two_buyers().summary("2024-12-31").to_pylist()[0]["margin"] is None
