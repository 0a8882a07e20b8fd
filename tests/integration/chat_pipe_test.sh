#!/usr/bin/env bash
# dirigo-chat fed by a pipe, against the real server (started by scripts/with-server):
# plain replies, then --json lines, then errors.
#   chat_pipe_test.sh CHAT_BINARY
set -uo pipefail
chat=$1
failures=0
pass=0
check() {  # check NAME CONDITION-EXIT-CODE
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}

# 1. Plain text: a person's conversation.
out=$(printf 'ho la triennale in economia e faccio la segretaria da tre anni\nno mai\n1\n2\n' |
  "$chat" --server="$DIRIGO_SERVER")
echo "$out"
grep -q "Dirigo: Ciao! Sono Dirigo" <<<"$out"; check "greeting shown" $?
grep -q "^Dirigo: .*segretaria" <<<"$out"; check "facts said back in the person's words" $?
grep -q "\[1\] Risorse umane" <<<"$out"; check "quick replies numbered" $?
grep -q "Ecco il tuo piano" <<<"$out"; check "the plan is given" $?
grep -q "«" <<<"$out"; check "citations shown" $?
if grep -q $'\033\[' <<<"$out"; then check "no colours in a pipe" 1; else check "no colours in a pipe" 0; fi

# 2. --json: one line per response, the session first.
json=$(printf 'ho un master in economia\n\nperché me lo chiedi?\n' |
  "$chat" --server="$DIRIGO_SERVER" --json)
echo "$json"
lines=$(wc -l <<<"$json")
[ "$lines" -eq 3 ]; check "json: session + one line per non-empty message (got $lines)" $?
head -1 <<<"$json" | grep -q '^{"session":{"name":"s-'; check "json: session first" $?
sed -n 2p <<<"$json" | grep -q '"educationLevel":"EDUCATION_LEVEL_MASTER"'; check "json: profile in proto3 JSON" $?
sed -n 3p <<<"$json" | grep -q '"awaitingSlot":"experience"'; check "json: awaited slot" $?

# 3. Errors: one JSON line, and the chat goes on.
long=$(head -c 5000 /dev/zero | tr '\0' 'a')
json=$(printf '%s\nho il diploma\n' "$long" | "$chat" --server="$DIRIGO_SERVER" --json)
echo "$json" | cut -c1-200
sed -n 2p <<<"$json" | grep -q '^{"error":{"code":3,"message":"the message is too long'; check "json: error line" $?
sed -n 3p <<<"$json" | grep -q 'SECONDARY_OR_LESS'; check "json: the chat goes on after an error" $?
json=$(printf 'ho una \xff laurea\n' | "$chat" --server="$DIRIGO_SERVER" --json)
sed -n 2p <<<"$json" | grep -q '^{"error":{"code":3,"message":"the message is not valid UTF-8'; check "json: invalid UTF-8 refused clearly" $?

# 4. A person sees one clear line for an error.
err=$(printf '%s\n' "$long" | "$chat" --server="$DIRIGO_SERVER" 2>&1 >/dev/null)
[ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "^dirigo-chat: the message is too long" <<<"$err"
check "a person gets one clear error line" $?
err=$("$chat" --server="$DIRIGO_SERVER" --lang=en </dev/null 2>&1)
grep -q 'English ("en") is not available yet' <<<"$err"; check "--lang=en refused clearly" $?
err=$("$chat" --server=127.0.0.1:1 </dev/null 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "cannot reach the Dirigo server at 127.0.0.1:1" <<<"$err"; check "unreachable server: clear message" $?

# 5. /lang en is refused without losing the conversation; a typed number is
#    an answer, not a choice, when the suggested answers are numbers.
out=$(printf 'ho un master in economia\n/lang en\n/profilo\nfaccio la segretaria\n3\n' |
  "$chat" --server="$DIRIGO_SERVER" 2>&1)
grep -q 'English ("en") is not available yet' <<<"$out"; check "/lang en refused" $?
grep -q "Studi: laurea magistrale o master" <<<"$out"; check "/lang en keeps the conversation" $?
grep -q "3 anni di lavoro" <<<"$out"; check "a number answers a numeric question" $?

# 6. Slash commands come from the server, in the conversation's language.
out=$(printf '/aiuto\n/sconosciuto\n/trace\n/consigli\n/esci\nnon arriva\n' |
  "$chat" --server="$DIRIGO_SERVER" 2>&1)
[ "$(grep -c '^Comandi: /profilo (/profile)' <<<"$out")" -eq 2 ]
check "/aiuto and an unknown command list the commands" $?
grep -q "Nessun turno da spiegare" <<<"$out"; check "/trace before any turn" $?
grep -q "organizzazione" <<<"$out"; check "/consigli gives the plan so far" $?
if grep -q "non arriva" <<<"$out"; then check "/esci ends the chat" 1; else check "/esci ends the chat" 0; fi

# 7. Privacy: the server logged no message text.
[ -s "$DIRIGO_SERVER_LOG" ] && grep -q "turn: session=#" "$DIRIGO_SERVER_LOG"
check "the server logged every turn (verbose)" $?
if grep -q -i "segretaria\|master in economia\|s-[0-9a-f]\{32\}" "$DIRIGO_SERVER_LOG"; then
  check "no message text nor session key in the server log" 1
else
  check "no message text nor session key in the server log" 0
fi

echo "chat pipe: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
