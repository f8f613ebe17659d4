"""crm on Dask: the engine's analyses of a `dask.dataframe` of transactions, with the same
results as on one machine.

The transactions are shuffled by customer id, so each partition holds whole customers and
runs the Rust engine on its rows (``map_partitions``); what crosses customers (RFM
quintiles, segment boundaries, flow and migration counts, the models' distinct rows) is
merged on the client from crm-core's partial results: a few bytes per partition, nothing
per transaction. Value segments shuffle the ranked customers once more, by bucket of whole
values, to number them.

>>> import crm.dask  # doctest: +SKIP
>>> summary = crm.dask.summary(ddf, as_of="2024-12-31")  # a dask DataFrame  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import pandas as pd
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


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _pandas(table: pa.Table) -> pd.DataFrame:
    # Arrow-backed columns: nullable integers and dates round-trip exactly.
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _last_dates(frame: pd.DataFrame, columns: dict[str, Any]) -> pd.Series:
    return pd.Series([_d.last_date(_arrow(frame), columns)], dtype=object)


def _summary_part(frame: pd.DataFrame, columns: dict[str, Any], as_of: _dt.date, min_span_days: int) -> pd.DataFrame:
    return _pandas(_d.local_summary(_arrow(frame), columns, as_of, min_span_days))


def _partial_part(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([_d.rfm_partial(pa.Table.from_pandas(frame, preserve_index=False))], dtype=object)


def _rescore_part(frame: pd.DataFrame, scorer: bytes, schema: pa.Schema) -> pd.DataFrame:
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return _pandas(_d.rescore(table, scorer))


def summary(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    min_span_days: int = 365,
    npartitions: int | None = None,
    **columns: Any,
) -> Any:
    """The customer summary with RFM scores, as a dask DataFrame with one row per customer
    (the columns of `CustomerBase.summary`; rows in no particular order).

    `transactions` is a dask DataFrame with the columns named by the keywords of
    `CustomerBase.from_transactions` (``customer_id_col``, ``date_col``, ``amount_col``,
    ...). `as_of` defaults to the last transaction date, as on one machine. `npartitions`
    is the number of customer partitions (default: the input's).

    The result equals `CustomerBase.from_transactions(all rows).summary(as_of)` row for
    row, RFM scores included, whatever the partitioning or row order. A bad row raises the
    engine's error (naming the column and the customer) when the result is computed.
    """
    import dask

    columns, parts, as_of = _prepare(transactions, as_of, npartitions, columns)
    schema = _d.summary_schema(_arrow(transactions._meta).schema, columns, as_of, min_span_days)
    meta = _pandas(schema.empty_table())
    local = parts.map_partitions(_summary_part, columns, as_of, min_span_days, meta=meta)
    # The local summaries are computed once: persisted between the partials and the rescore.
    local = local.persist()
    partials = local.map_partitions(_partial_part, meta=(None, object)).compute()
    scorer = _d.rfm_scorer(list(partials))
    scorer = dask.delayed(scorer, pure=True)
    return local.map_partitions(_rescore_part, scorer, schema, meta=meta)


def _prepare(transactions: Any, as_of: Any, npartitions: int | None, columns: dict[str, Any]):
    """Checked column keywords, the transactions shuffled by customer, and the as-of date
    (the last transaction date of all partitions by default)."""
    columns = _d.check_columns(columns)
    id_col = _d.id_column(columns)
    if id_col not in transactions.columns:
        from .exceptions import ColumnNotFoundError

        raise ColumnNotFoundError(
            f"transactions have no column `{id_col}` (customer_id_col); they have {list(transactions.columns)}"
        )
    parts = transactions.shuffle(on=id_col, npartitions=npartitions or transactions.npartitions)
    if as_of is None:
        dates = parts.map_partitions(_last_dates, columns, meta=(None, object)).compute()
        dates = [x for x in dates if x is not None]
        if not dates:
            raise ValueError("the transactions are empty, so there is no default as-of date; give one")
        as_of = max(dates)
    return columns, parts, _d.as_date(as_of, "as_of")


def _lifecycle_part(
    frame: pd.DataFrame, columns: dict[str, Any], as_of: _dt.date, options: dict[str, Any]
) -> pd.DataFrame:
    return _pandas(_d.local_lifecycle(_arrow(frame), columns, as_of, options))


def lifecycle(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    npartitions: int | None = None,
    inactivity_days: int = 365,
    new_days: int = 90,
    dormant_days: int = 180,
    return_days: int = 90,
    trend_days: int = 365,
    decline_ratio: float = 0.5,
    **columns: Any,
) -> Any:
    """Lifecycle stages (`CustomerBase.lifecycle`) as a dask DataFrame of customer_id and
    stage, one row per customer; the rules' keywords and defaults are the engine's. A
    stage depends on the customer's own history only, so each partition's stages are the
    whole base's."""
    columns, parts, as_of = _prepare(transactions, as_of, npartitions, columns)
    options = {
        "inactivity_days": inactivity_days,
        "new_days": new_days,
        "dormant_days": dormant_days,
        "return_days": return_days,
        "trend_days": trend_days,
        "decline_ratio": decline_ratio,
    }
    meta = _pandas(_d.lifecycle_schema(_arrow(transactions._meta).schema, columns).empty_table())
    return parts.map_partitions(_lifecycle_part, columns, as_of, options, meta=meta)


def _model_summary_part(
    frame: pd.DataFrame, columns: dict[str, Any], end: _dt.date, days_per_unit: float
) -> pd.DataFrame:
    return _pandas(_d.local_model_summary(_arrow(frame), columns, end, days_per_unit))


def model_summary(
    transactions: Any,
    observation_end: _dt.date | str | None = None,
    *,
    days_per_unit: float = 1.0,
    npartitions: int | None = None,
    **columns: Any,
) -> Any:
    """lifetimes' per-customer summary (customer_id, frequency, recency, T,
    monetary_value; time in units of `days_per_unit` days) as a dask DataFrame: the input
    of `fit_clv` and `predict_clv`, equal to the one-machine
    `crm.lifetimes.utils.summary_data_from_transaction_data`. `observation_end` defaults
    to the last transaction date."""
    columns, parts, end = _prepare(transactions, observation_end, npartitions, columns)
    meta = _pandas(_d.model_summary_schema(_arrow(transactions._meta).schema, columns).empty_table())
    return parts.map_partitions(_model_summary_part, columns, end, days_per_unit, meta=meta)


def _model_partial_part(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([_d.model_partial(_arrow(frame))], dtype=object)


def fit_clv(
    summary: Any, model: str = "bgnbd", *, spend: bool = True, penalizer_coef: float = 0.0, tol: float | None = None
) -> tuple[Any, Any]:
    """Fits a purchase model ("bgnbd", "mbgnbd" or "paretonbd") and, with `spend`, the
    Gamma-Gamma spend model on a `model_summary` DataFrame; or BG/BB ("bgbb", with
    `spend=False`) on a DataFrame of frequency, recency and n_periods per customer. Each partition sends its
    distinct rows with counts (bytes); the driver merges them and fits: the fitted
    crm.lifetimes fitters (purchase model, Gamma-Gamma or None) equal the one-machine fits
    on the same customers (Pareto/NBD's random starting points come from numpy's global
    generator, as in lifetimes: seed it for a repeatable fit)."""
    partials = summary.map_partitions(_model_partial_part, meta=(None, object)).compute()
    return _d.fit_models(list(partials), model, penalizer_coef, spend, tol)


def _predict_part(frame: pd.DataFrame, purchases: Any, gamma: Any, options: dict[str, Any]) -> pd.DataFrame:
    return _pandas(_d.local_predictions(_arrow(frame), purchases, gamma, **options))


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
    """Per customer of a `model_summary` DataFrame (computed in its partitions): the
    summary's columns, expected purchases in the next `t` units, P(alive), and with `gamma`
    the expected spend per purchase and the CLV of the next `months` months at a monthly
    `discount_rate` (crm.lifetimes' `customer_lifetime_value`)."""
    import dask

    options = {"t": t, "months": months, "discount_rate": discount_rate, "days_per_unit": days_per_unit}
    meta = _pandas(_d.predictions_schema(_arrow(summary._meta).schema, {}, gamma is not None).empty_table())
    fitted = dask.delayed(_d.for_tasks(purchases), pure=True), dask.delayed(_d.for_tasks(gamma), pure=True)
    return summary.map_partitions(_predict_part, *fitted, options, meta=meta)


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
    npartitions: int | None = None,
    **columns: Any,
) -> Any:
    """Customer flows of the period `[start, end)` (`CustomerBase.flows`, same keywords
    and defaults), a `crm.Flows` on the client: each partition counts its customers'
    flows, the client adds the counts and values and computes the rates. Per value
    segment, the segments are the whole base's, from the partitions' exact value
    distributions."""
    bounds = _d.flow_bounds(start, end)
    options, segments = _d.flow_options(bounds, inactivity_days, duration_base, by_segment, shares, by, window_days)
    return _flows(transactions, bounds, options, segments, npartitions, columns).flows[0]


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
    npartitions: int | None = None,
    **columns: Any,
) -> Any:
    """Flows of `count` consecutive periods ("month", "quarter", "year") from `start`
    (`CustomerBase.flow_series`, same keywords and defaults), a `crm.FlowSeries` on the
    client."""
    bounds = _d.flow_bounds(start, period=period, count=count)
    options, segments = _d.flow_options(bounds, inactivity_days, duration_base, by_segment, shares, by, window_days)
    return _flows(transactions, bounds, options, segments, npartitions, columns)


