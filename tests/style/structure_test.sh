#!/usr/bin/env bash
# The structure the code keeps, checked on the product's sources:
#   1. no function longer than 80 lines (clang-tidy's readability-function-size,
#      lambdas counted in the function that holds them), and clang-tidy's
#      checks of .clang-tidy (bugs, performance, concurrency, owning memory,
#      override) clean, on the benchmarks and fuzz targets too: one run of
#      clang-tidy for both;
#   2. layers depend one way: base, text → knowledge → dialog → advisor;
#      clients include only base/ and the generated API, never a server-side
#      header;
#   3. no word of Italian in a C++ string literal (italian-words): what the
#      bot and its clients say lives in the knowledge base.
#   structure_test.sh SOURCE_DIR BUILD_DIR ITALIAN_WORDS_BINARY
set -uo pipefail
src=$1
build=$(cd "$2" && pwd)
italian_words=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
cd "$src" || exit 2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

product_dirs=(base text knowledge dialog advisor clients tools)
mapfile -t sources < <(git ls-files "${product_dirs[@]/%//*.cc}" 2>/dev/null ||
  find "${product_dirs[@]}" -name '*.cc')
mapfile -t headers < <(git ls-files "${product_dirs[@]/%//*.h}" 2>/dev/null ||
  find "${product_dirs[@]}" -name '*.h')
# clang-tidy reads the benchmarks and fuzz targets too; base/tsan_absl_sync.cc
# is built only with ThreadSanitizer (it is not in compile_commands.json).
tidy_dirs=("${product_dirs[@]}" bench fuzz)
mapfile -t tidy_sources < <( (git ls-files "${tidy_dirs[@]/%//*.cc}" 2>/dev/null ||
  find "${tidy_dirs[@]}" -name '*.cc') | grep -v 'tsan_absl_sync')

# 1. Function length.
max_lines=${DIRIGO_MAX_FUNCTION_LINES:-80}
checks=$(sed -n '/^Checks:/,/^[A-Z]/p' .clang-tidy | grep -E '^ +-?[a-z*]' | tr -d ' \n')
tidy_out=$(run-clang-tidy -quiet -p "$build" -j "$(nproc)" \
  -config="{Checks: '${checks},readability-function-size', CheckOptions: [{key: readability-function-size.LineThreshold, value: $max_lines}]}" \
  -header-filter="^$(pwd)/($(IFS='|'; echo "${tidy_dirs[*]}"))/" \
  "${tidy_sources[@]/#/$(pwd)/}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
if ! grep -q "warnings\? generated" <<<"$tidy_out"; then
  fail "clang-tidy did not run:"
  echo "$tidy_out" | head -20
fi
# A file clang cannot read goes unchecked: that is a failure too.
if grep -qE "error:|Error while processing" <<<"$tidy_out"; then
  fail "clang-tidy could not read every file:"
  grep -E "error:|Error while processing" <<<"$tidy_out" | head -20
fi
long=$(grep -E 'warning: function .*readability-function-size|note: [0-9]+ lines' <<<"$tidy_out" | sort -u)
if [ -n "$long" ]; then
  fail "functions longer than $max_lines lines:"
  echo "$long"
fi
tidy=$(grep -E 'warning: .*\[' <<<"$tidy_out" | grep -v 'readability-function-size' | sort -u)
if [ -n "$tidy" ]; then
  fail "clang-tidy's checks (.clang-tidy) found $(wc -l <<<"$tidy"):"
  echo "$tidy"
fi
if ! grep -q . <<<"$(printf '%s\n' "${sources[@]}")"; then fail "no sources found"; fi

# 2. Layers. Each folder may include its own headers and those listed.
allowed() {
  case $1 in
    base) echo "base" ;;
    text) echo "base text" ;;
    knowledge) echo "base text knowledge dirigo" ;;
    dialog) echo "base text knowledge dialog dirigo" ;;
    advisor) echo "base text knowledge dialog advisor dirigo grpc grpcpp" ;;
    clients) echo "base clients dirigo/v1 dirigo/gateway grpc/health grpcpp" ;;
    tools) echo "base text knowledge dialog advisor dirigo grpc grpcpp" ;;
  esac
}
project_roots="base text knowledge dialog advisor clients tools tests bench dirigo grpc grpcpp"
for f in "${sources[@]}" "${headers[@]}"; do
  layer=${f%%/*}
  while IFS= read -r inc; do
    root=${inc%%/*}
    # Only project headers and the generated protos are layered.
    case " $project_roots " in *" $root "*) ;; *) continue ;; esac
    ok=0
    for prefix in $(allowed "$layer"); do
      case $inc in "$prefix"/*) ok=1 ;; esac
    done
    [ $ok -eq 1 ] || fail "$f includes \"$inc\": $layer/ may include only $(allowed "$layer")"
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done

# 3. No Italian in C++ literals.
if ! "$italian_words" "${sources[@]}" "${headers[@]}"; then
  fail "Italian words in C++ string literals"
fi

echo "structure: ${#sources[@]} sources, ${#headers[@]} headers; $failures failure(s)"
[ "$failures" -eq 0 ]
