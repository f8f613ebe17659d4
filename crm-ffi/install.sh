#!/usr/bin/env bash
# Installs the C library into a prefix: lib/libcrm_ffi.{a,so.X.Y.Z} with its SONAME and
# development symlinks, include/crm.h, lib/pkgconfig/crm.pc and lib/cmake/crm/ (so an ERP
# build finds it with `pkg-config --cflags --libs crm` or CMake's `find_package(crm)`).
#
#   bash crm-ffi/install.sh PREFIX [--debug]      (default: a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:?usage: install.sh PREFIX [--debug]}
profile=release
[ "${2:-}" = "--debug" ] && profile=debug
if [ "$profile" = release ]; then cargo build --release -p crm-ffi; else cargo build -p crm-ffi; fi
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
# 0.x releases break compatibility on the minor version (semver), later ones on the major.
if [ "$major" = 0 ]; then soname="libcrm_ffi.so.0.$minor"; else soname="libcrm_ffi.so.$major"; fi
mkdir -p "$prefix/lib/pkgconfig" "$prefix/lib/cmake/crm" "$prefix/include"
prefix=$(cd "$prefix" && pwd)
install -m 644 "$target/$profile/libcrm_ffi.a" "$prefix/lib/"
install -m 755 "$target/$profile/libcrm_ffi.so" "$prefix/lib/libcrm_ffi.so.$version"
ln -sf "libcrm_ffi.so.$version" "$prefix/lib/$soname"
ln -sf "$soname" "$prefix/lib/libcrm_ffi.so"
install -m 644 include/crm.h "$prefix/include/"
fill() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" -e "s|@SONAME@|$soname|g" "$1" > "$2"; }
fill crm-ffi/pkg/crm.pc.in "$prefix/lib/pkgconfig/crm.pc"
fill crm-ffi/pkg/crmConfig.cmake.in "$prefix/lib/cmake/crm/crmConfig.cmake"
fill crm-ffi/pkg/crmConfigVersion.cmake.in "$prefix/lib/cmake/crm/crmConfigVersion.cmake"
echo "installed crm $version ($soname) into $prefix"
