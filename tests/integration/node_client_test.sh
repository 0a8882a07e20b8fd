#!/usr/bin/env bash
# The API from Node.js, as docs/API.md tells an integrator to call it: the
# example's locked packages installed with `npm ci`, the protos loaded at run
# time from proto/, the example client run against the real server.
#   node_client_test.sh REPO_DIR NPM_CACHE_DIR (run under scripts/with-server)
# The example is copied to a temporary folder, so that node_modules never
# lands in the source tree; NPM_CACHE_DIR keeps npm's downloads between runs.
set -uo pipefail
repo=$1
cache=$2
failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-node.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$repo/clients/examples/node/package.json" \
  "$repo/clients/examples/node/package-lock.json" \
  "$repo/clients/examples/node/advisor_example.js" "$work/"

# --ignore-scripts: the packages need no install step (protobufjs's only
# checks versions).
(cd "$work" && npm_config_cache="$cache" timeout 300 \
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
check "npm ci installs the locked packages" $?
grep -q '"@grpc/grpc-js": "[0-9]' "$work/package.json"; check "versions pinned exactly" $?

out=$(timeout 60 node "$work/advisor_example.js" "$DIRIGO_SERVER" "$repo/proto" 2>&1)
check "the example exits 0" $?
echo "$out"
grep -q "^health: SERVING$" <<<"$out"; check "health by service name" $?
grep -q "^bot: Ciao! Sono Dirigo" <<<"$out"; check "greeting" $?
grep -q "^retry gave the same turn: true$" <<<"$out"; check "a retry gets the same turn" $?
grep -q "^bot: Ecco il tuo piano" <<<"$out"; check "the conversation reaches the plan" $?
grep -q "^     cites Avvio piccolo: «" <<<"$out"; check "the plan's messages cite the article" $?
grep -Eq "^plan: [1-9][0-9]* steps, every step cited: true$" <<<"$out"; check "every advice item cited" $?
# Five messages and a retry: the retry was not applied a second time.
grep -q "^turns: 5 education: EDUCATION_LEVEL_MASTER advised: true transcript entries: 11$" <<<"$out"
check "the session as kept" $?
[ "$(grep -Ec '^advice: [^|]+ \| [^:]+: «.+»$' <<<"$out")" -ge 3 ]; check "Advise: titles with a citation each" $?
grep -q "^missing: .*companySize" <<<"$out"; check "Advise: the facts still missing" $?
grep -q "^error: INVALID_ARGUMENT MESSAGE_INVALID text$" <<<"$out"; check "error details decoded" $?
grep -q "^deleted: " <<<"$out"; check "deleted" $?
grep -q "^after delete: NOT_FOUND SESSION_NOT_FOUND$" <<<"$out"; check "deleted is gone" $?

echo "node client: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
