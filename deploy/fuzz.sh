#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (into build-fuzz/) and runs each one briefly.
#   deploy/fuzz.sh [seconds-per-target]   (default 20; CI runs it from deploy/test.sh)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-20}}
CC=clang CXX=clang++ cmake -S "$top" -B "$top/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBERTH_BUILD_FUZZ=ON -DBERTH_BUILD_TESTS=OFF -DBERTH_BUILD_BENCH=OFF >/dev/null
ninja -C "$top/build-fuzz" fuzzers
shopt -s nullglob
status=0
for target in "$top"/build-fuzz/tests/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus="$top/build-fuzz/corpus/$name"
  seeds="$top/tests/fuzz/seeds/${name#fuzz_}"
  mkdir -p "$corpus"
  echo "== $name (${seconds}s)"
  args=("$corpus")
  [ -d "$seeds" ] && args+=("$seeds")
  if ! "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 "${args[@]}" 2>"$top/build-fuzz/$name.log"; then
    echo "$name found a failure:"; tail -n 40 "$top/build-fuzz/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$top/build-fuzz/$name.log" | tail -n 2
  fi
done
exit $status
