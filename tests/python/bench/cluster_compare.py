"""What a cluster costs on one machine: crm.spark (local[2]) and crm.dask (a 2-process
LocalCluster) against single-machine crm on the same transactions. Not run by CI.

On one generated data set (default 1,000,000 customers, about 10 transactions each, rows
in date order), it times six jobs, each end to end from the transactions the engine is
handed (a Spark DataFrame cached in Spark's memory, a persisted dask DataFrame, an Arrow
table for one machine):

* summary: the customer summary with RFM scores, written back as a table of one row per
  customer (Spark: ``count()`` of the result; Dask: ``len``);
* flows: 12 monthly flows (a FlowSeries on the driver);
* segments: value segments, ABC and pyramid with exact global ranks, a table of one row per
  customer (counted) and the segment tables;
* segment flows: 4 quarterly flows per value segment (the segments of the whole base at
  every boundary);
* clv: the model summary, a BG/NBD + Gamma-Gamma fit on the driver and the per-customer
  predictions (expected purchases, P(alive), CLV);
* report: the customer-development report as of the last day (one machine's includes
  share of wallet and segment profiles, which a cluster leaves out).

It prints seconds per job per host and the overhead ratio (host / one machine), checks
that the fitted parameters, the flow counts and the segments are equal to one machine's, and samples the
driver's peak resident memory (``ru_maxrss`` of this process, which is Spark's and Dask's
driver) after building the input and after the jobs.

Run (from the repository root; the release build matters)::

    bash tests/python/venv.sh
    .venv/bin/pip install -r tests/distributed/requirements.txt
    export PYO3_PYTHON=$PWD/.venv/bin/python
    VIRTUAL_ENV=$PWD/.venv .venv/bin/maturin develop --release
    SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON=$PWD/.venv/bin/python \\
        .venv/bin/python tests/python/bench/cluster_compare.py --customers 1000000

Options: ``--customers N``, ``--partitions N`` (default 8), ``--skip-spark``,
``--skip-dask``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
import warnings

import numpy as np
import pyarrow as pa

# crm is imported where it is used: databricks_compare.py imports these helpers in a venv
# without crm (lifetimes' own).


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(work):
    t0 = time.perf_counter()
    out = work()
    return time.perf_counter() - t0, out


def transactions(customers: int, purchases_per_year: float | None = None) -> tuple[pa.Table, dt.date]:
    """The generated transactions (customer_id, date, amount; about 5 per customer with the
    generator's purchase rate, rows in date order as a sales export comes) and their last
    date."""
    import crm

    rate = {} if purchases_per_year is None else {"purchases_per_year": purchases_per_year}
    sample = crm.sample(
        customers, seed=1, lifetime_years=3.0, prospect_share=0.0, profiles=False, interactions=False, **rate
    )
    table = pa.table(sample.transactions).select(["customer_id", "date", "amount"])
    table = table.take(pa.array(np.argsort(table.column("date").to_numpy(), kind="stable")))
    return table, sample.end


def spark_session(partitions: int):
    """The local Spark of every Spark benchmark here: local[2], 8 GiB for the driver,
    Arrow on, `partitions` shuffle partitions."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def single_machine(table: pa.Table, as_of: dt.date, start: dt.date) -> dict:
    import crm
    from crm import lifetimes

    def summary():
        base = crm.CustomerBase.from_transactions(table)
        return base.summary(as_of).to_arrow().num_rows

    def flows():
        return crm.CustomerBase.from_transactions(table).flow_series(start, "month", 12)

    def segments():
        s = crm.CustomerBase.from_transactions(table).segments(as_of)
        return s.to_arrow().num_rows, s.segment_table.to_pylist()

    def segment_flows():
        return crm.CustomerBase.from_transactions(table).flow_series(start, "quarter", 4, by_segment=True)

    def clv():
        base = crm.CustomerBase.from_transactions(table)
        rows, x, tx, t, m = crm._crm._rfm_summary(base, as_of)
        bgf = lifetimes.BetaGeoFitter().fit(x, tx, t)
        repeat = (x > 0) & (m > 0)
        ggf = lifetimes.GammaGammaFitter().fit(x[repeat], m[repeat])
        bgf.conditional_expected_number_of_purchases_up_to_time(30, x, tx, t)
        bgf.conditional_probability_alive(x, tx, t)
        ggf.customer_lifetime_value(bgf, x, tx, t, m, time=12, discount_rate=0.01)
        return bgf, ggf

    return {
        "summary": timed(summary),
        "flows": timed(flows),
        "segments": timed(segments),
        "segment flows": timed(segment_flows),
        "clv": timed(clv),
        "report": timed(lambda: crm.CustomerBase.from_transactions(table).report(as_of)),
    }


def on_spark(table: pa.Table, as_of: dt.date, start: dt.date, partitions: int) -> dict:
    import crm.spark as cs

    spark = spark_session(partitions)
    t0 = time.perf_counter()
    df = spark.createDataFrame(table.to_pandas()).cache()
    df.count()
    print(f"  spark: input cached in {time.perf_counter() - t0:.1f} s")

    def clv():
        rows = cs.model_summary(df, as_of, partitions=partitions).persist()
        bgf, ggf = cs.fit_clv(rows, "bgnbd", tol=None)
        cs.predict_clv(rows, bgf, ggf).count()
        rows.unpersist()
        return bgf, ggf

    def segments():
        s = cs.segments(df, as_of, partitions=partitions)
        return s.customers.count(), s.segment_table.to_pylist()

    out = {
        "summary": timed(lambda: cs.summary(df, as_of, partitions=partitions).count()),
        "flows": timed(lambda: cs.flow_series(df, start, "month", 12, partitions=partitions)),
        "segments": timed(segments),
        "segment flows": timed(
            lambda: cs.flow_series(df, start, "quarter", 4, by_segment=True, partitions=partitions)
        ),
        "clv": timed(clv),
        "report": timed(lambda: cs.report(df, as_of, partitions=partitions)),
    }
    spark.stop()
    return out


def on_dask(table: pa.Table, as_of: dt.date, start: dt.date, partitions: int) -> dict:
    import crm.dask as cd
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster):
            t0 = time.perf_counter()
            frame = table.to_pandas(types_mapper=pd.ArrowDtype)
            df = dd.from_pandas(frame, npartitions=partitions, sort=False).persist()
            print(f"  dask: input persisted in {time.perf_counter() - t0:.1f} s")

            def clv():
                rows = cd.model_summary(df, as_of, npartitions=partitions).persist()
                bgf, ggf = cd.fit_clv(rows, "bgnbd")
                len(cd.predict_clv(rows, bgf, ggf))
                return bgf, ggf

            def segments():
                s = cd.segments(df, as_of, npartitions=partitions)
                return len(s.customers), s.segment_table.to_pylist()

            return {
                "summary": timed(lambda: len(cd.summary(df, as_of, npartitions=partitions))),
                "flows": timed(lambda: cd.flow_series(df, start, "month", 12, npartitions=partitions)),
                "segments": timed(segments),
                "segment flows": timed(
                    lambda: cd.flow_series(df, start, "quarter", 4, by_segment=True, npartitions=partitions)
                ),
                "clv": timed(clv),
                "report": timed(lambda: cd.report(df, as_of, npartitions=partitions)),
            }


