# Shell helpers for the harness scripts (tests/bench, tests/soak), sourced
# by them. Messages start with $harness, the script's name.

# require_tools TOOL...: each must be an executable of the build, else exit 2.
require_tools() {
  local tool
  for tool in "$@"; do
    [ -x "$tool" ] || { echo "$harness: $tool is missing: run scripts/build.sh release" >&2; exit 2; }
  done
}

# wait_for FILE PATTERN SECONDS: waits (bounded) until FILE has a line that
# matches PATTERN; on time-out prints FILE and returns 1.
wait_for() {
  local _
  for _ in $(seq $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$harness: timed out waiting for '$2' in $1" >&2
  cat "$1" >&2
  return 1
}
