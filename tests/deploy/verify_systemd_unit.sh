#!/usr/bin/env bash
# Runs systemd-analyze verify on an installed unit, as it is: its ExecStart
# must exist and its Documentation= man page must be found (MANDIR, when
# given, is searched too). Any warning counts as a failure, not just errors.
#   verify_systemd_unit.sh UNIT [MANDIR]
set -euo pipefail
unit=$1
if [ $# -gt 1 ]; then
  export MANPATH="$2:$(manpath 2>/dev/null || true)"
fi
output=$(systemd-analyze verify "$unit" 2>&1) || {
  echo "$output"; exit 1; }
if [ -n "$output" ]; then
  echo "systemd-analyze verify warned:"; echo "$output"; exit 1
fi
echo "systemd-analyze verify $unit: clean"
