#!/usr/bin/env bash
# Benchmark of docker exec (issue 8). Starts its own berthd (own socket, roots, cgroup parent and
# network names: bench/bench_lib.sh) and prints the median/p90 of `docker exec <c> true` and of
# `docker exec -i <c> cat` with a short input, over 30 runs each, and the shim's RSS meanwhile.
#   bench/exec_bench.sh [build-dir] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-30}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup

python3 "$here/tests/images/make_images.py" --out "$root/images" >/dev/null
bench_start_berthd "$build"
docker load -q -i "$root/images/busybox.tar" >/dev/null

echo "# berth exec benchmark, $(nproc) cores, runtime $(docker info --format '{{.DefaultRuntime}}')"
docker run -d --name bench-exec busybox sleep 100000 >/dev/null
docker exec bench-exec true # warm caches

printf "exec_true "
for _ in $(seq 1 "$runs"); do timed_ms docker exec bench-exec true; done | percentiles

stdin_cat() { echo hello | docker exec -i bench-exec cat >/dev/null; }
printf "exec_i_cat "
for _ in $(seq 1 "$runs"); do timed_ms stdin_cat; done | percentiles

shim_pid=$(cat "$root"/exec/containers/*/shim/shim.pid)
echo "shim_rss_kib=$(awk '/^VmRSS/{print $2}' "/proc/$shim_pid/status")"
docker rm -f bench-exec >/dev/null
