#!/usr/bin/env bash
# Installs into a temporary prefix and checks that the installed server finds
# its bundled knowledge base (PREFIX/share/dirigo/knowledge) with no flags.
#   install_test.sh BUILD_DIR REPO_DIR
set -euo pipefail
build=$1
repo=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/dirigo-server"
test -f "$prefix/share/dirigo/knowledge/it/article.textproto"
"$prefix/bin/dirigo-server" --version | grep -q '^dirigo-server '
out=$("$repo/scripts/with-server" "$prefix/bin/dirigo-server" \
  sh -c 'printf "ho il diploma\n" | "$0" --server="$DIRIGO_SERVER"' "$prefix/bin/dirigo-chat")
grep -q "Bene: diploma\|Ok, mi segno: diploma\|Perfetto: diploma\|Capito: diploma" <<<"$out"
echo "install: 1 passed, 0 failed"
