"""What `crm.spark` and `crm.dask` run in their tasks: plain functions from Arrow tables to
Arrow tables (or partial-result bytes), so both hosts move only Arrow batches and bytes.

A task holds whole customers (the hosts partition by a hash of the customer id), builds an
ordinary `CustomerBase` of them and runs the engine; what crosses customers (RFM quintiles,
segment boundaries and ranks, flow and migration counts, the models' distinct rows) is
merged from crm-core's partial results (`crm_core::distributed`) on the driver.
"""

from __future__ import annotations

import copy
import datetime as _dt
from typing import Any

import numpy as np
import pyarrow as pa

from . import _crm
from ._crm import CustomerBase
from .exceptions import InputError

#: The column keywords of `CustomerBase.from_transactions` that the distributed entry
#: points accept and pass on.
COLUMN_KEYWORDS = (
    "customer_id_col",
    "date_col",
    "amount_col",
    "margin_col",
    "cost_of_goods_col",
    "product_col",
    "order_col",
    "date_format",
)


def check_columns(columns: dict[str, Any]) -> dict[str, Any]:
    """The column keywords, checked against the ones `from_transactions` takes."""
    unknown = sorted(set(columns) - set(COLUMN_KEYWORDS))
    if unknown:
        raise TypeError(f"unexpected keyword(s) {unknown}; the column keywords are {list(COLUMN_KEYWORDS)}")
    return {k: v for k, v in columns.items() if v is not None}


def id_column(columns: dict[str, Any]) -> str:
    return columns.get("customer_id_col", "customer_id")


def base_of(table: pa.Table, columns: dict[str, Any]) -> CustomerBase | None:
    """The task's customer base; None for an empty task."""
    if table.num_rows == 0:
        return None
    try:
        return CustomerBase.from_transactions(table, **columns)
    except InputError as e:
        raise _with_customer(e, table, columns) from None


def _with_customer(error: InputError, table: pa.Table, columns: dict[str, Any]) -> InputError:
    """The engine's error, naming the customer of the bad row: a row number alone counts
    rows of one task, which the user never sees."""
    row, id_col = getattr(error, "row", None), id_column(columns)
    if row is None or getattr(error, "table", None) != "transactions" or id_col not in table.column_names:
        return error
    customer = table.column(id_col)[row].as_py()
    details = {k: v for k, v in vars(error).items()}
    details.setdefault("customer", customer)
    return type(error)(f"{error.message} (customer `{customer}`; row {row} of this task's rows)", **details)


def last_date(table: pa.Table, columns: dict[str, Any]) -> _dt.date | None:
    """The task's last transaction date (the default as-of date is the latest of them)."""
    base = base_of(table, columns)
    return None if base is None else base.last_date


def local_summary(table: pa.Table, columns: dict[str, Any], as_of: _dt.date, min_span_days: int) -> pa.Table:
    """The task's summary with task-local RFM scores (replaced by `rescore`)."""
    base = base_of(table, columns)
    if base is None:
        return empty_summary(table, columns, as_of, min_span_days)
    return base.summary(as_of, min_span_days=min_span_days).to_arrow()


def empty_summary(table: pa.Table, columns: dict[str, Any], as_of: _dt.date, min_span_days: int) -> pa.Table:
    """A summary without rows, with the schema the engine gives this input."""
    return summary_schema(table.schema, columns, as_of, min_span_days).empty_table()


def summary_schema(schema: pa.Schema, columns: dict[str, Any], as_of: _dt.date, min_span_days: int) -> pa.Schema:
    """The summary's schema for transactions of `schema`: the engine's own, from one
    made-up customer (an id of the column's type, one purchase on the as-of date)."""
    id_col, date_col = id_column(columns), columns.get("date_col", "date")
    one = {}
    for field in schema:
        if field.name == id_col:
            value = "x" if pa.types.is_string(field.type) or pa.types.is_large_string(field.type) else 1
        elif field.name == date_col:
            value = _dt.datetime(as_of.year, as_of.month, as_of.day)
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
                value = as_of.strftime(columns.get("date_format", "%Y-%m-%d"))
            elif pa.types.is_date(field.type):
                value = as_of
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            value = "x"
        else:
            value = 1
        one[field.name] = pa.array([value], type=field.type)
    sample = pa.table(one, schema=schema)
    return local_summary(sample, columns, as_of, min_span_days).schema


