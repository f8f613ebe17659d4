#!/usr/bin/env bash
# Builds the extension into .venv (maturin develop) and runs pytest with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/python/venv.sh
export PYO3_PYTHON="$PWD/.venv/bin/python"
export VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH"
.venv/bin/maturin develop --quiet
MPLBACKEND=Agg .venv/bin/python -m pytest -q -W error tests/python
# The lifetimes drop-in and pandas.DataFrame(result) again on the previous majors (numpy
# 1.x, pandas 2.x), with the extension just built (abi3) through PYTHONPATH: ~15 s for the
# venv once, ~6 s a run.
bash tests/python/venv_pandas2.sh
MPLBACKEND=Agg PYTHONPATH=python .venv-pandas2/bin/python -m pytest -q -W error -p no:cacheprovider --noconftest \
    tests/python/test_lifetimes.py tests/python/test_lifetimes_api.py tests/python/test_lifetimes_plotting.py \
    tests/python/test_intervals.py tests/python/test_pandas_frames.py