def _task_part(frame: pd.DataFrame, task: Any) -> pd.Series:
    return pd.Series([task(_arrow(frame))], dtype=object)


def _flows(transactions: Any, bounds: list, options: dict, segments: dict | None, npartitions: Any, columns: dict):
    columns, parts, _ = _prepare(transactions, bounds[0], npartitions, columns)
    if segments is not None:
        parts = parts.persist()  # read by up to three passes
    return _d.flows_over(_runner(parts), columns, bounds, options, segments)


def _runner(parts: Any) -> Any:
    """`run(task)` of `_distributed`: `task(table)` on every partition of `parts` (the
    transactions partitioned by customer), the cells it returns collected."""

    def run(task: Any) -> list:
        return list(parts.map_partitions(_task_part, task, meta=(None, object)).compute())

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
    npartitions: int | None = None,
    **columns: Any,
) -> Any:
    """The customer-development report as of `as_of` (`CustomerBase.report`, same keywords
    and defaults), a `crm.Report` on the client with the same figures, caveats and
    renderings as on one machine: two passes over the partitions (three when a cut falls
    inside tied values), only partials reach the client. Share of wallet is the whole
    base's, with `wallet`'s `quantile` and `window_days` (as `crm.spark.report`);
    peer groups and segment profiles are left out (a caveat says so)."""
    rules = _d.report_rules(top_customers, duration_years, discount_rate, inactivity_days, shares, by, window_days, wallet)
    columns, parts, as_of = _prepare(transactions, as_of, npartitions, columns)
    return _d.report_over(_runner(parts.persist()), columns, as_of, rules)


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
    npartitions: int | None = None,
    **columns: Any,
) -> Any:
    """Migration between states from the end of `from_date` to the end of `to_date`
    (`CustomerBase.migration`, same keywords and defaults), a `crm.Migration` on the
    client. Lifecycle stages: each partition counts its customers' moves. Value segments
    (not_yet_customer, top, middle, bottom, lost): the two segmentations of `segments`,
    joined by customer, counted per partition. The client adds the counts."""
    _d.check_migration_states(states)
    dates = (_d.as_date(from_date, "from_date"), _d.as_date(to_date, "to_date"))
    if states == "segments":
        options = _d.segment_migration_options(shares, by, window_days, dates)
        columns, parts, _ = _prepare(transactions, dates[0], npartitions, columns)
        parts = parts.persist()  # the transactions shuffled once for both segmentations
        a, b = (_segments_on(parts, columns, d, options, npartitions).customers for d in dates)
        a = a[["customer_id", "segment", "pyramid"]].rename(
            columns={"segment": "from_segment", "pyramid": "from_pyramid"}
        )
        b = b[["customer_id", "segment", "pyramid", "value"]].rename(
            columns={"segment": "to_segment", "pyramid": "to_pyramid", "value": "to_value"}
        )
        joined = a.merge(b, on="customer_id")
        partials = joined.map_partitions(_segment_migration_part, dates, meta=(None, object)).compute()
        return _d.segment_migration_finish(list(partials), dates)
    _d.migration_finish([], dates, inactivity_days)  # the arguments, checked before any task runs
    columns, parts, _ = _prepare(transactions, dates[0], npartitions, columns)
    partials = parts.map_partitions(_migration_part, columns, dates, inactivity_days, meta=(None, object)).compute()
    return _d.migration_finish(list(partials), dates, inactivity_days)


