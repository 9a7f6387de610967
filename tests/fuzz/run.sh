#!/usr/bin/env bash
# Builds every libFuzzer target with clang-15 under ASan and UBSan, seeds each
# corpus from the repository's recordings, fixtures and documented inputs
# (seeds.py), and runs the targets one after another for SECONDS each.
#   tests/fuzz/run.sh [SECONDS]          default 60
# Environment:
#   TARGETS="a b"  only these targets (default: every *_fuzz.cc here)
#   RUNS=N         stop a target after N executions (SECONDS still caps it)
#   BUILD=dir      the build directory (default build/fuzz)
# Prints one line per target: executions, rate, coverage, corpus and
# failures. Exits 1 when any target crashed, leaked, hung or tripped UBSan;
# the reproducers are in $BUILD/artifacts/<target>/ (a unit test should
# replay each one once the parser is fixed; docs/testing.md says how).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
if ! command -v clang++-15 > /dev/null; then
  echo "fuzz: clang++-15 is missing (scripts/install-deps.sh test installs it)" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
build=${BUILD:-build/fuzz}
runs=${RUNS:--1}
targets=${TARGETS:-$(basename -s .cc tests/fuzz/*_fuzz.cc | tr '\n' ' ')}

# Optimised a little, with line tables for the reports: fast to build and
# fast enough to run.
cmake -S . -B "$build" -DHALFOPEN_FUZZ=ON -DHALFOPEN_BUILD_TESTS=OFF \
  -DCMAKE_CXX_COMPILER=clang++-15 -DCMAKE_BUILD_TYPE=Fuzz \
  -DCMAKE_CXX_FLAGS_FUZZ="-O1 -gline-tables-only" >/dev/null
cmake --build "$build" -j "$(nproc)" --target $targets >/dev/null

rm -rf "$build/seeds"
tests/fuzz/seeds.py "$build/seeds"
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-15/bin/llvm-symbolizer}
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=0
for target in $targets; do
  corpus="$build/corpus/$target" artifacts="$build/artifacts/$target/"
  mkdir -p "$corpus" "$build/seeds/$target" "$artifacts"
  dict=()
  [ -f "$build/seeds/$target.dict" ] && dict=(-dict="$build/seeds/$target.dict")
  log="$build/logs/$target.log"
  mkdir -p "$build/logs"
  status=0
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -runs="$runs" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts" \
    "${dict[@]}" "$corpus" "$build/seeds/$target" >"$log" 2>&1 || status=$?
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1)
  found=$(find "$artifacts" -type f | wc -l)
  printf 'fuzz: %-20s %10s executions in %4s s (%s/s), %s, failures %s\n' \
    "$target" "$(stat number_of_executed_units)" \
    "$(grep -o 'Done [0-9]* runs in [0-9]*' "$log" | awk '{print $5}' | tail -1)" \
    "$(stat average_exec_per_sec)" "${coverage:-cov: ?}" "$found"
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz: $target failed (exit $status); its log:" >&2
    grep -E -A40 'ERROR|runtime error|Deadly|Timeout|leak' "$log" | tail -60 >&2 || tail -40 "$log" >&2
  fi
done
exit "$failed"
