# Shell helpers for tests that watch a program's output file: sourced.
#   lines_after FILE [FROM]            the lines after line FROM (default 0)
#   line_count FILE                    how many lines FILE has (0 if none)
#   wait_for FILE REGEX SECONDS [FROM] until a line after FROM matches REGEX
#                                      (extended); 1 after SECONDS

lines_after() {
  tail -n +"$((${2:-0} + 1))" "$1" 2>/dev/null
}

line_count() {
  if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

wait_for() {
  local file=$1 regex=$2 deadline=$((SECONDS + $3)) from=${4:-0}
  while [ "$SECONDS" -le "$deadline" ]; do
    lines_after "$file" "$from" | grep -qE -- "$regex" && return 0
    sleep 0.05
  done
  return 1
}
