#!/usr/bin/env bash
# dirigo-server's flags and start-up errors, as an operator meets them.
#   server_flags_test.sh SERVER_BINARY KNOWLEDGE_DIR
set -uo pipefail
server=$1
kb=$2
pass=0
failures=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$("$server" --version 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q '^dirigo-server [0-9]' <<<"$out"; check "--version" $?

# A knowledge base with a broken file: refused at start with file, line, reason.
cp -r "$kb" "$work/kb"
printf '\npattern { id: "broken" regex: "(" intent: "why" }\n' >>"$work/kb/patterns.textproto"
out=$(timeout 30 "$server" --kb="$work/kb" --listen=127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "patterns.textproto:[0-9]*: pattern 'broken': regex does not compile" <<<"$out"
check "a broken knowledge base is refused with file:line and reason" $?

# A quote that is not in the article.
cp -r "$kb" "$work/kb2"
sed -i '0,/quote: "/s/quote: "/quote: "Inventato: /' "$work/kb2/faq.textproto"
out=$(timeout 30 "$server" --kb="$work/kb2" --listen=127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "not found verbatim" <<<"$out"; check "an invented quote is refused" $?

# A rule naming an intent the engine does not handle, in a subfolder of its own.
cp -r "$kb" "$work/kb3"
mkdir -p "$work/kb3/patterns/extra"
printf 'pattern { id: "x.wave" regex: "\\\\bciaone\\\\b" intent: "wave" band: WEAK }\n' \
  >"$work/kb3/patterns/extra/wave.textproto"
out=$(timeout 30 "$server" --kb="$work/kb3" --listen=127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "extra/wave.textproto:1: pattern 'x.wave': intent 'wave' is not one the engine handles" <<<"$out"
check "an intent the engine does not handle is refused with file:line" $?

# Two knowledge bases of one locale under a root: refused, not one silently kept.
mkdir -p "$work/root"
cp -r "$kb" "$work/root/it"
cp -r "$kb" "$work/root/it2"
out=$(timeout 30 "$server" --kb="$work/root" --listen=127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'two knowledge bases for locale "it"' <<<"$out"
check "two knowledge bases of one locale refused" $?

out=$(timeout 30 "$server" --store=redis 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "unknown store 'redis' (use 'memory', 'sqlite:PATH' or 'redis://HOST:PORT\[/DB\]')" <<<"$out"
check "unknown store refused" $?

# A session file that is not a database: refused at start, naming the file.
head -c 8192 /dev/urandom >"$work/broken.db"
out=$(timeout 30 "$server" --store="sqlite:$work/broken.db" --listen=127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "corrupt or not a Dirigo database (opening $work/broken.db" <<<"$out"
check "a corrupt session file refused with its path" $?

# A Redis nobody runs: refused at start.
out=$(timeout 30 "$server" --store=redis://127.0.0.1:1 --listen=127.0.0.1:0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "cannot reach Redis at redis://127.0.0.1:1" <<<"$out"
check "an unreachable Redis refused" $?

out=$(timeout 30 "$server" --store_sync=sometimes 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "store_sync must be 'normal' or 'full'" <<<"$out"
check "a bad --store_sync refused" $?

out=$(timeout 30 "$server" --store=memory --listen=256.1.1.1:1 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "cannot listen on 256.1.1.1:1" <<<"$out"; check "bad listen address refused" $?

out=$(timeout 30 "$server" --kb=/nonexistent/dirigo 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "no knowledge base" <<<"$out"; check "missing knowledge folder refused" $?

out=$(timeout 30 "$server" --workers=0 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "at least 1" <<<"$out"; check "zero workers refused" $?

echo "server flags: $pass passed, $failures failed"
[ "$failures" -eq 0 ]
