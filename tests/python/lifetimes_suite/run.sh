#!/usr/bin/env bash
# Runs lifetimes 0.11.3's own test suite against crm.lifetimes (not part of CI: it needs a
# lifetimes checkout, which CI cannot download).
#
#   bash tests/python/lifetimes_suite/run.sh /path/to/lifetimes [pytest args...]
#
# The suite's tests and data sets are copied to a temporary directory next to a `lifetimes`
# package that only re-exports `crm.lifetimes` (lifetimes' own code is never imported), and
# pytest runs there with the Python of $PYTHON (default: .venv/bin/python, the one the
# extension was built into). The last line is the pass count.
#
# The tests also use two pandas helpers that pandas 2 removed (`pandas.util.testing` and
# `DataFrame.append`); `shim_conftest.py` puts them back for the test code only, so the
# tests check crm.lifetimes rather than which pandas the tests were written for.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
src="${1:?usage: run.sh <lifetimes checkout> [pytest args]}"
shift
src="$(cd "$src" && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
# The suite itself imports scipy (test_generate_data.py) and matplotlib.
for module in scipy matplotlib pytest; do
    "$python" -c "import $module" 2>/dev/null || { echo "$python needs $module: $python -m pip install $module"; exit 1; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tests" "$work/lifetimes/datasets"
cp "$src"/tests/test_*.py "$work/tests/"
cp "$src"/tests/conftest.py "$work/tests/conftest.py"
cp "$here/shim_conftest.py" "$work/conftest.py"
# Some tests read the data files by their path in a checkout.
cp "$src"/lifetimes/datasets/*.csv "$src"/lifetimes/datasets/*.txt "$work/lifetimes/datasets/"
# The shim: `import lifetimes` (and its submodules) is crm.lifetimes.
cat > "$work/lifetimes/__init__.py" <<'PY'
import importlib
import sys

import crm.lifetimes as _target

for _name in ("utils", "generate_data", "plotting", "datasets", "fitters", "version"):
    try:
        sys.modules["lifetimes." + _name] = importlib.import_module("crm.lifetimes." + _name)
    except ImportError:  # a module crm.lifetimes does not have (yet)
        pass
sys.modules["lifetimes"] = _target
PY
cd "$work"
set +e
MPLBACKEND=Agg PYTHONPATH="$root/python:${PYTHONPATH:-}" "$python" -m pytest -q -p no:cacheprovider \
    -o addopts="" -o filterwarnings="" -o testpaths=tests tests "$@" | tee "$work/out.txt"
set -e
passed=$(grep -Eo '[0-9]+ passed' "$work/out.txt" | tail -1 | grep -Eo '[0-9]+' || echo 0)
total=$(tail -1 "$work/out.txt" | grep -Eo '[0-9]+ (passed|failed|errors?)' | grep -Eo '[0-9]+' | paste -sd+ | bc)
echo "lifetimes suite against crm.lifetimes: $passed of $total passed"