def _segment_migration_part(frame: pd.DataFrame, dates: tuple) -> pd.Series:
    cell = _d.segment_migration_partial(_arrow(frame), dates) if len(frame) else None
    return pd.Series([cell], dtype=object)

def _migration_part(frame: pd.DataFrame, columns: dict[str, Any], dates: tuple, inactivity_days: int) -> pd.Series:
    return pd.Series([_d.local_migration(_arrow(frame), columns, dates, inactivity_days)], dtype=object)



def _segment_rows_part(
    frame: pd.DataFrame, columns: dict[str, Any], as_of: _dt.date, options: dict[str, Any]
) -> pd.DataFrame:
    return _pandas(_d.local_segment_rows(_arrow(frame), columns, as_of, options))


def _segments_partial_part(frame: pd.DataFrame, schema: pa.Schema) -> pd.Series:
    rows = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return pd.Series([_d.segments_partial(rows)], dtype=object)


def _buckets_part(frame: pd.DataFrame, ranker: bytes, schema: pa.Schema) -> pd.DataFrame:
    return _pandas(_d.with_buckets(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), ranker))


def _classify_part(frame: pd.DataFrame, ranker: bytes, schema: pa.Schema) -> pd.DataFrame:
    rows = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return _pandas(_d.classify_rows(rows, ranker))


