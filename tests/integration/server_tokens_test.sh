#!/usr/bin/env bash
# A server that asks for API tokens, used through the real clients: the
# console and the gateway with --server_token_file, and without.
#   server_tokens_test.sh SERVER_BIN CHAT_BIN GATEWAY_BIN REPO_DIR
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
  [ $? -ne 0 ] || [[ $out == *'"code":16'* ]] || grep -q 'UNAUTHENTICATED\|API token' <<<"$out"
  check "the console without a token is refused, saying why" $?
  out=$(printf 'ho la laurea triennale\n' | "$chat" --server="$DIRIGO_SERVER" --json \
    --server_token_file="$work/console.token" 2>&1)
  grep -q 'EDUCATION_LEVEL_BACHELOR' <<<"$out"; check "the console with its token converses" $?

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
echo "server tokens: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
