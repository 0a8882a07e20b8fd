#!/usr/bin/env bash
# dirigo-telegram against telegram-test-api, a Bot API emulator from npm
# (tests/js/telegram_emulator_test.js): a person writes, reads the greeting
# and the first question, presses a quick reply and gets the next turn.
# tests/js is installed with `npm ci` into a temporary copy (never into the
# source tree), with npm's cache in NPM_CACHE_DIR.
#   telegram_emulator_test.sh SERVER_BINARY TELEGRAM_BINARY NPM_CACHE_DIR
# Starts the server itself (scripts/with-server, --resume_by_user).
set -uo pipefail
server_bin=$1
# Absolute: the emulator's script runs in another folder.
bridge_bin=$(realpath "$2")
npm_cache=$(realpath -m "$3")
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${TELEGRAM_TEST_UNDER_SERVER:-}" ]; then
  TELEGRAM_TEST_UNDER_SERVER=1 DIRIGO_SERVER_FLAGS=--resume_by_user DIRIGO_TMP_PREFIX=dirigo-telegram \
    exec "$repo/scripts/with-server" "$server_bin" "$0" "$@"
fi
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-telegram-emulator.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/js" "$npm_cache"
cp "$repo/tests/js/package.json" "$repo/tests/js/package-lock.json" \
  "$repo/tests/js/telegram_emulator_test.js" "$work/js/"
(cd "$work/js" && npm_config_cache="$npm_cache" timeout 300 npm ci --no-audit --no-fund \
  --prefer-offline --loglevel=error >"$work/npm.log" 2>&1)
rc=$?
check "npm ci of tests/js" $rc
[ $rc -ne 0 ] && tail -n 20 "$work/npm.log"

out=$(cd "$work/js" && timeout 90 node telegram_emulator_test.js --bridge="$bridge_bin" \
  --server="$DIRIGO_SERVER" --work="$work" 2>&1)
rc=$?
echo "$out"
check "the conversation through the emulator" $rc
grep -q '^emulator checks: [1-9][0-9]* passed, 0 failed$' <<<"$out"
check "every emulator check ran and passed" $?
if [ "$failures" -ne 0 ] && [ -s "$work/bridge.log" ]; then
  echo "--- the bridge's log:"; tail -n 30 "$work/bridge.log"
fi
echo "telegram emulator: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
