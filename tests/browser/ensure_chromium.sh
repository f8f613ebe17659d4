#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is installed: installs it with apt-get
# when missing (as root), or says how otherwise.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    command -v chromium >/dev/null
else
    echo "ensure_chromium: chromium is missing; install it as root: apt-get install -y chromium" >&2
    exit 1
fi
