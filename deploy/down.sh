#!/usr/bin/env bash
# Stops the berthd started by deploy/up.sh (SIGTERM, then waits for it to exit).
set -euo pipefail
pidfile=/run/berth/berthd.pid
if [ ! -f "$pidfile" ]; then
  echo "berthd is not running (no $pidfile)"
  exit 0
fi
pid=$(cat "$pidfile")
if kill -TERM "$pid" 2>/dev/null; then
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
fi
kill -0 "$pid" 2>/dev/null && { echo "berthd (pid $pid) did not stop" >&2; exit 1; }
echo "berthd stopped"
