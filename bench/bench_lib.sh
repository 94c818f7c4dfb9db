# shellcheck shell=bash
# What the benchmark scripts share (sourced by them): a bench's own berthd — its temp root, cgroup
# parent and network names — started and removed with everything it left on the host (found
# through the bench's own directories and network prefix, never by process name), and timing
# helpers. A script does:
#   . "$here/bench/bench_lib.sh"
#   bench_setup            # sets root, cgroup_parent, prefix, bip, pool; cleanup on exit/Ctrl-C
#   bench_start_berthd "$build" [more berthd flags]
# The daemon gets its own --network-prefix, --bip and --default-address-pool (random 10.x subnets
# no host route uses), --ip-forward=false and --dns 127.0.0.1: it never touches the host's own
# bridges, tables or resolver.

# A second octet in 100..249 that no host route under 10.0.0.0/8 uses (a coarse, safe check),
# and not $1.
bench_free_octet() {
  local routes a
  routes=$(ip -4 route show table all)
  for _ in $(seq 1 200); do
    a=$((100 + RANDOM % 150))
    if ! grep -q "10\.$a\." <<< "$routes" && [ "$a" != "${1:-}" ]; then
      echo "$a"
      return
    fi
  done
  echo "no free 10.x subnet" >&2
  return 1
}

# Makes the bench's temp root and chooses its names; removes everything at exit (Ctrl-C too).
bench_setup() {
  root=$(mktemp -d /tmp/berth-bench-XXXXXX)
  cgroup_parent="/$(basename "$root")"
  prefix="z$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n' | cut -c1-5)"
  local bip_octet pool_octet
  bip_octet=$(bench_free_octet)
  pool_octet=$(bench_free_octet "$bip_octet")
  bip="10.$bip_octet.$((RANDOM % 256)).1/24"
  pool="10.$pool_octet.0.0/16"
  pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Starts $1/berthd (further arguments are more flags) with its socket, roots and config under
# $root; sets `pid`; waits (bounded) until it answers and points the docker CLI at it.
bench_start_berthd() {
  local build=$1
  shift
  [ -f "$root/daemon.json" ] || echo '{}' > "$root/daemon.json"
  "$build/berthd" -H "unix://$root/b.sock" --data-root "$root/data" --exec-root "$root/exec" \
    --config-file "$root/daemon.json" --cgroup-parent "$cgroup_parent" --metrics-addr "" \
    --network-prefix "$prefix" --bip "$bip" --default-address-pool "base=$pool,size=24" \
    --ip-forward=false --dns 127.0.0.1 "$@" >> "$root/log" 2>&1 &
  pid=$!
  export DOCKER_HOST="unix://$root/b.sock" DOCKER_CONFIG="$root/docker-config"
  for _ in $(seq 1 200); do
    curl -sf --unix-socket "$root/b.sock" http://b/_ping >/dev/null 2>&1 && return
    sleep 0.05
  done
  echo "berthd did not start; its log: $root/log" >&2
  return 1
}

# Stops the daemon (SIGTERM, waited for).
bench_stop_berthd() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; fi
  pid=""
}

bench_cleanup() {
  set +e # remove as much as can be removed
  trap - EXIT INT TERM
  bench_stop_berthd
  local state rt id f link pin m h
  # Containers outlive the daemon (live restore): through the runtimes' state, then the shims.
  for state in "$root"/exec/runtime/*; do
    [ -d "$state" ] || continue
    rt=$(basename "$state")
    for id in $("$rt" --root "$state" list -q 2>/dev/null); do
      "$rt" --root "$state" kill --all "$id" KILL >/dev/null 2>&1
      "$rt" --root "$state" delete --force "$id" >/dev/null 2>&1
    done
  done
  for f in "$root"/exec/containers/*/shim/shim.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  # What the networking made, by this bench's prefix only.
  for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$prefix"); do
    ip link delete "$link" 2>/dev/null
  done
  nft delete table ip "$prefix" 2>/dev/null
  nft delete table bridge "$prefix" 2>/dev/null
  for pin in "$root"/exec/netns/*; do
    [ -e "$pin" ] || continue
    umount -l "$pin" 2>/dev/null
    rm -f "$pin"
  done
  grep -o " ${root}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null
  done
  for h in /sys/fs/cgroup/*; do
    [ -d "$h$cgroup_parent" ] || continue
    find "$h$cgroup_parent" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf "$root"
}

now_ms() { date +%s%N | awk '{printf "%.3f", $1/1e6}'; }

# Prints "median_ms=… p90_ms=… runs=…" of the numbers on stdin.
percentiles() {
  sort -n | awk '{v[NR]=$1} END{m=v[int((NR+1)/2)]; p=v[int(NR*0.9+0.999)];
    printf "median_ms=%.1f p90_ms=%.1f runs=%d\n", m, p, NR}'
}

# Runs a command with its output discarded; prints how long it took in ms.
timed_ms() {
  local t0 t1
  t0=$(now_ms)
  "$@" >/dev/null
  t1=$(now_ms)
  echo "$t1 - $t0" | bc
}
