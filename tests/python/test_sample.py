"""The sample generator and the timing helper."""

import datetime as dt

import pyarrow as pa
import pytest

import crm
from crm import _crm


def test_sample_is_deterministic():
    a, b = crm.sample(300, seed=11), crm.sample(300, seed=11)
    assert pa.table(a.transactions).equals(pa.table(b.transactions))
    assert pa.table(a.customers).equals(pa.table(b.customers))
    assert not pa.table(a.transactions).equals(pa.table(crm.sample(300, seed=12).transactions))


def test_sample_tables():
    s = crm.sample(200, seed=1, start="2020-01-01", days=365)
    assert s.end == dt.date(2020, 12, 30)
    assert s.transactions.columns == ["customer_id", "date", "amount", "margin"]
    assert s.interactions.columns == ["customer_id", "date", "channel", "direction", "kind", "outcome", "cost"]
    assert s.customers.num_rows == 200
    assert {"customer_id", "name", "acquisition_date", "permission_email", "employees"} <= set(s.customers.columns)
    bare = crm.sample(50, profiles=False, interactions=False)
    assert bare.customers.num_rows == 0 and bare.interactions.num_rows == 0


def test_time_native_reports_each_step():
    times = _crm.time_native(crm.sample(500), repeat=2)
    assert set(times) == {"build", "summary", "segments", "total"}
    assert all(v >= 0 for v in times.values())
    assert crm.threads() >= 1


def test_arguments_out_of_range_are_config_errors_naming_them():
    for kwargs, field in (
        ({"seed": -1}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"customers": -5}, "customers"),
        ({"customers": 2**70}, "customers"),
        ({"days": -1}, "days"),
        ({"days": 0}, "days"),
        ({"days": 2**40}, "days"),
    ):
        with pytest.raises(crm.ConfigError) as e:
            crm.sample(**{"customers": 10, **kwargs})
        assert e.value.field == field, kwargs
    # The whole 64-bit seed range is taken.
    assert crm.sample(10, seed=2**64 - 1, profiles=False, interactions=False).transactions.num_rows > 0
