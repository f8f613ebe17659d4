#!/usr/bin/env bash
# The C library as an ERP build uses it: installed into a prefix (crm-ffi/install.sh), then a
# C program built against it with pkg-config and with CMake's find_package, shared and static.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
if ! command -v cmake >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq cmake >/dev/null
    fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
bash crm-ffi/install.sh "$prefix" --debug >/dev/null

# pkg-config: the documented link line, then the program runs against the SONAME.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
test "$(pkg-config --modversion crm)" = "$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
# shellcheck disable=SC2046
gcc -std=c99 -Wall -Wextra -Werror -I tests/c tests/c/test_version.c $(pkg-config --cflags --libs crm) \
    -Wl,-rpath,"$prefix/lib" -o "$work/pc_shared"
soname=$(readelf -d "$prefix/lib/libcrm_ffi.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
readelf -d "$work/pc_shared" | grep -q "NEEDED.*\[$soname\]" || { echo "program does not need $soname"; exit 1; }
"$work/pc_shared"
echo "pkg-config: built and ran against $soname"

# CMake: find_package(crm) with the shared and the static target.
command -v cmake >/dev/null || { echo "cmake missing: cannot test find_package(crm)"; exit 1; }
cmake -S tests/c/cmake -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" "$work/cmake/version_shared"
"$work/cmake/version_static"
readelf -d "$work/cmake/version_static" | grep -q "NEEDED.*libcrm_ffi" && { echo "static build needs the shared library"; exit 1; }
echo "cmake: find_package(crm) built and ran the shared and the static program"
cd "$root"
