#!/usr/bin/env bash
# The scorer of dirigo-eval, on cases whose figures are known: one fact right,
# one missed (and its wrong value set), an off-topic question answered, an
# erase done and a help request not answered.
#   selftest.sh DIRIGO_EVAL KB_DIR CASES
set -uo pipefail
out=$("$1" --kb="$2" "$3"); rc=$?
echo "$out"
fail=0
expect() { grep -qF -- "$1" <<<"$out" || { echo "FAIL: no line with: $1"; fail=1; }; }
[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; fail=1; }
expect "facts right (recall)   50.0%  (1/2)"
expect "precision              50.0%  (1/2 facts set)"
expect "turns right whole      50.0%  (2/4)"
expect "OFF_TOPIC          100.0%    1"
expect "REQUEST_ERASE      100.0%    1"
expect "REQUEST_HELP         0.0%    1"
exit $fail
