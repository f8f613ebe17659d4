"""Times DuckDB's read_csv and our ingest on the same Online-Retail-shaped export.

    python tests/python/bench/ingest_compare.py --lines 10000000

Needs duckdb and pyarrow in the interpreter; builds and runs the Rust example
`bench_ingest` (profile bench, feature parquet) on the same file and prints the ratio.
"""

import argparse
import os
import re
import subprocess
import tempfile
import time

import duckdb
import pyarrow.parquet as pq


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    tmp = tempfile.gettempdir()
    csv = os.path.join(tmp, f"crm_bench_ingest_{a.lines}.csv")
    parquet = csv.replace(".csv", ".parquet")
    example = ["cargo", "run", "--profile", "bench", "-p", "crm-core", "--features", "parquet",
               "--example", "bench_ingest", "--", "--lines", str(a.lines), "--keep", csv]
    if not os.path.exists(csv):
        subprocess.run(example, check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(parquet):
        con = duckdb.connect()
        table = con.execute(f"SELECT * FROM read_csv('{csv}')").to_arrow_table()
        pq.write_table(table, parquet)
    best = float("inf")
    for _ in range(a.runs):
        con = duckdb.connect()
        t = time.perf_counter()
        n = con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv}')").fetchall()
        best = min(best, time.perf_counter() - t)
        con.close()
    print(f"duckdb read_csv: best {best:.3f} s ({n})")
    out = subprocess.run(example + ["--parquet", parquet], check=True, capture_output=True, text=True).stdout
    print(out, end="")
    ours = min(float(m) for m in re.findall(r"csv run \d: ([0-9.]+) s", out))
    print(f"ours / duckdb = {ours / best:.2f}")


if __name__ == "__main__":
    main()
