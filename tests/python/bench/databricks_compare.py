"""crm.spark against the Databricks CLV pattern on the same local Spark. Not run by CI.

The pattern that Databricks' CLV solution accelerator teaches (here in our own code):
Spark SQL computes lifetimes' per-customer summary (frequency = repeat purchase days,
recency and T in days, monetary_value = mean spend of the repeat days), ``toPandas()``
brings it to the driver, lifetimes' ``BetaGeoFitter`` and ``GammaGammaFitter`` are fitted
there, and a pandas UDF (``mapInPandas``) scores every customer with the fitted models'
``conditional_expected_number_of_purchases_up_to_time`` (next 30 days),
``conditional_probability_alive`` and ``customer_lifetime_value`` (12 months, 1 % a
month). The fitters are shipped to the tasks without their fit data (as crm.spark ships
its own), so lifetimes is not charged for pickling a million rows.

crm's side does the same with ``crm.spark.model_summary`` (persisted), ``fit_clv``
(distinct rows with counts reach the driver) and ``predict_clv``.

On one generated data set (``cluster_compare.transactions``: about 5 transactions per
customer, rows in date order), written once as Parquet (``--data``, default
/tmp/crm-databricks/<customers>; reused when there), each side runs in its own process
and Spark session (local[2], ``cluster_compare.spark_session``): the transactions are
read and cached and the pipeline runs once on one customer in 50 (warm-up: Python workers,
imports, JIT; not timed), then the whole pipeline is timed end to end, from the cached
transactions to the per-customer scores written to Spark's ``noop`` sink, best of
``--repeat``. The script prints both sides' times (and the split: summary to the driver +
fits, per-customer scoring), the ratio, the largest relative difference of the fitted
parameters (lifetimes' optimizer stops elsewhere: ~1e-4 expected) and of the per-customer
predictions (written once more, untimed, to Parquet), and each side's peak memory: the
Python driver's and the JVM's (driver and, in local mode, executors) ``VmHWM``.

Run (from the repository root; the release build matters)::

    python3 -m venv /work/venv-bench
    /work/venv-bench/bin/pip install -r tests/python/requirements.txt -r tests/distributed/requirements.txt
    export PYO3_PYTHON=/work/venv-bench/bin/python
    VIRTUAL_ENV=/work/venv-bench /work/venv-bench/bin/maturin develop --release

lifetimes 0.11.3 needs numpy 1 and scipy < 1.12, so the Databricks side runs in a throwaway
venv with the same PySpark (its fitters and predictions work on pandas 2.2, which PySpark
4 needs for pandas UDFs; its summary utilities, which the pattern does not use, do not;
pyarrow 24 and later need numpy 2)::

    python3 -m venv /work/venv-dbx
    /work/venv-dbx/bin/pip install "pyspark==$(/work/venv-bench/bin/python -c \\
        'import pyspark; print(pyspark.__version__)')" lifetimes==0.11.3 'numpy<2' \\
        'scipy<1.12' 'pandas>=2.2,<2.3' 'pyarrow<24'

then::

    SPARK_LOCAL_IP=127.0.0.1 /work/venv-bench/bin/python tests/python/bench/databricks_compare.py \\
        --customers 1000000 --databricks-python /work/venv-dbx/bin/python

Options: ``--customers N``, ``--partitions N`` (shuffle partitions, both sides; default
8), ``--repeat N`` (default 3), ``--purchases-per-year X`` (the generator's purchase rate:
more transactions for the same customers), ``--databricks-python PATH`` (default
/work/venv-dbx/bin/python), ``--data DIR``, ``--skip-databricks`` (crm.spark only, e.g.
for its peak memory at several sizes), ``--floor`` (also time the least any engine run per
customer in Python workers pays on the same Spark: the transactions shuffled by customer
and handed to the workers as Arrow batches, nothing computed; the pattern's time over it
bounds the ratio any such engine can reach).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from cluster_compare import spark_session, timed, transactions

#: Scoring horizon (days), CLV months and monthly discount rate (lifetimes' defaults).
DAYS, MONTHS, DISCOUNT = 30.0, 12, 0.01
SCORES = ["customer_id", "expected_purchases", "p_alive", "clv"]

# lifetimes' summary_data_from_transaction_data (freq "D") in Spark SQL: spend summed per
# customer and day, then per customer the repeat days, the days from the first to the last
# and to the end, and the mean spend of the days after the first.
SUMMARY_SQL = """
WITH days AS (
    SELECT customer_id, date AS day, SUM(amount) AS spend
    FROM transactions
    WHERE date <= DATE '{end}'
    GROUP BY customer_id, date
)
SELECT customer_id,
       CAST(COUNT(*) - 1 AS DOUBLE) AS frequency,
       CAST(DATEDIFF(MAX(day), MIN(day)) AS DOUBLE) AS recency,
       CAST(DATEDIFF(DATE '{end}', MIN(day)) AS DOUBLE) AS T,
       CASE WHEN COUNT(*) > 1 THEN (SUM(spend) - MIN_BY(spend, day)) / (COUNT(*) - 1) ELSE 0.0 END
           AS monetary_value
