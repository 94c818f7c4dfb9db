#!/usr/bin/env bash
# Benchmark of docker build (issue 9), the classic builder: the 3-step build (FROM busybox;
# RUN echo hi > /x; COPY a 1 KB file) with --no-cache and fully cached, medians and p90 over N
# runs each. Starts its own berthd (own socket, roots, cgroup parent and network names:
# bench/bench_lib.sh) and, when dockerd is installed, a private dockerd for the same builds
# side by side (bench_start_dockerd: its own roots, no network changes).
#   bench/build_bench.sh [build-dir] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-10}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup

python3 "$here/tests/images/make_images.py" --out "$root/images" >/dev/null
bench_start_berthd "$build"
docker load -q -i "$root/images/busybox.tar" >/dev/null
export DOCKER_BUILDKIT=0

ctx="$root/context"
mkdir -p "$ctx"
printf 'FROM busybox\nRUN echo hi > /x\nCOPY file.bin /file.bin\n' > "$ctx/Dockerfile"
head -c 1024 /dev/urandom > "$ctx/file.bin"

# The two builds against the daemon the docker CLI points at, `label` prefixing the figures.
# RUN steps use --network none, so that a dockerd without a bridge builds the same.
build_figures() {
  local label=$1
  docker build -q --network none -t bench-build "$ctx" >/dev/null 2>&1 # warm caches
  nocache() { docker build -q --no-cache --network none -t bench-build "$ctx" >/dev/null 2>&1; }
  printf "%sbuild_no_cache " "$label"
  for _ in $(seq 1 "$runs"); do timed_ms nocache; done | percentiles
  cached() { docker build -q --network none -t bench-build "$ctx" >/dev/null 2>&1; }
  printf "%sbuild_cached " "$label"
  for _ in $(seq 1 "$runs"); do timed_ms cached; done | percentiles
}

echo "# berth build benchmark, $(nproc) cores, runtime $(docker info --format '{{.DefaultRuntime}}')"
build_figures ""

if bench_start_dockerd; then
  export DOCKER_HOST="$dockerd_host"
  docker load -q -i "$root/images/busybox.tar" >/dev/null
  echo "# side by side: dockerd $(docker version --format '{{.Server.Version}}'), its own roots"
  build_figures "dockerd_"
else
  echo "# dockerd is not installed here: no side-by-side figures (issue's reference on the"
  echo "# development machine: dockerd 0.72-1.7 s uncached, 95-184 ms cached)"
fi
