#!/usr/bin/env bash
# Runs every test suite of crm: format, lint, Rust tests (unit, integration, doc),
# the header check, the C suite (plain, valgrind, AddressSanitizer + UBSan) and the
# Python suite. Installs what it needs itself (a virtualenv in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# CI machines may have little free disk (a run once failed with ENOSPC at ~10 GB): there
# no incremental caches, no debug info in the linked test binaries, no pip cache.
if [ "${CI:-}" = true ]; then
    export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_STRIP=debuginfo PIP_NO_CACHE_DIR=1
fi

# One interpreter for every cargo and maturin call: switching recompiles pyo3.
bash tests/python/venv.sh
export PYO3_PYTHON="$root/.venv/bin/python"

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== Rust tests"
cargo test --workspace
echo "== include/crm.h matches what cbindgen generates"
git diff --exit-code -- include/ || { echo "include/crm.h is out of date: commit the regenerated header"; exit 1; }
if [ -n "$(git status --porcelain -- include/)" ]; then
    echo "include/ has uncommitted files:"; git status --porcelain -- include/; exit 1
fi
echo "== fuzz corpus and regressions replayed (fuzz/, with seeded mutations)"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
CARGO_TARGET_DIR="$target" cargo run -q --manifest-path fuzz/Cargo.toml --bin replay -- 100
echo "== C tests"
bash tests/c/run.sh
echo "== Python tests"
bash tests/python/run.sh
echo "== distributed: crm.spark (local[2]) and crm.dask (LocalCluster, 2 processes)"
bash tests/distributed/run.sh
echo "== the HTML report in headless Chromium"
bash tests/browser/run.sh
echo "== all suites passed"
