#!/usr/bin/env bash
# The README's second command (and CI's): installs every dependency, builds Berth with its tests,
# and runs all unit and integration tests. Must run as root (tests start real daemons).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "deploy/test.sh: run as root" >&2; exit 1; }
"$top/deploy/install-deps.sh"
command -v docker >/dev/null || { echo "deploy/test.sh: the docker CLI is missing" >&2; exit 1; }
"$top/deploy/build.sh"
(cd "$top/build" && ctest --output-on-failure --timeout 900 -j "${BERTH_TEST_JOBS:-2}" "$@")
# The parsers of untrusted input (image references, layer tars) run under libFuzzer briefly.
"$top/deploy/fuzz.sh" "${BERTH_FUZZ_SECONDS:-20}"
