"""crm.spark in local[2]: the single-machine results. One Spark session for the module."""

from __future__ import annotations

import datetime as dt
import os
import sys

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

pyspark_sql = pytest.importorskip("pyspark.sql")
crm_spark = pytest.importorskip("crm.spark")

# PySpark 4.3 warns that it does not fully support pandas 3 (crm.spark uses Arrow only).
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("crm-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def arrow(result) -> pa.Table:
    return crm_spark._arrow_ready(result.toArrow())


@pytest.mark.parametrize("name", ["sample", "ties"])
@pytest.mark.parametrize("partitions", PARTITIONS)
def test_summary_equals_single_machine(spark, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_summary(table, columns)
    df = spark.createDataFrame(shuffled(table, partitions))
    got = arrow(crm_spark.summary(df, partitions=partitions, **columns))
    assert_same_table(got, want)


def test_summary_with_as_of_and_renamed_columns(spark, datasets):
    table, _ = datasets["ties"]
    renamed = table.rename_columns(["kund", "dag", "belopp", "marginal"])
    columns = {"customer_id_col": "kund", "date_col": "dag", "amount_col": "belopp", "margin_col": "marginal"}
    as_of = dt.date(2024, 3, 1)
    want = single_summary(renamed, columns, as_of)
    got = arrow(crm_spark.summary(spark.createDataFrame(renamed), as_of=as_of, partitions=3, **columns))
    assert_same_table(got, want)


def test_bad_row_fails_the_job_with_the_engines_error(spark):
    table = pa.table(
        {
            "customer_id": pa.array([1, 2, 3, 3], pa.int64()),
            "date": pa.array([dt.datetime(2024, 1, d) for d in (1, 2, 3, 4)], pa.timestamp("s")),
            "amount": [10.0, 20.0, float("nan"), 5.0],
        }
    )
    with pytest.raises(Exception) as info:
        crm_spark.summary(spark.createDataFrame(table), as_of="2024-02-01", partitions=2).collect()
    message = str(info.value)
    assert "InputError" in message
    assert "column `amount`: NaN is not a finite number" in message
    assert "customer `3`" in message
    # Value segments run several jobs and shuffle again: the first job fails the same way.
    with pytest.raises(Exception, match="customer `3`"):
        crm_spark.segments(spark.createDataFrame(table), "2024-02-01", partitions=2)


@pytest.mark.parametrize("name", ["sample", "ties"])
@pytest.mark.parametrize("partitions", [1, 7])
def test_lifecycle_equals_single_machine(spark, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_lifecycle(table, columns)
    got = crm_spark.lifecycle(spark.createDataFrame(shuffled(table, partitions)), partitions=partitions, **columns)
    assert_same_table(got.toArrow(), want)


@pytest.mark.parametrize(
    ("name", "model", "partitions", "penalizer"),
    [("sample", "bgnbd", 7, 0.0), ("ties", "mbgnbd", 2, 0.0), ("sample", "paretonbd", 1, 0.001)],
)
def test_clv_models_equal_single_machine(spark, datasets, name, model, partitions, penalizer):
    table, columns = datasets[name]
    want, want_purchases, want_gamma = single_clv(table, model, penalizer)
    frame = spark.createDataFrame(shuffled(table, partitions))
    summary = crm_spark.model_summary(frame, partitions=partitions, **columns).persist()
    np.random.seed(16)  # the same starting point as the one-machine fit
    purchases, gamma = crm_spark.fit_clv(summary, model, penalizer_coef=penalizer)
    assert_same_fit(purchases, want_purchases)
    assert_same_fit(gamma, want_gamma)
    got = crm_spark.predict_clv(summary, purchases, gamma).toArrow()
    assert_same_table(got, want)
    assert float(purchases.data["weights"].sum()) == want.num_rows  # every customer, as counts


def test_clv_fit_without_spend_and_a_bad_model(spark, datasets):
    table, columns = datasets["ties"]
    summary = crm_spark.model_summary(spark.createDataFrame(table), **columns)
    purchases, gamma = crm_spark.fit_clv(summary, spend=False)
    assert gamma is None
    got = crm_spark.predict_clv(summary, purchases).toArrow()
    assert got.column_names[-2:] == ["expected_purchases", "p_alive"]
    with pytest.raises(ValueError, match="'sbg' is not one of"):
        crm_spark.fit_clv(summary, "sbg")
    with pytest.raises(ValueError, match="spend=False"):
        crm_spark.fit_clv(summary, "bgbb")


def test_bgbb_on_the_donations_equals_single_machine(spark):
    from conftest import donors, single_bgbb

    table = donors()
    want_fit, want = single_bgbb(table)
    df = spark.createDataFrame(shuffled(table, 3)).repartition(5)
    purchases, gamma = crm_spark.fit_clv(df, "bgbb", spend=False)
    assert gamma is None
    assert_same_fit(purchases, want_fit)
    # Fader, Hardie and Shang (2010), table 2: alpha 1.204, beta 0.750, gamma 0.657, delta 2.783.
    np.testing.assert_allclose(purchases.params_.to_numpy(), [1.204, 0.750, 0.657, 2.783], atol=1e-3)
    got = crm_spark.predict_clv(df, purchases, t=5).toArrow()
    assert_same_table(got.sort_by("customer_id"), want)


@pytest.mark.parametrize(("name", "partitions"), [("sample", 7), ("ties", 2)])
def test_flows_equal_single_machine(spark, datasets, name, partitions):
    table, columns = datasets[name]
    base = crm.CustomerBase.from_transactions(table, **columns)
    start = dt.date(2023, 1, 1)
    frame = spark.createDataFrame(shuffled(table, partitions))
    want = base.flow_series(start, "quarter", 6, inactivity_days=180, by_segment=True)
    got = crm_spark.flow_series(
        frame, start, "quarter", 6, inactivity_days=180, by_segment=True, partitions=partitions, **columns
    )
    assert_same_flows(got, want)
    one = crm_spark.flows(frame, "2023-03-01", "2024-03-01", duration_base="start", **columns)
    assert one.to_dict() == base.flows("2023-03-01", "2024-03-01", duration_base="start").to_dict()
    assert one.by_segment.to_pylist() == base.flows("2023-03-01", "2024-03-01").by_segment.to_pylist()
    assert sum(r["lost"] for r in one.by_segment.to_pylist()) > 0
    plain = crm_spark.flows(frame, "2023-03-01", "2024-03-01", by_segment=False, partitions=3, **columns)
    assert plain.by_segment.num_rows == 0
    assert plain.to_dict() == base.flows("2023-03-01", "2024-03-01", by_segment=False).to_dict()
    assert sum(f.lost for f in want.flows) > 0 and sum(f.new for f in want.flows) > 0
    with pytest.raises(crm.ConfigError, match="duration_base"):
        crm_spark.flows(frame, "2023-03-01", "2024-03-01", duration_base="median", **columns)


def test_lifecycle_migration_equals_single_machine(spark, datasets):
    table, columns = datasets["sample"]
    base = crm.CustomerBase.from_transactions(table, **columns)
    want = base.migration("2023-06-30", "2024-06-30", states="lifecycle", inactivity_days=270)
    frame = spark.createDataFrame(shuffled(table, 7))
    got = crm_spark.migration(
        frame, "2023-06-30", "2024-06-30", states="lifecycle", inactivity_days=270, partitions=7, **columns
    )
    assert_same_migration(got, want)
    assert int(want.counts.sum()) == len(base) and int(np.trace(want.counts)) < len(base)  # customers move
    with pytest.raises(crm.ConfigError, match="states"):
        crm_spark.migration(frame, "2023-06-30", "2024-06-30", states="rfm", **columns)


@pytest.mark.parametrize(("name", "partitions", "by"), [("sample", 7, "revenue"), ("ties", 2, "margin")])
def test_segment_migration_equals_single_machine(spark, datasets, name, partitions, by):
    table, columns = datasets[name]
    base = crm.CustomerBase.from_transactions(table, **columns)
    want = base.migration("2023-06-30", "2024-06-30", by=by)
    frame = spark.createDataFrame(shuffled(table, partitions))
    got = crm_spark.migration(frame, "2023-06-30", "2024-06-30", by=by, partitions=partitions, **columns)
    assert_same_migration(got, want, value_rtol=1e-9)
    assert int(np.trace(want.counts)) < len(base) and int(want.counts[1:4, 1:4].sum()) > 0


@pytest.mark.parametrize("name", ["sample", "ties"])
@pytest.mark.parametrize("partitions", PARTITIONS)
def test_segments_equal_single_machine(spark, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_segments(table, columns)
    got = crm_spark.segments(spark.createDataFrame(shuffled(table, partitions)), partitions=partitions, **columns)
    assert_same_segments(got, got.customers.toArrow(), want)


def test_segments_by_margin_with_string_ids_and_other_shares(spark, datasets):
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
    df = spark.createDataFrame(shuffled(table, 5))
    got = crm_spark.segments(df, "2024-06-30", partitions=5, **columns, **options)
    assert_same_segments(got, got.customers.toArrow(), want)


def test_segments_check_the_rules_before_any_task(spark, datasets):
    table, columns = datasets["ties"]
    with pytest.raises(crm.ConfigError, match="shares"):
        crm_spark.segments(spark.createDataFrame(table), shares=(0.5, 0.5, 0.5), **columns)


@pytest.mark.parametrize(("name", "partitions"), [("sample", 1), ("sample", 7), ("ties", 2), ("ties", 64)])
def test_report_equals_single_machine(spark, datasets, name, partitions):
    table, columns = datasets[name]
    want = single_report(table, columns)
    # The sample's history supports every section; the ties' 500 days withhold the flows.
    assert (want.flows is not None and want.migration is not None) == (name == "sample")
    frame = spark.createDataFrame(shuffled(table, partitions))
    got = crm_spark.report(frame, partitions=partitions, **columns)
    assert_same_report(got, want)


def test_report_with_other_rules_string_ids_and_a_short_history(spark, datasets):
    table, columns = datasets["ties"]
    table = with_string_ids(table)
    options = {"by": "margin", "shares": (0.1, 0.6, 0.3), "top_customers": 25, "duration_years": 2.5}
    options["wallet"] = {"quantile": 0.75, "window_days": 200, "work_list_size": 5}
    frame = spark.createDataFrame(shuffled(table, 5))
    want = single_report(table, columns, "2024-06-30", **options)
    assert_same_report(crm_spark.report(frame, "2024-06-30", partitions=5, **columns, **options), want)
    # Four months of history: flows, migration and CLV withheld with the same reasons.
    want = single_report(table, columns, "2023-04-30")
    assert want.flows is None and want.migration is None
    assert_same_report(crm_spark.report(frame, "2023-04-30", partitions=3, **columns), want)
    with pytest.raises(crm.ConfigError, match="shares"):
        crm_spark.report(frame, shares=(0.5, 0.5, 0.5), **columns)
