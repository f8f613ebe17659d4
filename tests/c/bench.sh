#!/usr/bin/env bash
# Bulk load of 10,000,000 transactions through the C API vs the same load from Rust
# (crm-core directly). Not part of the test suite. Usage: bash tests/c/bench.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
rows="${1:-10000000}"
export PYO3_PYTHON="${PYO3_PYTHON:-$root/.venv/bin/python}"
mkdir -p tests/c/build
cargo build --release -p crm-ffi --lib --example bench_load
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
gcc -std=c99 -O2 -Wall -Wextra -Werror -pedantic -I"$root/include" tests/c/bench_load.c \
    -o tests/c/build/bench_load "$target/release/libcrm_ffi.a" -lpthread -ldl -lm
rust=$("$target/release/examples/bench_load" "$rows" | tee /dev/stderr | awk '/best/ {print $3}')
c=$("$root/tests/c/build/bench_load" "$rows" | tee /dev/stderr | awk '/best/ {print $3}')
awk -v c="$c" -v r="$rust" 'BEGIN { printf "C / Rust load time: %.3f s / %.3f s = %.2f (limit 1.30)\n", c, r, c / r }'
