#!/usr/bin/env bash
# Installs what is missing, then builds and runs every test: first the unit
# and HTTP tests under AddressSanitizer and UBSan, then a Release build with
# its Debian package, then the whole suite (scenarios in network namespaces
# and the package's install included) on the RelWithDebInfo build, with a
# few seconds of every fuzz target (a clang-15 build of its own) and a short
# soak. Before that last run, the scenarios also run on Debian 12's own
# kernel (6.1) booted under QEMU (tests/kernels/run.sh). Warnings are errors
# in all three builds. The last thing printed is ctest's summary of the last
# run; the exit status is its, or the 6.1 run's when that one failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test

echo "== sanitizer build: unit and HTTP tests under ASan + UBSan"
scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -L 'unit|e2e' -j 2

echo "== Release build, without the test libraries, and its package"
scripts/build.sh package
cmake --build build/package --target package

echo "== release build: every test"
scripts/build.sh release
if [ "$(id -u)" -eq 0 ]; then
  echo "== benchmark smoke run (2000 connections; figures reported, not asserted)"
  RUNS=2 BUILD=build/release tests/bench/run.sh 2000
fi
echo "== scenario tests on Debian 12's kernel, booted under QEMU"
kernel_status=0
tests/kernels/run.sh || kernel_status=$?
[ "$kernel_status" -eq 0 ] ||
  echo "== the run on Debian 12's kernel FAILED (exit $kernel_status, above); the host's run follows"
echo "== every test, on this machine's kernel ($(uname -r))"
ctest --test-dir build/release --output-on-failure
exit "$kernel_status"
