#!/usr/bin/env bash
# dirigo-gateway, as a bridge or an integrator uses it over HTTP: started on
# a free loopback port in front of the real server (scripts/with-server),
# called with curl.
#   gateway_test.sh GATEWAY_BINARY   (the server runs with --resume_by_user)
set -uo pipefail
gateway=$1
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-gateway.XXXXXX)
gw_pid=
stop_gateway() {
  if [ -n "$gw_pid" ]; then kill "$gw_pid" 2>/dev/null; wait "$gw_pid" 2>/dev/null; gw_pid=; fi
}
trap 'stop_gateway; rm -rf "$work"' EXIT
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
# Whether two "STATUS BODY" answers are the same (JSON objects compared as
# values: the order of a map's keys is free).
same_json() {
  /usr/bin/python3 -c 'import json,sys; a,b=(x.split(" ",1) for x in sys.argv[1:3]); sys.exit(0 if a[0]==b[0] and json.loads(a[1])==json.loads(b[1]) else 1)' "$1" "$2"
}
printf '# bridges and their token digests\ntelegram %s\nirc %s\n' \
  "$(hash secret-telegram)" "$(hash secret-irc)" >"$work/tokens"
start_gateway() {
  rm -f "$work/port"
  "$gateway" --listen=127.0.0.1:0 --port_file="$work/port" --server="$DIRIGO_SERVER" \
    --auth_tokens_file="$work/tokens" 2>>"$work/gateway.log" &
  gw_pid=$!
  for _ in $(seq 1 500); do [ -s "$work/port" ] && break; sleep 0.02; done
  base="http://127.0.0.1:$(cat "$work/port")"
}
start_gateway
tg=(-H "Authorization: Bearer secret-telegram")
irc=(-H "Authorization: Bearer secret-irc")
# call METHOD PATH [BODY] [curl args...]: prints "STATUS BODY".
call() {
  local method=$1 path=$2 body=${3:-}
  shift 3 2>/dev/null || shift $#
  curl -s -o "$work/body" -w '%{http_code}' -X "$method" "$@" \
    -H 'Content-Type: application/json' ${body:+--data-binary "$body"} "$base$path"
  echo " $(cat "$work/body")"
}

out=$(call GET /healthz); [[ $out == "200 ok"* ]]; check "healthz" $?
out=$(call POST /v1/sessions '{}')
[[ $out == 401* ]] && grep -q '"status":"UNAUTHENTICATED"' <<<"$out"; check "no token: 401 with a JSON error" $?
out=$(call POST /v1/sessions '{"locale":"it","channel":"irc"}' "${tg[@]}")
[[ $out == 200* ]] && grep -q '"channel":"telegram"' <<<"$out"; check "create: the token's name is the channel" $?
session=$(sed 's/.*"name":"\(s-[0-9a-f]*\)".*/\1/' <<<"$out")
out=$(call POST "/v1/sessions/$session:converse" '{"text":"ho la laurea triennale","requestId":"r1"}' "${tg[@]}")
[[ $out == 200* ]] && grep -q '"educationLevel":"EDUCATION_LEVEL_BACHELOR"' <<<"$out"; check "converse" $?
again=$(call POST "/v1/sessions/$session:converse" '{"text":"ho la laurea triennale","requestId":"r1"}' "${tg[@]}")
same_json "$out" "$again"; check "a retried request id gets the same turn" $?
out=$(call GET "/v1/sessions/$session" '' "${irc[@]}")
[[ $out == 404* ]] && grep -q '"reason":"SESSION_NOT_FOUND"' <<<"$out"; check "another bridge cannot read it (404, as if absent)" $?
out=$(call POST "/v1/sessions/$session:converse" '{"text":"ciao"}' "${irc[@]}")
[[ $out == 404* ]]; check "nor write to it" $?
out=$(call DELETE "/v1/sessions/$session" '' "${irc[@]}")
[[ $out == 404* ]]; check "nor delete it" $?
out=$(call GET "/v1/sessions/$session" '' "${tg[@]}")
[[ $out == 200* ]] && grep -q '"transcript"' <<<"$out"; check "get: the session with its transcript" $?
long=$(head -c 5000 /dev/zero | tr '\0' 'a')
out=$(call POST "/v1/sessions/$session:converse" "{\"text\":\"$long\"}" "${tg[@]}")
[[ $out == 400* ]] && grep -q '"code":3,"status":"INVALID_ARGUMENT","reason":"MESSAGE_INVALID"' <<<"$out"
check "errors: HTTP 400 with the gRPC code, status and reason" $?
out=$(call POST "/v1/sessions/$session:converse" '{"text": 5' "${tg[@]}")
[[ $out == 400* ]] && grep -q 'not a JSON ConverseRequest' <<<"$out"; check "malformed JSON: 400" $?
big=$(head -c 20000 /dev/zero | tr '\0' 'a')
out=$(call POST "/v1/sessions/$session:converse" "{\"text\":\"$big\"}" "${tg[@]}")
[[ $out == 413* ]] && grep -q '"reason":"BODY_REFUSED"' <<<"$out"; check "a body over the cap: 413" $?
printf '{"text":"%s"}' "$big" >"$work/big.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${tg[@]}" -H 'Transfer-Encoding: chunked' \
  --data-binary @"$work/big.json" "$base/v1/sessions/$session:converse")