def _rfm_inputs(summary: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    purchases = summary.column("purchases").to_numpy().astype(np.uint32)
    recency = summary.column("recency_days").fill_null(0).to_numpy().astype(np.uint32)
    # Aligned and contiguous (a column over an Arrow buffer may be neither).
    revenue = np.require(summary.column("revenue").to_numpy(), np.float64, ["C", "A"])
    return purchases, recency, revenue


def rfm_partial(summary: pa.Table) -> bytes:
    """The task's RFM partial (exact value distributions of its buyers)."""
    return _crm._rfm_partial(*_rfm_inputs(summary))


def rfm_scorer(partials: list[bytes]) -> bytes:
    """On the driver: the merged partials' global quintile boundaries."""
    return _crm._rfm_scorer(list(partials))


def rescore(summary: pa.Table, scorer: bytes) -> pa.Table:
    """The task's summary with the global RFM scores (null without purchases)."""
    r, f, m = _crm._rfm_score(scorer, *_rfm_inputs(summary))
    buyer = summary.column("purchases").to_numpy() > 0
    for name, scores in (("r", r), ("f", f), ("m", m)):
        i = summary.schema.get_field_index(name)
        summary = summary.set_column(i, name, pa.array(scores, type=pa.uint8(), mask=~buyer))
    return summary


#: The keywords of `CustomerBase.lifecycle` the hosts pass on, with their defaults.
LIFECYCLE_DEFAULTS = {
    "inactivity_days": 365,
    "new_days": 90,
    "dormant_days": 180,
    "return_days": 90,
    "trend_days": 365,
    "decline_ratio": 0.5,
}

#: The lifecycle table's schema (stage names as plain strings, which every host reads).
LIFECYCLE_SCHEMA_STAGE = pa.string()


def local_lifecycle(table: pa.Table, columns: dict[str, Any], as_of: _dt.date, options: dict[str, Any]) -> pa.Table:
    """The task's lifecycle stages: per customer, so the task's rows are the whole base's."""
    base = base_of(table, columns)
    if base is None:
        return lifecycle_schema(table.schema, columns).empty_table()
    return base.lifecycle(as_of, **options).to_arrow().cast(lifecycle_schema(table.schema, columns))


def lifecycle_schema(schema: pa.Schema, columns: dict[str, Any]) -> pa.Schema:
    """customer_id (the id column's type) and stage."""
    id_type = schema.field(id_column(columns)).type
    if pa.types.is_large_string(id_type) or pa.types.is_string_view(id_type):
        id_type = pa.string()
    return pa.schema(
        [pa.field("customer_id", id_type, nullable=False), pa.field("stage", LIFECYCLE_SCHEMA_STAGE, nullable=False)]
    )


#: The purchase models a cluster fits (crm.lifetimes fitter names), by the engine's names.
PURCHASE_MODELS = {
    "bgnbd": "BetaGeoFitter",
    "mbgnbd": "ModifiedBetaGeoFitter",
    "paretonbd": "ParetoNBDFitter",
    "bgbb": "BetaGeoBetaBinomFitter",
}


def model_summary_schema(schema: pa.Schema, columns: dict[str, Any]) -> pa.Schema:
    """customer_id (the id column's type), frequency, recency, T and monetary_value."""
    id_type = schema.field(id_column(columns)).type
    if pa.types.is_large_string(id_type) or pa.types.is_string_view(id_type):
        id_type = pa.string()
    numbers = [pa.field(name, pa.float64(), nullable=False) for name in ("frequency", "recency", "T", "monetary_value")]
    return pa.schema([pa.field("customer_id", id_type, nullable=False), *numbers])


def local_model_summary(table: pa.Table, columns: dict[str, Any], end: _dt.date, days_per_unit: float) -> pa.Table:
    """The task's customers with a transaction by `end`: lifetimes' summary (frequency of
    repeat days, recency and T in units of `days_per_unit` days, mean repeat-day spend), as
    `crm.lifetimes.utils.summary_data_from_transaction_data` gives it on one machine."""
    schema = model_summary_schema(table.schema, columns)
    base = base_of(table, columns)
    if base is None:
        return schema.empty_table()
    rows, x, t_x, age, spend = _crm._rfm_summary(base, end, days_per_unit=days_per_unit)
    all_ids = base.customer_ids
    if all_ids.dtype == np.int64:
        # Integer ids: numpy to Arrow without a copy, then a take (no Python object per id).
        ids = pa.array(all_ids).take(pa.array(rows)).cast(schema.field(0).type)
    else:
        ids = pa.array(all_ids[rows].tolist(), type=schema.field(0).type)
    return pa.Table.from_arrays([ids, pa.array(x), pa.array(t_x), pa.array(age), pa.array(spend)], schema=schema)


def _column(summary: pa.Table, name: str) -> np.ndarray:
    return np.require(summary.column(name).to_numpy(), np.float64, ["C", "A"])


def _age_column(summary: pa.Table) -> str:
    """T, or BG/BB's number of opportunities."""
    return "n_periods" if "n_periods" in summary.column_names and "T" not in summary.column_names else "T"


def model_partial(summary: pa.Table) -> bytes:
    """The task's distinct (x, t_x, T) and (x, spend) rows with counts (T: `n_periods` for
    BG/BB; no spend rows without `monetary_value`)."""
    x, t_x, age = (_column(summary, n) for n in ("frequency", "recency", _age_column(summary)))
    spend = _column(summary, "monetary_value") if "monetary_value" in summary.column_names else np.zeros_like(x)
    return _crm._model_partial(x, t_x, age, spend)


def fit_models(
    partials: list[bytes], model: str, penalizer_coef: float, spend: bool, tol: float | None
) -> tuple[Any, Any]:
    """On the driver: the purchase model (and Gamma-Gamma when `spend`) fitted on the
    merged distinct rows with their counts, as crm.lifetimes fitters. The fit is the
    single-machine fit on the per-customer rows: the engine collapses those into the same
    rows and counts. `tol` None: each fitter's default (lifetimes')."""
    from . import lifetimes

    if model not in PURCHASE_MODELS:
        raise ValueError(f"model {model!r} is not one of {sorted(PURCHASE_MODELS)}")
    if model == "bgbb" and spend:
        raise ValueError("BG/BB counts discrete opportunities: fit it with spend=False (no Gamma-Gamma CLV)")
    x, t_x, age, weights, spend_x, spend_m, spend_w = _crm._model_merge(list(partials))
    if len(x) == 0:
        raise ValueError("no customer has a transaction by the observation end: nothing to fit")
    penalty, options = penalizer_coef, {} if tol is None else {"tol": tol}
    if model == "paretonbd":
        # lifetimes' Pareto/NBD objective is a sum over the rows given, its penalty and
        # stopping rule per row: on one machine a row is a customer, so both are rescaled
        # from the distinct rows to the customers.
        per_row = len(x) / float(weights.sum())
        penalty = penalizer_coef * per_row
        options["tol"] = (1e-4 if tol is None else tol) * per_row
    purchases = getattr(lifetimes, PURCHASE_MODELS[model])(penalizer_coef=penalty)
    # BG/BB's objective is lifetimes' weighted mean, so the penalty needs no rescaling.
    purchases.fit(x, t_x, age, weights=weights, **options)
    if not spend:
        return purchases, None
    if len(spend_x) == 0:
        raise ValueError("no repeat buyer with a positive mean spend: Gamma-Gamma has nothing to fit")
    gamma = lifetimes.GammaGammaFitter(penalizer_coef=penalizer_coef)
    gamma.fit(spend_x, spend_m, weights=spend_w, **({} if tol is None else {"tol": tol}))
    return purchases, gamma


def for_tasks(fitter: Any) -> Any:
    """A copy of a fitted crm.lifetimes fitter to ship to the tasks: the parameters without
    the fit's data (its distinct rows, which can be millions on a large cluster and which
    no prediction reads)."""
    if fitter is None:
        return None
    slim = copy.copy(fitter)
    slim.data = fitter.data.iloc[:0]
    return slim


def local_predictions(
    summary: pa.Table, purchases: Any, gamma: Any, t: float, months: int, discount_rate: float, days_per_unit: float
) -> pa.Table:
    """The task's model summary with, per customer, the expected purchases in the next `t`
    units, P(alive), and with a spend model the expected spend per purchase and the CLV of
    the next `months` months (crm.lifetimes' `customer_lifetime_value`)."""
    if summary.num_rows == 0:
        return predictions_schema(summary.schema, {}, gamma is not None).empty_table()
    x, t_x, age = (_column(summary, n) for n in ("frequency", "recency", _age_column(summary)))
    if getattr(purchases, "_model", None) == "bgbb":
        # Discrete opportunities: lifetimes' BG/BB methods take the periods ahead first.
        expected = purchases.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age)
        p_alive = purchases.conditional_probability_alive(0, x, t_x, age)
    else:
        expected = purchases.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, age)
        p_alive = purchases.conditional_probability_alive(x, t_x, age)
    out = summary.append_column("expected_purchases", pa.array(np.asarray(expected, dtype=np.float64)))
    out = out.append_column("p_alive", pa.array(np.asarray(p_alive, dtype=np.float64)))
    if gamma is not None:
        m = _column(summary, "monetary_value")
        out = out.append_column("expected_spend", pa.array(gamma.conditional_expected_average_profit(x, m)))
        clv = gamma.customer_lifetime_value(
            purchases, x, t_x, age, m, time=months, discount_rate=discount_rate, freq=_freq(days_per_unit)
        )
        out = out.append_column("clv", pa.array(np.asarray(clv, dtype=np.float64)))
    return out.cast(predictions_schema(summary.schema, {}, gamma is not None))