def _tables_part(frame: pd.DataFrame, schema: pa.Schema) -> pd.Series:
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return pd.Series([_d.segment_tables_partial(table)], dtype=object)


def segments(
    transactions: Any,
    as_of: _dt.date | str | None = None,
    *,
    shares: Any = (0.2, 0.5, 0.3),
    by: str = "revenue",
    window_days: int | None = 365,
    abc_shares: Any = (0.8, 0.15, 0.05),
    pyramid_shares: Any = (0.01, 0.04, 0.15, 0.8),
    npartitions: int | None = None,
    **columns: Any,
) -> _d.Segments:
    """Value segments, ABC classes and the customer pyramid (`CustomerBase.segments`, same
    keywords and defaults) over the cluster: `.customers` is a dask DataFrame with one row
    per customer (customer_id, value, revenue, profit, rank, segment, abc, pyramid),
    `.segment_table`, `.abc_table` and `.pyramid_table` the tables as on one machine.

    Ranks are exact and global, with the engine's order and tie rule (value descending,
    id ascending): the merged exact value distribution cuts the order into buckets of
    whole values whose first ranks it knows; the ranked customers are shuffled by bucket
    and each partition sorts and numbers its buckets.
    """
    options = _d.segments_options(shares, by, window_days, abc_shares, pyramid_shares)
    columns, parts, as_of = _prepare(transactions, as_of, npartitions, columns)
    return _segments_on(parts, columns, as_of, options, npartitions)


def _segments_on(parts: Any, columns: dict, as_of: _dt.date, options: dict, npartitions: int | None) -> _d.Segments:
    """`segments` of transactions already shuffled by customer."""
    import dask.dataframe as dd

    input_schema = _arrow(parts._meta).schema
    rows_schema = _d.segment_rows_schema(input_schema, columns)
    out_schema = _d.segments_schema(input_schema, columns)
    rows_meta, out_meta = _pandas(rows_schema.empty_table()), _pandas(out_schema.empty_table())
    rows = parts.map_partitions(_segment_rows_part, columns, as_of, options, meta=rows_meta).persist()
    partials = rows.map_partitions(_segments_partial_part, rows_schema, meta=(None, object)).compute()
    # The ranked rows go by bucket (whole values with known first ranks) to the
    # partitions, which sort and number them: exact global ranks without a global sort.
    count = npartitions or parts.npartitions
    ranker = _d.segments_ranker(list(partials), options, count)
    bucket_schema = rows_schema.append(pa.field("_bucket", pa.int32(), nullable=False))
    ranked = rows[rows["_standing"] == 2].map_partitions(
        _buckets_part, ranker, rows_schema, meta=_pandas(bucket_schema.empty_table())
    )
    ranked = ranked.shuffle(on="_bucket", npartitions=count)
    classified = dd.concat(
        [
            ranked.map_partitions(_classify_part, ranker, bucket_schema, meta=out_meta),
            rows[rows["_standing"] != 2].map_partitions(_classify_part, ranker, rows_schema, meta=out_meta),
        ]
    ).persist()
    partials = classified.map_partitions(_tables_part, out_schema, meta=(None, object)).compute()
    tables = _d.segment_tables(list(partials))
    customers = classified.drop(columns=["_margin", "_cost"])
    return _d.Segments(customers, tables, as_of, options)
