"""crm on Spark: the engine's analyses of a Spark DataFrame of transactions, with the same
results as on one machine.

The transactions are repartitioned by a hash of the customer id, so each task holds whole
customers and runs the Rust engine on its Arrow batches (``mapInArrow``); what crosses
customers (RFM quintiles, segment boundaries, flow and migration counts, the models'
distinct rows) is merged on the driver from crm-core's partial results: one binary cell
per task, nothing per transaction. Value segments shuffle the ranked customers once more,
by bucket of whole values, to number them.

>>> import crm.spark  # doctest: +SKIP
>>> summary = crm.spark.summary(df, as_of="2024-12-31")  # a Spark DataFrame  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from . import _distributed as _d

__all__ = [
    "fit_clv",
    "flow_series",
    "flows",
    "lifecycle",
    "migration",
    "model_summary",
    "predict_clv",
    "report",
    "segments",
    "summary",
]


def _table(batches: Iterator[pa.RecordBatch], schema: pa.Schema | None = None) -> pa.Table:
    batches = list(batches)
    if not batches:
        return pa.Table.from_batches([], schema=schema) if schema is not None else None
    return pa.Table.from_batches(batches)


def _spark_ready(table: pa.Table) -> pa.Table:
    """RFM scores as int32: Spark has no unsigned bytes."""
    for name in ("r", "f", "m"):
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(name).cast(pa.int32()))
    return table


def _arrow_ready(table: pa.Table) -> pa.Table:
    for name in ("r", "f", "m"):
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(name).cast(pa.uint8()))
    return table


def summary(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    min_span_days: int = 365,
    partitions: int | None = None,
    **columns: Any,
) -> Any:
    """The customer summary with RFM scores, as a Spark DataFrame with one row per customer
    (the columns of `CustomerBase.summary`; ``r``, ``f``, ``m`` as int; rows in no
    particular order).

    `transactions` is a Spark DataFrame with the columns named by the keywords of
    `CustomerBase.from_transactions` (``customer_id_col``, ``date_col``, ``amount_col``,
    ...). `as_of` defaults to the last transaction date, as on one machine. `partitions` is
    the number of customer partitions (default: the session's shuffle partitions).

    The result equals `CustomerBase.from_transactions(all rows).summary(as_of)` row for
    row, RFM scores included, whatever the partitioning or row order. A bad row fails the
    job with the engine's error (naming the column and the customer).
    """
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    columns, parts, as_of = _prepare(transactions, as_of, partitions, columns)
    timezone = transactions.sparkSession.conf.get("spark.sql.session.timeZone")
    input_schema = to_arrow_schema(transactions.schema, timezone=timezone)
    arrow_schema = _spark_ready(_d.summary_schema(input_schema, columns, as_of, min_span_days).empty_table()).schema
    spark_schema = from_arrow_schema(arrow_schema)

    def local(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = _table(batches, input_schema)
        yield from _spark_ready(_d.local_summary(table, columns, as_of, min_span_days)).to_batches()

    summaries = parts.mapInArrow(local, spark_schema).persist()

    def partial(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = _arrow_ready(_table(batches, arrow_schema))
        yield pa.RecordBatch.from_pydict({"partial": pa.array([_d.rfm_partial(table)], pa.binary())})

    partials = [r.partial for r in summaries.mapInArrow(partial, "partial binary").collect()]
    scorer = _d.rfm_scorer([bytes(p) for p in partials])

    def rescore(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = _arrow_ready(_table(batches, arrow_schema))
        yield from _spark_ready(_d.rescore(table, scorer)).to_batches()

    return summaries.mapInArrow(rescore, spark_schema)


def _prepare(transactions: Any, as_of: Any, partitions: int | None, columns: dict[str, Any]):
    """Checked column keywords, the transactions repartitioned by customer, and the as-of
    date (the last transaction date of all tasks by default)."""
    from pyspark.sql import functions as F

    columns = _d.check_columns(columns)
    id_col = _d.id_column(columns)
    if id_col not in transactions.columns:
        from .exceptions import ColumnNotFoundError

        raise ColumnNotFoundError(
            f"transactions have no column `{id_col}` (customer_id_col); they have {transactions.columns}"
        )
    parts = (
        transactions.repartition(partitions, F.col(id_col)) if partitions else transactions.repartition(F.col(id_col))
    )
    if as_of is None:

        def last_dates(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            table = _table(batches)
            day = None if table is None else _d.last_date(table, columns)
            yield pa.RecordBatch.from_pydict({"day": pa.array([day], pa.date32())})

        dates = [r.day for r in parts.mapInArrow(last_dates, "day date").collect() if r.day is not None]
        if not dates:
            raise ValueError("the transactions are empty, so there is no default as-of date; give one")
        as_of = max(dates)
    return columns, parts, _d.as_date(as_of, "as_of")


def lifecycle(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    partitions: int | None = None,
    inactivity_days: int = 365,
    new_days: int = 90,
    dormant_days: int = 180,
    return_days: int = 90,
    trend_days: int = 365,
    decline_ratio: float = 0.5,
    **columns: Any,
) -> Any:
    """Lifecycle stages (`CustomerBase.lifecycle`) as a Spark DataFrame of customer_id and
    stage, one row per customer; the rules' keywords and defaults are the engine's. A
    stage depends on the customer's own history only, so each task's stages are the whole
    base's."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    columns, parts, as_of = _prepare(transactions, as_of, partitions, columns)
    options = {
        "inactivity_days": inactivity_days,
        "new_days": new_days,
        "dormant_days": dormant_days,
        "return_days": return_days,
        "trend_days": trend_days,
        "decline_ratio": decline_ratio,
    }
    timezone = transactions.sparkSession.conf.get("spark.sql.session.timeZone")
    input_schema = to_arrow_schema(transactions.schema, timezone=timezone)
    schema = _d.lifecycle_schema(input_schema, columns)

    def stages(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _d.local_lifecycle(_table(batches, input_schema), columns, as_of, options).to_batches()

    return parts.mapInArrow(stages, from_arrow_schema(schema))


def model_summary(
    transactions: Any,
    observation_end: _dt.date | str | None = None,
    *,
    days_per_unit: float = 1.0,
    partitions: int | None = None,
    **columns: Any,
) -> Any:
    """lifetimes' per-customer summary (customer_id, frequency, recency, T,
    monetary_value; time in units of `days_per_unit` days) as a Spark DataFrame: the input
    of `fit_clv` and `predict_clv`, equal to the one-machine
    `crm.lifetimes.utils.summary_data_from_transaction_data`. `observation_end` defaults
    to the last transaction date."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    columns, parts, end = _prepare(transactions, observation_end, partitions, columns)
    timezone = transactions.sparkSession.conf.get("spark.sql.session.timeZone")
    input_schema = to_arrow_schema(transactions.schema, timezone=timezone)
    schema = _d.model_summary_schema(input_schema, columns)

    def local(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _d.local_model_summary(_table(batches, input_schema), columns, end, days_per_unit).to_batches()

    return parts.mapInArrow(local, from_arrow_schema(schema))


def fit_clv(
    summary: Any, model: str = "bgnbd", *, spend: bool = True, penalizer_coef: float = 0.0, tol: float | None = None
) -> tuple[Any, Any]:
    """Fits a purchase model ("bgnbd", "mbgnbd" or "paretonbd") and, with `spend`, the
    Gamma-Gamma spend model on a `model_summary` DataFrame; or BG/BB ("bgbb", with
    `spend=False`) on a DataFrame of frequency, recency and n_periods per customer. Each task sends its distinct
    rows with counts (bytes); the driver merges them and fits: the fitted crm.lifetimes
    fitters (purchase model, Gamma-Gamma or None) equal the one-machine fits on the same
    customers (Pareto/NBD's random starting points come from numpy's global generator, as
    in lifetimes: seed it for a repeatable fit)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    arrow_schema = to_arrow_schema(summary.schema)

    def partial(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = _table(batches, arrow_schema)
        yield pa.RecordBatch.from_pydict({"partial": pa.array([_d.model_partial(table)], pa.binary())})

    partials = [bytes(r.partial) for r in summary.mapInArrow(partial, "partial binary").collect()]
    return _d.fit_models(partials, model, penalizer_coef, spend, tol)


def predict_clv(
    summary: Any,
    purchases: Any,
    gamma: Any = None,
    *,
    t: float = 30.0,
    months: int = 12,
    discount_rate: float = 0.01,
    days_per_unit: float = 1.0,
) -> Any:
    """Per customer of a `model_summary` DataFrame (computed in its tasks): the summary's
    columns, expected purchases in the next `t` units, P(alive), and with `gamma` the
    expected spend per purchase and the CLV of the next `months` months at a monthly
    `discount_rate` (crm.lifetimes' `customer_lifetime_value`)."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    arrow_schema = to_arrow_schema(summary.schema)
    out_schema = _d.predictions_schema(arrow_schema, {}, gamma is not None)

    purchases, gamma = _d.for_tasks(purchases), _d.for_tasks(gamma)

    def local(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = _table(batches, arrow_schema)
        yield from _d.local_predictions(table, purchases, gamma, t, months, discount_rate, days_per_unit).to_batches()

    return summary.mapInArrow(local, from_arrow_schema(out_schema))


def flows(
    transactions: Any,
    start: _dt.date | str,
    end: _dt.date | str,
    *,
    inactivity_days: int = 365,
    duration_base: str = "average",
    by_segment: bool = True,
    shares: Any = (0.2, 0.5, 0.3),
    by: str = "revenue",
    window_days: int | None = 365,
    partitions: int | None = None,
    **columns: Any,
) -> Any:
    """Customer flows of the period `[start, end)` (`CustomerBase.flows`, same keywords
    and defaults), a `crm.Flows` on the driver: each task counts its customers' flows, the
    driver adds the counts and values and computes the rates. Per value segment, the
    segments are the whole base's, from the tasks' exact value distributions."""
    bounds = _d.flow_bounds(start, end)
    options, segments = _d.flow_options(bounds, inactivity_days, duration_base, by_segment, shares, by, window_days)
    return _flows(transactions, bounds, options, segments, partitions, columns).flows[0]


def flow_series(
    transactions: Any,
    start: _dt.date | str,
    period: str = "month",
    count: int = 12,
    *,
    inactivity_days: int = 365,
    duration_base: str = "average",
    by_segment: bool = False,
    shares: Any = (0.2, 0.5, 0.3),
    by: str = "revenue",
    window_days: int | None = 365,
    partitions: int | None = None,
    **columns: Any,
) -> Any:
    """Flows of `count` consecutive periods ("month", "quarter", "year") from `start`
    (`CustomerBase.flow_series`, same keywords and defaults), a `crm.FlowSeries` on the
    driver."""
    bounds = _d.flow_bounds(start, period=period, count=count)
    options, segments = _d.flow_options(bounds, inactivity_days, duration_base, by_segment, shares, by, window_days)
    return _flows(transactions, bounds, options, segments, partitions, columns)


def _flows(
    transactions: Any, bounds: list, options: dict, segments: dict | None, partitions: Any, columns: dict
) -> Any:
    columns, parts, _ = _prepare(transactions, bounds[0], partitions, columns)
    if segments is not None:
        parts = parts.persist()  # read by up to three passes
    try:
        return _d.flows_over(_runner(transactions, parts), columns, bounds, options, segments)
    finally:
        if segments is not None:
            parts.unpersist()


def _runner(transactions: Any, parts: Any) -> Any:
    """`run(task)` of `_distributed`: `task(table)` on every partition of `parts` (the
    transactions partitioned by customer), the cells it returns collected."""
    from pyspark.sql.pandas.types import to_arrow_schema

    timezone = transactions.sparkSession.conf.get("spark.sql.session.timeZone")
    input_schema = to_arrow_schema(transactions.schema, timezone=timezone)

    def run(task: Any) -> list:
        def cells(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            cell = task(_table(batches, input_schema))
            yield pa.RecordBatch.from_pydict({"partial": pa.array([cell], pa.binary())})

        return [r.partial for r in parts.mapInArrow(cells, "partial binary").collect()]

    return run


def report(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    top_customers: int = 10,
    duration_years: float | None = None,
    discount_rate: float = 0.10,
    inactivity_days: int = 365,
    shares: Any = (0.2, 0.5, 0.3),
    by: str = "revenue",
    window_days: int | None = 365,
    wallet: Any = None,
    partitions: int | None = None,
    **columns: Any,
) -> Any:
    """The customer-development report as of `as_of` (`CustomerBase.report`, same keywords
    and defaults), a `crm.Report` on the driver with the same figures, caveats and
    renderings (`to_markdown`, `to_html`, `to_json`) as on one machine. The transactions
    are shuffled by customer once and read by two passes (three when a segment, pyramid or
    ABC cut falls inside tied values); only fixed-size partials and the exact value
    distributions of the ranked customers reach the driver. Share of wallet is the whole
    base's: `wallet` (a dict of `CustomerBase.wallet`'s rules) may set its `quantile`
    and `window_days`; peer groups, wallet attributes, the regression and the
    segment profiles need each group's customers together and are left out (a caveat says
    so)."""
    rules = _d.report_rules(top_customers, duration_years, discount_rate, inactivity_days, shares, by, window_days, wallet)
    columns, parts, as_of = _prepare(transactions, as_of, partitions, columns)
    parts = parts.persist()
    try:
        return _d.report_over(_runner(transactions, parts), columns, as_of, rules)
    finally:
        parts.unpersist()

def migration(
    transactions: Any,
    from_date: _dt.date | str,
    to_date: _dt.date | str,
    *,
    states: str = "segments",
    shares: Any = (0.2, 0.5, 0.3),
    by: str = "revenue",
    window_days: int | None = 365,
    inactivity_days: int = 365,
    partitions: int | None = None,
    **columns: Any,
) -> Any:
    """Migration between states from the end of `from_date` to the end of `to_date`
    (`CustomerBase.migration`, same keywords and defaults), a `crm.Migration` on the
    driver. Lifecycle stages: each task counts its customers' moves. Value segments
    (not_yet_customer, top, middle, bottom, lost): the two segmentations of `segments`,
    joined by customer, counted per task. The driver adds the counts."""
    from pyspark.sql import functions as F

    _d.check_migration_states(states)
    dates = (_d.as_date(from_date, "from_date"), _d.as_date(to_date, "to_date"))
    if states == "segments":
        options = _d.segment_migration_options(shares, by, window_days, dates)
        columns, parts, _ = _prepare(transactions, dates[0], partitions, columns)
        parts = parts.persist()  # the transactions shuffled once for both segmentations
        a, b = (_segments_on(parts, columns, d, options, partitions).customers for d in dates)
        joined = a.select(
            "customer_id", F.col("segment").alias("from_segment"), F.col("pyramid").alias("from_pyramid")
        ).join(
            b.select(
                "customer_id",
                F.col("segment").alias("to_segment"),
                F.col("pyramid").alias("to_pyramid"),
                F.col("value").alias("to_value"),
            ),
            "customer_id",
        )

        def share(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            table = _table(batches)
            cell = None if table is None else _d.segment_migration_partial(table, dates)
            yield pa.RecordBatch.from_pydict({"partial": pa.array([cell], pa.binary())})

        partials = [r.partial for r in joined.mapInArrow(share, "partial binary").collect()]
        parts.unpersist()
        return _d.segment_migration_finish(partials, dates)

    from pyspark.sql.pandas.types import to_arrow_schema

    _d.migration_finish([], dates, inactivity_days)  # the arguments, checked before any task runs
    columns, parts, _ = _prepare(transactions, dates[0], partitions, columns)
    timezone = transactions.sparkSession.conf.get("spark.sql.session.timeZone")
    input_schema = to_arrow_schema(transactions.schema, timezone=timezone)

    def partial(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cell = _d.local_migration(_table(batches, input_schema), columns, dates, inactivity_days)
        yield pa.RecordBatch.from_pydict({"partial": pa.array([cell], pa.binary())})

    partials = [r.partial for r in parts.mapInArrow(partial, "partial binary").collect()]
    return _d.migration_finish(partials, dates, inactivity_days)

def segments(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    shares: Any = (0.2, 0.5, 0.3),
    by: str = "revenue",
    window_days: int | None = 365,
    abc_shares: Any = (0.8, 0.15, 0.05),
    pyramid_shares: Any = (0.01, 0.04, 0.15, 0.8),
    partitions: int | None = None,
    **columns: Any,
) -> _d.Segments:
    """Value segments, ABC classes and the customer pyramid (`CustomerBase.segments`, same
    keywords and defaults) over the cluster: `.customers` is a Spark DataFrame with one
    row per customer (customer_id, value, revenue, profit, rank, segment, abc, pyramid),
    `.segment_table`, `.abc_table` and `.pyramid_table` the tables as on one machine.

    Ranks are exact and global, with the engine's order and tie rule (value descending,
    id ascending): the merged exact value distribution cuts the order into buckets of
    whole values whose first ranks it knows; the ranked customers are shuffled by bucket
    and each task sorts and numbers its buckets. Ranks and classes equal the one-machine
    result whatever the partitioning; table sums agree to rounding.
    """
    options = _d.segments_options(shares, by, window_days, abc_shares, pyramid_shares)
    columns, parts, as_of = _prepare(transactions, as_of, partitions, columns)
    return _segments_on(parts, columns, as_of, options, partitions)


def _segments_on(parts: Any, columns: dict, as_of: _dt.date, options: dict, partitions: int | None) -> _d.Segments:
    """`segments` of transactions already partitioned by customer."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    spark = parts.sparkSession
    input_schema = to_arrow_schema(parts.schema, timezone=spark.conf.get("spark.sql.session.timeZone"))
    rows_schema = _d.segment_rows_schema(input_schema, columns)
    out_schema = _d.segments_schema(input_schema, columns)

    def local(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        yield from _d.local_segment_rows(_table(batches, input_schema), columns, as_of, options).to_batches()

    rows = parts.mapInArrow(local, from_arrow_schema(rows_schema)).persist()

    def partial(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cell = _d.segments_partial(_table(batches, rows_schema))
        yield pa.RecordBatch.from_pydict({"partial": pa.array([cell], pa.binary())})

    # The ranked rows go by bucket (whole values with known first ranks) to the tasks,
    # which sort and number them: exact global ranks without a global sort.
    count = partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))
    cells = [r.partial for r in rows.mapInArrow(partial, "partial binary").collect()]
    ranker = _d.segments_ranker(cells, options, count)
    bucket_schema = rows_schema.append(pa.field("_bucket", pa.int32(), nullable=False))

    def buckets(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from _d.with_buckets(pa.Table.from_batches([batch]).cast(rows_schema), ranker).to_batches()

    def classify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        table = _table(batches, bucket_schema)
        yield from _d.classify_rows(table.cast(bucket_schema), ranker).to_batches()

    def classify_unranked(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from _d.classify_rows(pa.Table.from_batches([batch]).cast(rows_schema), ranker).to_batches()

    spark_out = from_arrow_schema(out_schema)
    ranked = rows.filter(F.col("_standing") == 2).mapInArrow(buckets, from_arrow_schema(bucket_schema))
    classified = (
        ranked.repartition(count, "_bucket")
        .mapInArrow(classify, spark_out)
        .unionByName(rows.filter(F.col("_standing") != 2).mapInArrow(classify_unranked, spark_out))
        .persist()
    )

    def tables_partial(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        cell = _d.segment_tables_partial(_table(batches, out_schema))
        yield pa.RecordBatch.from_pydict({"partial": pa.array([cell], pa.binary())})

    tables = _d.segment_tables([r.partial for r in classified.mapInArrow(tables_partial, "partial binary").collect()])
    customers = classified.drop("_margin", "_cost")
    return _d.Segments(customers, tables, as_of, options)