FROM days
GROUP BY customer_id
"""


def hwm_mib(pid: int) -> float:
    """Peak resident memory of a process since its exec (`VmHWM`; `ru_maxrss` would start
    from the parent's size when it was forked, here the data generator's)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def crm_pipeline(spark, df, end: dt.date, partitions: int):
    """crm.spark: model summary, fits on the driver, scores per customer (lazy)."""
    import crm.spark as cs

    rows = cs.model_summary(df, end, partitions=partitions).persist()
    bgf, ggf = cs.fit_clv(rows, "bgnbd")
    scores = cs.predict_clv(rows, bgf, ggf, t=DAYS, months=MONTHS, discount_rate=DISCOUNT)
    params = [float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")] + [
        float(ggf.params_[k]) for k in ("p", "q", "v")
    ]
    return rows, scores.select(*SCORES), params


def floor_pipeline(spark, df, end: dt.date, partitions: int):
    """The least any engine run per customer in Python workers pays: the transactions
    shuffled by customer and handed to the workers as Arrow batches, nothing computed (one
    count per task comes back)."""
    import pyarrow as pa

    parts = df.repartition(partitions, "customer_id")

    def count(batches):
        yield pa.RecordBatch.from_pydict({"rows": pa.array([sum(b.num_rows for b in batches)], pa.int64())})

    return parts, parts.mapInArrow(count, "rows long"), []