[ "$code" = 411 ]; check "a chunked body: 411, never read" $?
printf '{"text":"ciao"}' | gzip >"$work/body.gz"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${tg[@]}" -H 'Content-Encoding: gzip' \
  --data-binary @"$work/body.gz" "$base/v1/sessions/$session:converse")
[ "$code" = 415 ]; check "a compressed body: 415" $?
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$work/big.json" "$base/v1/messages")
[ "$code" = 413 ]; check "no token and a big body: refused before reading" $?
out=$(call POST /v1:advise '{"profile":{"educationLevel":"EDUCATION_LEVEL_SECONDARY_OR_LESS"}}' "${tg[@]}")
[[ $out == 200* ]] && grep -q '"advice":\[' <<<"$out"; check "advise" $?

# A platform's messages, by the person's id, with delivery retries.
out=$(call POST /v1/messages '{"user":"42","text":"ciao","message_id":"m1"}' "${tg[@]}")
[[ $out == 200* ]] && grep -q '"newSession":true' <<<"$out" && grep -q 'Sono Dirigo' <<<"$out"
check "messages: the first one begins with the greeting" $?
out=$(call POST /v1/messages '{"user":"42","text":"faccio la segretaria da 3 anni","message_id":"m2"}' "${tg[@]}")
again=$(call POST /v1/messages '{"user":"42","text":"faccio la segretaria da 3 anni","message_id":"m2"}' "${tg[@]}")
same_json "$out" "$again" && grep -q 'segretaria' <<<"$out"; check "messages: a retried delivery gets the same answer" $?
if grep -q '"newSession":true' <<<"$out"; then check "messages: the same conversation" 1; else check "messages: the same conversation" 0; fi
out=$(call POST /v1/messages '{"user":"77","text":"ciao","message_id":"n1"}' "${tg[@]}")
grep -q '\\n2\. Laurea triennale' <<<"$out"; check "messages: quick replies numbered under the last text" $?
out=$(call POST /v1/messages '{"user":"77","text":"2","message_id":"n2"}' "${tg[@]}")
grep -q '"educationLevel":"EDUCATION_LEVEL_BACHELOR"' <<<"$out"; check "messages: a number typed back picks its reply" $?
out=$(call POST /v1/messages '{"user":"42","text":"ciao","message_id":"m2b","platform_extra":{"x":1}}' "${tg[@]}")
[[ $out == 200* ]]; check "messages: a platform's extra fields are ignored" $?

