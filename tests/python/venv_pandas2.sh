#!/usr/bin/env bash
# Creates (once) .venv-pandas2: the previous majors of the drop-in's stack (pandas 2.x on
# numpy 1.x), for a second run of the crm.lifetimes tests against the extension built in
# .venv (abi3, imported through PYTHONPATH=python: no second maturin build).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.venv-pandas2
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
stamp="$venv/.requirements.stamp"
if ! cmp -s tests/python/requirements-pandas2.txt "$stamp" 2>/dev/null; then
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r tests/python/requirements-pandas2.txt
    cp tests/python/requirements-pandas2.txt "$stamp"
fi
