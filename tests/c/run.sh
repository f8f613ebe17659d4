#!/usr/bin/env bash
# Builds every tests/c/test_*.c against the static library and runs it three ways:
# plain, under valgrind (leak check, errors fail), and with AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=tests/c/build
mkdir -p "$out"
export PYO3_PYTHON="${PYO3_PYTHON:-$root/.venv/bin/python}"
cargo build -p crm-ffi --features test-panic
# Where cargo puts the library (CARGO_TARGET_DIR or the workspace's target/).
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
lib="$target/debug/libcrm_ffi.a"
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic -g -I"$root/include" -I"$root/tests/c")
libs=("$lib" -lpthread -ldl -lm)

if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
    fi
fi

# The header must also compile as C++.
if command -v g++ >/dev/null; then
    echo '#include "crm.h"
int main(void) { return crm_version() == nullptr; }' > "$out/cxx_check.cpp"
    g++ -std=c++11 -Wall -Wextra -Werror -I"$root/include" -c "$out/cxx_check.cpp" -o "$out/cxx_check.o"
fi

passed=0
failed=0
for src in tests/c/test_*.c; do
    name=$(basename "$src" .c)
    gcc "${cflags[@]}" "$src" -o "$out/$name" "${libs[@]}"
    gcc "${cflags[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
        "$src" -o "$out/$name.asan" "${libs[@]}"
    for mode in plain valgrind asan; do
        case $mode in
            plain) cmd=("$root/$out/$name") ;;
            valgrind)
                command -v valgrind >/dev/null || { echo "valgrind missing: cannot run $name under valgrind"; exit 1; }
                cmd=(valgrind -q --suppressions="$root/tests/c/valgrind.supp" --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1 "$root/$out/$name") ;;
            asan) cmd=(env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$root/$out/$name.asan") ;;
        esac
        if (cd tests/c && "${cmd[@]}" > "$root/$out/$name.$mode.log" 2>&1); then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAILED: $name ($mode)"; cat "$out/$name.$mode.log"
        fi
    done
    # Each binary holds the whole static library (~50 MB with its debug info): a passed
    # test's two are removed at once, so the suite needs ~0.1 GB of disk, not 2.6 GB.
    if [ "$failed" = 0 ]; then rm -f "$out/$name" "$out/$name.asan"; fi
done
echo "C tests: $passed passed, $failed failed"
[ "$failed" = 0 ]

# The installed library (SONAME, pkg-config, CMake find_package), shared and static.
bash tests/c/packaging.sh
