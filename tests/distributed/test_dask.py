"""crm.dask on a LocalCluster with 2 worker processes: the single-machine results."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import numpy as np
import pyarrow as pa
import pytest
from conftest import (
    PARTITIONS,
    assert_same_fit,
    assert_same_flows,
    assert_same_migration,
    assert_same_report,
    assert_same_segments,
    assert_same_table,
    shuffled,
    single_clv,
    single_lifecycle,
    single_report,
    single_segments,
    single_summary,
    with_string_ids,
)

import crm

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")
crm_dask = pytest.importorskip("crm.dask")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


def frame(table: pa.Table, npartitions: int = 3):
    return dd.from_pandas(table.to_pandas(types_mapper=pd.ArrowDtype), npartitions=npartitions, sort=False)


def arrow(result) -> pa.Table:
    return pa.Table.from_pandas(result.compute(), preserve_index=False)


@pytest.mark.parametrize("name", ["sample", "ties"])
@pytest.mark.parametrize("partitions", PARTITIONS)
def test_summary_equals_single_machine(client, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_summary(table, columns)
    got = arrow(crm_dask.summary(frame(shuffled(table, partitions)), npartitions=partitions, **columns))
    assert_same_table(got, want)


def test_summary_with_as_of_and_renamed_columns(client, datasets):
    table, _ = datasets["ties"]
    renamed = table.rename_columns(["kund", "dag", "belopp", "marginal"])
    columns = {"customer_id_col": "kund", "date_col": "dag", "amount_col": "belopp", "margin_col": "marginal"}
    as_of = dt.date(2024, 3, 1)
    want = single_summary(renamed, columns, as_of)
    got = arrow(crm_dask.summary(frame(renamed), as_of=as_of, npartitions=5, **columns))
    assert_same_table(got, want)


def test_bad_row_fails_with_the_engines_error_naming_the_customer(client):
    table = pa.table(
        {
            "customer_id": pa.array([1, 2, 3, 3], pa.int64()),
            "date": pa.array([dt.datetime(2024, 1, d) for d in (1, 2, 3, 4)], pa.timestamp("s")),
            "amount": [10.0, 20.0, float("nan"), 5.0],
        }
    )
    with pytest.raises(crm.InputError) as info:
        crm_dask.summary(frame(table, 2), as_of="2024-02-01", npartitions=2).compute()
    message = str(info.value)
    assert "column `amount`: NaN is not a finite number" in message
    assert "customer `3`" in message
    # The analyses that shuffle again or run several passes fail the same way.
    for analysis in (
        lambda: crm_dask.segments(frame(table, 2), "2024-02-01", npartitions=2),
        lambda: crm_dask.flows(frame(table, 2), "2024-01-01", "2024-02-01", npartitions=2),
    ):
        with pytest.raises(crm.InputError, match="customer `3`"):
            analysis()


def test_unknown_column_is_refused_before_any_work(client, datasets):
    table, _ = datasets["sample"]
    with pytest.raises(crm.ColumnNotFoundError, match="kund"):
        crm_dask.summary(frame(table), customer_id_col="kund")


@pytest.mark.parametrize("name", ["sample", "ties"])
@pytest.mark.parametrize("partitions", [1, 7])
def test_lifecycle_equals_single_machine(client, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_lifecycle(table, columns)
    got = arrow(crm_dask.lifecycle(frame(shuffled(table, partitions)), npartitions=partitions, **columns))
    assert_same_table(got, want)
    assert len(set(want.column("stage").to_pylist())) >= 3  # several stages, so the check bites


@pytest.mark.parametrize(("name", "model", "partitions"), [("sample", "paretonbd", 7), ("ties", "bgnbd", 64)])
def test_clv_models_equal_single_machine(client, datasets, name, model, partitions):
    table, columns = datasets[name]
    want, want_purchases, want_gamma = single_clv(table, model)
    summary = crm_dask.model_summary(frame(shuffled(table, partitions)), npartitions=partitions, **columns).persist()
    np.random.seed(16)  # the same starting point as the one-machine fit
    purchases, gamma = crm_dask.fit_clv(summary, model)
    assert_same_fit(purchases, want_purchases)
    assert_same_fit(gamma, want_gamma)
    assert_same_table(arrow(crm_dask.predict_clv(summary, purchases, gamma)), want)
    # The tasks get the parameters, not the fit's rows (the caller's fitter keeps them).
    shipped = crm._distributed.for_tasks(purchases)
    assert len(shipped.data) == 0 and len(purchases.data) > 0
    assert shipped.params_.equals(purchases.params_)


@pytest.mark.parametrize(("name", "partitions"), [("sample", 64), ("ties", 1)])
def test_flows_equal_single_machine(client, datasets, name, partitions):
    table, columns = datasets[name]
    base = crm.CustomerBase.from_transactions(table, **columns)
    start = dt.date(2023, 1, 1)
    want = base.flow_series(start, "month", 14)
    got = crm_dask.flow_series(
        frame(shuffled(table, partitions)), start, "month", 14, npartitions=partitions, **columns
    )
    assert_same_flows(got, want)
    assert sum(f.lost for f in want.flows) > 0


def test_flows_per_segment_by_margin_with_string_ids(client, datasets):
    table, columns = datasets["ties"]
    table = with_string_ids(table)
    base = crm.CustomerBase.from_transactions(table, **columns)
    rules = {"by_segment": True, "by": "margin", "shares": (0.1, 0.6, 0.3), "window_days": 180}
    want = base.flow_series("2023-01-01", "quarter", 6, **rules)
    got = crm_dask.flow_series(frame(shuffled(table, 7)), "2023-01-01", "quarter", 6, npartitions=7, **rules, **columns)
    assert_same_flows(got, want)
    assert sum(r["new"] for f in want.flows for r in f.by_segment.to_pylist()) > 0
    plain = crm_dask.flows(frame(table), "2023-03-01", "2024-03-01", by_segment=False, npartitions=3, **columns)
    assert plain.to_dict() == base.flows("2023-03-01", "2024-03-01", by_segment=False).to_dict()


def test_lifecycle_migration_equals_single_machine(client, datasets):
    table, columns = datasets["ties"]
    base = crm.CustomerBase.from_transactions(table, **columns)
    want = base.migration("2023-03-31", "2024-03-31", states="lifecycle")
    got = crm_dask.migration(
        frame(shuffled(table, 2)), "2023-03-31", "2024-03-31", states="lifecycle", npartitions=2, **columns
    )
    assert_same_migration(got, want)


@pytest.mark.parametrize(("name", "partitions", "by"), [("sample", 7, "revenue"), ("ties", 64, "margin")])
def test_segment_migration_equals_single_machine(client, datasets, name, partitions, by):
    table, columns = datasets[name]
    base = crm.CustomerBase.from_transactions(table, **columns)
    want = base.migration("2023-06-30", "2024-06-30", by=by)
    got = crm_dask.migration(
        frame(shuffled(table, partitions)), "2023-06-30", "2024-06-30", by=by, npartitions=partitions, **columns
    )
    assert_same_migration(got, want, value_rtol=1e-9)
    assert int(np.trace(want.counts)) < len(base) and int(want.counts[1:4, 1:4].sum()) > 0


@pytest.mark.parametrize("name", ["sample", "ties"])
@pytest.mark.parametrize("partitions", PARTITIONS)
def test_segments_equal_single_machine(client, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_segments(table, columns)
    got = crm_dask.segments(frame(shuffled(table, partitions)), npartitions=partitions, **columns)
    assert_same_segments(got, arrow(got.customers), want)


def test_segments_by_margin_with_string_ids_and_other_shares(client, datasets):
    table, columns = datasets["ties"]
    table = with_string_ids(table)
    options = {
        "by": "margin",
        "window_days": None,
        "shares": (0.1, 0.6, 0.3),
        "abc_shares": (0.5, 0.3, 0.2),
        "pyramid_shares": (0.25, 0.25, 0.25, 0.25),
    }
    want = single_segments(table, columns, "2024-06-30", **options)
    got = crm_dask.segments(frame(shuffled(table, 5)), "2024-06-30", npartitions=5, **columns, **options)
    assert_same_segments(got, arrow(got.customers), want)


def test_bgbb_on_the_donations_equals_single_machine(client):
    from conftest import donors, single_bgbb

    table = donors()
    want_fit, want = single_bgbb(table)
    df = frame(shuffled(table, 3), npartitions=4)
    purchases, gamma = crm_dask.fit_clv(df, "bgbb", spend=False)
    assert gamma is None
    assert_same_fit(purchases, want_fit)
    got = arrow(crm_dask.predict_clv(df, purchases, t=5))
    assert_same_table(got.sort_by("customer_id"), want)


@pytest.mark.parametrize(("name", "partitions"), [("sample", 2), ("ties", 7)])
def test_report_equals_single_machine(client, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_report(table, columns)
    got = crm_dask.report(frame(shuffled(table, partitions)), npartitions=partitions, **columns)
    assert_same_report(got, want)
    # Other rules, string ids, an as-of date in the middle of the history.
    table = with_string_ids(table)
    options = {"by": "margin", "inactivity_days": 200, "top_customers": 5, "window_days": 180}
    # Share of wallet by its own rules: the median of half a year's spend.
    options["wallet"] = {"quantile": 0.5, "window_days": 182}
    want = single_report(table, columns, "2024-03-31", **options)
    got = crm_dask.report(frame(shuffled(table, 3)), "2024-03-31", npartitions=3, **columns, **options)
    assert_same_report(got, want)
