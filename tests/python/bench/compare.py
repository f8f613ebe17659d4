"""Peer comparison: crm against the same work written idiomatically in polars, DuckDB SQL
and pandas, and against lifetimes' ``summary_data_from_transaction_data``. Not run by CI.

On one generated data set (default 1,000,000 customers and about 10,000,000 transactions
from crm's seeded generator), it times in one run:

* crm from a polars DataFrame: ``CustomerBase.from_transactions`` + ``summary`` +
  ``segments`` + ``flow_series`` (12 calendar months up to the data's end), results read
  back into polars (``pl.DataFrame(result)``);
* the same customer summary (purchases, revenue, recency, tenure, purchases per year,
  R/F/M quintiles with crm's tie rule) and value segments (top / middle / bottom, ABC,
  pyramid, segment table) in idiomatic polars, then in idiomatic pandas; the flows in
  polars and DuckDB only, and only the balancing counts (base at start and end, new, won
  back, lost), the new and won back who lapsed again and the revenue of the new, won-back
  and staying customers (crm also counts lapses inside a period, starters and the lost
  customers' last year, so the peers do less work than crm there);
* lifetimes' ``summary_data_from_transaction_data`` (only the summary), against crm's
  build + summary and against crm's build + the same (frequency, recency, T, monetary)
  columns (``_crm._rfm_summary``);
* the same summary, segments and flows in DuckDB SQL over the frame handed over as an Arrow table
  (``pip install duckdb``);
* the same crm work timed inside Rust (``crm._crm.time_native``), to show what the Python
  face adds.

crm, polars and DuckDB run alternately (one round each, best of ``--repeat`` rounds) and
the table printed first has the issue #15 rows: each step on a built base, and the build
plus one step, timed as a whole on a fresh base (a notebook asking one question; polars
and DuckDB need no build; a base groups its transactions only for an analysis that needs
customers' histories, so the two differ). Each
step's peak resident memory above the memory before it (the input frame) is sampled.

Before timing, the polars and pandas versions are checked against crm on a small sample,
and polars and DuckDB again on the full data, so all do the same work; fingerprints of
crm's results (SHA-256 of their Arrow IPC bytes) are printed, to check that a faster crm
gives the same bits.

Run (from the repository root)::

    bash tests/python/venv.sh
    export PYO3_PYTHON=$PWD/.venv/bin/python
    .venv/bin/maturin develop --release
    .venv/bin/python tests/python/bench/compare.py

lifetimes needs old numpy / pandas / scipy, so it lives in a throwaway venv; the script
runs it there in a subprocess (and skips it when neither that venv nor an importable
lifetimes is found)::

    python3 -m venv /tmp/lifetimes-venv
    /tmp/lifetimes-venv/bin/pip install 'numpy<2' 'pandas<2' 'scipy<1.12' lifetimes
    .venv/bin/python tests/python/bench/compare.py --lifetimes-python /tmp/lifetimes-venv/bin/python

Options: ``--customers N`` (default 1,000,000), ``--purchases-per-year X`` (default 13,
about 10 transactions per customer), ``--repeat N`` (best of N, default 5),
``--order time|customer`` (default ``time``: rows sorted by date, as a sales export comes;
``customer`` keeps the generator's customer-by-customer order, which flatters crm's
grouping), ``--skip-pandas``, ``--skip-lifetimes``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
import polars as pl

import crm
from crm import _crm

SHARES = (0.2, 0.5, 0.3)
ABC = (0.8, 0.15, 0.05)
PYRAMID = (0.01, 0.04, 0.15, 0.8)
WINDOW_DAYS = 365


def split_ends(n: int, shares: Tuple[float, ...]) -> List[int]:
    """Cumulative segment ends: cumulative share x n, rounded half up (crm's rule)."""
    ends, cum = [], 0.0
    for k, s in enumerate(shares):
        cum += s
        ends.append(n if k + 1 == len(shares) else min(n, math.floor(n * cum + 0.5 + 1e-9)))
    return ends


# ----------------------------------------------------------------------------- polars


def polars_summary(df: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    in_time = pl.col("date") <= as_of
    buy = in_time & (pl.col("amount") > 0)
    g = (
        df.lazy()
        .select(
            "customer_id",
            buy_date=pl.when(buy).then(pl.col("date")),
            buy=buy,
            amount=pl.when(in_time).then(pl.col("amount")).otherwise(0.0),
        )
        .group_by("customer_id")
        .agg(
            first_purchase=pl.col("buy_date").min(),
            last_purchase=pl.col("buy_date").max(),
            purchases=pl.col("buy").sum().cast(pl.Int64),
            revenue=pl.col("amount").sum(),
        )
    )
    g = g.with_columns(
        recency_days=(pl.lit(as_of) - pl.col("last_purchase")).dt.total_days(),
        tenure_days=(pl.lit(as_of) - pl.col("first_purchase")).dt.total_days(),
    )
    buyer = pl.col("purchases") > 0
    n = buyer.sum()

    def score(value: pl.Expr) -> pl.Expr:
        rank = pl.when(buyer).then(value).rank("min")
        return (((rank - 1) * 5) // n + 1).cast(pl.UInt8)

    g = g.with_columns(
        purchases_per_year=pl.col("purchases") * 365.25 / pl.max_horizontal(pl.col("tenure_days"), 365).fill_null(365),
        average_purchase=pl.when(buyer).then(pl.col("revenue") / pl.col("purchases")),
        r=score(-pl.col("recency_days")),
        f=score(pl.col("purchases")),
        m=score(pl.col("revenue")),
    )
    return g.sort("customer_id").collect()


def polars_segments(df: pl.DataFrame, as_of: dt.date) -> Tuple[pl.DataFrame, pl.DataFrame]:
    start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    in_time = pl.col("date") <= as_of
    in_window = in_time & (pl.col("date") >= start)
    v = (
        df.lazy()
        .select(
            "customer_id",
            value=pl.when(in_window).then(pl.col("amount")).otherwise(0.0),
            in_window=in_window,
            bought=in_time & (pl.col("amount") > 0),
        )
        .group_by("customer_id")
        .agg(value=pl.col("value").sum(), ranked=pl.col("in_window").any(), ever_bought=pl.col("bought").any())
        .collect()
    )
    ranked = v.filter("ranked").sort(["value", "customer_id"], descending=[True, False]).with_row_index("pos")
    n = ranked.height
    seg_ends, pyr_ends = split_ends(n, SHARES), split_ends(n, PYRAMID)
    positive = pl.col("value").clip(lower_bound=0)
    total = ranked.select(positive.sum()).item()
    before = (positive.cum_sum() - positive) / total if total > 0 else pl.lit(1.0)
    ranked = ranked.with_columns(
        rank=pl.col("pos").cast(pl.Int64) + 1,
        segment=pl.when(pl.col("pos") < seg_ends[0])
        .then(pl.lit("top"))
        .when(pl.col("pos") < seg_ends[1])
        .then(pl.lit("middle"))
        .otherwise(pl.lit("bottom")),
        abc=pl.when(pl.col("value") <= 0)
        .then(pl.lit("C"))
        .when(before < ABC[0] - 1e-12)
        .then(pl.lit("A"))
        .when(before < ABC[0] + ABC[1] - 1e-12)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C")),
        pyramid=pl.when(pl.col("pos") < pyr_ends[0])
        .then(pl.lit("top"))
        .when(pl.col("pos") < pyr_ends[1])
        .then(pl.lit("large"))
        .when(pl.col("pos") < pyr_ends[2])
        .then(pl.lit("medium"))
        .otherwise(pl.lit("small")),
    )
    per_customer = (
        v.join(ranked.select("customer_id", "rank", "segment", "abc", "pyramid"), on="customer_id", how="left")
        .with_columns(
            pyramid=pl.col("pyramid").fill_null(
                pl.when(pl.col("ever_bought")).then(pl.lit("inactive")).otherwise(pl.lit("prospect"))
            )
        )
        .sort("customer_id")
    )
    table = (
        ranked.group_by("segment")
        .agg(customers=pl.len(), revenue=pl.col("value").sum())
        .with_columns(
            customer_share=pl.col("customers") / pl.col("customers").sum(),
            revenue_share=pl.col("revenue") / pl.col("revenue").sum(),
        )
    )
    return per_customer, table


FLOW_COUNTS = ("base_at_start", "new", "won_back", "lost", "base_at_end", "new_and_lost", "won_back_and_lost")
FLOW_REVENUES = ("new_revenue", "won_back_revenue", "stayed_revenue")


def month_bounds(as_of: dt.date, months: int = 12) -> List[dt.date]:
    """The first days of ``months`` calendar months ending with ``as_of``'s month, and the
    first day after them."""
    first = (as_of.year * 12 + as_of.month - 1) - (months - 1)
    return [dt.date((first + k) // 12, (first + k) % 12 + 1, 1) for k in range(months + 1)]


def flow_rows(row: Dict[str, Any], bounds: List[dt.date]) -> pl.DataFrame:
    """One wide row of ``<field>_<period>`` sums as one row per period."""
    periods = range(len(bounds) - 1)
    columns: Dict[str, Any] = {"start": bounds[:-1], "end": bounds[1:]}
    for name in FLOW_COUNTS:
        columns[name] = [int(row[f"{name}_{p}"] or 0) for p in periods]
    for name in FLOW_REVENUES:
        columns[name] = [float(row[f"{name}_{p}"] or 0.0) for p in periods]
    return pl.DataFrame(columns)


def polars_flows(df: pl.DataFrame, bounds: List[dt.date]) -> pl.DataFrame:
    """Monthly flows as crm counts them (flows.rs): a customer is in the base at the end of
    a day when it bought (amount > 0) within the last WINDOW_DAYS days; the period's
    revenue of the new, won-back and staying customers counts every row in the period."""
    date, buy = pl.col("date"), pl.col("amount") > 0
    periods = range(len(bounds) - 1)
    per_customer = (
        df.lazy()
        .filter(date < bounds[-1])
        .group_by("customer_id")
        .agg(
            *[date.filter(buy & (date < b)).max().alias(f"last{k}") for k, b in enumerate(bounds)],
            *[
                pl.col("amount").filter((date >= bounds[p]) & (date < bounds[p + 1])).sum().alias(f"rev{p}")
                for p in periods
            ],
        )
    )

    def inside(k: int) -> pl.Expr:
        last = pl.col(f"last{k}")
        return last.is_not_null() & ((pl.lit(bounds[k]) - last).dt.total_days() <= WINDOW_DAYS)

    sums = []
    for p in periods:
        s0, s1, rev = inside(p), inside(p + 1), pl.col(f"rev{p}")
        before = pl.col(f"last{p}").is_not_null()
        bought_in = pl.col(f"last{p + 1}") >= bounds[p]
        sums += [
            s0.sum().alias(f"base_at_start_{p}"),
            (~s0 & s1 & ~before).sum().alias(f"new_{p}"),
            (~s0 & s1 & before).sum().alias(f"won_back_{p}"),
            (s0 & ~s1).sum().alias(f"lost_{p}"),
            s1.sum().alias(f"base_at_end_{p}"),
            (~s0 & ~s1 & bought_in.fill_null(False) & ~before).sum().alias(f"new_and_lost_{p}"),
            (~s0 & ~s1 & bought_in.fill_null(False) & before).sum().alias(f"won_back_and_lost_{p}"),
            rev.filter(~s0 & s1 & ~before).sum().alias(f"new_revenue_{p}"),
            rev.filter(~s0 & s1 & before).sum().alias(f"won_back_revenue_{p}"),
            rev.filter(s0 & s1).sum().alias(f"stayed_revenue_{p}"),
        ]
    return flow_rows(per_customer.select(sums).collect().row(0, named=True), bounds)


# ----------------------------------------------------------------------------- pandas


def pandas_summary(df: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    as_of_ts = pd.Timestamp(as_of)
    d = df[df["date"] <= as_of_ts]
    buys = d[d["amount"] > 0]
    g = buys.groupby("customer_id")["date"].agg(first_purchase="min", last_purchase="max")
    g["purchases"] = buys.groupby("customer_id").size()
    out = pd.DataFrame(index=pd.Index(np.sort(df["customer_id"].unique()), name="customer_id"))
    out["revenue"] = d.groupby("customer_id")["amount"].sum()
    out = out.join(g)
    out["revenue"] = out["revenue"].fillna(0.0)
    out["purchases"] = out["purchases"].fillna(0).astype("int64")
    out["recency_days"] = (as_of_ts - out["last_purchase"]).dt.days
    out["tenure_days"] = (as_of_ts - out["first_purchase"]).dt.days
    out["purchases_per_year"] = out["purchases"] * 365.25 / out["tenure_days"].clip(lower=365).fillna(365)
    buyer = out["purchases"] > 0
    out["average_purchase"] = (out["revenue"] / out["purchases"]).where(buyer)
    n = int(buyer.sum())
    for name, value in (("r", -out["recency_days"]), ("f", out["purchases"]), ("m", out["revenue"])):
        rank = value.where(buyer).rank(method="min")
        out[name] = ((rank - 1) * 5 // n + 1).astype("UInt8")
    return out.reset_index()


def pandas_segments(df: pd.DataFrame, as_of: dt.date) -> Tuple[pd.DataFrame, pd.DataFrame]:
    as_of_ts = pd.Timestamp(as_of)
    start = pd.Timestamp(as_of - dt.timedelta(days=WINDOW_DAYS - 1))
    in_time = df["date"] <= as_of_ts
    win = df[in_time & (df["date"] >= start)]
    ever = df.loc[in_time & (df["amount"] > 0), "customer_id"].unique()
    v = win.groupby("customer_id")["amount"].sum().rename("value").reset_index()
    ranked = v.sort_values(["value", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    n = len(ranked)
    pos = np.arange(n)
    seg_ends, pyr_ends = split_ends(n, SHARES), split_ends(n, PYRAMID)
    ranked["rank"] = pos + 1
    ranked["segment"] = np.select([pos < seg_ends[0], pos < seg_ends[1]], ["top", "middle"], "bottom")
    positive = ranked["value"].clip(lower=0)
    total = positive.sum()
    before = (positive.cumsum() - positive) / total if total > 0 else pd.Series(1.0, index=ranked.index)
    ranked["abc"] = np.select(
        [ranked["value"] <= 0, before < ABC[0] - 1e-12, before < ABC[0] + ABC[1] - 1e-12], ["C", "A", "B"], "C"
    )
    ranked["pyramid"] = np.select(
        [pos < pyr_ends[0], pos < pyr_ends[1], pos < pyr_ends[2]], ["top", "large", "medium"], "small"
    )
    everyone = pd.DataFrame({"customer_id": np.sort(df["customer_id"].unique())})
    per_customer = everyone.merge(ranked, on="customer_id", how="left")
    unranked = per_customer["pyramid"].isna()
    per_customer.loc[unranked, "pyramid"] = np.where(
        per_customer.loc[unranked, "customer_id"].isin(ever), "inactive", "prospect"
    )
    table = ranked.groupby("segment").agg(customers=("value", "size"), revenue=("value", "sum"))
    table["customer_share"] = table["customers"] / table["customers"].sum()
    table["revenue_share"] = table["revenue"] / table["revenue"].sum()
    return per_customer, table.reset_index()


# ----------------------------------------------------------------------------- DuckDB


def duckdb_summary(con: Any, as_of: dt.date) -> pl.DataFrame:
    """The customer summary in DuckDB SQL over the registered Arrow table ``t``."""
    d = f"DATE '{as_of.isoformat()}'"
    buy = f"date <= {d} AND amount > 0"

    def score(value: str) -> str:
        return (
            f"CASE WHEN purchases > 0 THEN CAST((rank() OVER (PARTITION BY purchases > 0 ORDER BY {value}) - 1)"
            f" * 5 // n + 1 AS UTINYINT) END"
        )

    q = f"""
    WITH g AS (
      SELECT customer_id,
        min(CASE WHEN {buy} THEN date END) AS first_purchase,
        max(CASE WHEN {buy} THEN date END) AS last_purchase,
        CAST(count(*) FILTER (WHERE {buy}) AS BIGINT) AS purchases,
        coalesce(sum(amount) FILTER (WHERE date <= {d}), 0.0) AS revenue
      FROM t GROUP BY customer_id),
    h AS (SELECT *, CAST({d} - last_purchase AS BIGINT) AS recency_days,
                    CAST({d} - first_purchase AS BIGINT) AS tenure_days FROM g),
    k AS (SELECT count(*) FILTER (WHERE purchases > 0) AS n FROM h)
    SELECT customer_id, first_purchase, last_purchase, purchases, revenue, recency_days, tenure_days,
      purchases * 365.25 / greatest(coalesce(tenure_days, 365), 365) AS purchases_per_year,
      CASE WHEN purchases > 0 THEN revenue / purchases END AS average_purchase,
      {score("-recency_days")} AS r, {score("purchases")} AS f, {score("revenue")} AS m
    FROM h, k ORDER BY customer_id
    """
    return con.sql(q).pl()


def duckdb_segments(con: Any, as_of: dt.date) -> Tuple[pl.DataFrame, pl.DataFrame]:
    """Value segments in DuckDB SQL over ``t`` (segment ends computed as crm rounds them)."""
    d, start = f"DATE '{as_of.isoformat()}'", f"DATE '{(as_of - dt.timedelta(days=WINDOW_DAYS - 1)).isoformat()}'"
    n = con.sql(f"SELECT count(DISTINCT customer_id) FROM t WHERE date BETWEEN {start} AND {d}").fetchall()[0][0]
    s, y = split_ends(n, SHARES), split_ends(n, PYRAMID)
    q = f"""
    WITH v AS (
      SELECT customer_id,
        coalesce(sum(amount) FILTER (WHERE date BETWEEN {start} AND {d}), 0.0) AS value,
        bool_or(date BETWEEN {start} AND {d}) AS ranked,
        bool_or(date <= {d} AND amount > 0) AS ever_bought
      FROM t GROUP BY customer_id),
    r AS (
      SELECT customer_id, value, row_number() OVER (ORDER BY value DESC, customer_id) - 1 AS pos,
        sum(greatest(value, 0)) OVER (ORDER BY value DESC, customer_id ROWS UNBOUNDED PRECEDING)
          - greatest(value, 0) AS before, sum(greatest(value, 0)) OVER () AS total
      FROM v WHERE ranked),
    s AS (
      SELECT customer_id, value, CAST(pos + 1 AS BIGINT) AS rank,
        CASE WHEN pos < {s[0]} THEN 'top' WHEN pos < {s[1]} THEN 'middle' ELSE 'bottom' END AS segment,
        CASE WHEN value <= 0 THEN 'C'
             WHEN (CASE WHEN total > 0 THEN before / total ELSE 1.0 END) < {ABC[0]} - 1e-12 THEN 'A'
             WHEN (CASE WHEN total > 0 THEN before / total ELSE 1.0 END) < {ABC[0] + ABC[1]} - 1e-12 THEN 'B'
             ELSE 'C' END AS abc,
        CASE WHEN pos < {y[0]} THEN 'top' WHEN pos < {y[1]} THEN 'large' WHEN pos < {y[2]} THEN 'medium'
             ELSE 'small' END AS pyramid
      FROM r)
    SELECT v.customer_id, v.value, s.rank, s.segment, s.abc,
      coalesce(s.pyramid, CASE WHEN v.ever_bought THEN 'inactive' ELSE 'prospect' END) AS pyramid
    FROM v LEFT JOIN s USING (customer_id) ORDER BY v.customer_id
    """
    per_customer = con.sql(q).pl()
    table = con.sql(
        "SELECT segment, count(*) AS customers, sum(value) AS revenue, count(*) / sum(count(*)) OVER () AS customer_share,"
        " sum(value) / sum(sum(value)) OVER () AS revenue_share FROM per_customer WHERE segment IS NOT NULL GROUP BY segment"
    ).pl()
    return per_customer, table


def duckdb_flows(con: Any, bounds: List[dt.date]) -> pl.DataFrame:
    """Monthly flows as :func:`polars_flows` counts them, in DuckDB SQL over ``t``."""
    b = [f"DATE '{d.isoformat()}'" for d in bounds]
    periods = range(len(bounds) - 1)
    lasts = ", ".join(f"max(date) FILTER (WHERE amount > 0 AND date < {x}) AS last{k}" for k, x in enumerate(b))
    revs = ", ".join(
        f"coalesce(sum(amount) FILTER (WHERE date >= {b[p]} AND date < {b[p + 1]}), 0.0) AS rev{p}" for p in periods
    )
    states = ", ".join(
        f"coalesce({x} - last{k} <= {WINDOW_DAYS}, false) AS in{k}" for k, x in enumerate(b)
    )
    sums = []
    for p in periods:
        before, bought_in = f"last{p} IS NOT NULL", f"coalesce(last{p + 1} >= {b[p]}, false)"
        new, won = f"NOT in{p} AND in{p + 1} AND NOT ({before})", f"NOT in{p} AND in{p + 1} AND {before}"
        sums += [
            f"count(*) FILTER (WHERE in{p}) AS base_at_start_{p}",
            f"count(*) FILTER (WHERE {new}) AS new_{p}",
            f"count(*) FILTER (WHERE {won}) AS won_back_{p}",
            f"count(*) FILTER (WHERE in{p} AND NOT in{p + 1}) AS lost_{p}",
            f"count(*) FILTER (WHERE in{p + 1}) AS base_at_end_{p}",
            f"count(*) FILTER (WHERE NOT in{p} AND NOT in{p + 1} AND {bought_in} AND NOT ({before})) AS new_and_lost_{p}",
            f"count(*) FILTER (WHERE NOT in{p} AND NOT in{p + 1} AND {bought_in} AND {before}) AS won_back_and_lost_{p}",
            f"sum(rev{p}) FILTER (WHERE {new}) AS new_revenue_{p}",
            f"sum(rev{p}) FILTER (WHERE {won}) AS won_back_revenue_{p}",
            f"sum(rev{p}) FILTER (WHERE in{p} AND in{p + 1}) AS stayed_revenue_{p}",
        ]
    q = f"""
    WITH g AS (SELECT customer_id, {lasts}, {revs} FROM t WHERE date < {b[-1]} GROUP BY customer_id),
    s AS (SELECT *, {states} FROM g)
    SELECT {", ".join(sums)} FROM s
    """
    row = con.sql(q).pl().row(0, named=True)
    return flow_rows(row, bounds)


def duckdb_connect(df: pl.DataFrame, threads: int) -> Any:
    """A DuckDB connection with ``df`` registered as the Arrow table ``t`` (no copy)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    con.register("t", df.to_arrow())
    return con


# ----------------------------------------------------------------------------- crm


def crm_run(df: pl.DataFrame, as_of: dt.date) -> Dict[str, float]:
    with PeakMemory() as mem:
        times = crm_steps(df, as_of)
    return {**times, "peak_mib": mem.peak}


def crm_steps(df: pl.DataFrame, as_of: dt.date) -> Dict[str, float]:
    t0 = time.perf_counter()
    base = crm.CustomerBase.from_transactions(df, customer_id_col="customer_id", date_col="date", amount_col="amount")
    t1 = time.perf_counter()
    summary = base.summary(as_of)
    summary_df = pl.DataFrame(summary)
    t2 = time.perf_counter()
    segments = base.segments(as_of)
    segments_df = pl.DataFrame(segments)
    table_df = pl.DataFrame(segments.segment_table)
    t3 = time.perf_counter()
    bounds = month_bounds(as_of)
    flows_df = pl.DataFrame(base.flow_series(bounds[0], "month", len(bounds) - 1))
    t4 = time.perf_counter()
    # The same columns as lifetimes' summary (frequency, recency, T, monetary_value, daily).
    rfm = _crm._rfm_summary(base, as_of)
    t5 = time.perf_counter()
    del summary_df, segments_df, table_df, flows_df, rfm
    return {
        "build": t1 - t0,
        "summary": t2 - t1,
        "segments": t3 - t2,
        "flows": t4 - t3,
        "total": t4 - t0,
        "lifetimes_summary": t5 - t4,
    }


def crm_one_question(df: pl.DataFrame, as_of: dt.date, question: str) -> float:
    """A notebook asking one question: a fresh base, then the summary ("A"), the segments
    with their table ("B") or 12 monthly flows ("C"), read back into polars; seconds for
    the whole."""
    t0 = time.perf_counter()
    base = crm.CustomerBase.from_transactions(df, customer_id_col="customer_id", date_col="date", amount_col="amount")
    if question == "A":
        out = [pl.DataFrame(base.summary(as_of))]
    elif question == "C":
        bounds = month_bounds(as_of)
        out = [pl.DataFrame(base.flow_series(bounds[0], "month", len(bounds) - 1))]
    else:
        segments = base.segments(as_of)
        out = [pl.DataFrame(segments), pl.DataFrame(segments.segment_table)]
    seconds = time.perf_counter() - t0
    del out, base
    return seconds


def check_same_work(customers: int = 20_000) -> None:
    """polars and pandas compute what crm computes (on a small sample)."""
    sample = crm.sample(customers, seed=7, profiles=False, interactions=False)
    df = pl.DataFrame(sample.transactions).with_columns(pl.col("date").dt.date())
    pdf = df.to_pandas()
    as_of = sample.end
    base = crm.CustomerBase.from_transactions(df)
    expected = pl.DataFrame(base.summary(as_of))
    cols = ["customer_id", "purchases", "revenue", "recency_days", "tenure_days", "r", "f", "m"]
    got = polars_summary(df, as_of)
    assert got.select(cols).equals(expected.select(cols)), "polars summary differs from crm"
    got_pd = pl.from_pandas(pandas_summary(pdf, as_of)[cols]).with_columns(
        pl.col("recency_days", "tenure_days").cast(pl.Int64), pl.col("r", "f", "m").cast(pl.UInt8)
    )
    assert got_pd.equals(expected.select(cols)), "pandas summary differs from crm"
    seg = base.segments(as_of)
    expected_seg = pl.DataFrame(seg).select("customer_id", "rank", "segment", "abc", "pyramid")
    got_seg, got_table = polars_segments(df, as_of)
    assert got_seg.select(expected_seg.columns).equals(expected_seg), "polars segments differ from crm"
    got_pd_seg, _ = pandas_segments(pdf, as_of)
    got_pd_seg = pl.from_pandas(got_pd_seg[expected_seg.columns]).with_columns(pl.col("rank").cast(pl.Int64))
    assert got_pd_seg.equals(expected_seg), "pandas segments differ from crm"
    counts = dict(zip(got_table["segment"], got_table["customers"]))
    assert [counts[s] for s in ("top", "middle", "bottom")] == seg.segment_table["customers"].tolist()


# ----------------------------------------------------------------------------- lifetimes

LIFETIMES_CHILD = r"""
import json, sys, time
import numpy as np, pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
folder, as_of, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.DataFrame({
    "customer_id": np.load(folder + "/customer_id.npy"),
    "date": np.load(folder + "/date.npy").astype("datetime64[ns]"),
    "amount": np.load(folder + "/amount.npy"),
})
best = float("inf")
for _ in range(repeat):
    t0 = time.perf_counter()
    s = summary_data_from_transaction_data(df, "customer_id", "date", monetary_value_col="amount",
                                           observation_period_end=as_of, freq="D")
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"seconds": best, "rows": len(s)}))
"""


def lifetimes_time(df: pl.DataFrame, as_of: dt.date, python: Optional[str], repeat: int) -> Optional[float]:
    """Seconds of summary_data_from_transaction_data, or None when lifetimes is not available."""
    interpreter = python
    if interpreter is None:
        try:
            import lifetimes  # noqa: F401

            interpreter = sys.executable
        except Exception:
            default = Path("/tmp/lifetimes-venv/bin/python")
            interpreter = str(default) if default.exists() else None
    if interpreter is None:
        print("lifetimes: not importable and no --lifetimes-python given: skipped (see the docstring)")
        return None
    with tempfile.TemporaryDirectory() as folder:
        np.save(f"{folder}/customer_id.npy", df["customer_id"].to_numpy())
        np.save(f"{folder}/date.npy", df["date"].to_numpy().astype("datetime64[D]"))
        np.save(f"{folder}/amount.npy", df["amount"].to_numpy())
        out = subprocess.run(
            [interpreter, "-c", LIFETIMES_CHILD, folder, as_of.isoformat(), str(repeat)],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
    if out.returncode != 0:
        print(f"lifetimes: failed in {interpreter}: skipped\n{out.stderr.strip()[-800:]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


# ----------------------------------------------------------------------------- main


def rss_mib() -> float:
    """The process's resident size now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


class PeakMemory:
    """Samples the resident size every 2 ms on a thread while a step runs; ``peak`` is the
    highest sample above the size at the start (the step's own memory, the input excluded)."""

    def __enter__(self) -> "PeakMemory":
        import threading

        self.start, self.peak, self._stop = rss_mib(), 0.0, threading.Event()

        def sample() -> None:
            while not self._stop.wait(0.002):
                self.peak = max(self.peak, rss_mib() - self.start)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib() - self.start)


def timed(run: Callable[[], Any]) -> Tuple[float, float]:
    """Seconds and peak memory above the start (MiB) of one run (its result is dropped)."""
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - t0
        del result
    return seconds, mem.peak


def check_equal(base: Any, df: pl.DataFrame, con: Any, as_of: dt.date) -> None:
    """polars and DuckDB give crm's summary, segments and flows on the full data."""
    cols = ["customer_id", "purchases", "recency_days", "tenure_days", "r", "f", "m"]
    expected = pl.DataFrame(base.summary(as_of))
    for name, got in (("polars", polars_summary(df, as_of)), ("DuckDB", duckdb_summary(con, as_of))):
        assert got.select(cols).equals(expected.select(cols)), f"{name} summary differs from crm"
        assert (got["revenue"] - expected["revenue"]).abs().max() <= 1e-6, f"{name} revenue differs from crm"
    seg = base.segments(as_of)
    seg_cols = ["customer_id", "rank", "segment", "abc", "pyramid"]
    expected_seg = pl.DataFrame(seg).select(seg_cols)
    for name, (got, table) in (("polars", polars_segments(df, as_of)), ("DuckDB", duckdb_segments(con, as_of))):
        got = got.select(seg_cols).with_columns(pl.col("rank").cast(pl.Int64), pl.col(pl.String).cast(pl.String))
        assert got.equals(expected_seg.with_columns(pl.col(pl.String).cast(pl.String))), f"{name} segments differ"
        counts = dict(zip(table["segment"], table["customers"]))
        assert [counts[s] for s in ("top", "middle", "bottom")] == seg.segment_table["customers"].tolist()
    bounds = month_bounds(as_of)
    expected_flows = pl.DataFrame(base.flow_series(bounds[0], "month", len(bounds) - 1))
    for name, got in (("polars", polars_flows(df, bounds)), ("DuckDB", duckdb_flows(con, bounds))):
        counts = ["start", "end", *FLOW_COUNTS]
        assert got.select(counts).equals(expected_flows.select(counts)), f"{name} flows differ from crm"
        for column in FLOW_REVENUES:
            assert (got[column] - expected_flows[column]).abs().max() <= 1e-6 * expected_flows[column].abs().max()
    print("polars and DuckDB give crm's summary, segments and flows on the full data: ok")


def fingerprints(df: pl.DataFrame, as_of: dt.date) -> str:
    """Hashes of crm's summary and segments as Arrow IPC bytes, to check a faster crm gives
    the same bits. The segments twice: on a fresh base (one pass over the rows as given)
    and on one whose transactions are grouped (after the summary); they must agree."""
    import hashlib
    import io

    def digest(frame: pl.DataFrame) -> str:
        buf = io.BytesIO()
        frame.write_ipc(buf, compression="uncompressed")
        return hashlib.sha256(buf.getvalue()).hexdigest()[:16]

    build = lambda: crm.CustomerBase.from_transactions(  # noqa: E731
        df, customer_id_col="customer_id", date_col="date", amount_col="amount"
    )
    one_pass = digest(pl.DataFrame(build().segments(as_of)))
    base = build()
    summary = digest(pl.DataFrame(base.summary(as_of)))
    grouped = digest(pl.DataFrame(base.segments(as_of)))
    assert one_pass == grouped, "segments on a fresh base differ from those on a grouped one"
    return f"summary {summary}, segments {grouped}"


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--purchases-per-year", type=float, default=13.0)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--lifetimes-python", default=None)
    p.add_argument("--order", choices=("time", "customer"), default="time")
    p.add_argument("--skip-pandas", action="store_true")
    p.add_argument("--skip-lifetimes", action="store_true")
    args = p.parse_args()

    print(f"crm {crm.__version__}, polars {pl.__version__}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, crm threads {crm.threads()}")
    print("checking that polars and pandas compute what crm computes ...", end=" ", flush=True)
    check_same_work()
    print("ok")

    t0 = time.perf_counter()
    sample = crm.sample(
        args.customers,
        seed=1,
        purchases_per_year=args.purchases_per_year,
        lifetime_years=3.0,
        prospect_share=0.0,
        profiles=False,
        interactions=False,
    )
    df = pl.DataFrame(sample.transactions).with_columns(pl.col("date").dt.date())
    if args.order == "time":
        df = df.sort("date", maintain_order=True)
    as_of = sample.end
    print(
        f"data: {df['customer_id'].n_unique():,} customers, {df.height:,} transactions in {args.order} order, "
        f"as of {as_of} "
        f"(generated in {time.perf_counter() - t0:.1f} s)\n"
    )

    con = duckdb_connect(df, os.cpu_count() or 1)
    # Every contender's results equal crm's on the full data, before timing.
    base = crm.CustomerBase.from_transactions(df, customer_id_col="customer_id", date_col="date", amount_col="amount")
    check_equal(base, df, con, as_of)
    del base
    print(f"fingerprints: {fingerprints(df, as_of)}")

    # crm through Python, the same work inside Rust, polars and DuckDB, alternately, so that
    # all see the same machine (a shared machine's speed drifts between minutes). Each
    # step's memory is sampled: its peak resident size above the size before the step.
    crm_runs, native_runs, polars_runs, duck_runs = [], [], [], []
    for _ in range(args.repeat):
        crm_runs.append(crm_run(df, as_of))
        crm_runs[-1]["one_a"] = crm_one_question(df, as_of, "A")
        crm_runs[-1]["one_b"] = crm_one_question(df, as_of, "B")
        crm_runs[-1]["one_c"] = crm_one_question(df, as_of, "C")
        native_runs.append(_crm.time_native(sample, as_of, repeat=1, in_time_order=args.order == "time"))
        polars_runs.append(
            {
                "summary": timed(lambda: polars_summary(df, as_of)),
                "segments": timed(lambda: polars_segments(df, as_of)),
                "flows": timed(lambda: polars_flows(df, month_bounds(as_of))),
            }
        )
        duck_runs.append(
            {
                "summary": timed(lambda: duckdb_summary(con, as_of)),
                "segments": timed(lambda: duckdb_segments(con, as_of)),
                "flows": timed(lambda: duckdb_flows(con, month_bounds(as_of))),
            }
        )
    crm_best = {k: min(r[k] for r in crm_runs) for k in crm_runs[0]}
    native = {k: min(r[k] for r in native_runs) for k in ("build", "summary", "segments")}
    polars_best = {k: min(r[k][0] for r in polars_runs) for k in polars_runs[0]}
    duck_best = {k: min(r[k][0] for r in duck_runs) for k in duck_runs[0]}
    peak = {
        "crm build + summary + segments + flows": max(r["peak_mib"] for r in crm_runs),
        "polars summary, segments, flows": max(max(r[k][1] for k in r) for r in polars_runs),
        "DuckDB summary, segments, flows": max(max(r[k][1] for k in r) for r in duck_runs),
    }
    # Every total is the sum of its steps' bests, as for polars and pandas.
    crm_best["total"] = crm_best["build"] + crm_best["summary"] + crm_best["segments"]
    crm_d = crm_best["total"] + crm_best["flows"]
    native["total"] = native["build"] + native["summary"] + native["segments"]
    polars_summary_s, polars_segments_s = polars_best["summary"], polars_best["segments"]
    polars_total = polars_summary_s + polars_segments_s
    duck_total = duck_best["summary"] + duck_best["segments"]
    polars_d, duck_d = polars_total + polars_best["flows"], duck_total + duck_best["flows"]

    print("| step | crm | DuckDB | polars |\n|---|---|---|---|")
    for name, c, d, p_ in (
        ("A summary + RFM quintiles (on a built base)", crm_best["summary"], duck_best["summary"], polars_summary_s),
        ("B segments 20/50/30 + table (on a built base)", crm_best["segments"], duck_best["segments"], polars_segments_s),
        ("C 12 monthly flows (on a base asked A and B)", crm_best["flows"], duck_best["flows"], polars_best["flows"]),
        ("build + A (one question, a fresh base)", crm_best["one_a"], duck_best["summary"], polars_summary_s),
        ("build + B (one question, a fresh base)", crm_best["one_b"], duck_best["segments"], polars_segments_s),
        ("build + C (one question, a fresh base)", crm_best["one_c"], duck_best["flows"], polars_best["flows"]),
        ("build + A + B", crm_best["total"], duck_total, polars_total),
        ("D build + A + B + C", crm_d, duck_d, polars_d),
    ):
        print(f"| {name} | {c:.3f} | {d:.3f} ({d / c:.1f}x) | {p_:.3f} ({p_ / c:.1f}x) |")
    print(f"| base build alone (grouping left to the first analysis that needs it) | {crm_best['build']:.3f} | | |")
    table_mib = df.estimated_size() / 2**20
    print(f"\ninput frame: {table_mib:.0f} MiB; peak resident memory above it during a step (MiB):")
    for name, mib in peak.items():
        print(f"  {name}: {mib:.0f} ({mib / table_mib:.2f} x the input)")
    print()

    rows = [
        ("crm (polars in/out): build", crm_best["build"]),
        ("crm: summary", crm_best["summary"]),
        ("crm: segments", crm_best["segments"]),
        ("crm: flows", crm_best["flows"]),
        ("crm: total", crm_best["total"]),
        ("crm: lifetimes-style summary from the base", crm_best["lifetimes_summary"]),
        ("crm inside Rust: build", native["build"]),
        ("crm inside Rust: summary", native["summary"]),
        ("crm inside Rust: segments", native["segments"]),
        ("crm inside Rust: total", native["total"]),
        ("polars: summary", polars_summary_s),
        ("polars: segments", polars_segments_s),
        ("polars: flows", polars_best["flows"]),
        ("polars: total", polars_total),
        ("DuckDB: summary", duck_best["summary"]),
        ("DuckDB: segments", duck_best["segments"]),
        ("DuckDB: flows", duck_best["flows"]),
        ("DuckDB: total", duck_total),
    ]
    pandas_total = None
    if not args.skip_pandas:
        pdf = df.to_pandas()
        pandas_summary_s = best_of(args.repeat, lambda: pandas_summary(pdf, as_of))
        pandas_segments_s = best_of(args.repeat, lambda: pandas_segments(pdf, as_of))
        pandas_total = pandas_summary_s + pandas_segments_s
        rows += [("pandas: summary", pandas_summary_s), ("pandas: segments", pandas_segments_s), ("pandas: total", pandas_total)]
        del pdf
    lifetimes_s = None
    if not args.skip_lifetimes:
        lifetimes_s = lifetimes_time(df, as_of, args.lifetimes_python, 1)
        if lifetimes_s is not None:
            rows.append(("lifetimes: summary_data_from_transaction_data", lifetimes_s))

    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  seconds (best of {args.repeat})")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:8.3f}")
    print()
    crm_summary_path = crm_best["build"] + crm_best["summary"]
    print(f"polars / crm (build + summary + segments):   {polars_total / crm_best['total']:6.1f}x   (goal >= 3x)")
    print(f"DuckDB / crm (build + summary + segments):   {duck_total / crm_best['total']:6.1f}x   (goal >= 3x)")
    if pandas_total is not None:
        print(f"pandas / crm (build + summary + segments):   {pandas_total / crm_best['total']:6.1f}x")
    if lifetimes_s is not None:
        print(f"lifetimes / crm (build + summary):           {lifetimes_s / crm_summary_path:6.1f}x   (goal >= 50x)")
        same_columns = crm_best["build"] + crm_best["lifetimes_summary"]
        print(f"lifetimes / crm (build + lifetimes-style summary): {lifetimes_s / same_columns:6.1f}x")
    overhead = crm_best["total"] / native["total"] - 1
    steps = ", ".join(f"{k} {crm_best[k] / native[k] - 1:+.1%}" for k in ("build", "summary", "segments"))
    print(f"Python-side overhead (crm via Python vs inside Rust): {overhead:+.1%}   (goal < 10 %; {steps})")


if __name__ == "__main__":
    main()
