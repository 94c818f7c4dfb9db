#!/usr/bin/env bash
# Benchmark of the API front-end (issue 2): GET /_ping and GET /version over the unix socket with
# N concurrent keep-alive clients, and the daemon's idle RSS. Starts its own berthd in a temp dir
# (bench/bench_lib.sh).
#   bench/api_bench.sh [build-dir]      (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
seconds=${BENCH_SECONDS:-5}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup
bench_start_berthd "$build"
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "# berthd $("$build/berthd" --version) on $(nproc) cores, ${seconds}s per run"
echo "idle_rss_kib=$(rss_kib) (after start)"
for path in /_ping /version; do
  for conns in 1 8 32; do
    "$build/bench/http_bench" --socket "$root/b.sock" --path "$path" --connections "$conns" \
      --seconds "$seconds"
  done
done
sleep 1
echo "idle_rss_kib=$(rss_kib) (after the load)"
if command -v dockerd >/dev/null 2>&1; then
  echo "# dockerd is installed; compare with: $build/http_bench --socket /var/run/docker.sock --path /_ping"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