# Rasa's REST channel.
out=$(call POST /webhooks/rest/webhook '{"sender":"u9","message":"ho la laurea triennale"}' "${tg[@]}")
[[ $out == "200 ["* ]] && grep -q '"recipient_id":"u9"' <<<"$out" && grep -q '"buttons":\[{"title":' <<<"$out"
check "rasa: an array of replies with buttons" $?

# The gateway restarts: the person's conversation goes on (the server's
# store links them).
stop_gateway
start_gateway
out=$(call POST /v1/messages '{"user":"42","text":"cosa sai di me?","message_id":"m3"}' "${tg[@]}")
[[ $out == 200* ]] && grep -q 'segretaria' <<<"$out" && ! grep -q '"newSession":true' <<<"$out"
check "after a gateway restart the person's conversation goes on" $?
out=$(call POST /v1/messages '{"user":"42","text":"cosa sai di me?","message_id":"m4"}' "${irc[@]}")
grep -q '"newSession":true' <<<"$out"; check "the same id on another bridge is another person" $?

out=$(call POST "/v1/sessions/$session:converse" '{"text":"ciao"}' "${tg[@]}")
[[ $out == 200* ]]; check "a turn before the delete" $?
out=$(call DELETE "/v1/sessions/$session" '' "${tg[@]}")
[[ $out == 200* ]]; check "delete" $?
out=$(call GET "/v1/sessions/$session" '' "${tg[@]}")
[[ $out == 404* ]]; check "deleted is gone" $?
out=$(curl -s "$base/metrics")
grep -q 'dirigo_gateway_requests_total{route="messages",code="200"} 2' <<<"$out" &&
  grep -q 'dirigo_gateway_turn_seconds_count ' <<<"$out"
check "metrics in Prometheus text" $?
grep -q '^dirigo_gateway_live_sessions 2$' <<<"$out"
check "live sessions: the person's two conversations since the restart, not the deleted one" $?

# The web chat page's routes: open without a token, on the "web" channel only.
headers=$(curl -s -D - -o "$work/page" "$base/")
grep -q '^HTTP/1.1 200' <<<"$headers" && grep -qi '^Content-Type: text/html' <<<"$headers" &&
  grep -qi "^Content-Security-Policy: default-src 'self'" <<<"$headers" && grep -q 'dirigo-chat.js' "$work/page"
check "the page at /, with a content security policy" $?
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/missing.js")
[ "$code" = 404 ]; check "an unknown file: 404" $?
out=$(call GET "/chat/v1/texts?locale=it")
[[ $out == 200* ]] && grep -q '"web_send":"Invia"' <<<"$out"; check "the page's texts, without a token" $?
out=$(call GET "/v1/texts" '' "${tg[@]}")
[[ $out == 200* ]] && grep -q '"prompt"' <<<"$out"; check "a bridge's texts (GetClientTexts)" $?
out=$(call POST /chat/v1/sessions '{"channel":"telegram","externalUserId":"42"}')
[[ $out == 200* ]] && grep -q '"channel":"web"' <<<"$out" && ! grep -q '"externalUserId"' <<<"$out" &&
  ! grep -q 'segretaria' <<<"$out"
check "a visitor's session is on the web channel, and cannot name a person" $?
web=$(sed 's/.*"name":"\(s-[0-9a-f]*\)".*/\1/' <<<"$out")
out=$(call POST "/chat/v1/sessions/$web:converse" '{"text":"ho il diploma","requestId":"w1"}')
[[ $out == 200* ]] && grep -q 'EDUCATION_LEVEL_SECONDARY_OR_LESS' <<<"$out"; check "a visitor converses" $?
out=$(call POST /v1/messages '{"user":"77","text":"ciao","message_id":"m77"}' "${tg[@]}")
tgsession=$(sed 's/.*"session":"\(s-[0-9a-f]*\)".*/\1/' <<<"$out")
out=$(call GET "/chat/v1/sessions/$tgsession")
[[ $out == 404* ]]; check "the page's routes cannot read a bridge's session" $?
out=$(call DELETE "/chat/v1/sessions/$tgsession")
[[ $out == 404* ]]; check "nor delete it" $?
out=$(call GET "/v1/sessions/$web" '' "${tg[@]}")
[[ $out == 404* ]]; check "and a bridge cannot read a visitor's" $?
out=$(call DELETE "/chat/v1/sessions/$web")
[[ $out == 200* ]]; check "a visitor deletes their conversation" $?

