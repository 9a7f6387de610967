#!/usr/bin/env bash
# The listener sampler's cost: LISTENERS listening sockets and HOST
# established connections in a namespace that stands for the host, and PODS
# further namespaces with one listener each; then an exporter in the "host"
# namespace (with --netns.scope=all when PODS > 0) left alone, no scrapes,
# for SECONDS at each sampling interval. Prints, per interval, the sampler
# thread's CPU (halfopen_listener_sampler_seconds_total) and the whole
# process's CPU (utime + stime) as a share of one core, and the samples
# taken per namespace (with scope all, every namespace of the machine is
# read, not only these).
#
#   sudo tests/bench/sampler.sh [LISTENERS] [HOST] [SECONDS] [PODS]
#                                                  (default: 1000 0 30 0)
#   INTERVALS="0.05 0.1 0.25 1" BUDGET=0.01 BUILD=build/release (environment;
#   BUDGET is --collector.listeners.sample-budget, 0 for no limit)
set -euo pipefail
cd "$(dirname "$0")/../.."
listeners=${1:-1000}
host_connections=${2:-0}
seconds=${3:-30}
pod_count=${4:-0}
INTERVALS=${INTERVALS:-"0.05 0.1 0.25 1"}
BUDGET=${BUDGET:-0.01}
BUILD=${BUILD:-build/release}
. tests/bench/lib.sh
bench_start sampler.sh
exporter=$BUILD/exporter/halfopen_exporter
loadgen=$BUILD/tests/halfopen_loadgen
bench_tools "$exporter" "$loadgen"

host=hoe-sampler-$$
# utime + stime of a process, in seconds.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
metric() { grep -E "^$2({| )" "$1" | awk '{s += $NF} END {print s + 0}'; }

bench_netns "$host"
cat > "$work/listeners.py" <<'PY'
import resource, socket, sys, time
count = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (count + 64, count + 64))
held = []
for _ in range(count):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    held.append(s)
print("ready", flush=True)
time.sleep(3600)
PY
ip netns exec "$host" python3 "$work/listeners.py" "$listeners" > "$work/listeners.out" &
pids+=($!)
wait_for "$work/listeners.out" ready 60
if [ "$host_connections" -gt 0 ]; then
  ip netns exec "$host" "$loadgen" "$host_connections" > "$work/loadgen.out" &
  pids+=($!)
  wait_for "$work/loadgen.out" '^ready' 600
fi

scope=own
for i in $(seq "$pod_count"); do
  pod=hoe-samplerpod-$$-$i
  bench_netns "$pod"
  ip netns exec "$pod" python3 "$work/listeners.py" 1 > "$work/pod-$i.out" &
  pids+=($!)
  scope=all
done
for i in $(seq "$pod_count"); do wait_for "$work/pod-$i.out" ready 60; done

echo "sampler cost: $listeners listeners, $host_connections connections, $pod_count" \
     "more namespaces (scope $scope), ${seconds} s per interval"
echo "budget: $BUDGET of a core (0: none)"
printf '%-10s %10s %10s %14s %14s %12s\n' interval kept samples "sampler %core" "process %core" "us/round"
port=9771
for interval in $INTERVALS; do
  ip netns exec "$host" "$exporter" --web.listen-address=127.0.0.1:$port --log.level=warn \
    --netns.scope=$scope --collector.listeners.sample-interval="$interval" \
    --collector.listeners.sample-budget="$BUDGET" \
    2> "$work/exporter.err" &
  pid=$!; pids+=("$pid")
  for _ in $(seq 50); do
    ip netns exec "$host" curl -sf "http://127.0.0.1:$port/metrics" -o "$work/before.prom" && break
    sleep 0.1
  done
  sleep 2  # Let the first samples open their sockets.
  ip netns exec "$host" curl -sf "http://127.0.0.1:$port/metrics" -o "$work/before.prom"
  cpu_before=$(cpu_of "$pid")
  sleep "$seconds"
  cpu_after=$(cpu_of "$pid")
  ip netns exec "$host" curl -sf "http://127.0.0.1:$port/metrics" -o "$work/after.prom"
  kill "$pid"; wait "$pid" || true
  awk -v i="$interval" -v s="$seconds" \
      -v sb="$(metric "$work/before.prom" halfopen_listener_sampler_seconds_total)" \
      -v sa="$(metric "$work/after.prom" halfopen_listener_sampler_seconds_total)" \
      -v nb="$(metric "$work/before.prom" halfopen_listener_samples_total)" \
      -v na="$(metric "$work/after.prom" halfopen_listener_samples_total)" \
      -v cb="$cpu_before" -v ca="$cpu_after" -v ns="$(grep -cE '^halfopen_listener_samples_total({| )' "$work/after.prom")" \
      -v kept="$(metric "$work/after.prom" halfopen_listener_sample_interval_seconds)" \
      'BEGIN { n = (na - nb) / ns; printf "%-10s %9.3fs %10d %13.3f%% %13.3f%% %12.1f\n", i "s", kept, n, 100 * (sa - sb) / s, 100 * (ca - cb) / s, n ? 1e6 * (sa - sb) / n : 0 }'
  port=$((port + 1))
done
