#!/usr/bin/env bash
# The README's first command: installs every dependency, builds Berth, installs the binaries to
# /usr/local/bin and starts berthd in the background with working defaults (no systemd needed).
# Idempotent: a berthd already answering on the socket is left running.
#   log:     /var/log/berthd.log
#   pidfile: /run/berth/berthd.pid
#   socket:  unix:///run/berth/berth.sock
#   stop:    deploy/down.sh   (or: kill $(cat /run/berth/berthd.pid))
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
socket=/run/berth/berth.sock
pidfile=/run/berth/berthd.pid
logfile=/var/log/berthd.log

[ "$(id -u)" -eq 0 ] || { echo "deploy/up.sh: run as root" >&2; exit 1; }
"$top/deploy/install-deps.sh"
"$top/deploy/build.sh"
install -m 0755 "$top/build/berthd" /usr/local/bin/berthd
[ -f "$top/build/berth-shim" ] && install -m 0755 "$top/build/berth-shim" /usr/local/bin/berth-shim
mkdir -p /etc/berth
[ -f /etc/berth/daemon.json ] || echo '{}' > /etc/berth/daemon.json

ping_ok() { curl -sf --max-time 2 --unix-socket "$socket" http://berth/_ping >/dev/null 2>&1; }

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && ping_ok; then
  echo "berthd is already running (pid $(cat "$pidfile")); restart it with deploy/down.sh && deploy/up.sh to run a new build"
  exit 0
fi
setsid /usr/local/bin/berthd >>"$logfile" 2>&1 < /dev/null &
for _ in $(seq 1 100); do
  ping_ok && break
  sleep 0.1
done
if ! ping_ok; then
  echo "berthd did not start; the end of $logfile:" >&2
  tail -n 20 "$logfile" >&2
  exit 1
fi
echo "berthd is running (pid $(cat "$pidfile")), log in $logfile"
echo "try: DOCKER_HOST=unix://$socket docker version"