# Browsers: only the pages of --allowed_origins may call it (CORS).
stop_gateway
rm -f "$work/port"
"$gateway" --listen=127.0.0.1:0 --port_file="$work/port" --server="$DIRIGO_SERVER" \
  --auth_tokens_file="$work/tokens" --allowed_origins=https://hr.example.com 2>>"$work/gateway.log" &
gw_pid=$!
for _ in $(seq 1 500); do [ -s "$work/port" ] && break; sleep 0.02; done
base="http://127.0.0.1:$(cat "$work/port")"
headers=$(curl -s -o /dev/null -D - -X OPTIONS -H 'Origin: https://hr.example.com' \
  -H 'Access-Control-Request-Method: POST' "$base/v1/messages")
grep -q '^HTTP/1.1 204' <<<"$headers" && grep -qi '^Access-Control-Allow-Origin: https://hr.example.com' <<<"$headers" &&
  grep -qi '^Access-Control-Allow-Headers: Authorization, Content-Type' <<<"$headers"
check "an allowed page's preflight" $?
headers=$(curl -s -o /dev/null -D - -X OPTIONS -H 'Origin: https://evil.example.com' "$base/v1/messages")
grep -q '^HTTP/1.1 403' <<<"$headers" && ! grep -qi '^Access-Control-Allow-Origin' <<<"$headers"
check "another page's preflight is refused" $?
headers=$(curl -s -o /dev/null -D - -X POST -H 'Origin: https://hr.example.com' "${tg[@]}" \
  -H 'Content-Type: application/json' --data-binary '{"user":"w1","text":"ciao"}' "$base/v1/messages")
grep -q '^HTTP/1.1 200' <<<"$headers" && grep -qi '^Access-Control-Allow-Origin: https://hr.example.com' <<<"$headers"
check "an allowed page's call names its origin" $?

# HTTPS, with a certificate made now for 127.0.0.1.
stop_gateway
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
rm -f "$work/port"
"$gateway" --listen=127.0.0.1:0 --port_file="$work/port" --server="$DIRIGO_SERVER" \
  --tls_cert="$work/cert.pem" --tls_key="$work/key.pem" 2>>"$work/gateway.log" &
gw_pid=$!
for _ in $(seq 1 500); do [ -s "$work/port" ] && break; sleep 0.02; done
out=$(curl -s --cacert "$work/cert.pem" "https://127.0.0.1:$(cat "$work/port")/healthz")
[ "$out" = ok ]; check "HTTPS with --tls_cert/--tls_key" $?
out=$(curl -s --max-time 5 "http://127.0.0.1:$(cat "$work/port")/healthz")
[ "$out" != ok ]; check "no plain HTTP on the HTTPS port" $?
stop_gateway
out=$("$gateway" --tls_cert="$work/cert.pem" --tls_key="$work/missing.pem" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "not a matching PEM pair" <<<"$out"; check "a bad key is refused at start, clearly" $?

# Settings that would open conversations to the wrong people are refused.
printf 'web %s\n' "$(hash secret-web)" >"$work/web-tokens"
out=$("$gateway" --listen=127.0.0.1:0 --auth_tokens_file="$work/web-tokens" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q '"web" is the web chat page' <<<"$out"; check "a bridge token named web is refused" $?
out=$("$gateway" --listen=0.0.0.0:0 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q 'needs --auth_tokens_file' <<<"$out"
check "the page beyond loopback without tokens is refused at start" $?

echo "gateway: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
