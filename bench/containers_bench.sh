#!/usr/bin/env bash
# Benchmark of containers (issue 4). Starts its own berthd (own socket, roots, cgroup parent and
# network names: bench/bench_lib.sh) and prints: median/p90 of `docker run --rm busybox true`
# and of create+start+rm -f, 50 containers started sequentially and 8 at a time, `docker ps -a`
# with 200 containers, `docker logs` throughput on 100,000 lines, daemon RSS idle and with 50
# running, and the shim's RSS per container; then run and create+start+rm -f with --network none,
# and the same against a private dockerd when it is installed (bench_start_dockerd).
#   bench/containers_bench.sh [build-dir] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-20}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup

python3 "$here/tests/images/make_images.py" --out "$root/images" >/dev/null
bench_start_berthd "$build"
docker load -q -i "$root/images/busybox.tar" >/dev/null

rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
echo "# berth containers benchmark, $(nproc) cores, runtime $(docker info --format '{{.DefaultRuntime}}')"
echo "daemon_rss_idle_mib=$(awk -v k="$(rss_kib "$pid")" 'BEGIN{printf "%.1f", k/1024}')"

docker run --rm busybox true >/dev/null # warm caches
printf "run_rm_true "
for _ in $(seq 1 "$runs"); do timed_ms docker run --rm busybox true; done | percentiles

create_start_rm() {
  local id
  id=$(docker create busybox sleep 1000)
  docker start "$id" >/dev/null
  docker rm -f "$id" >/dev/null
}
printf "create_start_rm_f "
for _ in $(seq 1 "$runs"); do timed_ms create_start_rm; done | percentiles

t0=$(now_ms)
for i in $(seq 1 50); do docker run -d --name "seq$i" busybox sleep 1000 >/dev/null; done
t1=$(now_ms)
echo "start_50_sequential seconds=$(echo "($t1 - $t0)/1000" | bc -l | xargs printf %.2f)"
echo "daemon_rss_50_running_mib=$(awk -v k="$(rss_kib "$pid")" 'BEGIN{printf "%.1f", k/1024}')"
shim_total=0 shims=0
for f in "$root"/exec/containers/*/shim/shim.pid; do
  shim_total=$((shim_total + $(rss_kib "$(cat "$f")"))); shims=$((shims + 1))
done
echo "shim_rss_mib_avg=$(awk -v t="$shim_total" -v n="$shims" 'BEGIN{printf "%.2f", t/n/1024}') shims=$shims"
docker ps -aq | xargs -r docker rm -f >/dev/null

t0=$(now_ms)
seq 1 50 | xargs -P 8 -I{} docker run -d --name "par{}" busybox sleep 1000 >/dev/null
t1=$(now_ms)
echo "start_50_parallel8 seconds=$(echo "($t1 - $t0)/1000" | bc -l | xargs printf %.2f)"
docker ps -aq | xargs -r docker rm -f >/dev/null

seq 1 200 | xargs -P 8 -I{} docker create --name "ps{}" busybox true >/dev/null
printf "ps_a_200 "
for _ in $(seq 1 10); do timed_ms docker ps -a; done | percentiles
docker ps -aq | xargs -r docker rm -f >/dev/null

line='0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456'
docker run --name logs busybox sh -c "yes '$line' | head -n 100000" >/dev/null
bytes=$(docker logs logs | wc -c)
best=""
for _ in 1 2 3; do
  ms=$(timed_ms docker logs logs)
  if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; fi
done
awk -v b="$bytes" -v ms="$best" \
  'BEGIN{printf "logs_100k_lines bytes=%d ms=%.0f mib_per_s=%.1f\n", b, ms, b/1048576/(ms/1000)}'

# Side by side with a private dockerd (bench_start_dockerd), which has no bridge: both with
# --network none.
create_start_rm_none() {
  local id
  id=$(docker create --network none busybox sleep 1000)
  docker start "$id" >/dev/null
  docker rm -f "$id" >/dev/null
}
network_none_figures() {
  local label=$1
  docker run --rm --network none busybox true >/dev/null # warm caches
  printf "%srun_rm_true_network_none " "$label"
  for _ in $(seq 1 "$runs"); do timed_ms docker run --rm --network none busybox true; done |
    percentiles
  printf "%screate_start_rm_f_network_none " "$label"
  for _ in $(seq 1 "$runs"); do timed_ms create_start_rm_none; done | percentiles
}
network_none_figures ""

if bench_start_dockerd; then
  export DOCKER_HOST="$dockerd_host"
  docker load -q -i "$root/images/busybox.tar" >/dev/null
  echo "# side by side: dockerd $(docker version --format '{{.Server.Version}}'), its own roots"
  engine_kib=0
  for p in $(pgrep -f "$root/dockerd"); do engine_kib=$((engine_kib + $(rss_kib "$p"))); done
  echo "dockerd_rss_idle_mib=$(awk -v k="$engine_kib" 'BEGIN{printf "%.1f", k/1024}') (dockerd and its containerd)"
  network_none_figures "dockerd_"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
