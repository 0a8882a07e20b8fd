# shellcheck shell=bash disable=SC2154  # irc_work and irc_port: set by the test
# An IRC network on loopback for the tests: ngircd with a configuration
# written at test time, a recorder in front of it that keeps the bytes a
# client sends, and ii clients as the people. Sourced by
# tests/integration/irc_test.sh; works as root and as any other user.
#
#   irc_work=DIR                         (set first: a private temporary folder)
#   free_port                            prints a port free on 127.0.0.1
#   ngircd_start PORT / ngircd_stop [SIG] the server (again on the same port)
#   recorder_start UPSTREAM_PORT FILE    sets recorder_port and recorder_pid
#   irc_port=PORT; ii_start NICK         a person, in $irc_work/NICK
#   ii_stop NICK
#   ii_cmd NICK [TARGET] TEXT            TEXT into the server's (or TARGET's) in
#   wait_for FILE REGEX SECONDS [FROM]   until a line of FILE after line FROM
#                                        matches (grep -E)

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Everything the server could look up is off: no DNS, ident or PAM, so it
# answers at once and needs no system configuration. MaxNickLength: the
# default of 9 refuses longer nicks. MaxPenaltyTime = 0: ngircd's flood
# control only queues a client's lines (it never drops them) and would make
# each test several seconds slower.
ngircd_write_config() {
  mkdir -p "$irc_work/ngircd.conf.d"
  cat >"$irc_work/ngircd.conf" <<EOF
[Global]
	Name = irc.dirigo.test
	Info = Dirigo test network
	AdminInfo1 = test
	AdminInfo2 = test
	AdminEMail = test@irc.dirigo.test
	Listen = 127.0.0.1
	Ports = $1
	MotdPhrase = test
[Limits]
	MaxNickLength = 30
	MaxConnectionsIP = 0
	MaxPenaltyTime = 0
[Options]
	DNS = no
	Ident = no
	PAM = no
	IncludeDir = $irc_work/ngircd.conf.d
EOF
}

ngircd_pid=
ngircd_runs=0
# As root ngircd switches to "nobody" after reading its files; the port is
# above 1024, so nothing else needs root.
ngircd_start() {
  ngircd_write_config "$1"
  ngircd_runs=$((ngircd_runs + 1))
  local log=$irc_work/ngircd.$ngircd_runs.log
  ngircd -n -f "$irc_work/ngircd.conf" >"$log" 2>&1 &
  ngircd_pid=$!
  local _
  for _ in $(seq 1 250); do
    grep -q ' ready\.' "$log" && return 0
    kill -0 "$ngircd_pid" 2>/dev/null || break
    sleep 0.02
  done
  echo "ngircd did not start:" >&2
  cat "$log" >&2
  return 1
}

ngircd_stop() {
  if [ -n "$ngircd_pid" ]; then
    kill -"${1:-TERM}" "$ngircd_pid" 2>/dev/null
    wait "$ngircd_pid" 2>/dev/null
    ngircd_pid=
  fi
}

# A TCP relay to 127.0.0.1:UPSTREAM that appends what its clients send to
# FILE, byte for byte (what the server receives cannot show whether lines
# ended in CRLF or were cut). A client is closed when the server goes away,
# and at once while the server is down, as a dead server would.
recorder_pid=
recorder_port=
recorder_start() {
  rm -f "$irc_work/recorder.port"
  /usr/bin/python3 - "$1" "$2" "$irc_work/recorder.port" <<'EOF' &
import asyncio, os, sys
upstream_port, record, port_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]

async def pipe(reader, writer, log=None):
    try:
        while data := await reader.read(65536):
            if log:
                log.write(data)
                log.flush()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()

async def relay(client_r, client_w):
    try:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", upstream_port)
    except OSError:
        client_w.close()
        return
    with open(record, "ab") as log:
        await asyncio.gather(pipe(client_r, server_w, log), pipe(server_r, client_w))

async def main():
    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    await server.serve_forever()

asyncio.run(main())
EOF
  # shellcheck disable=SC2034  # used by the test's cleanup
  recorder_pid=$!
  local _
  for _ in $(seq 1 250); do
    [ -s "$irc_work/recorder.port" ] && break
    sleep 0.02
  done
  recorder_port=$(cat "$irc_work/recorder.port" 2>/dev/null)
  [ -n "$recorder_port" ]
}

declare -A ii_pids=()
# ii keeps its files in $irc_work/NICK/127.0.0.1/: "in" (a FIFO), "out", and
# one folder per channel or person talked to.
ii_start() {
  local nick=$1 dir=$irc_work/$1 mark
  mkdir -p "$dir"
  mark=$(line_count "$dir/127.0.0.1/out")
  ii -s 127.0.0.1 -p "$irc_port" -n "$nick" -i "$dir" >>"$dir/raw.log" 2>&1 &
  ii_pids[$nick]=$!
  local _
  for _ in $(seq 1 250); do
    [ -p "$dir/127.0.0.1/in" ] && lines_after "$dir/127.0.0.1/out" "$mark" | grep -q 'End of MOTD' &&
      return 0
    sleep 0.02
  done
  echo "ii $nick did not connect" >&2
  return 1
}

ii_stop() {
  local pid=${ii_pids[$1]:-}
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "ii_pids[$1]"
  fi
}

# Writes one line into a FIFO of ii without ever blocking on it: a FIFO with
# no reader (ii gone) would hang a plain redirection.
ii_cmd() {
  local nick=$1 fifo=$irc_work/$1/127.0.0.1
  if [ $# -eq 3 ]; then fifo=$fifo/$2/in; shift; else fifo=$fifo/in; fi
  # shellcheck disable=SC2016  # expanded by sh
  timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' sh "$2" "$fifo"
}

# lines_after, line_count, wait_for.
# shellcheck source=tests/support/wait_lines.sh
source "$(dirname "${BASH_SOURCE[0]}")/wait_lines.sh"
