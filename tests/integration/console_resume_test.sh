#!/usr/bin/env bash
# The console comes back to the same conversation, as `make chat` does: each
# run starts a new server on the same SQLite file, and dirigo-chat resumes the
# conversation named in the user's state folder. Erasing leaves no trace of
# the person's words in the store, the state folder or the home folder.
#   console_resume_test.sh SERVER_BINARY CHAT_BINARY WITH_SERVER_SCRIPT
set -uo pipefail
server=$1
chat=$2
with_server=$3
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-resume.XXXXXX)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_STATE_HOME="$work/home/.local/state"
export DIRIGO_STORE="sqlite:$work/var/dirigo.db"
mkdir -p "$HOME"
# Runs the console (with the given flags) on a fresh server, input from stdin.
run() { "$with_server" "$server" sh -c 'exec "$0" --server="$DIRIGO_SERVER" "$@"' "$chat" "$@" 2>&1; }

out=$(printf 'lavoro alla Qwertyzeta come segretaria da 3 anni\n' | run --resume)
grep -q "Ciao! Sono Dirigo" <<<"$out"; check "the first run greets" $?
[ -s "$XDG_STATE_HOME/dirigo/last-session" ]; check "the conversation's name is kept in the state folder" $?

out=$(printf '/profilo\n' | run --resume)
echo "$out"
grep -q "Eccoci di nuovo" <<<"$out"; check "the next run (a new server) resumes" $?
if grep -q "Ciao! Sono Dirigo" <<<"$out"; then check "no new greeting on resume" 1; else check "no new greeting on resume" 0; fi
grep -q "segretaria" <<<"$out" && grep -q "3 anni" <<<"$out"; check "the facts survived the restart" $?

# The bot did not understand the last message: back, it asks its pending
# question again, not "non ho capito".
out=$(printf 'blorp zzkx\n' | run --resume)
grep -qi "capito" <<<"$out"; check "a message the bot does not understand" $?
out=$(printf '/profilo\n' | run --resume)
grep -q "^Dirigo: Che studi hai fatto?" <<<"$out"; check "on resume, the pending question" $?
if grep -qi "^Dirigo: .*non ho capito" <<<"$out"; then check "on resume, not the last 'non ho capito'" 1; else check "on resume, not the last 'non ho capito'" 0; fi

grep -rqa "Qwertyzeta" "$work/var"; check "before the erase, the store holds the person's words" $?
# Erased, then looked for while the server still runs (its SQLite log open;
# the log is truncated within a second), and again once it stopped.
out=$(printf 'cancella i miei dati\n' | "$with_server" "$server" sh -c \
  '"$0" --server="$DIRIGO_SERVER" --resume
   for _ in $(seq 1 50); do grep -rqa Qwertyzeta "$1" || exit 0; sleep 0.1; done
   grep -rla Qwertyzeta "$1"; echo MARKER-FOUND' \
  "$chat" "$work" 2>&1)
grep -q "Eccoci di nuovo" <<<"$out"; check "resumed to erase" $?
if grep -q "MARKER-FOUND" <<<"$out"; then
  echo "$out" | grep -A5 "/"
  check "right after the erase the person's words are nowhere (server running)" 1
else
  check "right after the erase the person's words are nowhere (server running)" 0
fi
if grep -rqa "Qwertyzeta" "$work"; then
  grep -rla "Qwertyzeta" "$work"
  check "after the erase the person's words are nowhere (store, state, home)" 1
else
  check "after the erase the person's words are nowhere (store, state, home)" 0
fi

# Back after the erase: nothing of theirs, and the bot's question again.
out=$(printf '/profilo\n' | run --resume)
grep -q "Eccoci di nuovo" <<<"$out" && grep -q "^Dirigo: Che studi hai fatto?" <<<"$out"
check "back after an erase: the bot's last question, nothing else" $?
grep -q "non so niente di te" <<<"$out"; check "nothing is known after the erase" $?

out=$(printf 'ciao\n' | run --resume --new)
grep -q "Ciao! Sono Dirigo" <<<"$out"; check "--new starts afresh" $?

kept=$(cat "$XDG_STATE_HOME/dirigo/last-session")
out=$(printf 'ciao\n' | run)
grep -q "Ciao! Sono Dirigo" <<<"$out"; check "a pipe starts afresh without --resume" $?
[ "$(cat "$XDG_STATE_HOME/dirigo/last-session")" = "$kept" ]
check "a pipe without --resume leaves the kept conversation alone" $?
[ "$(stat -c %a "$XDG_STATE_HOME/dirigo/last-session")" = 600 ] && [ "$(stat -c %a "$work/var/dirigo.db")" = 600 ]
check "the kept name and the store are readable by their owner only" $?

# A conversation the server no longer has: said once, and a new one begins.
echo "s-00000000000000000000000000000000" >"$XDG_STATE_HOME/dirigo/last-session"
out=$(printf 'ciao\n' | run --resume)
grep -q "La conversazione di prima non c'è più" <<<"$out" && grep -q "Ciao! Sono Dirigo" <<<"$out"
check "an expired conversation is announced, then a new one" $?

echo "console resume: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
