"""CLV models side by side: crm against lifetimes, end to end from a transaction frame.
Not run by CI.

On generated data sets (by default 10,000, 100,000 and 1,000,000 customers, about ten
transactions each, from crm's seeded generator, as ``compare.py``), it times in one run:

* crm from a polars DataFrame, then from a pandas DataFrame: ``CustomerBase.from_transactions``
  -> the (frequency, recency, T, monetary_value) summary (``_crm._rfm_summary``, daily
  periods as lifetimes' ``freq="D"``) -> BG/NBD fit -> Gamma-Gamma fit on the repeat
  buyers -> 12-month CLV (lifetimes' defaults: 1 % a month, 30 days a month);
* the lifetimes notebook with only its imports changed to ``crm.lifetimes`` (pandas in,
  pandas out: ``summary_data_from_transaction_data``, ``BetaGeoFitter``,
  ``GammaGammaFitter``, ``customer_lifetime_value``), checked to give lifetimes' rows in
  lifetimes' order;
* lifetimes doing the same (``summary_data_from_transaction_data``, ``BetaGeoFitter.fit``,
  ``GammaGammaFitter.fit``, ``customer_lifetime_value(time=12)``) in a subprocess.

It prints each step's time, the totals and the ratio, the largest relative difference
between crm's and lifetimes' fitted parameters (goal 1e-4) and between the CLVs.

Run (from the repository root)::

    bash tests/python/venv.sh
    export PYO3_PYTHON=$PWD/.venv/bin/python
    .venv/bin/maturin develop --release
    .venv/bin/python tests/python/bench/models_compare.py

lifetimes needs old numpy / pandas / scipy, so it lives in a throwaway venv (default
/tmp/lifetimes-venv/bin/python, or ``--lifetimes-python``)::

    python3 -m venv /tmp/lifetimes-venv
    /tmp/lifetimes-venv/bin/pip install 'numpy<2' 'pandas<2' 'scipy<1.12' lifetimes

Options: ``--customers N,M,...`` (sizes, default 10,000, 100,000 and 1,000,000),
``--lifetimes-max N`` (run lifetimes up to this size, default 100,000: at 1,000,000 it
takes many minutes), ``--purchases-per-year X`` (default 13), ``--repeat N`` (crm: best
of N, default 10 up to 20,000 customers, 5 up to 200,000, else 3; lifetimes: best of 3 up
to 200,000, else 1), ``--skip-lifetimes``, ``--string-ids`` (customer ids as text,
"C00001234", as exports have them: pandas 3 reads them as its Arrow-backed str). At the end: BG/BB on the donations with one row
per donor (11,104 unweighted rows), and a table of every step's ratio per size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np
import pandas as pd
import polars as pl

import crm
from crm import _crm

MONTHS, DISCOUNT, DAYS_PER_MONTH = 12, 0.01, 30.0


def crm_run(frame: Any, as_of: Any) -> Dict[str, Any]:
    """crm end to end from a frame; seconds per step, parameters and CLV."""
    t0 = time.perf_counter()
    base = crm.CustomerBase.from_transactions(frame, customer_id_col="customer_id", date_col="date", amount_col="amount")
    t1 = time.perf_counter()
    rows, x, tx, big_t, m = _crm._rfm_summary(base, as_of)
    t2 = time.perf_counter()
    _, bg, *_ = _crm._fit_model("bgnbd", x, tx, big_t)
    t3 = time.perf_counter()
    repeat = (x > 0) & (m > 0)
    _, gg, *_ = _crm._fit_model("gammagamma", x[repeat], m[repeat])
    t4 = time.perf_counter()
    clv = _crm._customer_lifetime_value("bgnbd", bg, gg, x, tx, big_t, m, MONTHS, DISCOUNT, DAYS_PER_MONTH)
    t5 = time.perf_counter()
    ids = np.asarray(base.customer_ids)[rows] if hasattr(base, "customer_ids") else None
    return {
        "build base": t1 - t0,
        "summary": t2 - t1,
        "BG/NBD fit": t3 - t2,
        "Gamma-Gamma fit": t4 - t3,
        "12-month CLV": t5 - t4,
        "total": t5 - t0,
        "bg": bg,
        "gg": gg,
        "clv": clv,
        "ids": ids,
    }


# The lifetimes notebook: run by lifetimes in its own venv (``LIFETIMES_CHILD``) and by
# crm.lifetimes here (``dropin_run``), so both make the same calls by construction; only
# the package passed in differs.
NOTEBOOK = r"""
import time


