#!/usr/bin/env bash
# Benchmark of the local image store (issue 3): `docker load` of a ~200 MB multi-layer image
# (seconds, MB/s) into a fresh store, a reload of the same image (layers already present), and
# the raw layer extraction throughput of the largest uncompressed layer. Starts its own berthd
# (bench/bench_lib.sh).
#   bench/image_load_bench.sh [build-dir] [size-mib]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
mib=${2:-200}
runs=${BENCH_RUNS:-3}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup
python3 "$here/tests/images/make_images.py" --out "$root/images" --big-mb "$mib" >/dev/null
archive="$root/images/big.tar"
bytes=$(stat -c %s "$archive")
bench_start_berthd "$build"
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
