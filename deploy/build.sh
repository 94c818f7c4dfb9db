#!/usr/bin/env bash
# Configures and builds Berth (Release) into build/. Usage: deploy/build.sh [extra cmake args]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${BERTH_BUILD_JOBS:-$(nproc)}
cmake -S "$top" -B "$top/build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
ninja -C "$top/build" -j "$jobs"
