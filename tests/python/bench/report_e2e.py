"""`crm report` end to end on a generated sales export of ~10 million invoice lines,
side by side with DuckDB's `read_csv` on the same file in the same run.

    python tests/python/bench/report_e2e.py [--lines 10000000] [--rounds 3] [--crm PATH]

Builds the release `crm` binary unless --crm is given (honours CARGO_TARGET_DIR), writes the
export with `crm sample` (invoice lines: quantity x unit price, C cancellations, guest
checkouts), converts it to Parquet with DuckDB, then alternates: `crm report` on the CSV
(wall time, peak memory, its ingest step), DuckDB `read_csv` into a table, `crm report` on
the Parquet file. Prints the best of the rounds and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def cargo_target() -> Path:
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return Path(json.loads(meta.stdout)["target_directory"])


def build_crm() -> Path:
    subprocess.run(["cargo", "build", "--release", "-p", "crm-core", "--features", "cli"], cwd=ROOT, check=True)
    return cargo_target() / "release" / "crm"


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB and stderr of a child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, _, rusage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read()
    out = p.stdout.read()
    if rusage is None:
        raise RuntimeError("no rusage")
    p.returncode = 0
    if "Wrote" not in out:
        raise RuntimeError(f"{cmd} failed:\n{out}\n{err}")
    return wall, rusage.ru_maxrss / 1024, err


def ingest_seconds(stderr: str) -> float:
    m = re.search(r"reading [^:]*sales\.\w+: ([0-9.]+) s", stderr)
    return float(m.group(1)) if m else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--crm", type=Path)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/crm-e2e"))
    a = ap.parse_args()
    import duckdb

    crm = a.crm or build_crm()
    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "sales.csv"
    stamp = work / f"lines-{a.lines}"
    if not stamp.exists():
        # About 6.4 invoice lines per sample customer: measure on a small run, then scale.
        probe = work / "probe"
        subprocess.run([str(crm), "sample", "--out", str(probe), "--customers", "20000"], check=True, capture_output=True)
        per_customer = (sum(1 for _ in open(probe / "sales.csv", "rb")) - 1) / 20000
        customers = max(1, round(a.lines / per_customer))
        subprocess.run([str(crm), "sample", "--out", str(work), "--customers", str(customers)], check=True)
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{work / 'sales.parquet'}' (FORMAT parquet)")
        stamp.write_text("")
    lines = sum(1 for _ in open(csv_path, "rb")) - 1
    size = csv_path.stat().st_size / 2**20
    for name, tx in [("csv.toml", "sales.csv"), ("parquet.toml", "sales.parquet")]:
        text = (work / "crm.toml").read_text()
        text = re.sub(r'transactions = "[^"]*"', f'transactions = "{tx}"', text)
        text = re.sub(r'(customers|interactions) = "[^"]*"\n', "", text)
        (work / name).write_text(text)
    print(f"export: {lines:,} invoice lines, {size:,.0f} MiB ({csv_path})")

    best: dict[str, float] = {}

    def keep(key: str, value: float) -> None:
        best[key] = min(best.get(key, float("inf")), value)

    for r in range(a.rounds):
        wall, rss, err = run_measured(
            [str(crm), "report", "--config", str(work / "csv.toml"), "--out", str(work / "rep"), "--quiet", "--timings"]
        )
        keep("crm report (CSV) wall", wall)
        keep("crm report (CSV) peak MiB", rss)
        keep("crm CSV ingest", ingest_seconds(err))
        con = duckdb.connect()
        t0 = time.perf_counter()
        con.sql(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        keep("DuckDB read_csv", time.perf_counter() - t0)
        con.close()
        wall, rss, err = run_measured(
            [str(crm), "report", "--config", str(work / "parquet.toml"), "--out", str(work / "rep"), "--quiet", "--timings"]
        )
        keep("crm report (Parquet) wall", wall)
        keep("crm report (Parquet) peak MiB", rss)
        keep("crm Parquet ingest", ingest_seconds(err))
        print(f"round {r + 1}: {err.strip()}", file=sys.stderr)

    for k, v in best.items():
        unit = "" if "MiB" in k else " s"
        print(f"{k:32} {v:10.3f}{unit}")
    print(f"{'crm CSV ingest / DuckDB read_csv':32} {best['crm CSV ingest'] / best['DuckDB read_csv']:10.2f} x")
    print(f"threads: {os.cpu_count()} cores; best of {a.rounds} rounds")


if __name__ == "__main__":
    main()
