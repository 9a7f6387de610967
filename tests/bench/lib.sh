# What the benchmark scripts and the soak share; source it after `set -euo pipefail`:
#   . "$(dirname "$0")/lib.sh"; bench_start NAME
# Then: `pids+=($!)` after each process started in the background, and
# bench_netns for each namespace. On exit every process is stopped by its
# PID, every namespace deleted and the work directory removed.

# Needs root; sets $bench (the script's name for messages) and $work (a
# fresh directory), and arranges the cleanup.
bench_start() {
  bench=$1
  [ "$(id -u)" -eq 0 ] || { echo "$bench: needs root to create network namespaces" >&2; exit 2; }
  pids=()
  bench_namespaces=()
  work=$(mktemp -d)
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local pid ns
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${bench_namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}

# Creates namespace $1 with its loopback up; deleted on exit (deleting it
# earlier is fine).
bench_netns() {
  ip netns add "$1"
  bench_namespaces+=("$1")
  ip -n "$1" link set lo up
}

# Exits 2 naming the first of the given programs that is missing.
bench_tools() {
  local tool
  for tool in "$@"; do
    [ -x "$tool" ] || { echo "$bench: $tool is missing: run scripts/build.sh release" >&2; exit 2; }
  done
}

# Waits, at most $3 seconds, until file $1 has a line matching $2.
wait_for() {
  local file=$1 pattern=$2 seconds=$3
  for _ in $(seq $((seconds * 10))); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$bench: timed out waiting for '$pattern' in $file" >&2
  cat "$file" >&2
  return 1
}

# The median of the numbers on stdin.
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'; }
# The median and min-max of the numbers on stdin, rounded: "12 (10-15)".
summary() { sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.0f (%.0f-%.0f)", m, v[1], v[NR]}'; }
