#!/usr/bin/env bash
# Configures and builds one variant into build/<variant>.
#   scripts/build.sh run       optimised with debug info; exporter and tools only
#   scripts/build.sh release   the same with every test; warnings are errors
#   scripts/build.sh asan      AddressSanitizer + UBSan with the tests; warnings are errors
#   scripts/build.sh package   Release without tests, GoogleTest or Google Benchmark;
#                              warnings are errors (then: cmake --build build/package
#                              --target package)
# Warnings are errors only in the variants the tests build (HALFOPEN_WERROR).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-release}
no_test_libraries=(-DHALFOPEN_BUILD_TESTS=OFF
                   -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON
                   -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON)
case "$variant" in
  run) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALFOPEN_WERROR=OFF
              "${no_test_libraries[@]}") ;;
  release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALFOPEN_WERROR=ON) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DHALFOPEN_SANITIZE=ON -DHALFOPEN_WERROR=ON) ;;
  package) flags=(-DCMAKE_BUILD_TYPE=Release -DHALFOPEN_WERROR=ON
                  "${no_test_libraries[@]}") ;;
  *) echo "build.sh: unknown variant \"$variant\": want run, release, asan or package" >&2
     exit 2 ;;
esac
cmake -S . -B "build/$variant" "${flags[@]}" >/dev/null
cmake --build "build/$variant" -j "$(nproc)"