def notebook(lib, df, as_of, months, discount):
    t0 = time.perf_counter()
    s = lib.utils.summary_data_from_transaction_data(
        df, "customer_id", "date", monetary_value_col="amount", observation_period_end=as_of, freq="D"
    )
    t1 = time.perf_counter()
    bgf = lib.BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    t2 = time.perf_counter()
    rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
    ggf = lib.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    t3 = time.perf_counter()
    clv = ggf.customer_lifetime_value(
        bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=months, discount_rate=discount, freq="D"
    )
    t4 = time.perf_counter()
    return {
        "summary": t1 - t0,
        "BG/NBD fit": t2 - t1,
        "Gamma-Gamma fit": t3 - t2,
        "12-month CLV": t4 - t3,
        "total": t4 - t0,
        "bg": [float(bgf.params_[k]) for k in ("r", "alpha", "a", "b")],
        "gg": [float(ggf.params_[k]) for k in ("p", "q", "v")],
        "clv": clv.to_numpy(),
        "ids": s.index.to_numpy(),
    }
"""


def dropin_run(frame: pd.DataFrame, as_of: Any) -> Dict[str, Any]:
    """The lifetimes notebook with only its package changed to crm.lifetimes (pandas in,
    pandas out)."""
    import crm.lifetimes.utils

    space: Dict[str, Any] = {}
    exec(NOTEBOOK, space)
    return {"build base": float("nan"), **space["notebook"](crm.lifetimes, frame, str(as_of), MONTHS, DISCOUNT)}


def best(runs: list) -> Dict[str, Any]:
    out = dict(runs[-1])
    for k, v in runs[0].items():
        if isinstance(v, float):
            out[k] = min(r[k] for r in runs)
    return out


LIFETIMES_CHILD = NOTEBOOK + r"""
import json, sys
import numpy as np, pandas as pd
import lifetimes, lifetimes.utils
folder, as_of, months, discount = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
repeat = int(sys.argv[5])
df = pd.DataFrame({
    "customer_id": np.load(folder + "/customer_id.npy"),
    "date": np.load(folder + "/date.npy").astype("datetime64[ns]"),
    "amount": np.load(folder + "/amount.npy"),
})
runs = [notebook(lifetimes, df, as_of, months, discount) for _ in range(repeat)]
result = dict(runs[-1])
for k, v in runs[0].items():
    if isinstance(v, float):
        result[k] = min(r[k] for r in runs)
