#!/usr/bin/env bash
# Installs what is missing, builds the exporter and runs it in the
# foreground with its default flags plus any given here, e.g.
#   scripts/run.sh --log.level=debug
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/release/exporter/halfopen_exporter "$@"
