#!/usr/bin/env bash
# Configures and builds one variant into build/<variant>.
#   scripts/build.sh release   optimised, with debug info
#   scripts/build.sh asan      AddressSanitizer + UndefinedBehaviorSanitizer
# Both are the tests' builds, so warnings are errors (HALFOPEN_WERROR).
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-release}
case "$variant" in
  release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALFOPEN_WERROR=ON) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DHALFOPEN_SANITIZE=ON -DHALFOPEN_WERROR=ON) ;;
  *) echo "build.sh: unknown variant \"$variant\": want release or asan" >&2; exit 2 ;;
esac
cmake -S . -B "build/$variant" "${flags[@]}" >/dev/null
cmake --build "build/$variant" -j "$(nproc)"
