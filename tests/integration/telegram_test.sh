#!/usr/bin/env bash
# dirigo-telegram as people on Telegram meet it, against a strict stand-in for
# the Bot API (tests/support/telegram_standin.py) that fails the test on any
# request Telegram would refuse or that breaks the bridge's contract. A person
# chats in private, presses buttons, reaches the plan; the bot hits a flood
# limit; the bridge restarts; a group; then webhook mode.
#   telegram_test.sh SERVER_BINARY TELEGRAM_BINARY
# Starts the server itself (scripts/with-server, --resume_by_user).
set -uo pipefail
server_bin=$1
bridge_bin=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${TELEGRAM_TEST_UNDER_SERVER:-}" ]; then
  TELEGRAM_TEST_UNDER_SERVER=1 DIRIGO_SERVER_FLAGS=--resume_by_user DIRIGO_TMP_PREFIX=dirigo-telegram \
    exec "$repo/scripts/with-server" "$server_bin" "$0" "$@"
fi
standin="$repo/tests/support/telegram_standin.py"
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-telegram-test.XXXXXX)
standin_pid=
bridge_pid=
stop_bridge() {
  if [ -n "$bridge_pid" ]; then
    kill -TERM "$bridge_pid" 2>/dev/null
    # Stopped within 10 s, or killed.
    for _ in $(seq 1 100); do kill -0 "$bridge_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$bridge_pid" 2>/dev/null; then
      kill -KILL "$bridge_pid" 2>/dev/null
      wait "$bridge_pid" 2>/dev/null
      bridge_pid=
      return 1
    fi
    wait "$bridge_pid" 2>/dev/null
    bridge_pid=
  fi
  return 0
}
cleanup() {
  stop_bridge
  if [ -n "$standin_pid" ]; then kill "$standin_pid" 2>/dev/null; wait "$standin_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 "$standin" --self_test >"$work/selftest.log" 2>&1
check "the stand-in checks itself ($(tail -n 1 "$work/selftest.log"))" $?

token="7000000001:AAE-dirigo_Test-token-42"
echo "$token" >"$work/token"
/usr/bin/python3 "$standin" --port_file="$work/standin.port" --token_file="$work/token" \
  >"$work/standin.log" 2>&1 &
standin_pid=$!
for _ in $(seq 1 250); do [ -s "$work/standin.port" ] && break; sleep 0.02; done
api="http://127.0.0.1:$(cat "$work/standin.port")"

# ctl VERB NAME [JSON]: the stand-in's control API; prints its JSON answer.
ctl() {
  curl -s --max-time 40 -X "$1" ${3:+--data-binary "$3"} "$api/control/$2"
}
say() { # USER TEXT [private|group]
  ctl POST message "$(jq -nc --argjson u "$1" --arg t "$2" --arg c "${3:-private}" \
    '{user: $u, text: $t, chat: $c}')"
}
press() { # USER LABEL [private|group]
  ctl POST press "$(jq -nc --argjson u "$1" --arg l "$2" --arg c "${3:-private}" \
    '{user: $u, label: $l, chat: $c}')"
}
last_seq() { ctl GET sent | jq .last_seq; }
# wait_turn CHAT AFTER [CONDITIONS]: the bot's messages to CHAT after AFTER
# once they meet CONDITIONS (default: a keyboard came) and 0.5 s passed with
# no other; prints them as a JSON array, fails on timeout.
wait_turn() {
  local out
  out=$(ctl GET "wait?chat=$1&after=$2&${3:-keyboard=1}&quiet=0.5&timeout=15")
  jq -c '.messages // []' <<<"$out"
  [ "$(jq .ok <<<"$out")" = true ]
}
# has JSON JQ_FILTER: whether the filter is true of the messages.
has() { [ "$(jq "$2" <<<"$1" 2>/dev/null)" = true ]; }
# any_text JSON WORDS: whether a message says WORDS (ASCII case ignored).
any_text() {
  [ "$(jq --arg s "$2" 'any(.[]; .text | ascii_downcase | contains($s | ascii_downcase))' \
    <<<"$1" 2>/dev/null)" = true ]
}

polls() { ctl GET requests | jq '[.requests[] | select(.method == "getUpdates")] | length'; }
start_polling_bridge() {
  "$bridge_bin" --server="$DIRIGO_SERVER" --token_file="$work/token" --api_url="$api" \
    --poll_timeout=2 >>"$work/bridge.log" 2>&1 &
  bridge_pid=$!
  # Ready once it long-polls.
  local polls0=$1
  for _ in $(seq 1 250); do
    [ "$(polls)" -gt "$polls0" ] && return 0
    kill -0 "$bridge_pid" 2>/dev/null || return 1
    sleep 0.04
  done
  return 1
}

start_polling_bridge 0
check "the bridge starts and long-polls getUpdates" $?
# Its first poll finds nothing: held for the timeout, then the next one.
for _ in $(seq 1 100); do [ "$(polls)" -ge 2 ] && break; sleep 0.05; done

# A person writes "ciao" in private.
alice=6100000001
seq=$(last_seq)
say $alice ciao >/dev/null
turn=$(wait_turn $alice "$seq"); ok=$?
check "an answer to \"ciao\" arrives" $ok
has "$turn" '.[0].text | contains("Sono Dirigo")'; check "the greeting comes first" $?
any_text "$turn" "che studi hai fatto?"; check "then the first question" $?
has "$turn" '.[-1].keyboard | map(.[0].text) ==
  ["Diploma", "Laurea triennale", "Laurea magistrale o master", "Studio all\u0027università"]'
check "the quick replies come as an inline keyboard on the last message" $?
has "$turn" '.[-1].keyboard | all(length == 1)'; check "one button per row" $?

# A button press.
seq=$(last_seq)
pressed=$(press $alice "Laurea triennale")
qid=$(jq -r .callback_query_id <<<"$pressed")
turn=$(wait_turn $alice "$seq"); ok=$?
check "pressing a button moves the conversation on" $ok
state=$(ctl GET state)
[ "$(jq --arg q "$qid" '.callbacks[$q].answered' <<<"$state")" = true ]
check "the press is answered with answerCallbackQuery" $?
has "$turn" "(.[0].time >= $(jq --arg q "$qid" '.callbacks[$q].answered_time // 1e9' <<<"$state"))"
check "answered before the bot's reply" $?
any_text "$turn" "laurea triennale"; check "the bot acknowledges the chosen answer" $?
any_text "$turn" "in che materia" &&
  has "$turn" '.[-1].keyboard | map(.[0].text) | index("Economia") != null'
check "and asks the next question, with its buttons" $?

# A flood limit: the next sendMessage gets 429 with retry_after 2.
ctl POST rate_limit '{"retry_after": 2}' >/dev/null
seq=$(last_seq)
say $alice "economia, faccio la segretaria da tre anni" >/dev/null
turn=$(wait_turn $alice "$seq"); ok=$?
check "a turn that met a 429 arrives" $ok
refused=$(ctl GET refused | jq -c '.refused')
[ "$(jq length <<<"$refused")" -ge 1 ] &&
  has "$turn" "(.[0].time - $(jq '.[0].time' <<<"$refused")) >= 2 and
    .[0].text == $(jq '.[0].text' <<<"$refused")"
check "after a 429 the same message is sent again, no sooner than retry_after" $?
any_text "$turn" "segretaria" && any_text "$turn" "coordinato"; check "the turn after the wait is whole" $?

seq=$(last_seq)
press $alice "No" >/dev/null
turn=$(wait_turn $alice "$seq")
any_text "$turn" "area"; check "a second press: the next question" $?

# The plan: every step with its citation, in order, then the closing question.
seq=$(last_seq)
say $alice "le risorse umane, in una piccola azienda" >/dev/null
plan=$(wait_turn $alice "$seq" "keyboard=1&contains=Vuoi%20sapere"); ok=$?
check "the plan arrives" $ok
has "$plan" '[.[].text] as $t | ($t | map(startswith("Ecco il tuo piano")) | index(true)) as $title |
  ($t | map(startswith("1. ")) | index(true)) as $first |
  $title != null and $first != null and $title < $first'
check "the plan opens with its title" $?
has "$plan" '[.[].text | select(test("^[0-9]+\\. ")) | capture("^(?<n>[0-9]+)\\. ").n | tonumber] as $n |
  ($n | length) >= 3 and $n == [range(1; ($n | length) + 1)]'
check "its steps arrive numbered 1..N, none missing" $?
has "$plan" '[.[].text | select(test("^[0-9]+\\. "))] | all(test("\n«[^»]+» \\([^)]+\\)"))'
check "each step with its citation under it: «quote» (section)" $?
has "$plan" '(.[-1].text | contains("Vuoi sapere perché")) and .[-1].keyboard != null'
check "and the closing question last, with its buttons" $?
longest=$(ctl GET sent | jq '[.messages[].text | length] | max')
[ "$longest" -le 4096 ]; check "every message within 4096 characters (longest: $longest)" $?

# A message too long for Dirigo (over its 4,096 bytes, though within
# Telegram's 4,096 characters) gets an answer that says so, and the bridge
# goes on.
seq=$(last_seq)
say $alice "$(printf 'perché %.0s' $(seq 1 520))" >/dev/null
turn=$(wait_turn $alice "$seq" "min=1"); ok=$?
check "a message too long for Dirigo gets an answer" $ok
any_text "$turn" "troppo lungo"; check "which says the message could not be read, not that the server is down" $?

# The bridge restarts; the person writes meanwhile: the message is answered
# once it is back, and the conversation goes on.
stop_bridge; check "the bridge stops on SIGTERM" $?
seq=$(last_seq)
say $alice "cosa sai di me?" >/dev/null
start_polling_bridge "$(polls)"
check "the bridge starts again" $?
turn=$(wait_turn $alice "$seq" "contains=segretaria"); ok=$?
check "the message written during the restart is answered" $ok
! any_text "$turn" "Sono Dirigo"; check "not a new greeting" $?
any_text "$turn" "segretaria" && any_text "$turn" "economia"; check "the bot remembers the profile" $?
[ "$(ctl GET state | jq .get_me_calls)" -eq 2 ]; check "getMe once at each start" $?

# A group: only a message mentioning the bot is answered.
bob=6100000002
group=$(say $bob "ho il diploma" group)
group_chat=$(jq .chat_id <<<"$group")
ignored=$(jq .update_id <<<"$group")
for _ in $(seq 1 100); do
  [ "$(ctl GET state | jq .confirmed_offset)" -gt "$ignored" ] && break
  sleep 0.1
done
seq=$(last_seq)
say $bob "@DirigoTestBot ho la laurea triennale" group >/dev/null
turn=$(wait_turn "$group_chat" "$seq" "keyboard=1&contains=In%20che%20materia"); ok=$?
check "a group message mentioning the bot is answered" $ok
has "$turn" '.[0].text | contains("Sono Dirigo")' && any_text "$turn" "laurea triennale"
check "a new person's first message: the greeting, then its answer" $?
all=$(ctl GET "sent?chat=$group_chat" | jq -c .messages)
! any_text "$all" "diploma"; check "a group message not mentioning the bot is ignored" $?
# alice's conversation in the group is not her private one: what she told
# the bot privately is never shown there.
seq=$(last_seq)
say $alice "@DirigoTestBot cosa sai di me?" group >/dev/null
turn=$(wait_turn "$group_chat" "$seq" "contains=non%20so%20niente"); ok=$?
check "in the group, alice has a conversation of its own" $ok
! any_text "$turn" "segretaria"; check "her private profile is not shown in the group" $?

# Long polling as the contract says.
requests=$(ctl GET requests | jq -c '[.requests[] | select(.method == "getUpdates")]')
has "$requests" 'all(.params.timeout == 2)'; check "getUpdates with timeout 2 (--poll_timeout)" $?
has "$requests" '[.[] | select(.updates == 0)] | length > 0 and all(.duration >= 1.9)'
check "a poll with no update is held for the timeout (long polling, not short)" $?
has "$requests" 'all(.params.allowed_updates | sort == ["callback_query", "message"])'
check "allowed_updates: message and callback_query" $?

# Webhook mode.
stop_bridge
secret="dirigo-Secret_42"
echo "$secret" >"$work/secret"
hook_url="https://bot.example.com/telegram/hook"
"$bridge_bin" --server="$DIRIGO_SERVER" --token_file="$work/token" --api_url="$api" \
  --webhook_listen=127.0.0.1:0 --webhook_url="$hook_url" --webhook_secret_file="$work/secret" \
  --port_file="$work/hook.port" >>"$work/bridge.log" 2>&1 &
bridge_pid=$!
for _ in $(seq 1 250); do [ -s "$work/hook.port" ] && break; sleep 0.04; done
[ -s "$work/hook.port" ]; check "webhook mode: the port is written" $?
hook_port=$(cat "$work/hook.port" 2>/dev/null || echo 0)
for _ in $(seq 1 100); do [ "$(ctl GET state | jq .webhook)" != null ] && break; sleep 0.05; done
hook=$(ctl GET state | jq -c .webhook)
[ "$(jq -r .url <<<"$hook")" = "$hook_url" ]; check "setWebhook with the https URL" $?
[ "$(jq -r .secret_token <<<"$hook")" = "$secret" ]; check "setWebhook with the secret" $?
carol=6100000003
deliver() { # USER TEXT SECRET|null|default
  local args
  args=$(jq -nc --argjson p "$hook_port" --argjson u "$1" --arg t "$2" '{port: $p, user: $u, text: $t}')
  case $3 in
    default) ;;
    null) args=$(jq -c '. + {secret: null}' <<<"$args") ;;
    *) args=$(jq -c --arg s "$3" '. + {secret: $s}' <<<"$args") ;;
  esac
  ctl POST deliver "$args"
}
seq=$(last_seq)
[ "$(deliver $carol "ho il diploma" wrong-secret | jq .status)" = 401 ]
check "a delivery with a wrong secret gets 401" $?
[ "$(deliver $carol "ho il diploma" null | jq .status)" = 401 ]
check "a delivery without the secret gets 401" $?
[ "$(deliver $carol ciao default | jq .status)" = 200 ]
check "a delivery with the secret is accepted" $?
turn=$(wait_turn $carol "$seq"); ok=$?
check "and answered" $ok
any_text "$turn" "Sono Dirigo" && ! any_text "$turn" "diploma"
check "the refused deliveries were not processed" $?
seq=$(last_seq)
out=$(ctl POST deliver "$(jq -nc --argjson p "$hook_port" --argjson u $carol \
  '{port: $p, user: $u, label: "Laurea triennale"}')")
turn=$(wait_turn $carol "$seq")
qid=$(jq -r .callback_query_id <<<"$out")
[ "$(jq .status <<<"$out")" = 200 ] &&
  [ "$(ctl GET state | jq --arg q "$qid" '.callbacks[$q].answered')" = true ] &&
  any_text "$turn" "laurea triennale"
check "webhook mode: a button press is answered and moves on" $?
stop_bridge; check "the webhook bridge stops on SIGTERM" $?

state=$(ctl GET state)
[ "$(jq '.unanswered_callbacks | length' <<<"$state")" -eq 0 ]; check "every button press answered" $?
violations=$(ctl GET violations | jq -r '.violations[] | "  \(.method): \(.description)"')
[ -z "$violations" ]; check "no request Telegram would refuse or the contract forbids" $?
[ -n "$violations" ] && echo "$violations"
if [ "$failures" -ne 0 ]; then
  echo "--- the bridge's log:"; tail -n 30 "$work/bridge.log"
fi
echo "telegram: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
