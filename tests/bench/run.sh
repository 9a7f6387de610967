#!/usr/bin/env bash
# Benchmark: for each N, hold N established loopback connections in a network
# namespace of our own, then time, interleaved and RUNS times each: the bare
# two-request netlink dump (halfopen_diag_dump --count-only), one full
# /metrics scrape of the exporter, four concurrent scrapes, `ss -tin`, and
# node_exporter's tcpstat scrape when prometheus-node-exporter is installed.
# Prints medians and min-max, the exporter/bare ratio and peak RSS.
#
#   sudo tests/bench/run.sh [N ...]        (default: 10000 100000 300000)
#   RUNS=5 BUILD=build/release             (environment, defaults shown)
# Without BUILD it first installs what is missing and builds the release.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
if [ -z "${BUILD:-}" ]; then
  scripts/install-deps.sh
  scripts/build.sh release > /dev/null
fi
BUILD=${BUILD:-build/release}
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root to create a network namespace" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 300000)
dump=$BUILD/tools/halfopen_diag_dump
exporter=$BUILD/exporter/halfopen_exporter
loadgen=$BUILD/tests/halfopen_loadgen
harness=run.sh
source tests/support/harness.sh
require_tools "$dump" "$exporter" "$loadgen"
node_exporter=$(command -v prometheus-node-exporter || true)

ns=hoe-bench-$$
pids=()
work=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }
now_ns() { date +%s%N; }
# median and min-max of the numbers on stdin (milliseconds)
summary() { sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.0f (%.0f-%.0f)", m, v[1], v[NR]}'; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}'; }
time_ms() { local t0 t1; t0=$(now_ns); "$@" > /dev/null; t1=$(now_ns); echo $(((t1 - t0) / 1000000)); }
scrape() { in_ns curl -sf -o /dev/null "http://127.0.0.1:$1/metrics"; }
four_scrapes() {
  local p=() ; for _ in 1 2 3 4; do scrape "$1" & p+=($!); done
  for pid in "${p[@]}"; do wait "$pid"; done
}

echo "| N connections | sockets | bare dump ms | exporter scrape ms | ratio | 4 concurrent scrapes ms | ss -tin ms | node_exporter tcpstat ms | exporter peak RSS MB | node_exporter peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  blackhole=30999  # below the ephemeral port range, so no client port collides
  ip netns exec "$ns" "$loadgen" "$n" --ipv6=$((n / 20 < 5000 ? n / 20 : 5000)) \
    --blackhole-port=$blackhole --stuck=100 > "$work/loadgen.out" &
  pids+=($!); loadgen_pid=$!
  wait_for "$work/loadgen.out" blackhole-ready 600
  in_ns nft add table inet bench
  in_ns nft "add chain inet bench in { type filter hook input priority 0; }"
  in_ns nft add rule inet bench in tcp dport $blackhole drop
  kill -USR1 "$loadgen_pid"
  wait_for "$work/loadgen.out" '^ready' 600
  children=$(sed -n 's/^ready .*children=\([0-9]*\)/\1/p' "$work/loadgen.out")
  for _ in $(seq 6000); do
    [ "$(grep -c child-ready "$work/loadgen.out")" -ge "$children" ] && break
    sleep 0.1
  done

  ip netns exec "$ns" "$exporter" --web.listen-address=127.0.0.1:9742 --log.level=warn 2> "$work/exporter.err" &
  pids+=($!); exporter_pid=$!
  if [ -n "$node_exporter" ]; then
    ip netns exec "$ns" "$node_exporter" --web.listen-address=127.0.0.1:9100 \
      --collector.disable-defaults --collector.tcpstat > "$work/node.out" 2>&1 &
    pids+=($!); node_pid=$!
  fi
  for _ in $(seq 100); do scrape 9742 && break; sleep 0.1; done
  [ -z "$node_exporter" ] || for _ in $(seq 100); do scrape 9100 && break; sleep 0.1; done
  sockets=$(in_ns curl -sf "http://127.0.0.1:9742/metrics" | sed -n 's/^halfopen_sockdiag_sockets_scanned //p')

  : > "$work/bare"; : > "$work/scrape"; : > "$work/four"; : > "$work/ss"; : > "$work/node"
  for _ in $(seq "$RUNS"); do
    time_ms in_ns "$dump" --count-only --request=per-family >> "$work/bare"
    time_ms scrape 9742 >> "$work/scrape"
    time_ms four_scrapes 9742 >> "$work/four"
    time_ms in_ns ss -tin >> "$work/ss"
    [ -z "$node_exporter" ] || time_ms scrape 9100 >> "$work/node"
  done
  ratio=$(awk -v s="$(median < "$work/scrape")" -v b="$(median < "$work/bare")" 'BEGIN {printf "%.2f", s / b}')
  rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$exporter_pid/status")
  node_ms="n/a"; node_rss="n/a"
  if [ -n "$node_exporter" ]; then
    node_ms=$(summary < "$work/node")
    node_rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$node_pid/status")
  fi
  echo "| $n | $sockets | $(summary < "$work/bare") | $(summary < "$work/scrape") | $ratio | $(summary < "$work/four") | $(summary < "$work/ss") | $node_ms | $rss | $node_rss |"

  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  ip netns del "$ns"
done
echo "(medians of $RUNS runs, min-max in brackets; ratio = exporter scrape / bare dump medians)"
