#!/usr/bin/env bash
# dirigo-xmpp as people on XMPP meet it: the real server (--resume_by_user),
# prosody on a free loopback port with a room service, and the bridge; the
# people are tests/support/xmpp_user.py (slixmpp).
#   xmpp_test.sh SERVER_BINARY XMPP_BRIDGE_BINARY
set -uo pipefail
server_bin=$1
bridge_bin=$2
here=$(cd "$(dirname "$0")" && pwd)
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-xmpp.XXXXXX)
server_pid=
prosody_pid=
bridge_pid=
declare -A user_pids=()
cleanup() {
  local pid
  for pid in $bridge_pid "${user_pids[@]}" $prosody_pid $server_pid; do
    kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail_early() {
  echo "FAIL: $1"
  for log in "$work"/*.log "$work"/*.err; do echo "--- $log"; tail -n 20 "$log"; done
  exit 1
}
# lines_after, line_count, wait_for.
# shellcheck source=tests/support/wait_lines.sh
source "$here/../support/wait_lines.sh"

"$server_bin" --listen=127.0.0.1:0 --port_file="$work/server.port" --store=memory \
  --resume_by_user 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 1500); do [ -s "$work/server.port" ] && break; sleep 0.02; done
[ -s "$work/server.port" ] || fail_early "dirigo-server did not start"

# Prosody, written for this test: loopback only, no server-to-server, plain
# text (no certificate to make), a room service, everything in $work.
# run_as_root: as root, prosody refuses to start and prosodyctl switches to
# the "prosody" user, who could not read $work; as anyone else it is unused.
xmpp_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/prosody/data" "$work/prosody/certs"
cat >"$work/prosody/prosody.cfg.lua" <<EOF
run_as_root = true
pidfile = "$work/prosody/prosody.pid"
data_path = "$work/prosody/data"
certificates = "$work/prosody/certs"
-- debug: the log shows whether a client closed its stream or just left.
log = { { levels = { min = "debug" }, to = "file", filename = "$work/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_ports = { $xmpp_port }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
modules_enabled = { "disco", "roster", "saslauth", "ping", "posix" }
modules_disabled = { "s2s", "s2s_auth_certs", "tls" }
authentication = "internal_hashed"
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
VirtualHost "localhost"
-- Rooms open at once (not locked until configured), and show occupants'
-- real JIDs to everyone in them.
Component "conference.localhost" "muc"
  muc_room_locking = false
  muc_room_default_public_jids = true
EOF
prosody_cfg=$work/prosody/prosody.cfg.lua
for user in alice bob dirigo; do
  prosodyctl --config "$prosody_cfg" register "$user" localhost "secret-$user" >>"$work/prosodyctl.log" 2>&1 ||
    fail_early "prosodyctl register $user"
done
printf 'secret-dirigo\n' >"$work/dirigo.password"
prosody_runs=0
prosody_start() {
  local mark
  mark=$(line_count "$work/prosody.log")
  prosody_runs=$((prosody_runs + 1))
  prosody -F --config "$prosody_cfg" >>"$work/prosody.stdout.log" 2>&1 &
  prosody_pid=$!
  for _ in $(seq 1 500); do
    lines_after "$work/prosody.log" "$mark" | grep -q "Activated service 'c2s' on \[127.0.0.1\]:$xmpp_port" &&
      return 0
    kill -0 "$prosody_pid" 2>/dev/null || break
    sleep 0.02
  done
  return 1
}
prosody_start || fail_early "prosody did not start"

# The people: each reads commands from a FIFO held open here (fd 7 alice,
# 8 bob), so that writing never blocks and they stay until the end.
user_start() {
  local name=$1 fd=$2
  mkfifo "$work/$name.in"
  eval "exec $fd<>\"\$work/\$name.in\""
  /usr/bin/python3 "$here/../support/xmpp_user.py" --jid="$name@localhost" \
    --password="secret-$name" --server="127.0.0.1:$xmpp_port" \
    <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" 7>&- 8>&- &
  user_pids[$name]=$!
  wait_for "$work/$name.out" '^\* online' 10
}
user_start alice 7 || fail_early "alice online"
user_start bob 8 || fail_early "bob online"
alice() { printf '%s\n' "$*" >&7; }
bob() { printf '%s\n' "$*" >&8; }
room=carriere@conference.localhost
# Bob speaks to the bot in the room before it is there: a message the room
# keeps and replays to whoever joins, never to be answered.
bob join "$room"
wait_for "$work/bob.out" "^presence $room/bob joined" 5 || fail_early "bob in the room"
bob room "$room" "dirigo: ho il diploma e faccio il cuoco"
wait_for "$work/bob.out" "^room $room/bob: dirigo: ho il diploma" 5 || fail_early "bob's message in the room"
alice join "$room"
wait_for "$work/alice.out" "^presence $room/alice joined" 5 || fail_early "alice in the room"

"$bridge_bin" --server="127.0.0.1:$(cat "$work/server.port")" --jid=dirigo@localhost \
  --password_file="$work/dirigo.password" --xmpp="127.0.0.1:$xmpp_port" --tls=off \
  --rooms="$room" --nick=dirigo 2>>"$work/bridge.log" &
bridge_pid=$!
wait_for "$work/alice.out" "^presence $room/dirigo joined" 10
check "the bridge joins its room" $?
room_mark=$(line_count "$work/bob.out")

# Chat. The bot's lines to alice, without the prefix.
bot_lines() { lines_after "$work/alice.out" "${1:-0}" | sed -n 's/^chat dirigo@localhost[:|] //p'; }
alice say dirigo@localhost ciao
wait_for "$work/alice.out" '^chat dirigo@localhost[:|] 2\. ' 10
check "a chat 'ciao' is answered, with numbered choices" $?
out=$(bot_lines)
grep -q '^Ciao! Sono Dirigo' <<<"$out"; check "the greeting" $?
grep -q 'Che studi hai fatto?' <<<"$out"; check "the first question" $?
grep -qx '1\. Diploma' <<<"$out" && grep -qx '2\. Laurea triennale' <<<"$out"
check "the choices, one per line: 1. Diploma, 2. Laurea triennale" $?

# say TEXT REGEX [SECONDS]: alice writes to the bot; waits (10 s) for a line
# of its answer that REGEX matches from its start.
say() {
  local mark
  mark=$(line_count "$work/alice.out")
  alice say dirigo@localhost "$1"
  wait_for "$work/alice.out" "^chat dirigo@localhost[:|] $2" "${3:-10}" "$mark"
}
say 2 '.*[Ll]aurea triennale'
check "typing 2 picks the second choice (laurea triennale)" $?
[ "$(bot_lines | grep -c 'Che studi hai fatto')" -eq 1 ]
check "the first question is asked once" $?

mark=$(line_count "$work/alice.out")
say "ho la laurea magistrale in economia" '1\. ' &&
  say "lavoro da 5 anni come segretaria" '1\. ' &&
  say "no" '1\. ' &&
  say "risorse umane" '1\. ' &&
  say "grande multinazionale" '.*Cancella i miei dati' 30
check "the plan arrives (five answers later)" $?
plan=$(bot_lines "$mark" | sed -n '/Ecco il tuo piano/,$p')
grep -q 'Ecco il tuo piano' <<<"$plan"; check "the plan begins" $?
plan_lines=$(wc -l <<<"$plan")
[ "$plan_lines" -ge 15 ]; check "in many lines ($plan_lines)" $?
grep -q 'La tua esperienza (segretaria) è utile, ma per un ruolo di leadership serve qualcosa di più' <<<"$plan"
check "a long sentence of the plan arrives whole" $?
grep -q 'più' <<<"$plan" && grep -q ' è ' <<<"$plan" && grep -q 'à' <<<"$plan"
check "accented letters arrive (più, è, à)" $?
/usr/bin/python3 -c '
import sys
text = open(sys.argv[1], "rb").read().decode("utf-8", errors="strict")
sys.exit(1 if "\ufffd" in text else 0)' "$work/alice.out"
check "everything received is UTF-8, with no replaced character" $?

# In the room: only what is addressed to the bot gets an answer, addressed
# to its author; the message replayed on joining got none.
alice room "$room" "ciao a tutti, qualcuno ha provato dirigo?"
bob room "$room" "dirigo: ciao"
wait_for "$work/bob.out" "^room $room/dirigo: bob: .*Sono Dirigo" 10 "$room_mark"
check "'dirigo: ciao' in the room: the greeting, addressed to bob" $?
first=$(lines_after "$work/bob.out" "$room_mark" | sed -n "s|^room $room/dirigo: ||p" | head -n 1)
[[ $first == "bob: Ciao! Sono Dirigo"* ]]
check "nothing for the message not addressed to the bot nor for the replayed one (first: ${first:0:40})" $?
room_mark=$(line_count "$work/bob.out")
alice room "$room" "dirigo, cosa sai di me?"
wait_for "$work/bob.out" "^room $room/dirigo: alice: " 10 "$room_mark"
check "'dirigo, ...' from alice: answered in the room, addressed to her" $?
wait_for "$work/bob.out" "^room $room/dirigo[:|] .*non so niente di te" 5 "$room_mark"
check "in a conversation of its own there" $?
! lines_after "$work/bob.out" "$room_mark" | grep -q 'segretaria'
check "what alice told the bot privately is never shown in the room" $?
# From the first message for alice on, every message is for her.
! lines_after "$work/bob.out" "$room_mark" | sed -n "s|^room $room/dirigo: ||p" |
  sed -n '/^alice: /,$p' | grep -v '^alice: ' | grep -q .
check "every message of that answer addressed to alice" $?

# Prosody goes away and comes back on the same port: the bridge connects
# again by itself, and is back in its room within 15 s.
mark=$(line_count "$work/alice.out")
kill -KILL "$prosody_pid"
wait "$prosody_pid" 2>/dev/null
prosody_start || fail_early "prosody did not start again"
wait_for "$work/alice.out" "^presence $room/dirigo joined" 15 "$mark"
check "after an XMPP server restart the bridge is back in its room within 15 s" $?
mark=$(line_count "$work/alice.out")
alice say dirigo@localhost "cosa sai di me?"
wait_for "$work/alice.out" '^chat dirigo@localhost[:|] .*segretaria' 10 "$mark"
check "and answers again, in the same conversation" $?
alice room "$room" "dirigo: ciao"
wait_for "$work/alice.out" "^room $room/dirigo: alice: " 10 "$mark"
check "and in its room" $?

# SIGTERM: the bridge leaves and exits with 0.
mark=$(line_count "$work/alice.out")
kill -TERM "$bridge_pid"
rc=
for _ in $(seq 1 100); do
  if ! kill -0 "$bridge_pid" 2>/dev/null; then wait "$bridge_pid"; rc=$?; break; fi
  sleep 0.05
done
bridge_pid=
[ "$rc" = 0 ]; check "SIGTERM: the bridge exits with 0 within 5 s (rc=${rc:-still running})" $?
wait_for "$work/alice.out" "^presence $room/dirigo left" 5 "$mark"
check "the room sees it leave" $?
session=$(grep 'Authenticated as dirigo@localhost' "$work/prosody.log" | tail -n 1 | awk '{print $4}')
grep -q "$session.*Received </stream:stream>" "$work/prosody.log"
check "after closing its XMPP stream" $?

if [ "$failures" -ne 0 ]; then
  echo "--- bridge log"; tail -n 30 "$work/bridge.log"
fi
echo "xmpp: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
