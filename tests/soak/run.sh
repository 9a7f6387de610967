#!/usr/bin/env bash
# Soak: the exporter under steady scraping, on a host whose connections
# churn, while an accept-queue overflow and a vanished peer come and go.
#
#   sudo tests/soak/run.sh [SECONDS] [CONNECTIONS] [OUT]
#        defaults: 600 s, 50000 connections, build/soak (soak.csv, soak.png)
#   Environment: BUILD=build/release, RATE (connections replaced per second;
#   default CONNECTIONS/100), INTERVAL (seconds between samples; 10),
#   WARMUP (seconds; 60), CYCLE (seconds an event takes to come and go; 60).
#
# In a network namespace of its own: halfopen_churn holds CONNECTIONS
# loopback connections and replaces RATE of them every second; the exporter
# (every default collector) is scraped by 4 clients at 20 scrapes/s in all
# (soak.py). Every CYCLE seconds a listen(fd, 1) listener that never accepts
# gets 5 clients for half the cycle (seed 1), and, a quarter cycle later, a
# connection to a second namespace (over a veth pair) loses its peer to an
# nftables drop rule for half a cycle. Every INTERVAL seconds the exporter's
# RSS, fds, threads and the scrape latency percentiles are recorded.
# Passes when no scrape failed, RSS and fds stayed flat after the warm-up,
# p99 latency stayed under 3x the median, and the exporter showed every
# overflow and every vanished peer. Everything it starts is stopped by PID
# and both namespaces are deleted, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
connections=${2:-50000}
out=${3:-build/soak}
BUILD=${BUILD:-build/release}
rate=${RATE:-$((connections / 100))}
if [ "$(id -u)" -ne 0 ]; then
  echo "soak: needs root for its namespaces" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
exporter=$BUILD/exporter/halfopen_exporter
churn=$BUILD/tests/halfopen_churn
bench=soak
. tests/bench/lib.sh
bench_tools "$exporter" "$churn"

ns=hoe-soak-$$
peer=hoe-soakpeer-$$
pids=()
mkdir -p "$out"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$peer" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$ns"
ip netns add "$peer"
ip -n "$ns" link set lo up
ip -n "$peer" link set lo up
ip link add "hs$$a" netns "$ns" type veth peer name "hs$$b" netns "$peer"
ip -n "$ns" addr add 10.231.0.1/24 dev "hs$$a"
ip -n "$peer" addr add 10.231.0.2/24 dev "hs$$b"
ip -n "$ns" link set "hs$$a" up
ip -n "$peer" link set "hs$$b" up
ip netns exec "$peer" nft add table inet soak
ip netns exec "$peer" nft "add chain inet soak in { type filter hook input priority 0; }"
# The connections left behind by a vanished peer give up within a minute.
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2=8

ip netns exec "$peer" python3 tests/soak/soak.py serve --port 31000 \
  --seconds $((seconds + 120)) &
pids+=($!)
ip netns exec "$ns" "$churn" "$connections" "$rate" $((seconds + 120)) \
  > "$out/churn.out" &
pids+=($!)
wait_for "$out/churn.out" '^ready' 300
ip netns exec "$ns" "$exporter" --web.listen-address=127.0.0.1:9742 \
  --log.level=warn 2> "$out/exporter.err" &
pids+=($!)
exporter_pid=$!
for _ in $(seq 100); do
  ip netns exec "$ns" curl -sf -o /dev/null http://127.0.0.1:9742/metrics && break
  sleep 0.1
done

status=0
ip netns exec "$ns" python3 tests/soak/soak.py run --pid "$exporter_pid" \
  --port 9742 --seconds "$seconds" --out "$out" --interval "${INTERVAL:-10}" \
  --warmup "${WARMUP:-60}" --cycle "${CYCLE:-60}" --peer-ns "$peer" \
  --peer-address 10.231.0.2 --peer-port 31000 || status=$?
churned=$(awk '/^churned/ {last[$4] = $2} END {for (p in last) sum += last[p]; print sum + 0}' \
  "$out/churn.out")
echo "soak: $connections connections, $rate replaced per second, $churned replaced in all"
if [ -s "$out/exporter.err" ]; then
  echo "soak: the exporter logged:"; tail -5 "$out/exporter.err"
fi

if command -v gnuplot > /dev/null; then
  gnuplot <<PLOT
set terminal pngcairo size 900,800 noenhanced
set output "$out/soak.png"
set datafile separator ","
set key autotitle columnhead outside right
set multiplot layout 3,1 title "halfopen_exporter soak: $connections connections, $rate replaced/s, 20 scrapes/s from 4 clients"
set yrange [0:*]
set ylabel "RSS MB"
plot "$out/soak.csv" using 1:(\$2/1024) with linespoints title "RSS MB"
set ylabel "count"
plot "$out/soak.csv" using 1:3 with linespoints title "open fds", \
     "" using 1:4 with linespoints title "threads"
set xlabel "seconds"
set ylabel "scrape latency ms"
plot "$out/soak.csv" using 1:6 with linespoints title "p50", \
     "" using 1:7 with linespoints title "p90", \
     "" using 1:8 with linespoints title "p99", \
     "" using 1:9 with points title "max"
unset multiplot
PLOT
  echo "soak: plot in $out/soak.png"
fi
exit "$status"
