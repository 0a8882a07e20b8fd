#!/usr/bin/env bash
# Access to the server through the real clients: a server that asks for
# API tokens (the console and the gateway with --server_token_file, and
# without), and a server on mutual TLS with certificates made now.
#   server_access_test.sh SERVER_BIN CHAT_BIN GATEWAY_BIN REPO_DIR
set -uo pipefail
server=$1
chat=$2
gateway=$3
repo=$4
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-tokens.XXXXXX)
gw_pid=
trap '[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null; rm -rf "$work"' EXIT
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
printf 'console %s\ngateway %s\n' "$(hash console-secret)" "$(hash gateway-secret)" >"$work/tokens"
printf 'console-secret\r\n' >"$work/console.token"  # a CRLF file too
printf 'gateway-secret\n' >"$work/gateway.token"

run() {
  out=$(printf 'ho la laurea triennale\n' | "$chat" --server="$DIRIGO_SERVER" --json 2>&1)
  grep -q 'a valid API token is required' <<<"$out"
  check "the console without a token is refused, saying why" $?
  out=$(printf 'ho la laurea triennale\n' | "$chat" --server="$DIRIGO_SERVER" --json \
    --server_token_file="$work/console.token" 2>&1)
  grep -q 'EDUCATION_LEVEL_BACHELOR' <<<"$out"; check "the console with its token converses" $?
  printf 'not a certificate\n' >"$work/bad.pem"
  out=$(printf 'ciao\n' | "$chat" --server="$DIRIGO_SERVER" --server_tls \
    --server_ca_file="$work/bad.pem" 2>&1)
  grep -q 'is not a PEM file' <<<"$out"; check "a CA file that is not PEM: refused at start" $?

  "$gateway" --listen=127.0.0.1:0 --port_file="$work/port" --server="$DIRIGO_SERVER" \
    --server_token_file="$work/gateway.token" 2>>"$work/gateway.log" &
  gw_pid=$!
  for _ in $(seq 1 500); do [ -s "$work/port" ] && break; sleep 0.02; done
  base="http://127.0.0.1:$(cat "$work/port")"
  out=$(curl -s -X POST -H 'Content-Type: application/json' \
    --data-binary '{"user":"u1","text":"ho il diploma","message_id":"m1"}' "$base/v1/messages")
  grep -q 'EDUCATION_LEVEL_SECONDARY_OR_LESS' <<<"$out"; check "the gateway with its token serves a bridge's person" $?
  session=$(sed 's/.*"session":"\(s-[0-9a-f]*\)".*/\1/' <<<"$out")
  # The console's token cannot reach the gateway's conversation.
  out=$(DIRIGO_SESSION="$session" /usr/bin/python3 - "$DIRIGO_SERVER" "$repo" <<'PY'
import os, sys, subprocess, tempfile
import grpc
server, repo = sys.argv[1], sys.argv[2]
stubs = tempfile.mkdtemp()
subprocess.run(["protoc", "-I", repo + "/proto", "--python_out=" + stubs,
                "--grpc_out=" + stubs,
                "--plugin=protoc-gen-grpc=" + subprocess.check_output(
                    ["sh", "-c", "command -v grpc_python_plugin"]).decode().strip(),
                "dirigo/v1/advisor.proto"], check=True)
sys.path.insert(0, stubs)
from dirigo.v1 import advisor_pb2, advisor_pb2_grpc
stub = advisor_pb2_grpc.AdvisorStub(grpc.insecure_channel(server))
try:
    stub.GetSession(advisor_pb2.GetSessionRequest(session=os.environ["DIRIGO_SESSION"]),
                    metadata=[("authorization", "Bearer console-secret")], timeout=10)
    print("read")
except grpc.RpcError as e:
    print(e.code().name)
PY
)
  [ "$out" = NOT_FOUND ]; check "another token's client meets the session as absent (got $out)" $?
  ! grep -q 'secret' "$DIRIGO_SERVER_LOG" "$work/gateway.log"; check "no token in the logs" $?
  kill "$gw_pid" 2>/dev/null
  wait "$gw_pid" 2>/dev/null
}

