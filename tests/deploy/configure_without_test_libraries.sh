#!/usr/bin/env bash
# -DHALFOPEN_BUILD_TESTS=OFF must configure with GoogleTest and Google
# Benchmark unavailable: CMake is told they do not exist
# (CMAKE_DISABLE_FIND_PACKAGE_*), as on a machine without them. The same
# with the tests on must fail, or the check proves nothing.
#   configure_without_test_libraries.sh SOURCE_DIR
set -euo pipefail
source=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hide=(-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON)
if ! output=$(cmake -S "$source" -B "$work/off" -DHALFOPEN_BUILD_TESTS=OFF "${hide[@]}" 2>&1); then
  echo "$output"; echo "FAIL: tests off, yet the configure needs a test library"; exit 1
fi
echo "ok: configures with HALFOPEN_BUILD_TESTS=OFF and no GoogleTest or Google Benchmark"
if cmake -S "$source" -B "$work/on" -DHALFOPEN_BUILD_TESTS=ON "${hide[@]}" >/dev/null 2>&1; then
  echo "FAIL: with the tests on it configured without GoogleTest: the check is blind"; exit 1
fi
echo "ok: with the tests on, the same configure fails"
