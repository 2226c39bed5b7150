#!/bin/sh
# One dockerd for a whole CI run, at a fixed socket, per /work/shared/testing-env.md.
#   eval "$(test/support/dockerd.sh start)"   # prints: export DOCKER_HOST=unix://...
#   test/support/dockerd.sh stop
# Its data-root is the one test/support/docker.ts reuses (.cache/dockerd/data); the lock
# file marks the daemon 'shared' so test files use it instead of starting their own.
# GRIDCORE_DOCKERD_BRIDGE=1 gives the engine a default bridge network, as the upstream-binary
# test needs (upstream's gridnode runs containers on that network); only one such engine may
# run on a machine, so the default stays --bridge=none. Its bridge is one of our own name
# (gridcore0, 172.30.0.1/16), not docker0: any engine started with --bridge=none (another
# test's, another checkout's) deletes docker0 as it starts, cutting the containers off.
set -eu
DIR=${GRIDCORE_DOCKERD_DIR:-/tmp/gridcore-dockerd}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE="$ROOT/.cache/dockerd"
SOCK="$DIR/docker.sock"
BR=gridcore0

running() { [ -f "$DIR/dockerd.pid" ] && kill -0 "$(cat "$DIR/dockerd.pid")" 2>/dev/null; }

case "${1:-}" in
start)
  mkdir -p "$DIR" "$CACHE"
  if ! running; then
    if [ -f "$CACHE/lock" ] && kill -0 "$(sed -n 1p "$CACHE/lock")" 2>/dev/null; then
      DATA="$DIR/data" # another run holds the cached data-root
    else
      DATA="$CACHE/data"
    fi
    BRIDGE=--bridge=none
    if [ "${GRIDCORE_DOCKERD_BRIDGE:-}" = 1 ]; then
      if ! ip link show "$BR" >/dev/null 2>&1; then
        ip link add "$BR" type bridge
        ip addr add 172.30.0.1/16 dev "$BR"
        # A fixed MAC, as Docker gives docker0: a bridge without one takes its lowest
        # member's, and when that container stops every other container loses the host
        # for about 35 s (seen stalling a job).
        ip link set "$BR" address 02:42:ac:1e:00:01
        ip link set "$BR" up
      fi
      BRIDGE="--bridge=$BR"
    fi
    dockerd --host "unix://$SOCK" --data-root "$DATA" --exec-root "$DIR/exec" \
      --pidfile "$DIR/dockerd.pid" --iptables=false --ip6tables=false $BRIDGE \
      >"$DIR/dockerd.log" 2>&1 &
    i=0
    until DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1; do
      i=$((i + 1))
      if [ "$i" -gt 300 ]; then echo "dockerd did not start; see $DIR/dockerd.log" >&2; tail -20 "$DIR/dockerd.log" >&2; exit 1; fi
      sleep 0.1
    done
    if [ "$DATA" = "$CACHE/data" ]; then
      PID=$(cat "$DIR/dockerd.pid")
      printf '%s\n%s\nshared\n%s\n' "$PID" "$SOCK" "$PID" >"$CACHE/lock"
    fi
  fi
  echo "export DOCKER_HOST=unix://$SOCK"
  ;;
stop)
  if running; then
    PID=$(cat "$DIR/dockerd.pid")
    kill -TERM "$PID"
    i=0
    while kill -0 "$PID" 2>/dev/null && [ "$i" -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
    if [ -f "$CACHE/lock" ] && [ "$(sed -n 1p "$CACHE/lock")" = "$PID" ]; then rm -f "$CACHE/lock"; fi
  fi
  # dockerd leaves its network namespace mounted under exec-root
  grep " $DIR/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$DIR/exec"
  if [ "${GRIDCORE_DOCKERD_BRIDGE:-}" = 1 ] && ip link show "$BR" >/dev/null 2>&1; then ip link del "$BR"; fi
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
