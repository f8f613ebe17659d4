#!/usr/bin/env bash
# Creates (once) the test virtualenv in .venv with the test requirements.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
stamp=.venv/.requirements.stamp
if ! cmp -s tests/python/requirements.txt "$stamp" 2>/dev/null; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r tests/python/requirements.txt
    cp tests/python/requirements.txt "$stamp"
fi
