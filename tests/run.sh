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

# Each section says when it starts (minutes into the run): CI allows 25 minutes in all.
section() { printf '== %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }

section "cargo fmt --check"
cargo fmt --all --check
section "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
section "Rust tests"
cargo test --workspace
section "include/crm.h matches what cbindgen generates"
git diff --exit-code -- include/ || { echo "include/crm.h is out of date: commit the regenerated header"; exit 1; }
if [ -n "$(git status --porcelain -- include/)" ]; then
    echo "include/ has uncommitted files:"; git status --porcelain -- include/; exit 1
fi
section "fuzz corpus and regressions replayed (fuzz/, with seeded mutations)"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
CARGO_TARGET_DIR="$target" cargo run -q --manifest-path fuzz/Cargo.toml --bin replay -- 100
section "C tests"
bash tests/c/run.sh
section "Python tests"
bash tests/python/run.sh
section "distributed: crm.spark (local[2]) and crm.dask (LocalCluster, 2 processes)"
bash tests/distributed/run.sh
section "the HTML report in headless Chromium"
bash tests/browser/run.sh
section "all suites passed"
