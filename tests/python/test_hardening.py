"""Issue #13: no silent wrong answer, no lost row, no crash (one test or more per item)."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

import crm


def build(dates, **kw):
    table = {"customer_id": np.arange(len(dates)), "date": dates, "amount": np.ones(len(dates))}
    return crm.CustomerBase.from_transactions(table, **kw)


@pytest.mark.parametrize(
    "dates",
    [
        pa.array([0, 2**31 - 1], pa.date32()),
        pa.array([0, 2**63 - 1], pa.timestamp("s")),
        pa.array([0, -(2**63) + 1], pa.timestamp("s", tz="Europe/Stockholm")),
        np.array(["2024-01-01", "300000-01-01"], dtype="datetime64[s]"),
        np.array([0, 2**40], dtype="datetime64[D]"),  # 2^40 days wrapped to 1970-01-01
        np.array([0, 2**60], dtype="datetime64[D]"),  # overflows in seconds
        np.array([0, 2**62], dtype="datetime64[Y]"),
        np.array(["2024-01-01", "0999-12-31"], dtype="datetime64[D]"),
    ],
)
def test_item1_far_dates_are_refused_with_row_and_column(dates):
    with pytest.raises(crm.InputError) as e:
        build(dates)
    assert (e.value.table, e.value.row, e.value.column) == ("transactions", 1, "date"), str(e.value)
    assert "supported" in str(e.value)


def test_item1_supported_edges_are_kept():
    base = build(np.array(["1000-01-01", "9999-12-31T23:59:59"], dtype="datetime64[s]"))
    assert (base.first_date, base.last_date) == (dt.date(1000, 1, 1), dt.date(9999, 12, 31))


def test_item1_far_customer_dates_are_refused():
    for dates in (
        np.array(["2024-01-01", "300000-01-01"], dtype="datetime64[s]"),
        np.array([0, 2**40], dtype="datetime64[D]"),
    ):
        customers = {"customer_id": [1, 2], "acquisition_date": dates}
        with pytest.raises(crm.InputError) as e:
            crm.CustomerBase.from_transactions(customers=customers)
        assert (e.value.table, e.value.row, e.value.column) == ("customers", 1, "acquisition_date"), str(e.value)


def test_item13_an_unguarded_panic_is_an_internal_error():
    from crm import _crm

    with pytest.raises(crm.InternalError, match="boom"):
        _crm._panic_unguarded_for_tests("boom")
    base = build(np.array(["2024-01-01"], dtype="datetime64[D]"))
    assert base.last_date == dt.date(2024, 1, 1)  # getters still work through the guard
    assert "CustomerBase" in repr(base) and len(base) == 1


def two_buyers():
    dates = np.array(["2024-01-01", "2024-03-01", "2024-02-01"], dtype="datetime64[D]")
    table = {"customer_id": np.array([1, 1, 2]), "date": dates, "amount": np.array([10.0, 20.0, 30.0])}
    return crm.CustomerBase.from_transactions(table)


PURCHASE = {"type": "purchase"}


@pytest.mark.parametrize("days", [36_501, 2**31, 2**32 - 1])
def test_item2_day_counts_out_of_range_are_config_errors(days):
    base = two_buyers()
    calls = {
        "inactivity_days": lambda: base.lifecycle("2024-12-31", inactivity_days=days),
        "window_days": lambda: base.segments("2024-12-31", window_days=days),
        "inactivity_days ": lambda: base.flows("2024-01-01", "2024-12-31", inactivity_days=days),
        "window_days ": lambda: base.funnel(
            {"name": "f", "steps": [{"name": "a", "event": PURCHASE}, {"name": "b", "event": PURCHASE, "window_days": days}]},
            "2024-01-01",
            "2024-12-01",
            "2024-12-31",
        ),
        "days": lambda: base.score(
            {"rules": [{"name": "r", "weight": 1.0, "condition": {"type": "purchase_within", "days": days}}]}, "2024-12-31"
        ),
        "horizon_days": lambda: base.backtest({"rules": []}, "2024-06-30", PURCHASE, days),
    }
    for field, call in calls.items():
        with pytest.raises(crm.ConfigError) as e:
            call()
        assert e.value.field == field.strip() and "36500" in str(e.value), str(e.value)


def test_item14_sizes_are_bounded_before_allocating():
    base = two_buyers()
    with pytest.raises(crm.ConfigError) as e:
        base.flow_series("2024-01-01", count=2**40)
    assert e.value.field == "count" and "1200" in str(e.value)
    migration = base.migration("2024-01-01", "2024-06-01")
    with pytest.raises(crm.ConfigError) as e:
        migration.project(periods=10**9)
    assert e.value.field == "periods"


def test_item7_unknown_definition_fields_are_refused_with_a_suggestion():
    base = two_buyers()
    toml = (
        'id = "P:9"\nname = "p"\nkind = "retain"\n\n[[dialogs]]\nid = "D:1"\nname = "d"\n'
        'trigger = { type = "event", kind = "x" }\ntiming = { type = "immediately" }\n'
        'channel = "email"\nrequires_permision = false\n'
    )
    with pytest.raises(crm.ConfigError, match=r"unknown field `requires_permision`, did you mean `requires_permission`\?"):
        crm.Process.from_toml(toml)
    funnel = {"name": "f", "steps": [{"name": "a", "event": PURCHASE, "windw_days": 7}]}
    with pytest.raises(crm.ConfigError, match=r"did you mean `window_days`\?"):
        base.funnel(funnel, "2024-01-01", "2024-12-01", "2024-12-31")
    model = {"rules": [{"name": "r", "wieght": 2, "weight": 1, "condition": {"type": "purchase_within", "days": 9}}]}
    with pytest.raises(crm.ConfigError, match=r"did you mean `weight`\?"):
        base.score(model, "2024-12-31")


def test_item8_minus_zero_ties_with_zero_by_ascending_id():
    table = {
        "customer_id": np.array([1, 2, 3]),
        "date": np.array(["2024-01-01"] * 3, dtype="datetime64[D]"),
        "amount": np.array([5.0, 5.0, 5.0]),
        "margin": np.array([-0.0, 0.0, -1.0]),
    }
    base = crm.CustomerBase.from_transactions(table, margin_col="margin")
    ranks = base.segments("2024-12-31", by="margin", window_days=None).to_pydict()["rank"]
    assert ranks == [1, 2, 3] or ranks == [0, 1, 2], ranks
    assert ranks[0] < ranks[1] < ranks[2]


def test_item10_scalar_helpers_refuse_impossible_values():
    for call, field in [
        (lambda: crm.retention_clv(100.0, 2.0), "retention"),
        (lambda: crm.discounted_clv(100.0, 2.0, -1.0), "discount"),
        (lambda: crm.simple_clv(5.0, 1000.0, -1.0), "duration_years"),
        (lambda: crm.sample_size(0.5, 0.6, alpha=0.0), "alpha"),
        (lambda: crm.sample_size(0.5, 0.6, power=1.0), "power"),
        (lambda: crm.retention_sensitivity(100.0, 1.5), "retention"),
    ]:
        with pytest.raises(crm.ConfigError) as e:
            call()
        assert e.value.field == field, str(e.value)
    assert crm.sample_size(0.5, 0.5) is None


def test_item12_second_purchase_needs_a_second_purchase():
    dates = np.array(["2024-01-01", "2024-01-01", "2024-01-11"], dtype="datetime64[D]")
    base = crm.CustomerBase.from_transactions(
        {"customer_id": np.array([1, 2, 2]), "date": dates, "amount": np.array([10.0, 10.0, 10.0])}
    )
    funnel = {"name": "repeat", "steps": [{"name": "first", "event": PURCHASE}, {"name": "second", "event": PURCHASE}]}
    entered = base.funnel(funnel, "2024-01-01", "2024-02-01", "2024-12-31").to_pydict()["entered"]
    assert entered == [2, 1]


def test_item15_csv_customer_errors_name_the_customers_table_and_problems_repr_as_python(tmp_path):
    tx_path = tmp_path / "tx.csv"
    tx_path.write_text("customer_id,date,amount\nA,2024-01-05,100\n")
    cu_path = tmp_path / "customers.csv"
    cu_path.write_text("id,acquisition_date,since\nA,2024-01-01,2024-01-01\nB,0999-12-31,2024-01-01\n")
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_csv(tx_path, customers=crm.Customers(cu_path, id_col="id"))
    assert (e.value.table, e.value.row, e.value.column) == ("customers", 1, "acquisition_date"), str(e.value)
    cu_path.write_text("id,since\nA,2024-01-01\nB,0999-12-31\n")
    customers = crm.Customers(cu_path, id_col="id", attribute_types={"since": "date"})
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_csv(tx_path, customers=customers)
    assert (e.value.table, e.value.column) == ("customers", "since"), str(e.value)
    tx_path.write_text("kund,dag,belopp\nA,2024-01-05,100\nA,0999-01-05,100\n")
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_csv(tx_path, customer_id_col="kund", date_col="dag", amount_col="belopp")
    assert (e.value.table, e.value.row, e.value.column) == ("transactions", 1, "dag"), str(e.value)

    tx_path.write_text("customer_id,date,amount\nA,2024-01-05,x\n")
    with pytest.raises(crm.CsvError) as e:
        crm.CustomerBase.from_csv(tx_path)
    text = repr(e.value.problems[0])
    assert text.startswith("CsvProblem(line=2, column=\"amount\"") and "Some(" not in text, text


def test_item15_far_interaction_dates_name_the_interactions_table():
    interactions = crm.Interactions(
        {"who": [1, 1], "day": np.array([0, 2**40], dtype="datetime64[D]"), "via": ["web"] * 2, "dir": ["in"] * 2, "what": ["a"] * 2},
        customer_id_col="who",
        date_col="day",
        channel_col="via",
        direction_col="dir",
        kind_col="what",
    )
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(interactions=interactions)
    assert (e.value.table, e.value.row, e.value.column) == ("interactions", 1, "day"), str(e.value)


@pytest.mark.parametrize(
    "ids, row",
    [
        (np.array([b"ok", b"\xff", b"\xfe"], dtype="S"), 1),  # decoded lossily: 2 customers, not 3
        (np.array(["1", 1, "b"], dtype=object), 1),  # "1" and 1 merged
        (np.array([1, "1", "b"], dtype=object), 1),  # TypeError naming no column
    ],
)
def test_item4_undecodable_or_mixed_ids_name_the_column_and_row(ids, row):
    table = {"customer_id": ids, "date": np.array(["2024-01-01"] * 3, dtype="datetime64[D]"), "amount": np.ones(3)}
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(table)
    assert (e.value.table, e.value.row, e.value.column) == ("transactions", row, "customer_id"), str(e.value)


def test_item11_integral_float_ids_are_integer_ids():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"customer_id": [1.0, None, 2.0], "date": ["2024-01-01"] * 3, "amount": [1.0, 2.0, 3.0]})
    base = crm.CustomerBase.from_transactions(frame.dropna())
    assert base.customer_ids.tolist() == [1, 2] and base.customer_ids.dtype == np.int64
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(frame)  # the blank (NaN) is named
    assert (e.value.row, e.value.column) == (1, "customer_id"), str(e.value)
    frame = pd.DataFrame({"customer_id": [1.0, 2.5], "date": ["2024-01-01"] * 2, "amount": [1.0, 2.0]})
    with pytest.raises(crm.InputError) as e:
        crm.CustomerBase.from_transactions(frame)
    assert (e.value.row, e.value.column) == (1, "customer_id") and "whole" in str(e.value)


def test_item5_zoned_times_count_in_utc_on_every_route():
    pd = pytest.importorskip("pandas")
    zone = dt.timezone(dt.timedelta(hours=5))
    when = dt.datetime(2024, 1, 2, 1, 30, tzinfo=zone)  # 2024-01-01 20:30 UTC
    series = pd.Series([when]).dt.tz_convert("Asia/Karachi")
    routes = {
        "arrow": pa.table({"customer_id": [1], "date": pa.array([when], pa.timestamp("s", tz="+05:00")), "amount": [1.0]}),
        "pandas frame": pd.DataFrame({"customer_id": [1], "date": series, "amount": [1.0]}),
        "python datetimes": {"customer_id": [1], "date": [when], "amount": [1.0]},
        "series in a dict": {"customer_id": [1], "date": series, "amount": [1.0]},
        "iso text": {"customer_id": [1], "date": ["2024-01-02T01:30:00+05:00"], "amount": [1.0]},
    }
    for route, table in routes.items():
        assert crm.CustomerBase.from_transactions(table).last_date == dt.date(2024, 1, 1), route


def test_item14_sample_sizes_are_bounded():
    for kwargs, field in [({"customers": 10**12}, "customers"), ({"days": 2**31}, "days")]:
        with pytest.raises(crm.ConfigError) as e:
            crm.sample(**kwargs)
        assert e.value.field == field, str(e.value)


def test_item9_an_arrow_table_with_a_mapped_column_twice_is_an_error_naming_it():
    import pyarrow as pa

    t = pa.Table.from_arrays(
        [pa.array([1, 2]), pa.array(["2024-01-01", "2024-01-02"]), pa.array([1.0, 2.0]), pa.array([3.0, 4.0])],
        names=["customer_id", "date", "amount", "amount"],
    )
    with pytest.raises(crm.InputError, match="two or more columns named `amount`"):
        crm.CustomerBase.from_transactions(t)
    # A repeated column that is not used does not matter.
    u = pa.Table.from_arrays(
        [pa.array([1, 2]), pa.array(["2024-01-01", "2024-01-02"]), pa.array([1.0, 2.0]), pa.array([0, 0]), pa.array([0, 0])],
        names=["customer_id", "date", "amount", "note", "note"],
    )
    assert len(crm.CustomerBase.from_transactions(u).summary("2024-01-02")) == 2


def test_misaligned_arrays_are_read_as_values():
    """A numpy array over a byte buffer at an odd offset (as views over Arrow or network
    buffers can be) is read by value, not through an aligned pointer (undefined behaviour,
    and a panic in debug builds)."""
    from crm.lifetimes import BetaGeoFitter

    def misaligned(values):
        raw = np.zeros(8 * len(values) + 1, dtype=np.uint8)
        out = np.frombuffer(raw.data, dtype=np.float64, count=len(values), offset=1)
        out[:] = values
        assert not out.flags.aligned
        return out

    x, tx, t = [2.0, 0.0, 5.0, 1.0], [30.0, 0.0, 35.0, 2.0], [40.0, 38.0, 39.0, 10.0]
    fitted = BetaGeoFitter().fit(x, tx, t)
    want = fitted.conditional_expected_number_of_purchases_up_to_time(10, np.array(x), np.array(tx), np.array(t))
    got = fitted.conditional_expected_number_of_purchases_up_to_time(10, misaligned(x), misaligned(tx), misaligned(t))
    np.testing.assert_array_equal(got, want)
    refit = BetaGeoFitter().fit(misaligned(x), misaligned(tx), misaligned(t))
    assert refit.params_.equals(fitted.params_)
