#!/usr/bin/env bash
# Slow clients against the exporter: for each N, a fresh exporter in a
# network namespace of our own, N connections from halfopen_slow_clients
# that send half a request one byte a second, and meanwhile RUNS timed
# scrapes. Then how long until the server has dropped them all, and whether
# its descriptors and threads are back to what they were before.
#
#   sudo tests/bench/slow_clients.sh [N ...]     (default: 10 100 1000)
#   RUNS=5 BUILD=build/release TLS=0             (environment, defaults shown)
# TLS=1 serves through --web.config.file with a certificate made here, and
# the slow clients then never start their handshake.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
TLS=${TLS:-0}
if [ -z "${BUILD:-}" ]; then
  scripts/install-deps.sh
  scripts/build.sh release > /dev/null
fi
BUILD=${BUILD:-build/release}
. tests/bench/lib.sh
bench_start slow_clients.sh
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000)
exporter=$BUILD/exporter/halfopen_exporter
slow=$BUILD/tests/halfopen_slow_clients
bench_tools "$exporter" "$slow"

ns=hoe-slow-$$
in_ns() { ip netns exec "$ns" "$@"; }
fds() { ls "/proc/$1/fd" | wc -l; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }
scheme=http; curl_tls=(); flags=()
if [ "$TLS" = 1 ]; then
  (cd "$work" && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem) 2> /dev/null
  printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n' > "$work/web.yml"
  scheme=https; curl_tls=(--cacert "$work/cert.pem"); flags=(--web.config.file="$work/web.yml")
fi
scrape_ms() {
  in_ns curl -s -o /dev/null --max-time 120 "${curl_tls[@]}" -w '%{time_total}\n' \
    "$scheme://127.0.0.1:9742/metrics" | awk '{printf "%.0f\n", $1 * 1000}'
}

echo "| slow clients | scrape ms, median (max) of $RUNS | all dropped after s | fds before / after | threads before / after |"
echo "|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  bench_netns "$ns"
  # ip netns exec execs the program, so $! is the exporter's own PID.
  ip netns exec "$ns" "$exporter" --web.listen-address=127.0.0.1:9742 --log.level=warn \
    "${flags[@]}" 2> "$work/exporter.err" > /dev/null &
  pids+=($!); exporter_pid=$!
  for _ in $(seq 100); do scrape_ms > /dev/null 2>&1 && break; sleep 0.1; done
  scrape_ms > /dev/null
  fds_before=$(fds "$exporter_pid"); threads_before=$(threads "$exporter_pid")
  if [ "$TLS" = 1 ]; then
    # Connected, never starting the handshake.
    ip netns exec "$ns" "$slow" 9742 "$n" 0 180 > "$work/slow.out" &
  else
    ip netns exec "$ns" "$slow" 9742 "$n" 1000 180 > "$work/slow.out" &
  fi
  pids+=($!); slow_pid=$!
  for _ in $(seq 600); do grep -q '^connected' "$work/slow.out" && break; sleep 0.1; done
  connected=$(date +%s%N)
  : > "$work/times"
  for _ in $(seq "$RUNS"); do scrape_ms >> "$work/times"; done
  wait "$slow_pid" || true
  dropped=$(awk -v t0="$connected" -v t1="$(date +%s%N)" 'BEGIN {printf "%.1f", (t1 - t0) / 1e9}')
  for _ in $(seq 100); do [ "$(fds "$exporter_pid")" -le "$fds_before" ] && break; sleep 0.1; done
  echo "| $n | $(median < "$work/times") ($(sort -n "$work/times" | tail -1)) | $dropped | $fds_before / $(fds "$exporter_pid") | $threads_before / $(threads "$exporter_pid") |"
  kill "$exporter_pid"; wait "$exporter_pid" 2>/dev/null || true
  pids=()
  ip netns del "$ns"
done
