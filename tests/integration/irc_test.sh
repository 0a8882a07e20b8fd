#!/usr/bin/env bash
# dirigo-irc as people on IRC meet it: the real server (--resume_by_user),
# ngircd on a free loopback port and the bridge, with two ii clients as the
# people. The bridge reaches ngircd through a recorder that keeps its bytes,
# to check the lines it sends.
#   irc_test.sh SERVER_BINARY IRC_BRIDGE_BINARY
set -uo pipefail
server_bin=$1
bridge_bin=$2
here=$(cd "$(dirname "$0")" && pwd)
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
irc_work=$(mktemp -d -t dirigo-irc.XXXXXX)
# shellcheck source=tests/support/irc_env.sh
source "$here/../support/irc_env.sh"
server_pid=
bridge_pid=
cleanup() {
  local pid
  for pid in $bridge_pid "${ii_pids[@]}" $ngircd_pid $recorder_pid $server_pid; do
    kill "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$irc_work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail_early() {
  echo "FAIL: $1"
  for log in "$irc_work"/*.log; do echo "--- $log"; tail -n 20 "$log"; done
  exit 1
}

"$server_bin" --listen=127.0.0.1:0 --port_file="$irc_work/server.port" --store=memory \
  --resume_by_user 2>"$irc_work/server.log" &
server_pid=$!
for _ in $(seq 1 1500); do [ -s "$irc_work/server.port" ] && break; sleep 0.02; done
[ -s "$irc_work/server.port" ] || fail_early "dirigo-server did not start"
irc_port=$(free_port)
ngircd_start "$irc_port" || fail_early "ngircd did not start"
recorder_start "$irc_port" "$irc_work/bridge.raw" || fail_early "the recorder did not start"
ii_start alice || fail_early "ii alice"
ii_start bob || fail_early "ii bob"
channel_a=$irc_work/alice/127.0.0.1/#carriere/out
channel_b=$irc_work/bob/127.0.0.1/#carriere/out
# One after the other: two clients' JOINs reach the server in no set order,
# and alice hears of bob only if she is in the channel first.
ii_cmd alice "/j #carriere"
wait_for "$channel_a" 'alice\(.*\) has joined' 10 || fail_early "alice in #carriere"
ii_cmd bob "/j #carriere"
wait_for "$channel_a" 'bob\(.*\) has joined' 10 || fail_early "alice and bob in #carriere"

# Lines cut at 120 bytes, so that the long texts of the plan are cut too.
max_line=120
"$bridge_bin" --server="127.0.0.1:$(cat "$irc_work/server.port")" \
  --irc="127.0.0.1:$recorder_port" --nick=dirigo --channels='#carriere' \
  --max_line_bytes=$max_line 2>>"$irc_work/bridge.log" &
bridge_pid=$!
wait_for "$channel_a" 'dirigo\(.*\) has joined #carriere' 10
check "the bridge joins its channel" $?

# Private messages. The bot's lines in alice's query, without ii's time.
query=$irc_work/alice/127.0.0.1/dirigo/out
bot_lines() { lines_after "$query" "${1:-0}" | sed -n 's/^[0-9]* <dirigo> //p'; }
ii_cmd alice "/j dirigo ciao"
wait_for "$query" '<dirigo> 2\. ' 10
check "a private ciao is answered, with numbered choices" $?
out=$(bot_lines)
grep -q '^Ciao! Sono Dirigo' <<<"$out"; check "the greeting" $?
grep -q 'Che studi hai fatto?' <<<"$out"; check "the first question" $?
grep -qx '1\. Diploma' <<<"$out" && grep -qx '2\. Laurea triennale' <<<"$out"
check "the choices, one per line: 1. Diploma, 2. Laurea triennale" $?

# say TEXT REGEX [SECONDS]: alice writes to the bot; waits (10 s) for a line
# of its answer that REGEX matches from its start.
say() {
  local mark
  mark=$(line_count "$query")
  ii_cmd alice dirigo "$1"
  wait_for "$query" "<dirigo> $2" "${3:-10}" "$mark"
}
say 2 '.*[Ll]aurea triennale'
check "typing 2 picks the second choice (laurea triennale)" $?
[ "$(bot_lines | grep -c 'Che studi hai fatto')" -eq 1 ]
check "the first question is asked once" $?

mark=$(line_count "$query")
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
# A sentence of the first step, longer than a line: cut at a space or not,
# the pieces put back together must give it whole.
/usr/bin/python3 -c '
import sys
joined = "".join(sys.stdin.read().split())
want = "La tua esperienza (segretaria) è utile, ma per un ruolo di leadership serve qualcosa di più"
sys.exit(0 if "".join(want.split()) in joined else 1)' <<<"$plan"
check "a long text cut into lines gives it back whole" $?
grep -q 'più' <<<"$plan" && grep -q ' è ' <<<"$plan" && grep -q 'à' <<<"$plan"
check "accented letters arrive (più, è, à)" $?
# Every line alice received is valid UTF-8 (no character cut in two).
/usr/bin/python3 -c '
import sys
bad = 0
for line in open(sys.argv[1], "rb"):
    try:
        line.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        bad += 1
        print("not UTF-8:", line, e)
sys.exit(1 if bad else 0)' "$query"
check "every line received decodes as UTF-8" $?
# An older IRC client writes Latin-1: "perciò" as the byte F2.
say $'cosa sai di me, perci\xf2?' '.*[Mm]agistrale'
check "a line in Latin-1 is read as Latin-1 and answered" $?

# The bytes the bridge sent: lines ending in CRLF, at most 512 bytes with
# the CRLF, valid UTF-8; the texts within --max_line_bytes; and each one
# sent to alice reached her whole (a server cuts what is too long to relay).
/usr/bin/python3 - "$irc_work/bridge.raw" "$query" "$max_line" <<'EOF'
import re, sys
raw = open(sys.argv[1], "rb").read()
max_line = int(sys.argv[3])
problems = []
lines = raw.split(b"\n")
if lines[-1]:
    problems.append("the last line has no newline: %r" % lines[-1][:80])
sent_to_alice = []
for line in lines[:-1]:
    if not line.endswith(b"\r"):
        problems.append("no CRLF: %r" % line[:80])
    if len(line) + 1 > 512:
        problems.append("%d bytes: %r" % (len(line) + 1, line[:80]))
    try:
        text = line.decode("utf-8", errors="strict").rstrip("\r")
    except UnicodeDecodeError as e:
        problems.append("not UTF-8 (%s): %r" % (e, line))
        continue
    m = re.match(r"PRIVMSG (\S+) :(.*)$", text)
    if m:
        if len(m.group(2).encode()) > max_line:
            problems.append("text over %d bytes: %r" % (max_line, text))
        if m.group(1) == "alice":
            sent_to_alice.append(m.group(2))
received = []
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
    m = re.match(r"\d+ <dirigo> (.*)$", line.rstrip("\n"))
    if m:
        received.append(m.group(1))
if not sent_to_alice or received != sent_to_alice[:len(received)] or \
        len(received) != len(sent_to_alice):
    problems.append("alice got %d lines, the bridge sent her %d; first difference: %r" % (
        len(received), len(sent_to_alice),
        next(((a, b) for a, b in zip(sent_to_alice, received) if a != b), None)))
for p in problems[:10]:
    print(p)
sys.exit(1 if problems else 0)
EOF
check "the bridge's lines: CRLF, <= 512 bytes, UTF-8, within --max_line_bytes, relayed whole" $?

# In the channel: only what is addressed to the bot gets an answer, and the
# answer is addressed to its author.
mark_b=$(line_count "$channel_b")
ii_cmd alice "#carriere" "ciao a tutti, qualcuno ha provato dirigo?"
ii_cmd bob "#carriere" "dirigo: ciao"
wait_for "$channel_b" '<dirigo> bob: .*Sono Dirigo' 10 "$mark_b"
check "'dirigo: ciao' in the channel: the greeting, addressed to bob" $?
channel_bot() { lines_after "$channel_b" "$mark_b" | sed -n 's/^[0-9]* <dirigo> //p'; }
first=$(channel_bot | head -n 1)
[[ $first == "bob: Ciao! Sono Dirigo"* ]]
check "nothing for the message not addressed to the bot (first line: ${first:0:40})" $?
mark_b=$(line_count "$channel_b")
ii_cmd alice "#carriere" "dirigo, cosa sai di me?"
wait_for "$channel_b" '<dirigo> alice: .*non so niente di te' 10 "$mark_b"
check "'dirigo, ...' from alice: answered in the channel, in a conversation of its own there" $?
! lines_after "$channel_b" "$mark_b" | grep -q 'segretaria'
check "what alice told the bot privately is never shown in the channel" $?
# The bridge answers one message after the other: from the first line for
# alice on, every line is for her.
! channel_bot | sed -n '/^alice: /,$p' | grep -v '^alice: ' | grep -q .
check "every line of that answer addressed to alice" $?

# ngircd goes away and comes back on the same port: the bridge connects
# again by itself, and the people find it again (their ii left with the
# server).
ngircd_stop KILL
ii_stop alice
ii_stop bob
ngircd_start "$irc_port" || fail_early "ngircd did not start again"
ii_start alice || fail_early "ii alice again"
back=
deadline=$((SECONDS + 15))
while [ -z "$back" ] && [ "$SECONDS" -le "$deadline" ]; do
  mark=$(line_count "$irc_work/alice/raw.log")
  ii_cmd alice "/ISON dirigo"
  wait_for "$irc_work/alice/raw.log" ' 303 alice :dirigo' 1 "$mark" && back=1
done
[ -n "$back" ]; check "after an IRC server restart the bridge is back within 15 s" $?
mark=$(line_count "$query")
ii_cmd alice "/j dirigo cosa sai di me?"
wait_for "$query" '<dirigo> .*segretaria' 10 "$mark"
check "and answers again, in the same conversation" $?
mark=$(line_count "$channel_a")
ii_cmd alice "/j #carriere"
wait_for "$channel_a" 'alice\(.*\) has joined' 5 "$mark"
ii_cmd alice "#carriere" "dirigo: ciao"
wait_for "$channel_a" '<dirigo> alice: ' 10 "$mark"
check "and is back in its channel" $?

# SIGTERM: the bridge says goodbye to the server and exits with 0.
kill -TERM "$bridge_pid"
rc=
for _ in $(seq 1 100); do
  if ! kill -0 "$bridge_pid" 2>/dev/null; then wait "$bridge_pid"; rc=$?; break; fi
  sleep 0.05
done
bridge_pid=
[ "$rc" = 0 ]; check "SIGTERM: the bridge exits with 0 within 5 s (rc=${rc:-still running})" $?
last=$(tail -c 300 "$irc_work/bridge.raw" | tr -d '\r' | tail -n 1)
[[ $last == QUIT* ]]; check "after sending QUIT (its last line: ${last:0:40})" $?

if [ "$failures" -ne 0 ]; then
  echo "--- bridge log"; tail -n 30 "$irc_work/bridge.log"
fi
echo "irc: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
