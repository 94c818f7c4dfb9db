#!/usr/bin/env bash
# Benchmark of registries (issue 7): `docker push` and `docker pull` of a ~200 MB multi-layer
# image of random (incompressible) data against a local docker-registry (Debian's distribution,
# started here on 127.0.0.1 with a port the kernel picks and its own storage, stopped by PID).
# Each pull starts from an empty image store; prints seconds and MB/s per run, with the default
# max-concurrent-downloads (3) and with 1 (set through a SIGHUP reload) to show what parallel
# downloads and extraction bring. Starts its own berthd (bench/bench_lib.sh).
#   bench/pull_bench.sh [build-dir] [size-mib]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
mib=${2:-200}
runs=${BENCH_RUNS:-3}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup
registry_pid=""
stop_registry() {
  # Never fails: the exit trap must go on to bench_cleanup under `set -e`.
  if [ -n "$registry_pid" ]; then
    kill -9 "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  registry_pid=""
}
trap 'stop_registry; bench_cleanup' EXIT

command -v docker-registry >/dev/null || { echo "docker-registry is not installed" >&2; exit 1; }
python3 "$here/tests/images/make_images.py" --out "$root/images" --big-mb "$mib" >/dev/null

# The registry: its own storage, 127.0.0.1 and a kernel-chosen port read back from its log.
mkdir -p "$root/registry"
cat > "$root/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $root/registry/storage
http:
  addr: 127.0.0.1:0
EOF
docker-registry serve "$root/registry/config.yml" > "$root/registry/log" 2>&1 &
registry_pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$root/registry/log" | head -1 | cut -d: -f2 || true)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "docker-registry did not start: $(cat "$root/registry/log")" >&2; exit 1; }
image="127.0.0.1:$port/big:1"

bench_start_berthd "$build"
docker load -q -i "$root/images/big.tar" >/dev/null
docker tag berth-test/big:1 "$image"
layers_bytes() {
  curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:$port/v2/big/manifests/1" |
    python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))'
}

t0=$(date +%s.%N)
docker push "$image" >/dev/null
t1=$(date +%s.%N)
bytes=$(layers_bytes)
nlayers=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://127.0.0.1:$port/v2/big/manifests/1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))')
echo "# docker push/pull of $(awk "BEGIN{printf \"%.0f\", $bytes/1e6}") MB in $nlayers layers (random data), local docker-registry, $(nproc) cores"
awk -v s="$(echo "$t1 - $t0" | bc)" -v b="$bytes" \
  'BEGIN{printf "push seconds=%.2f mb_per_s=%.0f\n", s, b/1e6/s}'

pull_runs() {
  local label=$1 i t0 t1
  for i in $(seq 1 "$runs"); do
    docker image prune -a -f >/dev/null
    sync
    t0=$(date +%s.%N)
    docker pull "$image" >/dev/null
    t1=$(date +%s.%N)
    awk -v s="$(echo "$t1 - $t0" | bc)" -v b="$bytes" -v r="$i" -v l="$label" \
      'BEGIN{printf "pull %s run=%d seconds=%.2f mb_per_s=%.0f\n", l, r, s, b/1e6/s}'
  done
}
pull_runs "max-concurrent-downloads=3"
echo '{"max-concurrent-downloads": 1}' > "$root/daemon.json"
since=$(date +%s)
kill -HUP "$pid"
# Applied once the daemon has emitted its reload event.
for _ in $(seq 1 100); do
  [ -n "$(docker events --since "$since" --until "$(($(date +%s) + 1))" --filter type=daemon \
    --filter event=reload --format x)" ] && break
done
pull_runs "max-concurrent-downloads=1"
t0=$(date +%s.%N); docker pull "$image" >/dev/null; t1=$(date +%s.%N)
echo "pull_up_to_date seconds=$(echo "$t1 - $t0" | bc | xargs printf %.2f)"
if command -v dockerd >/dev/null 2>&1; then
  echo "# dockerd is installed: compare with 'time docker -H unix:///var/run/docker.sock pull $image'"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
