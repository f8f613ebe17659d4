#!/usr/bin/env bash
# Runs the distributed suite (crm.spark in local[2], crm.dask on a 2-process LocalCluster)
# in its own pytest run, so the rest of the Python suite never imports pyspark or dask.
# Expects the extension built into .venv (tests/python/run.sh does that).
set -euo pipefail
cd "$(dirname "$0")/../.."
stamp=.venv/.distributed.stamp
if ! cmp -s tests/distributed/requirements.txt "$stamp" 2>/dev/null; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r tests/distributed/requirements.txt
    cp tests/distributed/requirements.txt "$stamp"
fi
export SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$PWD/.venv/bin/python" PYSPARK_DRIVER_PYTHON="$PWD/.venv/bin/python"
MPLBACKEND=Agg .venv/bin/python -m pytest -q -W error -p no:cacheprovider tests/distributed