def predictions_schema(schema: pa.Schema, columns: dict[str, Any], spend: bool) -> pa.Schema:
    """The summary's columns (strings plain), then the predictions."""
    def plain(t: pa.DataType) -> pa.DataType:
        return pa.string() if pa.types.is_large_string(t) or pa.types.is_string_view(t) else t

    out = pa.schema([pa.field(f.name, plain(f.type), f.nullable) for f in schema])
    names = ["expected_purchases", "p_alive"] + (["expected_spend", "clv"] if spend else [])
    for name in names:
        out = out.append(pa.field(name, pa.float64()))
    return out


def _freq(days_per_unit: float) -> str:
    """lifetimes' `freq` for a time unit of `days_per_unit` days (D, W, or n days)."""
    if days_per_unit == 1.0:
        return "D"
    if days_per_unit == 7.0:
        return "W"
    raise ValueError(f"days_per_unit {days_per_unit}: the CLV needs a unit of 1 (days) or 7 (weeks)")


def local_flows(
    table: pa.Table, columns: dict[str, Any], bounds: list[_dt.date], options: dict[str, Any]
) -> bytes | None:
    """The task's flows between `bounds` (counts and values; None for an empty task).
    With `membership` and the segment rules in `options`, per value segment too."""
    base = base_of(table, columns)
    return None if base is None else _crm._flows_partial(base, bounds, **options)


