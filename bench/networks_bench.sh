#!/usr/bin/env bash
# Benchmark of networking (issue 5). Starts its own berthd (own socket, roots, cgroup parent,
# network prefix, bridge subnet and address pool; --ip-forward=false, --dns 127.0.0.1) and prints:
#   (a) `docker run --rm busybox true` and create+start+rm -f on --network none, the default
#       bridge and a user network (median/p90 over N runs): the network cost per container;
#   (b) new connections/s and latency through a published port on 127.0.0.1, and to the
#       container's own address on the bench's bridge (busybox httpd; bench/tcp_bench);
#   (c) daemon RSS with 0 and with 20 running containers on a user network.
# Figures only, no assertions. Everything it made (containers, links, nft tables, netns pins,
# mounts, cgroups) is removed by its own prefix and directories, also on Ctrl-C.
#   bench/networks_bench.sh [build-dir] [runs] [requests]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-20}
requests=${3:-2000}
# shellcheck source=bench/bench_lib.sh
. "$here/bench/bench_lib.sh"
bench_setup

python3 "$here/tests/images/make_images.py" --out "$root/images" >/dev/null
bench_start_berthd "$build"
docker load -q -i "$root/images/busybox.tar" >/dev/null
docker network create benchnet >/dev/null

rss_mib() { awk '/^VmRSS/{printf "%.1f", $2/1024}' "/proc/$pid/status"; }
create_start_rm() {
  local id
  id=$(docker create --network "$1" busybox sleep 1000)
  docker start "$id" >/dev/null
  docker rm -f "$id" >/dev/null
}

echo "# berth networking benchmark, $(nproc) cores, prefix $prefix, bip $bip, pool $pool"
echo "daemon_rss_idle_mib=$(rss_mib)"

# (a) the network's cost per container. The networks take turns in every round, so that a
# slower moment of the machine (other builds) weighs on all three alike.
nets="none bridge benchnet"
for net in $nets; do docker run --rm --network "$net" busybox true >/dev/null; done # warm caches
for _ in $(seq 1 "$runs"); do
  for net in $nets; do
    timed_ms docker run --rm --network "$net" busybox true >> "$root/run_rm.$net"
    timed_ms create_start_rm "$net" >> "$root/create_start_rm.$net"
  done
done
for net in $nets; do
  printf "run_rm_true network=%s " "$net"
  percentiles < "$root/run_rm.$net"
  printf "create_start_rm_f network=%s " "$net"
  percentiles < "$root/create_start_rm.$net"
done

# (b) connections through a published port vs straight to the container.
docker run -d --name web --network benchnet -p 127.0.0.1::8080 busybox sh -c \
  'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www' >/dev/null
host_port=$(docker port web 8080/tcp | head -n1 | sed 's/.*://')
web_ip=$(docker inspect -f '{{.NetworkSettings.Networks.benchnet.IPAddress}}' web)
for _ in $(seq 1 50); do
  curl -sf --max-time 1 "http://127.0.0.1:$host_port/" >/dev/null 2>&1 && break
  sleep 0.1
done
for c in 1 4; do
  "$build/bench/tcp_bench" --addr "127.0.0.1:$host_port" --requests "$requests" --concurrency "$c" ||
    true
  "$build/bench/tcp_bench" --addr "$web_ip:8080" --requests "$requests" --concurrency "$c" || true
done
docker rm -f web >/dev/null

# (c) daemon memory with 20 containers on a user network.
for i in $(seq 1 20); do docker run -d --name "rss$i" --network benchnet busybox sleep 1000 >/dev/null; done
echo "daemon_rss_20_on_user_network_mib=$(rss_mib)"
docker ps -aq | xargs -r docker rm -f >/dev/null
docker network rm benchnet >/dev/null
echo "daemon_rss_after_removal_mib=$(rss_mib)"
left=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -c "^$prefix" || true)
echo "links_left_with_prefix=$left (the default bridge is 1)"

if command -v dockerd >/dev/null 2>&1; then
  echo "# dockerd is installed: run the same commands against it for a side-by-side"
else
  echo "# dockerd is not installed here: no side-by-side figures"
fi
