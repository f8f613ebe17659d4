"""What `crm.spark` and `crm.dask` run in their tasks: plain functions from Arrow tables to
Arrow tables (or partial-result bytes), so both hosts move only Arrow batches and bytes.

A task holds whole customers (the hosts partition by a hash of the customer id), builds an
ordinary `CustomerBase` of them and runs the engine; what crosses customers (RFM quintiles)
is merged from crm-core's partial results (`crm_core::distributed`) on the driver.
"""

from __future__ import annotations

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
    revenue = np.ascontiguousarray(summary.column("revenue").to_numpy(), dtype=np.float64)
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
    return pa.schema([pa.field("customer_id", id_type, nullable=False), pa.field("stage", LIFECYCLE_SCHEMA_STAGE, nullable=False)])
