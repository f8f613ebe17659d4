"""Scaling and memory of issue #15: crm, polars and DuckDB at growing sizes. Not run by CI.

For each size (default 100,000, 1,000,000, 3,000,000 and 10,000,000 customers, about 11.4
transactions each, rows in date order as a sales export comes) it times, alternately and
best of ``--repeat`` rounds, the work of ``compare.py``:

* crm from a polars frame: ``CustomerBase.from_transactions`` (the build), ``summary``
  with RFM quintiles (A), ``segments`` with their table (B), 12 monthly flows (C),
  results read back into polars;
* the same summary, segments and flows in idiomatic polars and in DuckDB SQL over the
  frame handed over as an Arrow table (no copy);

crm's results are checked equal to polars' and DuckDB's at every size below 10 million
(the check itself needs memory for three result sets).

Then each contender answers build + B, build + C, build + A + B and D (build + A + B + C)
once in a fresh process (best
of ``--repeat`` processes): a notebook's first question, where memory not touched before
costs page faults (about 0.3 ms per MiB on the 2-core VM) and allocators have kept
nothing. Peak memory is measured there too (in-process figures after other runs look
smaller than they are, as allocators keep freed memory): the child reads the frame from
numpy files, resets the process's high-water mark (``/proc/self/clear_refs``), runs the
question and reports the high-water mark above its resident size before it, i.e. what
the analysis needs beyond the input, and of it the file-backed pages the question read in
(the libraries' code, mapped from their shared objects), and of those the contender's own
shared objects' (at 100,000 customers crm reads in about 6 MiB of code against a 22 MiB
frame, 4 of it its own and 2 polars', as its results are read back into polars).

It prints a table per size, then the scaling exponent of each contender: the slope of
log(time) against log(transactions) over the sizes, by least squares (1.0 is linear).

Run (from the repository root, release build of the extension, ``pip install duckdb``)::

    .venv/bin/python tests/python/bench/scaling.py
    .venv/bin/python tests/python/bench/scaling.py --customers 100000,1000000 --repeat 5

10 million customers (114 million rows) need about 12 GiB at the peak, most of it the
frame and DuckDB's and polars' working memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import polars as pl

import crm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import (  # noqa: E402
    PeakMemory,
    check_equal,
    crm_steps,
    duckdb_connect,
    duckdb_flows,
    duckdb_segments,
    duckdb_summary,
    month_bounds,
    polars_flows,
    polars_segments,
    polars_summary,
    timed,
)


def frame(customers: int) -> Tuple[pl.DataFrame, Any]:
    """The generated transactions (date order) and the as-of date, as compare.py makes them."""
    sample = crm.sample(
        customers,
        seed=1,
        purchases_per_year=13.0,
        lifetime_years=3.0,
        prospect_share=0.0,
        profiles=False,
        interactions=False,
    )
    df = pl.DataFrame(sample.transactions).with_columns(pl.col("date").dt.date()).drop("margin")
    as_of = sample.end
    del sample
    return df.sort("date", maintain_order=True), as_of


def fresh_child(contender: str, question: str, path: str, as_of: str) -> None:
    """In a fresh process with the input frame loaded: one run of `question` (the letters
    of the steps after the build: "B" segments, "C" flows, "AB" summary and segments, "ABC";
    polars and DuckDB need no build), printed
    as JSON with its seconds and its peak resident memory above the resident size before
    it (MiB). The frame is read from numpy files, so nothing but the frame was allocated
    before: this is the first question of a notebook, memory not yet touched included."""
    import datetime as dt

    # The frame from numpy files: anonymous memory, resident before the step (a frame
    # mapped from an Arrow file would have file pages the kernel may drop during the step,
    # hiding memory; one wrapping pyarrow's buffers is copied whole by its Arrow export).
    df = pl.DataFrame({name: np.load(f"{path}/{name}.npy") for name in ("customer_id", "date", "amount")})
    day = dt.date.fromisoformat(as_of)
    con = duckdb_connect(df, os.cpu_count() or 1) if contender == "duckdb" else None
    gc.collect()

    def status(field: str) -> float:
        with open("/proc/self/status") as f:
            line = next(line for line in f if line.startswith(field))
        return int(line.split()[1]) / 1024

    def code_by_library() -> Dict[str, float]:
        """Resident file-backed pages (MiB) by the file mapped, from /proc/self/smaps."""
        pages: Dict[str, float] = {}
        name = ""
        with open("/proc/self/smaps") as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 5 and "-" in fields[0] and ":" in fields[3]:
                    name = fields[5] if len(fields) > 5 and fields[4] != "0" else ""
                elif fields[0] == "Rss:" and name:
                    pages[name] = pages.get(name, 0.0) + int(fields[1]) / 1024
        return pages

    before, code_before = status("VmRSS:"), code_by_library()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    bounds = month_bounds(day)
    t0 = time.perf_counter()
    if contender == "crm":
        base = crm.CustomerBase.from_transactions(df)
        if "A" in question:
            pl.DataFrame(base.summary(day))
        if "B" in question:
            # Read back into polars and dropped, as the peers' results are: held through the
            # flows, the 1 M customers' segments (84 MiB) would count against crm alone.
            segments = base.segments(day)
            pl.DataFrame(segments), pl.DataFrame(segments.segment_table)
            del segments
        if "C" in question:
            pl.DataFrame(base.flow_series(bounds[0], "month", len(bounds) - 1))
    elif contender == "polars":
        for step, run in (("A", polars_summary), ("B", polars_segments)):
            if step in question:
                run(df, day)
        if "C" in question:
            polars_flows(df, bounds)
    else:
        for step, run in (("A", duckdb_summary), ("B", duckdb_segments)):
            if step in question:
                run(con, day)
        if "C" in question:
            duckdb_flows(con, bounds)
    seconds = time.perf_counter() - t0
    # File-backed pages the question read in (the contenders' library code, mapped from
    # their shared objects): counted in the peak, shared between processes and droppable.
    # Of it, the contender's own shared objects (crm's code also reads polars' in: its
    # results are read back into polars frames).
    code_after = code_by_library()
    own = {"crm": "_crm", "polars": "polars", "duckdb": "duckdb"}[contender]
    code = sum(code_after.values()) - sum(code_before.values())
    own_code = sum(mib - code_before.get(name, 0.0) for name, mib in code_after.items() if own in name)
    print(json.dumps({"seconds": seconds, "peak_mib": status("VmHWM:") - before, "code_mib": code, "own_code_mib": own_code}))


def fresh_run(contender: str, question: str, path: str, as_of: Any) -> Dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--fresh-child", contender, question, path, str(as_of)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def crm_once(df: pl.DataFrame, as_of: Any) -> Dict[str, float]:
    with PeakMemory() as mem:
        times = crm_steps(df, as_of)
    return {"build": times["build"], "A": times["summary"], "B": times["segments"], "C": times["flows"], "peak": mem.peak}


def peer_once(summary: Any, segments: Any, flows: Any) -> Dict[str, float]:
    a, peak_a = timed(summary)
    b, peak_b = timed(segments)
    c, peak_c = timed(flows)
    return {"A": a, "B": b, "C": c, "peak": max(peak_a, peak_b, peak_c)}


def measure(customers: int, repeat: int, check: bool, fresh_only: bool = False) -> Dict[str, Any]:
    df, as_of = frame(customers)
    gc.collect()
    con = duckdb_connect(df, os.cpu_count() or 1)
    if check and not fresh_only:
        base = crm.CustomerBase.from_transactions(df)
        check_equal(base, df, con, as_of)
        del base
        gc.collect()
    runs: Dict[str, List[Dict[str, float]]] = {"crm": [], "polars": [], "DuckDB": []}
    for _ in range(0 if fresh_only else repeat):
        runs["crm"].append(crm_once(df, as_of))
        bounds = month_bounds(as_of)
        runs["polars"].append(
            peer_once(
                lambda: polars_summary(df, as_of), lambda: polars_segments(df, as_of), lambda: polars_flows(df, bounds)
            )
        )
        runs["DuckDB"].append(
            peer_once(
                lambda: duckdb_summary(con, as_of), lambda: duckdb_segments(con, as_of), lambda: duckdb_flows(con, bounds)
            )
        )
    none = {"build": math.nan, "A": math.nan, "B": math.nan, "C": math.nan}
    best = {name: {k: min(r[k] for r in rs) for k in rs[0] if k != "peak"} if rs else dict(none) for name, rs in runs.items()}
    peak = {name: max((r["peak"] for r in rs), default=math.nan) for name, rs in runs.items()}
    for name in ("polars", "DuckDB"):
        best[name]["build"] = 0.0
    for b in best.values():
        b["total"] = b["build"] + b["A"] + b["B"]
        b["D"] = b["total"] + b["C"]
    result = {"customers": customers, "rows": df.height, "input_mib": df.estimated_size() / 2**20}
    con.close()
    with tempfile.TemporaryDirectory() as folder:
        path = folder
        for name in ("customer_id", "date", "amount"):
            np.save(f"{folder}/{name}.npy", df[name].to_numpy())
        # Fresh processes, alternately, best of the repeats.
        fresh: Dict[str, Dict[str, Dict[str, float]]] = {}
        for _ in range(repeat):
            for name in ("crm", "DuckDB", "polars"):
                for question in QUESTIONS:
                    r = fresh_run(name.lower(), question, path, as_of)
                    slot = fresh.setdefault(name, {}).setdefault(
                        question, {"seconds": math.inf, "peak_mib": 0.0, "code_mib": 0.0, "own_code_mib": 0.0}
                    )
                    slot["seconds"] = min(slot["seconds"], r["seconds"])
                    slot["peak_mib"] = max(slot["peak_mib"], r["peak_mib"])
                    slot["code_mib"] = max(slot["code_mib"], r["code_mib"])
                    slot["own_code_mib"] = max(slot["own_code_mib"], r["own_code_mib"])
    return {**result, "best": best, "peak": peak, "fresh": fresh}


QUESTIONS = ("B", "C", "AB", "ABC")
LABELS = {"B": "build + B", "C": "build + C", "AB": "build + A + B", "ABC": "D build + A + B + C"}


def exponent(points: List[Tuple[float, float]]) -> float:
    """Least-squares slope of log(seconds) against log(rows)."""
    xs = [math.log(r) for r, _ in points]
    ys = [math.log(s) for _, s in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", default="100000,1000000,3000000,10000000")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--fresh-only", action="store_true", help="only the fresh-process runs (no in-process timing)")
    p.add_argument("--fresh-child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.fresh_child:
        fresh_child(*args.fresh_child)
        return
    sizes = [int(s) for s in args.customers.split(",")]
    print(f"crm {crm.__version__}, polars {pl.__version__}, {os.cpu_count()} cores, crm threads {crm.threads()}")
    results = []
    for n in sizes:
        t0 = time.perf_counter()
        r = measure(n, args.repeat, check=n < 10_000_000, fresh_only=args.fresh_only)
        results.append(r)
        b, pk = r["best"], r["peak"]
        print(
            f"\n{n:,} customers, {r['rows']:,} rows, input {r['input_mib']:.0f} MiB "
            f"(best of {args.repeat}; {time.perf_counter() - t0:.0f} s with generation and checks)"
        )
        print("| step | crm | DuckDB | polars |\n|---|---|---|---|")
        c, d, q = b["crm"], b["DuckDB"], b["polars"]
        steps = (("build", None), ("build + A", "A"), ("build + B", "B"), ("build + C", "C"))
        for label, key in steps + (("build + A + B", "total"), ("D build + A + B + C", "D")):
            if args.fresh_only:
                break
            if key is None:
                print(f"| {label} | {c['build']:.3f} | | |")
                continue
            cs = c[key] if key in ("total", "D") else c["build"] + c[key]
            print(f"| {label} | {cs:.3f} | {d[key]:.3f} ({d[key] / cs:.1f}x) | {q[key]:.3f} ({q[key] / cs:.1f}x) |")
        mib, fresh = r["input_mib"], r["fresh"]
        c, d, q = fresh["crm"], fresh["DuckDB"], fresh["polars"]
        print("first question in a fresh process (the frame loaded, nothing else run):")
        for key in QUESTIONS:
            label = LABELS[key]
            cs, ds, qs = c[key]["seconds"], d[key]["seconds"], q[key]["seconds"]
            print(f"| {label}, fresh process | {cs:.3f} | {ds:.3f} ({ds / cs:.1f}x) | {qs:.3f} ({qs / cs:.1f}x) |")
        print(
            "peak memory above the input, fresh process (MiB; of it, library code read in, and of that the "
            "contender's own): "
            + "; ".join(
                f"{LABELS[key]}: "
                + ", ".join(
                    f"{name} {fresh[name][key]['peak_mib']:.0f} ({fresh[name][key]['peak_mib'] / mib:.2f} x; "
                    f"code {fresh[name][key]['code_mib']:.0f}, its own {fresh[name][key]['own_code_mib']:.0f})"
                    for name in fresh
                )
                for key in ("AB", "ABC")
            )
        )
        if not args.fresh_only:
            print(
                "(within the timing process, after the other runs: "
                + ", ".join(f"{name} {pk[name]:.0f}" for name in ("crm", "DuckDB", "polars"))
                + ")"
            )
    if len(results) >= 2:
        print("\nscaling exponent of D, build + A + B + C (time ~ rows^k; least squares over the sizes):")
        for name in ("crm", "DuckDB", "polars"):
            fresh_k = exponent([(r["rows"], r["fresh"][name]["ABC"]["seconds"]) for r in results])
            if args.fresh_only:
                print(f"  {name}: k = {fresh_k:.2f} (fresh process)")
                continue
            k = exponent([(r["rows"], r["best"][name]["D"]) for r in results])
            print(f"  {name}: k = {k:.2f} in one process, {fresh_k:.2f} in a fresh process")
        if not args.fresh_only:
            k = exponent([(r["rows"], r["best"]["crm"]["build"]) for r in results])
            print(f"  crm build alone: k = {k:.2f}")


if __name__ == "__main__":
    main()
