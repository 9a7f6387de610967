#!/usr/bin/env bash
# The cost of --netns.scope=all: holds HOST connections in a namespace that
# stands for the host, and NS further namespaces each with a listener and a
# few connections (as pods would have), then times scrapes of exporters
# running in the "host" namespace: scope own, scope all, and scope all
# searching every process's file descriptors for listener owners on every
# scrape (whose cost grows with the host's open fds: the load generator's
# 2 x HOST). Prints medians with min-max and peak RSS.
#
#   sudo tests/bench/namespaces.sh [NS] [HOST]     (default: 50 100000)
#   RUNS=5 BUILD=build/release                      (environment)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-50}
host_connections=${2:-100000}
RUNS=${RUNS:-5}
BUILD=${BUILD:-build/release}
[ "$(id -u)" -eq 0 ] || { echo "namespaces.sh: needs root to create network namespaces" >&2; exit 2; }
exporter=$BUILD/exporter/halfopen_exporter
loadgen=$BUILD/tests/halfopen_loadgen
harness=namespaces.sh
source tests/support/harness.sh
require_tools "$exporter" "$loadgen"

host=hoe-nshost-$$
pods=()
pids=()
work=$(mktemp -d)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pod in "${pods[@]}"; do ip netns del "$pod" 2>/dev/null || true; done
  ip netns del "$host" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
summary() { sort -n | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.0f (%.0f-%.0f)", m, v[1], v[NR]}'; }

ip netns add "$host"
ip -n "$host" link set lo up
ip netns exec "$host" "$loadgen" "$host_connections" > "$work/loadgen.out" &
pids+=($!)
wait_for "$work/loadgen.out" '^ready' 600

cat > "$work/pod.py" <<'PY'
import socket, time
listener = socket.socket(); listener.bind(("127.0.0.1", 8080)); listener.listen(16)
held = []
for _ in range(3):
    client = socket.create_connection(("127.0.0.1", 8080))
    server, _ = listener.accept()
    held += [client, server]
print("ready", flush=True)
time.sleep(3600)
PY
for i in $(seq "$count"); do
  pod=hoe-nspod-$$-$i
  ip netns add "$pod"; pods+=("$pod")
  ip -n "$pod" link set lo up
  ip netns exec "$pod" python3 "$work/pod.py" > "$work/pod-$i.out" &
  pids+=($!)
done
for i in $(seq "$count"); do wait_for "$work/pod-$i.out" ready 60; done

declare -A flags=(
  [own]="--netns.scope=own"
  [all]="--netns.scope=all"
  [all-search]="--netns.scope=all --collector.listeners.process-refresh=1"
)
declare -A ports=([own]=9761 [all]=9762 [all-search]=9763)
declare -A exporter_pids
for name in own all all-search; do
  # shellcheck disable=SC2086
  ip netns exec "$host" "$exporter" --web.listen-address=127.0.0.1:${ports[$name]} \
    --log.level=warn ${flags[$name]} 2> "$work/$name.err" &
  pids+=($!); exporter_pids[$name]=$!
done
scrape() { ip netns exec "$host" curl -sf -o /dev/null "http://127.0.0.1:$1/metrics"; }
for name in own all all-search; do
  for _ in $(seq 100); do scrape "${ports[$name]}" && break; sleep 0.1; done
done
namespaces=$(ip netns exec "$host" curl -sf "http://127.0.0.1:${ports[all]}/metrics" | grep -c '^halfopen_netns_info{')

for name in own all all-search; do : > "$work/$name.times"; done
for _ in $(seq "$RUNS"); do
  sleep 1.1  # so that all-search searches again on each of its scrapes
  for name in own all all-search; do
    ip netns exec "$host" curl -sf -o /dev/null -w '%{time_total}\n' \
      "http://127.0.0.1:${ports[$name]}/metrics" | awk '{print $1 * 1000}' >> "$work/$name.times"
  done
done
echo "| exporter | namespaces read | scrape ms | peak RSS MB |"
echo "|---|---|---|---|"
for name in own all all-search; do
  rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/${exporter_pids[$name]}/status")
  read_count=1; [ "$name" = own ] || read_count=$namespaces
  echo "| ${flags[$name]} | $read_count | $(summary < "$work/$name.times") | $rss |"
done
echo "($count pod namespaces with 7 sockets each; $host_connections connections in the host namespace; medians of $RUNS runs, min-max in brackets)"
