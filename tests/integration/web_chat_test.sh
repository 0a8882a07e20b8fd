#!/usr/bin/env bash
# The web chat page of dirigo-gateway in a real browser: headless Chromium
# (Debian's) driven by playwright-core (tests/js/web_chat_test.js) through the
# page at /, with the keyboard alone, at a phone's width, and embedded by one
# script tag in a page of another origin.
#   web_chat_test.sh SERVER_BIN GATEWAY_BIN NPM_CACHE_DIR ARTIFACT_DIR
# The gateway serves the copy of the page built into it (no --web_dir).
# Screenshots (PNG) land in ARTIFACT_DIR; NPM_CACHE_DIR keeps npm's
# downloads between runs. tests/js is copied to a temporary folder, so that
# node_modules never lands in the source tree.
set -uo pipefail
server_bin=$1
gateway=$2
cache=$3
artifacts=$4
repo=$(cd "$(dirname "$0")/../.." && pwd)

# Once more under scripts/with-server, which starts the server and stops it.
if [ -z "${WEB_CHAT_TEST_UNDER_SERVER:-}" ]; then
  WEB_CHAT_TEST_UNDER_SERVER=1 DIRIGO_TMP_PREFIX=dirigo-web exec "$repo/scripts/with-server" "$server_bin" "$0" "$@"
fi

failures=0
pass=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d -t dirigo-web.XXXXXX)
node_pid=
gw_pid=
stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
trap 'stop "$node_pid"; stop "$gw_pid"; rm -rf "$work"' EXIT
mkdir -p "$artifacts" "$work/js"
rm -f "$artifacts"/web-chat-*.png

cp "$repo/tests/js/package.json" "$repo/tests/js/package-lock.json" "$repo"/tests/js/*.js "$work/js/"
# --ignore-scripts: playwright-core needs no install step, and the browser is
# Debian's, not a download.
(cd "$work/js" && npm_config_cache="$cache" timeout 300 \
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
check "npm ci installs the locked packages" $?
grep -q '"playwright-core": "[0-9]' "$work/js/package.json"; check "playwright-core pinned exactly" $?

# The browser run serves the embedding page first: the gateway must name its
# origin in --allowed_origins.
timeout 120 node "$work/js/web_chat_test.js" "$work" "$artifacts" >"$work/browser.out" 2>&1 &
node_pid=$!
for _ in $(seq 1 1500); do
  [ -s "$work/host_port" ] && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.02
done
host_port=$(cat "$work/host_port" 2>/dev/null)
[ -n "$host_port" ]; check "the browser run serves its host page" $?
"$gateway" --listen=127.0.0.1:0 --port_file="$work/gateway_port" --server="$DIRIGO_SERVER" \
  --allowed_origins="http://127.0.0.1:$host_port" 2>"$work/gateway.log" &
gw_pid=$!
wait "$node_pid"
node_rc=$?
node_pid=

cat "$work/browser.out"
while IFS= read -r line; do
  case $line in
    "ok "*) pass=$((pass + 1)) ;;
    "FAIL: "*) failures=$((failures + 1)) ;;
  esac
done <"$work/browser.out"
grep -q "^web chat in the browser: [0-9]* passed, 0 failed$" "$work/browser.out" && [ "$node_rc" -eq 0 ]
check "the browser run ends with every check passed" $?

# The page built into the gateway is the one in the source tree.
base="http://127.0.0.1:$(cat "$work/gateway_port" 2>/dev/null)"
for f in index.html dirigo-chat.js dirigo-chat.css; do
  path=/$f
  [ "$f" = index.html ] && path=/
  curl -s --max-time 10 "$base$path" | cmp -s - "$repo/clients/gateway/web/$f"
  check "the gateway serves clients/gateway/web/$f as it is" $?
done

for name in web-chat-1280.png web-chat-375.png web-chat-embed.png; do
  [ "$(head -c 8 "$artifacts/$name" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
  check "screenshot $name" $?
done

if [ "$failures" -ne 0 ]; then
  echo "--- gateway log"
  tail -n 20 "$work/gateway.log"
fi
echo "web chat: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