def _counts(value):
    """The integers and texts of a report section (money left out: sums in another order)."""
    if isinstance(value, dict):
        return {k: _counts(v) for k, v in value.items() if not isinstance(v, float)}
    if isinstance(value, list):
        return [_counts(v) for v in value]
    return value


def main() -> None:
    import crm

    # PySpark 4 warns that it does not fully support pandas 3 (crm.spark moves Arrow only).
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()

    print(f"crm {crm.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} cores")
    table, as_of = transactions(args.customers)
    start = dt.date(as_of.year - 1, as_of.month, 1)
    print(f"data: {args.customers:,} customers, {table.num_rows:,} transactions, as of {as_of}")
    print(f"driver peak RSS after the input: {peak_mib():,.0f} MiB\n")

    results = {"one machine": single_machine(table, as_of, start)}
    if not args.skip_spark:
        results["spark local[2]"] = on_spark(table, as_of, start, args.partitions)
    if not args.skip_dask:
        results["dask 2 processes"] = on_dask(table, as_of, start, args.partitions)

    one = results["one machine"]
    want_bgf, want_ggf = one["clv"][1]
    for host, r in results.items():
        bgf, ggf = r["clv"][1]
        same = np.allclose(bgf.params_.to_numpy(), want_bgf.params_.to_numpy(), rtol=1e-9, atol=0)
        same &= np.allclose(ggf.params_.to_numpy(), want_ggf.params_.to_numpy(), rtol=1e-9, atol=0)
        same &= [f.lost for f in r["flows"][1].flows] == [f.lost for f in one["flows"][1].flows]
        rows, table_rows = r["segments"][1]
        want_rows, want_table = one["segments"][1]
        same &= rows == want_rows
        same &= [t["customers"] for t in table_rows] == [t["customers"] for t in want_table]
        segment_rows = [f.by_segment.to_pylist() for f in r["segment flows"][1].flows]
        same &= segment_rows == [f.by_segment.to_pylist() for f in one["segment flows"][1].flows]
        got, want = (json.loads(x["report"][1].to_json()) for x in (r, one))
        for section in ("overview", "lifecycle", "segments", "abc", "pyramid", "top_customers", "undesired_flows"):
            same &= _counts(got[section]) == _counts(want[section])
        assert same, f"{host}: results differ from one machine's"
    print("| job | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for job in ("summary", "flows", "segments", "segment flows", "clv", "report"):
        base_s = one[job][0]
        cells = [
            f"{r[job][0]:.2f} s" + ("" if host == "one machine" else f" ({r[job][0] / base_s:.1f}x)")
            for host, r in results.items()
        ]
        print(f"| {job} | " + " | ".join(cells) + " |")
    print("\nresults equal to one machine's (parameters within 1e-9; flow, segment and report counts exactly)")
    print(f"driver peak RSS after the jobs: {peak_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