np.save(folder + "/clv.npy", result.pop("clv"))
np.save(folder + "/ids.npy", result.pop("ids"))
print(json.dumps(result))
"""


def lifetimes_run(df: pl.DataFrame, as_of: Any, python: Optional[str], repeat: int = 1) -> Optional[Dict[str, Any]]:
    interpreter = python
    if interpreter is None:
        default = Path("/tmp/lifetimes-venv/bin/python")
        interpreter = str(default) if default.exists() else None
    if interpreter is None:
        print("lifetimes: no --lifetimes-python and no /tmp/lifetimes-venv: skipped (see the docstring)")
        return None
    with tempfile.TemporaryDirectory() as folder:
        ids = df["customer_id"].to_numpy()
        np.save(f"{folder}/customer_id.npy", ids.astype(str) if ids.dtype == object else ids)
        np.save(f"{folder}/date.npy", df["date"].to_numpy().astype("datetime64[D]"))
        np.save(f"{folder}/amount.npy", df["amount"].to_numpy())
        out = subprocess.run(
            [interpreter, "-c", LIFETIMES_CHILD, folder, str(as_of), str(MONTHS), str(DISCOUNT), str(repeat)],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
        if out.returncode != 0:
            print(f"lifetimes: failed in {interpreter}: skipped\n{out.stderr.strip()[-800:]}")
            return None
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["clv"] = np.load(f"{folder}/clv.npy")
        result["ids"] = np.load(f"{folder}/ids.npy", allow_pickle=True)
    return result


def rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


BGBB_CHILD = r"""
import json, sys, time
import numpy as np, pandas as pd
from lifetimes import BetaGeoBetaBinomFitter
d = pd.read_csv(sys.argv[1])
rows = d.loc[d.index.repeat(d["weights"])].reset_index(drop=True)
best = None
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    f = BetaGeoBetaBinomFitter().fit(rows["frequency"], rows["recency"], rows["periods"])
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
print(json.dumps({"fit": best, "params": [float(v) for v in f.params_.values]}))
"""


def bgbb_compare(interpreter: Optional[str], repeat: int) -> None:
    """BG/BB on the donations with one row per donor (11,104 rows, unweighted)."""
    from crm.lifetimes import BetaGeoBetaBinomFitter

    path = Path(__file__).resolve().parents[2] / "data" / "donations.csv"
    d = pd.read_csv(path)
    rows = d.loc[d.index.repeat(d["weights"])].reset_index(drop=True)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f = BetaGeoBetaBinomFitter().fit(rows["frequency"], rows["recency"], rows["periods"])
        times.append(time.perf_counter() - t0)
    ours = [float(v) for v in f.params_.values]
    line = f"BG/BB fit on {len(rows):,} unweighted rows: crm.lifetimes {min(times):.4f} s"
    if interpreter is not None:
        out = subprocess.run(
            [interpreter, "-c", BGBB_CHILD, str(path), str(repeat)],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )
        if out.returncode == 0:
            life = json.loads(out.stdout.strip().splitlines()[-1])
            line += (
                f", lifetimes {life['fit']:.4f} s: {life['fit'] / min(times):.1f}x; "
                f"parameters within {rel(ours, life['params']):.1e}"
            )
    print(line)


def lifetimes_python(args: Any) -> Optional[str]:
    if args.skip_lifetimes:
        return None
    if args.lifetimes_python is not None:
        return args.lifetimes_python
    default = Path("/tmp/lifetimes-venv/bin/python")
    return str(default) if default.exists() else None


STEPS = ["build base", "summary", "BG/NBD fit", "Gamma-Gamma fit", "12-month CLV", "total"]


def run_size(customers: int, args: Any, with_lifetimes: bool) -> Dict[str, Any]:
    """Every run at one size; prints its table and returns the ratios."""
    t0 = time.perf_counter()
    sample = crm.sample(
        customers,
        seed=1,
        purchases_per_year=args.purchases_per_year,
        lifetime_years=3.0,
        prospect_share=0.0,
        profiles=False,
        interactions=False,
    )
    # Rows in date order, as a sales export comes (the generator's customer-by-customer
    # order would flatter crm's grouping).
    df = pl.DataFrame(sample.transactions).with_columns(pl.col("date").dt.date()).sort("date", maintain_order=True)
    if args.string_ids:
        # Ids as an export has them: text ("C00001234"), str in pandas 3, object in lifetimes' pandas.
        df = df.with_columns(("C" + pl.col("customer_id").cast(pl.String).str.zfill(8)).alias("customer_id"))
    pdf = df.to_pandas()
    as_of = sample.end
    print(
        f"== {customers:,} customers: {df['customer_id'].n_unique():,} buyers, {df.height:,} transactions, "
        f"as of {as_of} (generated in {time.perf_counter() - t0:.1f} s)"
    )

    # Small sizes take milliseconds: more rounds to see past the machine's noise.
    repeat = args.repeat or (10 if customers <= 20_000 else 5 if customers <= 200_000 else 3)
    crm_pl = best([crm_run(df, as_of) for _ in range(repeat)])
    crm_pd = best([crm_run(pdf, as_of) for _ in range(repeat)])
    del pdf
    # The lifetimes notebook's frame: datetime64 dates, as the lifetimes run gets them.
    ldf = pd.DataFrame(
        {
            "customer_id": df["customer_id"].to_numpy(),
            "date": df["date"].to_numpy().astype("datetime64[ns]"),
            "amount": df["amount"].to_numpy(),
        }
    )
    dropin = best([dropin_run(ldf, as_of) for _ in range(repeat)])
    del ldf
    life_repeat = 3 if customers <= 200_000 else 1
    life = lifetimes_run(df, as_of, lifetimes_python(args), life_repeat) if with_lifetimes else None

    print(
        f"{'step':<18}{'crm (polars)':>14}{'crm (pandas)':>14}{'crm.lifetimes':>15}{'lifetimes':>12}"
        f"{'x polars':>10}{'x drop-in':>11}   seconds (best of {repeat}, lifetimes of {life_repeat}); x: lifetimes / crm"
    )
    ratios: Dict[str, Any] = {}
    for s in STEPS:
        lt = "" if life is None or s not in life else f"{life[s]:12.3f}"
        di = "" if dropin[s] != dropin[s] else f"{dropin[s]:15.3f}"
        r_pl = r_di = ""
        if life is not None and s in life:
            ratios[s] = (life[s] / crm_pl[s], life[s] / dropin[s])
            r_pl, r_di = f"{ratios[s][0]:10.1f}", f"{ratios[s][1]:11.1f}"
        print(f"{s:<18}{crm_pl[s]:14.3f}{crm_pd[s]:14.3f}{di:>15}{lt:>12}{r_pl:>10}{r_di:>11}")
    same = rel(crm_pl["bg"], crm_pd["bg"]) == 0 and rel(crm_pl["gg"], crm_pd["gg"]) == 0
    print(f"crm from polars and from pandas: identical parameters: {same}")
    if life is not None:
        params = rel(crm_pl["bg"] + crm_pl["gg"], life["bg"] + life["gg"])
        print(f"max relative difference of the parameters: {params:.2e}   (goal <= 1e-4)")
        if crm_pl["ids"] is not None:
            ours = pd.Series(crm_pl["clv"], index=crm_pl["ids"]).reindex(life["ids"]).to_numpy()
        else:
            ours = crm_pl["clv"]
        print(f"max relative difference of the CLVs: {rel(ours, life['clv']):.2e}")
        same_rows = np.array_equal(dropin["ids"], life["ids"])
        print(
            f"crm.lifetimes drop-in vs lifetimes: same rows in the same order: {same_rows}; parameters within "
            f"{rel(dropin['bg'] + dropin['gg'], life['bg'] + life['gg']):.2e}, CLVs within {rel(dropin['clv'], life['clv']):.2e}"
        )
    print(f"crm end to end: {crm_pl['total']:.2f} s from polars, {crm_pd['total']:.2f} s from pandas\n")
    return ratios


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", default="10000,100000,1000000", help="sizes, comma-separated")
    p.add_argument("--lifetimes-max", type=int, default=100_000, help="run lifetimes up to this size (slow above)")
    p.add_argument("--purchases-per-year", type=float, default=13.0)
    p.add_argument("--repeat", type=int, default=None, help="crm rounds (default 10 / 5 / 3 by size)")
    p.add_argument("--lifetimes-python", default=None)
    p.add_argument("--skip-lifetimes", action="store_true")
    p.add_argument("--string-ids", action="store_true", help="customer ids as text (C00001234) instead of integers")
    args = p.parse_args()

    print(f"crm {crm.__version__}, polars {pl.__version__}, pandas {pd.__version__}, numpy {np.__version__}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, crm threads {crm.threads()}\n")
    sizes = [int(v) for v in args.customers.split(",")]
    interpreter = lifetimes_python(args)
    if interpreter is None and not args.skip_lifetimes:
        print("lifetimes: no --lifetimes-python and no /tmp/lifetimes-venv: skipped (see the docstring)")
    table = {n: run_size(n, args, interpreter is not None and n <= args.lifetimes_max) for n in sizes}
    bgbb_compare(interpreter, args.repeat or 3)
    steps = [s for s in STEPS if s != "build base"]
    print("\nlifetimes / crm, native (polars) | drop-in (the notebook with its import changed); goal: total >= 50x, every step >= 20x")
    print(f"{'customers':>10}" + "".join(f"{s:>22}" for s in steps))
    for n, ratios in table.items():
        cells = "".join(f"{ratios[s][0]:>11.1f} |{ratios[s][1]:>8.1f}" if s in ratios else f"{'(not run)':>22}" for s in steps)
        print(f"{n:>10,}" + cells)


if __name__ == "__main__":
    main()
