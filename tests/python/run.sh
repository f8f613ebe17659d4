#!/usr/bin/env bash
# Builds the extension into .venv (maturin develop) and runs pytest with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/python/venv.sh
export PYO3_PYTHON="$PWD/.venv/bin/python"
export VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH"
.venv/bin/maturin develop --quiet
MPLBACKEND=Agg .venv/bin/python -m pytest -q -W error tests/python