def databricks_pipeline(spark, df, end: dt.date, partitions: int):
    """The Databricks pattern: Spark SQL summary, toPandas, lifetimes fits on the driver,
    a pandas UDF scoring per customer (lazy)."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    df.createOrReplaceTempView("transactions")
    rows = spark.sql(SUMMARY_SQL.format(end=end.isoformat())).persist()
    local = rows.toPandas()
    bgf = BetaGeoFitter(penalizer_coef=0.0).fit(local["frequency"], local["recency"], local["T"])
    repeat = local[(local["frequency"] > 0) & (local["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0).fit(repeat["frequency"], repeat["monetary_value"])
    del local, repeat
    params = [float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")] + [
        float(ggf.params_[k]) for k in ("p", "q", "v")
    ]
    bgf, ggf = copy.copy(bgf), copy.copy(ggf)
    bgf.data = ggf.data = None

    def score(frames):
        for f in frames:
            x, t_x, age, m = f["frequency"], f["recency"], f["T"], f["monetary_value"]
            f["expected_purchases"] = bgf.conditional_expected_number_of_purchases_up_to_time(DAYS, x, t_x, age)
            f["p_alive"] = bgf.conditional_probability_alive(x, t_x, age)
            f["clv"] = ggf.customer_lifetime_value(bgf, x, t_x, age, m, time=MONTHS, discount_rate=DISCOUNT, freq="D")
            yield f[SCORES]

    id_type = rows.schema["customer_id"].dataType.simpleString()
    schema = f"customer_id {id_type}, expected_purchases double, p_alive double, clv double"
    return rows, rows.mapInPandas(score, schema), params


def side(args) -> None:
    """One side in this process: prints a JSON line (times, parameters, peak memory)."""
    from pyspark.sql import functions as F

    warnings.filterwarnings("ignore")
    end = dt.date.fromisoformat(json.loads((Path(args.data) / "meta.json").read_text())["end"])
    pipeline = {"crm": crm_pipeline, "floor": floor_pipeline, "databricks": databricks_pipeline}[args.side]
    spark = spark_session(args.partitions)
    df = spark.read.parquet(str(Path(args.data) / "transactions.parquet")).cache()
    load, _ = timed(df.count)
    # Untimed warm-up on one customer in 50: starts the Python workers, their imports and
    # the JVM's JIT, which a first timed run would otherwise pay (15 s at 100,000 customers).
    rows, scores, _ = pipeline(spark, df.where(F.abs(F.hash("customer_id")) % 50 == 0), end, args.partitions)
    scores.write.format("noop").mode("overwrite").save()
    rows.unpersist()
    runs = []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        rows, scores, params = pipeline(spark, df, end, args.partitions)
        fitted = time.perf_counter() - t0
        scores.write.format("noop").mode("overwrite").save()
        runs.append({"total": time.perf_counter() - t0, "summary + fit": fitted})
        runs[-1]["scoring"] = runs[-1]["total"] - fitted
        if i == args.repeat - 1 and args.side != "floor":
            scores.write.mode("overwrite").parquet(str(Path(args.data) / f"scores-{args.side}.parquet"))
        rows.unpersist()
    best = min(runs, key=lambda r: r["total"])
    out = {**best, "runs": [r["total"] for r in runs], "load": load, "params": params}
    # In local mode the JVM is the driver and the executors.
    jvm = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    out.update(driver_mib=hwm_mib(os.getpid()), jvm_mib=hwm_mib(jvm))
    spark.stop()
    print(json.dumps(out))


def run_side(name: str, python: str, args) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python)
    command = [python, __file__, "--side", name, "--data", args.data]
    command += ["--partitions", str(args.partitions), "--repeat", str(args.repeat)]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"{name} side failed ({python}):\n{done.stderr.strip()[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_data(args) -> dict:
    """The transactions as Parquet in `args.data` (kept for the next run of that size)."""
    folder = Path(args.data)
    meta = folder / "meta.json"
    if meta.exists():
        return json.loads(meta.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    table, end = transactions(args.customers, args.purchases_per_year)
    table = table.set_column(1, "date", table.column("date").cast(pa.timestamp("us")).cast(pa.date32()))
    pq.write_table(table, folder / "transactions.parquet", row_group_size=1 << 20)
    info = {"customers": args.customers, "transactions": table.num_rows, "end": end.isoformat()}
    meta.write_text(json.dumps(info))
    print(f"data written to {folder} in {time.perf_counter() - t0:.1f} s")
    return info


def scores_of(folder: Path, name: str) -> dict:
    table = pq.read_table(folder / f"scores-{name}.parquet")
    order = np.argsort(table.column("customer_id").to_numpy(), kind="stable")
    return {c: table.column(c).to_numpy()[order] for c in SCORES}


def rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--databricks-python", default="/work/venv-dbx/bin/python")
    parser.add_argument("--purchases-per-year", type=float, default=None)
    parser.add_argument("--data", default=None)
    parser.add_argument("--skip-databricks", action="store_true")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--side", choices=["crm", "floor", "databricks"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        return side(args)

    import crm
    import pyspark

    rate = "" if args.purchases_per_year is None else f"-{args.purchases_per_year:g}py"
    args.data = args.data or f"/tmp/crm-databricks/{args.customers}{rate}"
    info = write_data(args)
    print(
        f"crm {crm.__version__}, pyspark {pyspark.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    print(f"data: {info['customers']:,} customers, {info['transactions']:,} transactions, as of {info['end']}")
    results = {"crm.spark": run_side("crm", sys.executable, args)}
    if args.floor:
        results["floor (shuffle to Python workers only)"] = run_side("floor", sys.executable, args)
    if not args.skip_databricks:
        results["Databricks pattern"] = run_side("databricks", args.databricks_python, args)

    print(f"\nseconds, best of {args.repeat}, local[2], {args.partitions} shuffle partitions")
    print(
        "| side | end to end | summary to the driver + fits | scoring per customer | driver peak RSS | JVM peak RSS |"
    )
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['total']:.2f} s | {r['summary + fit']:.2f} s | {r['scoring']:.2f} s "
            f"| {r['driver_mib']:,.0f} MiB | {r['jvm_mib']:,.0f} MiB |"
        )
    for name, r in results.items():
        print(f"{name}: runs {', '.join(f'{t:.2f}' for t in r['runs'])} s; input cached in {r['load']:.1f} s")
    if args.skip_databricks:
        return
    ours, theirs = results["crm.spark"], results["Databricks pattern"]
    print(f"\nDatabricks pattern / crm.spark, end to end: {theirs['total'] / ours['total']:.1f}x (goal 20x)")
    if args.floor:
        floor = results["floor (shuffle to Python workers only)"]["total"]
        print(f"Databricks pattern / floor: {theirs['total'] / floor:.1f}x (the most any engine in Python workers can reach)")
    print(f"parameters (r, alpha, a, b, p, q, v): max relative difference {rel(ours['params'], theirs['params']):.1e}")
    folder = Path(args.data)
    a, b = scores_of(folder, "crm"), scores_of(folder, "databricks")
    assert np.array_equal(a["customer_id"], b["customer_id"]), "the two sides scored different customers"
    for c in SCORES[1:]:
        print(f"{c}: max relative difference {rel(a[c], b[c]):.1e} over {len(a[c]):,} customers")
    print(
        f"sum of the CLVs: {a['clv'].sum():,.0f} and {b['clv'].sum():,.0f}, relative difference "
        f"{rel(a['clv'].sum(), b['clv'].sum()):.1e}"
    )


if __name__ == "__main__":
    main()
