#!/usr/bin/env bash
# Installs every Debian package Berth needs to build, run and test. Idempotent.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang-format
  # libraries (headers)
  libcaf-dev libboost-dev nlohmann-json3-dev libnl-3-dev libnl-route-3-dev
  prometheus-cpp-dev libarchive-dev libsqlite3-dev libssl-dev libgtest-dev libgmock-dev
  zlib1g-dev libzstd-dev
  # fuzzing (libFuzzer comes with clang's runtime)
  clang libclang-rt-14-dev
  # runtime parts
  runc crun tini iproute2 nftables busybox-static procps util-linux kmod
  # test clients and servers
  curl prometheus docker-registry apache2-utils openssl python3 tmux bc strace docker-compose
)

# The docker CLI drives the integration tests. Machines of this kind ship CLI 28 in
# /usr/local/bin; a bare Debian 12 gets Debian's (docker.io, 20.10) instead.
command -v docker >/dev/null 2>&1 || packages+=(docker.io)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
