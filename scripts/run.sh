#!/usr/bin/env bash
# Installs what building and running the exporter needs (nothing for the
# tests), builds it and runs it in the foreground with its default flags plus
# any given here, e.g.
#   scripts/run.sh --log.level=debug
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
scripts/build.sh run
exec build/run/exporter/halfopen_exporter "$@"
