#!/usr/bin/env bash
# Starts dirigo-server on a free loopback port, waits until it is ready, runs
# the given command with DIRIGO_SERVER=127.0.0.1:PORT, and stops the server.
#   with_server.sh SERVER_BINARY COMMAND [ARGS...]
set -euo pipefail
server_bin=$1
shift
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # At most 10 s for a graceful stop, then SIGKILL.
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# --verbose: one log line per turn, so tests can check what the log holds.
"$server_bin" --listen=127.0.0.1:0 --port_file="$work/port" --verbose \
  2>"$work/server.log" &
server_pid=$!
# The port file appears once the server listens (at most 30 s).
for _ in $(seq 1 1500); do
  [ -s "$work/port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "dirigo-server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.02
done
[ -s "$work/port" ] || { echo "dirigo-server: no port after 30 s" >&2; exit 1; }
export DIRIGO_SERVER="127.0.0.1:$(cat "$work/port")"
export DIRIGO_SERVER_LOG="$work/server.log"
"$@"
