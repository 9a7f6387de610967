#!/usr/bin/env bash
# The cost of --netns.scope=all: holds HOST connections in a namespace that
# stands for the host, and NS further namespaces each with a listener and a
# few connections (as pods would have), then times scrapes of exporters
# running in the "host" namespace: scope own, scope all, and scope all
# searching every process's file descriptors for listener owners on every
# scrape (whose cost grows with the host's open fds: the load generator's
# 2 x HOST), and scope all scraped with a 1 s Prometheus scrape timeout.
# Prints medians with min-max and peak RSS.
#
#   sudo tests/bench/namespaces.sh [NS] [HOST]     (default: 50 100000)
#   RUNS=5 BUILD=build/release                      (environment)
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-50}
host_connections=${2:-100000}
RUNS=${RUNS:-5}
BUILD=${BUILD:-build/release}
. tests/bench/lib.sh
bench_start namespaces.sh
exporter=$BUILD/exporter/halfopen_exporter
loadgen=$BUILD/tests/halfopen_loadgen
bench_tools "$exporter" "$loadgen"

host=hoe-nshost-$$
bench_netns "$host"
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
  bench_netns "$pod"
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

# The last row scrapes the `all` exporter as a Prometheus with a 1 s scrape
# timeout would: full walks of other namespaces then get half a second per
# scrape and take turns.
timed_scrape() {
  ip netns exec "$host" curl -sf -o /dev/null -w '%{time_total}\n' "${@:2}" \
    "http://127.0.0.1:$1/metrics" | awk '{print $1 * 1000}'
}
for name in own all all-search all-1s; do : > "$work/$name.times"; done
for _ in $(seq "$RUNS"); do
  sleep 1.1  # so that all-search searches again on each of its scrapes
  for name in own all all-search; do
    timed_scrape "${ports[$name]}" >> "$work/$name.times"
  done
done
for _ in $(seq "$RUNS"); do
  timed_scrape "${ports[all]}" -H 'X-Prometheus-Scrape-Timeout-Seconds: 1' >> "$work/all-1s.times"
done
echo "| exporter | namespaces read | scrape ms | peak RSS MB |"
echo "|---|---|---|---|"
for name in own all all-search all-1s; do
  pid_name=$name; [ "$name" = all-1s ] && pid_name=all
  rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/${exporter_pids[$pid_name]}/status")
  read_count=1; [ "$name" = own ] || read_count=$namespaces
  label=${flags[$pid_name]}
  [ "$name" = all-1s ] && label="$label, scraped with a 1 s timeout"
  echo "| $label | $read_count | $(summary < "$work/$name.times") | $rss |"
done
echo "($count pod namespaces with 7 sockets each; $host_connections connections in the host namespace; medians of $RUNS runs, min-max in brackets)"
