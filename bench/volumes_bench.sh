#!/usr/bin/env bash
# Benchmark of volumes (issue 6). Starts its own berthd (own socket, roots, cgroup parent and
# network names: bench/bench_lib.sh) and prints:
#   (a) `docker run --rm busybox true` without a volume, with a named volume (-v named:/d), with
#       an anonymous one (-v /d: created and destroyed by every run) and with a tmpfs-option
#       volume (mounted and unmounted by every run): median/p90 over N runs, the four kinds
#       taking turns in every round so that a busy moment of the machine weighs on all alike;
#   (b) write throughput of `dd bs=1M count=256 conv=fsync` into a named volume, into the
#       container's overlay rootfs and into a tmpfs-option volume: the best of 3 runs, in MB/s,
#       with the cost of an empty `docker run` of the same kind subtracted (busybox dd prints no
#       timing of its own).
# Figures only, no assertions. Everything it made is removed with the bench's root, also on
# Ctrl-C.
#   bench/volumes_bench.sh [build-dir] [runs] [write-mib]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-20}
mib=${3:-256}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup

python3 "$here/tests/images/make_images.py" --out "$root/images" >/dev/null
bench_start_berthd "$build"
docker load -q -i "$root/images/busybox.tar" >/dev/null
docker volume create named >/dev/null
docker volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=$((mib + 64))m tmpvol \
  >/dev/null

echo "# berth volumes benchmark, $(nproc) cores, data root on $(df -T "$root" | awk 'NR==2{print $2}')"

# (a) the volume's cost per container.
kinds="none named anonymous tmpfs"
volume_args() {
  case $1 in
    none) ;;
    named) echo "-v named:/d" ;;
    anonymous) echo "-v /d" ;;
    tmpfs) echo "-v tmpvol:/d" ;;
  esac
}
for kind in $kinds; do
  # shellcheck disable=SC2046
  docker run --rm $(volume_args "$kind") busybox true >/dev/null # warm caches
done
for _ in $(seq 1 "$runs"); do
  for kind in $kinds; do
    # shellcheck disable=SC2046
    timed_ms docker run --rm $(volume_args "$kind") busybox true >> "$root/run_rm.$kind"
  done
done
for kind in $kinds; do
  printf "run_rm_true volume=%s " "$kind"
  percentiles < "$root/run_rm.$kind"
done
echo "volumes_left=$(docker volume ls -q | wc -l) (named and tmpvol: 2)"

# (b) write throughput. Each target: the best of 3 timed writes, minus the best of 3 empty runs.
best_of_3() {
  local best="" ms
  for _ in 1 2 3; do
    ms=$(timed_ms "$@")
    if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; fi
  done
  echo "$best"
}
write_rate() { # name, path inside the container, docker run options...
  local name=$1 path=$2
  shift 2
  local empty full
  empty=$(best_of_3 docker run --rm "$@" busybox sh -c "true")
  full=$(best_of_3 docker run --rm "$@" busybox sh -c \
    "dd if=/dev/zero of=$path/blob bs=1M count=$mib conv=fsync 2>/dev/null && rm $path/blob")
  awk -v n="$name" -v mib="$mib" -v e="$empty" -v f="$full" 'BEGIN{
    s = (f - e) / 1000; if (s <= 0) s = 0.001
    printf "write_%s mib=%d ms=%.0f empty_run_ms=%.0f mb_per_s=%.1f\n", n, mib, f - e, e, mib * 1.048576 / s}'
}
write_rate named_volume /d -v named:/d
write_rate overlay_rootfs /tmp
write_rate tmpfs_volume /d -v tmpvol:/d

if command -v dockerd >/dev/null 2>&1; then
  echo "# dockerd is installed: run the same commands against it for a side-by-side"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