def flow_options(
    bounds: list[_dt.date],
    inactivity_days: int,
    duration_base: str,
    by_segment: bool,
    shares: Any,
    by: str,
    window_days: int | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The flow options and the segment rules (None without `by_segment`) of the hosts'
    keywords, checked on the driver before any task runs."""
    options = {"inactivity_days": inactivity_days, "duration_base": duration_base}
    _crm._flows_finish([], bounds, **options)
    if not by_segment:
        return options, None
    segments = {"shares": list(shares), "by": by, "window_days": window_days}
    _crm._membership_finish([], bounds, **segments)
    return options, segments


def flows_over(run: Any, columns: dict[str, Any], bounds: list[_dt.date], options: dict, segments: dict | None):
    """Flows of the periods between `bounds` over all tasks, per value segment too unless
    `segments` (the rules `shares`, `by`, `window_days`) is None. `run(task)` is the
    host's: it applies `task(table)` to every customer partition's transactions (an Arrow
    table) and gives the list of the bytes (or None) it returned.

    Per segment, the segments of the whole base at the day before each boundary come from
    the tasks' value distributions (one pass), the ids of customers tied on a cut's value
    (a second pass, only when a cut falls inside tied values), and each task then counts
    its customers' flows with them. The options come from `flow_options`."""
    if segments is None:
        partials = run(lambda table: local_flows(table, columns, bounds, options))
        return flows_finish(partials, bounds, options)

    def values(table: pa.Table) -> bytes | None:
        base = base_of(table, columns)
        return None if base is None else _crm._membership_partial(base, bounds, **segments)

    cells = [bytes(c) for c in run(values) if c is not None]
    membership, needs_ids = _crm._membership_finish(cells, bounds, **segments)
    if needs_ids:
        cut = bytes(membership)

        def tie_ids(table: pa.Table) -> bytes | None:
            base = base_of(table, columns)
            return None if base is None else _crm._membership_tie_ids(cut, base, **segments)

        membership = _crm._membership_resolve(cut, [bytes(c) for c in run(tie_ids) if c is not None])
    with_segments = {**options, **segments, "membership": bytes(membership)}
    partials = run(lambda table: local_flows(table, columns, bounds, with_segments))
    return flows_finish(partials, bounds, options)


def report_rules(
    top_customers: int,
    duration_years: float | None,
    discount_rate: float,
    inactivity_days: int,
    shares: Any,
    by: str,
    window_days: int | None,
    wallet: Any = None,
) -> str:
    """The report rules of `CustomerBase.report`'s keywords (JSON for the tasks), checked on
    the driver before any task runs."""
    return _crm._report_rules(
        wallet=wallet,
        top_customers=top_customers,
        duration_years=duration_years,
        discount_rate=discount_rate,
        inactivity_days=inactivity_days,
        shares=list(shares),
        by=by,
        window_days=window_days,
    )


def report_over(run: Any, columns: dict[str, Any], as_of: _dt.date, rules: str) -> Any:
    """The customer-development report over all tasks, a `crm.Report` on the driver.
    `run(task)` is the host's (see `flows_over`).

    Two passes: every task scans its customers (RFM and segment value distributions, its
    first transaction, its flows of the year); the driver merges the scans into the
    context (the whole base's RFM quintiles, segment, pyramid and ABC cuts, what the
    history supports, the CLV duration); only when a cut falls inside customers tied on
    one value, the tasks send that group's smallest ids; then every task computes its
    share of every figure and the driver merges them into the report, assembled and
    rendered as on one machine, share of wallet included (every wallet is the whole
    base's quantile: the tasks have no customer tables, so no profiles either)."""

    def with_base(task: Any) -> Any:
        def cell(table: pa.Table) -> bytes | None:
            base = base_of(table, columns)
            return None if base is None else task(base)

        return [bytes(c) for c in run(cell) if c is not None]

    context, needs_ids = _crm._report_context(with_base(lambda b: _crm._report_scan(b, as_of, rules)), as_of, rules)
    context = bytes(context)
    if needs_ids:
        cut = context
        context = bytes(_crm._report_resolve(cut, with_base(lambda b: _crm._report_tie_ids(cut, b))))
    return _crm._report_finish(context, with_base(lambda b: _crm._report_partial(context, b)))


def flows_finish(partials: list[Any], bounds: list[_dt.date], options: dict[str, Any]) -> Any:
    """On the driver: the merged flows of every period, a `crm.FlowSeries`."""
    return _crm._flows_finish([bytes(p) for p in partials if p is not None], bounds, **options)


def flow_bounds(start: Any, end: Any = None, period: str | None = None, count: int | None = None) -> list[_dt.date]:
    """[start, end] for one period, else the boundaries of `count` periods from `start`."""
    if period is None:
        return [as_date(start, "start"), as_date(end, "end")]
    return list(_crm._period_bounds(start, period, count))


def as_date(value: Any, name: str) -> _dt.date:
    """A date from a date, a datetime (its day) or an ISO string; `ConfigError` naming
    `name` otherwise."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        from .exceptions import ConfigError

        raise ConfigError(f"`{name}`: {value!r} is not a date (YYYY-MM-DD)", field=name) from None


def check_migration_states(states: str) -> None:
    """The states a distributed migration counts: lifecycle stages or value segments."""
    if states not in ("segments", "lifecycle"):
        from .exceptions import ConfigError

        raise ConfigError(f'`states`: {states!r} is not "segments" or "lifecycle"', field="states")


def segment_migration_partial(joined: pa.Table, dates: tuple) -> bytes:
    """A share of the segment migration from rows joining a customer's classes at both
    dates (`from_segment`, `from_pyramid`, `to_segment`, `to_pyramid`, `to_value`)."""
    pairs = [(when, kind) for when in ("from", "to") for kind in ("segment", "pyramid")]
    codes = [_codes(joined.column(f"{when}_{kind}"), kind) for when, kind in pairs]
    return _crm._segment_migration_partial(*dates, *codes, _column(joined, "to_value"))


def segment_migration_finish(partials: list[Any], dates: tuple) -> Any:
    """On the driver: the merged shares as a `crm.Migration`."""
    return _crm._segment_migration_finish([bytes(p) for p in partials if p is not None], *dates)


def local_migration(table: pa.Table, columns: dict[str, Any], dates: tuple, inactivity_days: int) -> bytes | None:
    """The task's lifecycle migration counts (None for an empty task)."""
    base = base_of(table, columns)
    return None if base is None else _crm._migration_partial(base, *dates, inactivity_days)


def migration_finish(partials: list[Any], dates: tuple, inactivity_days: int) -> Any:
    """On the driver: the merged counts as a `crm.Migration`."""
    return _crm._migration_finish([bytes(p) for p in partials if p is not None], *dates, inactivity_days)


#: The keywords of `CustomerBase.segments` the hosts pass on, with their defaults.
SEGMENTS_DEFAULTS = {
    "shares": (0.2, 0.5, 0.3),
    "by": "revenue",
    "window_days": 365,
    "abc_shares": (0.8, 0.15, 0.05),
    "pyramid_shares": (0.01, 0.04, 0.15, 0.8),
}

#: The working columns of the segment rows (dropped from the result).
SEGMENT_WORK_COLUMNS = ("_key", "_margin", "_cost", "_standing")

_SEGMENT_LABELS = {
    "segment": ("top", "middle", "bottom"),
    "abc": ("A", "B", "C"),
    "pyramid": ("top", "large", "medium", "small", "inactive", "prospect"),
}


def segment_migration_options(shares: Any, by: str, window_days: Any, dates: tuple) -> dict[str, Any]:
    """The segment rules of a migration between value segments (ABC and pyramid shares at
    their defaults), with the rules and the two dates checked before any task runs."""
    segment_migration_finish([], dates)
    defaults = SEGMENTS_DEFAULTS
    return segments_options(shares, by, window_days, defaults["abc_shares"], defaults["pyramid_shares"])


def segments_options(shares: Any, by: str, window_days: Any, abc_shares: Any, pyramid_shares: Any) -> dict[str, Any]:
    """The rules as `_crm` takes them, checked on the driver before any task runs."""
    options = {
        "shares": list(shares),
        "by": by,
        "window_days": window_days,
        "abc_shares": list(abc_shares),
        "pyramid_shares": list(pyramid_shares),
    }
    _crm._segments_ranker([], 1, **options)
    return options


def _plain_id(schema: pa.Schema, columns: dict[str, Any]) -> pa.DataType:
    id_type = schema.field(id_column(columns)).type
    if pa.types.is_large_string(id_type) or pa.types.is_string_view(id_type):
        return pa.string()
    return id_type


def segment_rows_schema(schema: pa.Schema, columns: dict[str, Any]) -> pa.Schema:
    """The task rows' schema: customer_id (the id column's type), the rank sort key, the
    figures, and the working columns."""
    f64 = pa.float64()
    return pa.schema(
        [
            pa.field("customer_id", _plain_id(schema, columns), nullable=False),
            pa.field("_key", pa.int64(), nullable=False),
            pa.field("value", f64, nullable=False),
            pa.field("revenue", f64, nullable=False),
            pa.field("profit", f64),
            pa.field("_margin", f64),
            pa.field("_cost", f64, nullable=False),
            pa.field("_standing", pa.int8(), nullable=False),
        ]
    )


def segments_schema(schema: pa.Schema, columns: dict[str, Any], work: bool = True) -> pa.Schema:
    """The result's schema (the columns of `CustomerBase.segments`, labels as plain
    strings), with the working columns `_margin` and `_cost` when `work`."""
    rows = segment_rows_schema(schema, columns)
    fields = [rows.field(name) for name in ("customer_id", "value", "revenue", "profit")]
    fields += [pa.field("rank", pa.int64()), pa.field("segment", pa.string()), pa.field("abc", pa.string())]
    fields.append(pa.field("pyramid", pa.string(), nullable=False))
    if work:
        fields += [rows.field("_margin"), rows.field("_cost")]
    return pa.schema(fields)


def local_segment_rows(table: pa.Table, columns: dict[str, Any], as_of: _dt.date, options: dict[str, Any]) -> pa.Table:
    """The task's customers' segmentation figures (whole customers: the base's own)."""
    schema = segment_rows_schema(table.schema, columns)
    base = base_of(table, columns)
    if base is None:
        return schema.empty_table()
    return _crm._segment_rows(base, as_of, **options).to_arrow().cast(schema)


def _i8(table: pa.Table, name: str) -> np.ndarray:
    return np.require(table.column(name).to_numpy(), np.int8, ["C", "A"])


def segments_partial(rows: pa.Table) -> bytes:
    """The rows' partial: the exact distribution of the ranked customers' values."""
    return _crm._segments_partial(_column(rows, "value"), _i8(rows, "_standing"))


def segments_ranker(partials: list[Any], options: dict[str, Any], buckets: int) -> bytes:
    """On the driver: the class boundaries over all tasks, and the order cut into at most
    `buckets` buckets of whole values with their first ranks."""
    return _crm._segments_ranker([bytes(p) for p in partials], buckets, **options)


def with_buckets(rows: pa.Table, ranker: bytes) -> pa.Table:
    """Ranked rows with their `_bucket`, the column the host shuffles them by."""
    buckets = pa.array(_crm._segments_bucket(ranker, _column(rows, "value")))
    return rows.append_column(pa.field("_bucket", pa.int32(), nullable=False), buckets)


def classify_rows(rows: pa.Table, ranker: bytes) -> pa.Table:
    """A task's rows with their classes. Its ranked rows must hold whole buckets; they are
    sorted here (value descending, id ascending) and numbered from their buckets' first
    ranks. The others are inactive or prospects."""
    rows = rows.sort_by([("_key", "ascending"), ("customer_id", "ascending")])
    classes = _crm._segments_classify(ranker, _i8(rows, "_standing"), _column(rows, "value")).to_arrow()
    columns = [rows.column(n) for n in ("customer_id", "value", "revenue", "profit")]
    columns += [classes.column(n) for n in ("rank", "segment", "abc", "pyramid")]
    columns += [rows.column("_margin"), rows.column("_cost")]
    names = ["customer_id", "value", "revenue", "profit", "rank", "segment", "abc", "pyramid", "_margin", "_cost"]
    return pa.Table.from_arrays(columns, names=names).cast(segments_schema_of(rows.schema))


def segments_schema_of(rows_schema: pa.Schema) -> pa.Schema:
    return segments_schema(rows_schema, {"customer_id_col": "customer_id"})


def _codes(labels: Any, kind: str) -> np.ndarray:
    """Class labels ("segment", "abc" or "pyramid" names) as their codes, -1 for none."""
    import pyarrow.compute as pc

    codes = pc.index_in(labels.cast(pa.string()), value_set=pa.array(_SEGMENT_LABELS[kind]))
    return np.require(codes.fill_null(-1).to_numpy(), np.int8, ["C", "A"])


def segment_tables_partial(classified: pa.Table) -> bytes:
    """A share of the segment tables from classified rows."""
    has_margin = classified.num_rows > 0 and classified.column("_margin").null_count == 0
    return _crm._segment_tables_partial(
        _column(classified, "revenue"),
        _column(classified, "_margin") if has_margin else None,
        _column(classified, "_cost"),
        _codes(classified.column("segment"), "segment"),
        _codes(classified.column("abc"), "abc"),
        _codes(classified.column("pyramid"), "pyramid"),
    )


def segment_tables(partials: list[Any]) -> tuple[Any, Any, Any]:
    """On the driver: the merged (segment_table, abc_table, pyramid_table)."""
    return _crm._segment_tables([bytes(p) for p in partials], False)


class Segments:
    """Value segments over a cluster: `customers`, the host's DataFrame with the columns of
    `CustomerBase.segments` (one row per customer, in no particular order), and the tables
    `segment_table`, `abc_table` and `pyramid_table` (`crm.Table`, as on one machine)."""

    def __init__(self, customers: Any, tables: tuple[Any, Any, Any], as_of: _dt.date, options: dict[str, Any]):
        self.customers = customers
        self.segment_table, self.abc_table, self.pyramid_table = tables
        self.as_of = as_of
        self.by = options["by"]
        self.shares = tuple(options["shares"])
        self.window_days = options["window_days"]

    def __repr__(self) -> str:
        return (
            f"crm Segments(as_of={self.as_of}, by={self.by!r}, shares={self.shares}, "
            f"window_days={self.window_days})\nsegment_table:\n{self.segment_table!r}"
        )
