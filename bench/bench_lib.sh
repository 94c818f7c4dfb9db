# shellcheck shell=bash
# What the benchmark scripts share (sourced by them): a bench's own berthd — its temp root, cgroup
# parent and network names — started and removed with everything it left on the host (found
# through the bench's own directories and network prefix, never by process name), and timing
# helpers. A script does:
#   . "$here/bench/bench_lib.sh"
#   bench_setup            # sets root, cgroup_parent, prefix, bip, pool; cleanup on exit/Ctrl-C
#   bench_start_berthd "$build" [more berthd flags]
#   bench_start_dockerd    # optional: a private dockerd for side-by-side figures
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

# Side by side: a private dockerd (when installed) with its own socket, roots, config, cgroup
# parent and containerd namespace under $root/dockerd, and every network change off (no bridge,
# no iptables, no forwarding). Sets `dockerd_pid` and `dockerd_host`; returns 1 when there is no
# dockerd. Containers on it need `--network none`.
bench_start_dockerd() {
  command -v dockerd >/dev/null 2>&1 || return 1
  local d="$root/dockerd"
  mkdir -p "$d"
  echo '{}' > "$d/daemon.json"
  dockerd --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/d.sock" \
    --pidfile "$d/dockerd.pid" --config-file "$d/daemon.json" --cgroup-parent "$cgroup_parent-dockerd" \
    --containerd-namespace "$prefix" --containerd-plugins-namespace "$prefix-plugins" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
    --userland-proxy=false --log-level warn >> "$d/log" 2>&1 < /dev/null &
  dockerd_pid=$!
  dockerd_host="unix://$d/d.sock"
  for _ in $(seq 1 300); do
    curl -sf --unix-socket "$d/d.sock" http://d/_ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "dockerd did not start; its log: $d/log" >&2
  return 1
}

# Stops the private dockerd (SIGTERM, waited for; it stops its containers and its containerd).
bench_stop_dockerd() {
  if [ -n "${dockerd_pid:-}" ]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$dockerd_pid" 2>/dev/null
  fi
  dockerd_pid=""
  # Whatever it started that is still there (its containerd, shims) runs from or for $root/dockerd:
  # found by that path in their command lines, stopped by PID.
  local p
  for p in $(pgrep -f "$root/dockerd" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
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
  bench_stop_dockerd
  local state rt id f link pin m h c
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
    for c in "$h$cgroup_parent" "$h$cgroup_parent-dockerd"; do
      [ -d "$c" ] || continue
      find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
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
