#!/usr/bin/env bash
# Benchmark of docker stats (issue 8). Starts its own berthd (own socket, roots, cgroup parent and
# network names: bench/bench_lib.sh), runs 50 containers and prints the median/p90 time of
# `docker stats --no-stream` over all of them (answered from the sampler's cache; dockerd waits
# ~1-2 s per container for a second sample), of one container's, and the daemon's CPU use while
# it samples the 50 every second.
#   bench/stats_bench.sh [build-dir] [runs] [containers]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-10}
count=${3:-50}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup

python3 "$here/tests/images/make_images.py" --out "$root/images" >/dev/null
bench_start_berthd "$build"
docker load -q -i "$root/images/busybox.tar" >/dev/null

echo "# berth stats benchmark, $(nproc) cores, runtime $(docker info --format '{{.DefaultRuntime}}')"
seq 1 "$count" | xargs -P 8 -I{} docker run -d --name "st{}" busybox sleep 100000 >/dev/null
running=$(docker ps -q | wc -l)
# The first call may wait for a container's second sample; the figures are of the warm cache.
docker stats --no-stream >/dev/null
lines=$(docker stats --no-stream --format '{{.Name}}' | wc -l)
echo "containers_running=$running stats_rows=$lines"

printf "stats_no_stream_all_%s " "$count"
for _ in $(seq 1 "$runs"); do timed_ms docker stats --no-stream; done | percentiles

printf "stats_no_stream_one "
for _ in $(seq 1 "$runs"); do timed_ms docker stats --no-stream st1; done | percentiles
echo "# the CLI prints on a 500 ms ticker: ~500 ms is its floor; the daemon's share is below"

# What the CLI asks for, without the CLI: GET /containers/{id}/stats?stream=false for every
# container at once.
api_all() {
  seq 1 "$count" | xargs -P "$count" -I{} \
    curl -sf --unix-socket "$root/b.sock" -o /dev/null "http://b/containers/st{}/stats?stream=false"
}
printf "api_stats_stream_false_all_%s " "$count"
for _ in $(seq 1 "$runs"); do timed_ms api_all; done | percentiles

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks "$pid")
sleep 10
t1=$(ticks "$pid")
awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$count" \
  'BEGIN{printf "daemon_cpu_percent_sampling_%d=%.2f\n", n, d / hz / 10 * 100}'

docker ps -aq | xargs -r docker rm -f >/dev/null
if command -v dockerd >/dev/null 2>&1; then
  echo "# dockerd is installed: run the same commands against it for a side-by-side"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
