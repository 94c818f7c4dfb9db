#!/usr/bin/env bash
# Benchmark of the local image store (issue 3): `docker load` of a ~200 MB multi-layer image
# (seconds, MB/s) into a fresh store, a reload of the same image (layers already present), and
# the raw layer extraction throughput of the largest uncompressed layer. Starts its own berthd.
#   bench/image_load_bench.sh [build-dir] [size-mib]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
mib=${2:-200}
runs=${BENCH_RUNS:-3}
root=$(mktemp -d /tmp/berth-bench-XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
python3 "$here/tests/images/make_images.py" --out "$root/images" --big-mb "$mib" >/dev/null
archive="$root/images/big.tar"
bytes=$(stat -c %s "$archive")
echo '{}' > "$root/daemon.json"
start_daemon() {
  "$build/berthd" -H "unix://$root/b.sock" --data-root "$root/data" --exec-root "$root/exec" \
    --config-file "$root/daemon.json" --metrics-addr "" >> "$root/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    curl -sf --unix-socket "$root/b.sock" http://b/_ping >/dev/null 2>&1 && return
    sleep 0.05
  done
  echo "berthd did not start" >&2; exit 1
}
export DOCKER_HOST="unix://$root/b.sock" DOCKER_CONFIG="$root/docker-config"
start_daemon
echo "# docker load of $(awk "BEGIN{printf \"%.0f\", $bytes/1e6}") MB ($(tar -tf "$archive" | grep -c '^blobs/sha256/.') blobs, 5 layers), $(nproc) cores"
for i in $(seq 1 "$runs"); do
  docker image prune -a -f >/dev/null
  sync
  t0=$(date +%s.%N)
  docker load -i "$archive" >/dev/null
  t1=$(date +%s.%N)
  awk -v s="$(echo "$t1 - $t0" | bc)" -v b="$bytes" -v r="$i" \
    'BEGIN{printf "fresh_load run=%d seconds=%.2f mb_per_s=%.0f\n", r, s, b/1e6/s}'
done
t0=$(date +%s.%N); docker load -i "$archive" >/dev/null; t1=$(date +%s.%N)
awk -v s="$(echo "$t1 - $t0" | bc)" -v b="$bytes" \
  'BEGIN{printf "reload_present_layers seconds=%.2f mb_per_s=%.0f\n", s, b/1e6/s}'
echo "data_root_mb=$(du -sm "$root/data" | cut -f1) (blobs kept for save/push + unpacked layers)"
# Raw extraction: the largest layer blob of the archive.
mkdir -p "$root/layer"
largest=$(tar -tvf "$archive" | sort -k3 -n | tail -1 | awk '{print $6}')
tar -xf "$archive" -C "$root/layer" "$largest"
"$build/bench/unpack_bench" "$root/layer/$largest" "$root/scratch" 3
if command -v dockerd >/dev/null 2>&1; then
  echo "# dockerd is installed: compare with 'time docker -H unix:///var/run/docker.sock load -i big.tar'"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
