#!/usr/bin/env bash
# Checks deploy/systemd/halfopen_exporter.service with systemd-analyze verify,
# pointing ExecStart at the freshly built binary (verify insists that the
# executable exists). Any warning counts as a failure, not just errors.
set -euo pipefail
unit=$1
binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/halfopen_exporter|$binary|" "$unit" > "$work/halfopen_exporter.service"
output=$(systemd-analyze verify "$work/halfopen_exporter.service" 2>&1) || {
  echo "$output"; exit 1; }
if [ -n "$output" ]; then
  echo "systemd-analyze verify warned:"; echo "$output"; exit 1
fi
echo "systemd-analyze verify: clean"
