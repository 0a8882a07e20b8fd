#!/usr/bin/env bash
# The interactive console, as a person uses it: `scripts/chat` under tmux,
# keys typed with send-keys, the screen read with capture-pane.
#   console_tmux_test.sh REPO_DIR BIN_DIR
set -uo pipefail
repo=$1
bin=$2
socket="dirigo-test-$$"
session=chat
failures=0
pass=0
tm() { tmux -L "$socket" "$@"; }
# The chat's store and state folder, as `make chat` keeps them, but here.
tmp=$(mktemp -d -t dirigo-console.XXXXXX)
cleanup() { tm kill-server 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# Wait (at most 20 s) until the screen shows $1.
wait_for() {
  for _ in $(seq 1 400); do
    if tm capture-pane -p -t "$session" -S -200 | grep -q -- "$1"; then return 0; fi
    sleep 0.05
  done
  echo "--- screen while waiting for: $1"
  tm capture-pane -p -t "$session" -S -200
  return 1
}
check() {
  if wait_for "$2"; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
type_line() { tm send-keys -t "$session" -l "$1"; tm send-keys -t "$session" Enter; }

# Servers of other chats on this machine, left alone by the check below.
others=$(pgrep -f 'dirigo-chat\.[A-Za-z0-9]+/port' | tr '\n' ' ')
tm new-session -d -s "$session" -x 160 -y 50 \
  "env DIRIGO_BIN=$bin DIRIGO_STORE=sqlite:$tmp/dirigo.db XDG_STATE_HOME=$tmp/state TERM=xterm-256color bash $repo/scripts/chat; echo CHAT-ENDED; sleep 30"
check "greeting and prompt" "tu>"
check "quick replies numbered" "\[2\] Laurea triennale"
type_line "2"
check "a number picks the quick reply" "→ ho la laurea triennale"
check "next question" "In che materia"
type_line "economia, e lavoro come assistente da 4 anni"
check "facts said back" "assistente"
check "leadership question" "coordinato altre persone"
# Line editing: "no", erased with Ctrl-W, then "si". Without working line
# editing the bot would read "no … si" and record a no.
tm send-keys -t "$session" -l "no"
tm send-keys -t "$session" C-w
tm send-keys -t "$session" -l "si certo"
tm send-keys -t "$session" Enter
check "readline editing" "hai già guidato persone"
type_line "/trace"
check "/trace shows the rules" "lead.answer_yes"
type_line "/profilo"
check "/profile shows the profile" "Studi: laurea triennale"
# History: Up recalls the last line onto the empty prompt (the last line of
# the screen, not the earlier one that shows the command already typed).
tm send-keys -t "$session" Up
recalled=1
for _ in $(seq 1 200); do
  last=$(tm capture-pane -p -t "$session" | grep -v '^$' | tail -n 1)
  if [ "$last" = "tu> /profilo" ]; then recalled=0; break; fi
  sleep 0.05
done
if [ $recalled -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: history recalls the last line (last line: $last)"; failures=$((failures + 1)); fi
tm send-keys -t "$session" C-u
type_line "/esci"
check "quit ends the chat" "CHAT-ENDED"
# The server `make chat` started (its port file is under dirigo-chat.*) is gone.
stopped=1
for _ in $(seq 1 100); do
  mine=0
  for pid in $(pgrep -f 'dirigo-chat\.[A-Za-z0-9]+/port'); do
    case " $others " in *" $pid "*) ;; *) mine=1 ;; esac
  done
  if [ $mine -eq 0 ]; then stopped=0; break; fi
  sleep 0.05
done
if [ $stopped -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: the server outlived the chat"; failures=$((failures + 1)); fi
screen=$(tm capture-pane -p -e -t "$session" -S -200)
if grep -q $'\033\[' <<<"$screen"; then pass=$((pass + 1)); else echo "FAIL: colours on a terminal"; failures=$((failures + 1)); fi

# The conversation's name is kept beside the store (var/ for `make chat`),
# not in the home folder, so another clone never looks for it.
if [ -s "$tmp/last-session" ] && [ ! -e "$tmp/state/dirigo/last-session" ]; then pass=$((pass + 1)); else echo "FAIL: the name kept beside the store"; failures=$((failures + 1)); fi
# The next day: a new `make chat` (a new server on the same file) resumes
# the conversation, with what the bot knew.
session=again
tm new-session -d -s "$session" -x 160 -y 50 \
  "env DIRIGO_BIN=$bin DIRIGO_STORE=sqlite:$tmp/dirigo.db XDG_STATE_HOME=$tmp/state TERM=xterm-256color bash $repo/scripts/chat; echo CHAT-ENDED; sleep 30"
check "the next chat resumes the conversation" "Eccoci di nuovo"
check "and asks again the question it was waiting on" "Dirigo: Ti interessa un'area in particolare"
type_line "/profilo"
check "the profile survived the restart" "assistente"
type_line "/esci"
check "quit ends the second chat" "CHAT-ENDED"
# --new starts afresh.
session=fresh
tm new-session -d -s "$session" -x 160 -y 50 \
  "env DIRIGO_BIN=$bin DIRIGO_STORE=sqlite:$tmp/dirigo.db XDG_STATE_HOME=$tmp/state TERM=xterm-256color bash $repo/scripts/chat --new; echo CHAT-ENDED; sleep 30"
check "--new greets a new person" "\[2\] Laurea triennale"
if tm capture-pane -p -t "$session" -S -200 | grep -q "Eccoci di nuovo"; then
  echo "FAIL: --new resumed"; failures=$((failures + 1))
else
  pass=$((pass + 1))
fi
type_line "/esci"
check "quit ends the third chat" "CHAT-ENDED"

echo "console: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