DIRIGO_SERVER_FLAGS="--auth_tokens_file=$work/tokens" "$repo/scripts/with-server" "$server" \
  bash -c "$(declare -f run check); work=$work chat=$chat gateway=$gateway repo=$repo; pass=0; failures=0; run; echo \"\$pass \$failures\" >$work/result"
read -r p f <"$work/result"
pass=$((pass + p)); failures=$((failures + f))

# Mutual TLS: a CA, the server's certificate for 127.0.0.1, a client's.
ssl() { openssl "$@" 2>/dev/null; }
ssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=dirigo-test-ca \
  -keyout "$work/ca.key" -out "$work/ca.pem"
for who in server client; do
  ssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$work/$who.key" -out "$work/$who.csr"
  printf 'subjectAltName=IP:127.0.0.1\n' >"$work/$who.ext"
  ssl x509 -req -in "$work/$who.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 1 -extfile "$work/$who.ext" -out "$work/$who.pem"
done
tls_run() {
  local tls=(--server_tls --server_ca_file="$work/ca.pem")
  local mine=(--client_cert_file="$work/client.pem" --client_key_file="$work/client.key")
  out=$(printf 'ho la laurea triennale\n' | timeout 30 "$chat" --server="$DIRIGO_SERVER" --json \
    "${tls[@]}" "${mine[@]}" 2>&1)
  grep -q 'EDUCATION_LEVEL_BACHELOR' <<<"$out"; check "mutual TLS: the console with its certificate converses" $?
  out=$(printf 'ciao\n' | timeout 30 "$chat" --server="$DIRIGO_SERVER" --json "${tls[@]}" 2>&1)
  ! grep -q '"session"' <<<"$out"; check "mutual TLS: without a client certificate, refused" $?
  out=$(printf 'ciao\n' | timeout 30 "$chat" --server="$DIRIGO_SERVER" --json 2>&1)
  ! grep -q '"session"' <<<"$out"; check "mutual TLS: a plain client is refused" $?
  out=$(printf 'ciao\n' | timeout 30 "$chat" --server="$DIRIGO_SERVER" --json \
    --client_cert_file="$work/client.pem" --client_key_file="$work/client.key" 2>&1)
  grep -q 'need --server_tls' <<<"$out"; check "a certificate without --server_tls: a clear error" $?
  rm -f "$work/port"
  "$gateway" --listen=127.0.0.1:0 --port_file="$work/port" --server="$DIRIGO_SERVER" \
    "${tls[@]}" "${mine[@]}" 2>>"$work/gateway.log" &
  gw_pid=$!
  for _ in $(seq 1 500); do [ -s "$work/port" ] && break; sleep 0.02; done
  out=$(curl -s -X POST -H 'Content-Type: application/json' \
    --data-binary '{"user":"u2","text":"ho il diploma","message_id":"t1"}' \
    "http://127.0.0.1:$(cat "$work/port")/v1/messages")
  grep -q 'EDUCATION_LEVEL_SECONDARY_OR_LESS' <<<"$out"; check "mutual TLS: the gateway with its certificate" $?
  kill "$gw_pid" 2>/dev/null
  wait "$gw_pid" 2>/dev/null
}
DIRIGO_SERVER_FLAGS="--tls_cert=$work/server.pem --tls_key=$work/server.key --tls_client_ca=$work/ca.pem" \
  "$repo/scripts/with-server" "$server" \
  bash -c "$(declare -f tls_run check); work=$work chat=$chat gateway=$gateway; pass=0; failures=0; tls_run; echo \"\$pass \$failures\" >$work/result"
read -r p f <"$work/result"
pass=$((pass + p)); failures=$((failures + f))
out=$("$server" --tls_cert="$work/server.pem" --listen=127.0.0.1:0 2>&1)
grep -q -- '--tls_cert and --tls_key go together' <<<"$out"; check "a certificate without its key: refused at start" $?

echo "server access: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
