#!/usr/bin/env bash
# The API from Python, as docs/API.md tells an integrator to call it: stubs
# generated with Debian's protoc and grpc_python_plugin (with --pyi_out), the
# example client run with Debian's grpcio against the real server.
#   python_client_test.sh REPO_DIR (run under scripts/with-server)
set -uo pipefail
repo=$1
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
stubs=$(mktemp -d -t dirigo-py.XXXXXX)
trap 'rm -rf "$stubs"' EXIT
plugin=$(command -v grpc_python_plugin)
protoc -I "$repo/proto" --python_out="$stubs" --pyi_out="$stubs" \
  --grpc_out="$stubs" --plugin=protoc-gen-grpc="$plugin" \
  dirigo/v1/advisor.proto google/rpc/status.proto google/rpc/error_details.proto
check "stubs generated" $?
# Health from its own folder: a top-level module, not a grpc.health package
# that would hide the installed grpc.
protoc -I "$repo/proto/grpc/health/v1" --python_out="$stubs" --pyi_out="$stubs" \
  --grpc_out="$stubs" --plugin=protoc-gen-grpc="$plugin" health.proto
check "health stubs generated" $?
[ -s "$stubs/dirigo/v1/advisor_pb2.pyi" ]; check "type stubs (.pyi) generated" $?

out=$(PYTHONPATH="$stubs" /usr/bin/python3 "$repo/clients/examples/python/advisor_example.py" "$DIRIGO_SERVER" 2>&1)
echo "$out"
grep -q "^health: SERVING" <<<"$out"; check "health by service name" $?
grep -q "^bot: Ciao! Sono Dirigo" <<<"$out"; check "greeting" $?
grep -q "^retry gave the same turn: True" <<<"$out"; check "a retry gets the same turn" $?
grep -q "^turns: 1 education: EDUCATION_LEVEL_BACHELOR transcript entries: 3" <<<"$out"; check "the session as kept" $?
grep -q "^error: INVALID_ARGUMENT MESSAGE_INVALID text" <<<"$out"; check "error details decoded" $?
grep -q "^after delete: NOT_FOUND SESSION_NOT_FOUND" <<<"$out"; check "deleted is gone" $?

echo "python client: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
