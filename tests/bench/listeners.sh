#!/usr/bin/env bash
# Series and scrape cost with many listening sockets: holds N loopback
# listeners (plus one full listen(fd, 1) one) in a network namespace of its
# own, then for each exporter binary given times RUNS scrapes with the
# default collectors and reports the median scrape time, the body size and
# the per-listener series count.
#
#   sudo tests/bench/listeners.sh N EXPORTER [EXPORTER ...]
#   RUNS=20 (environment, default shown)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -ge 2 ] || { echo "usage: listeners.sh N EXPORTER [EXPORTER ...]" >&2; exit 2; }
bench_start listeners.sh
n=$1; shift
RUNS=${RUNS:-20}
ns=hoe-listeners-$$
bench_netns "$ns"

# The holder: N listeners on ephemeral ports, one full, then waits to be
# killed.
cat > "$work/hold.py" <<PY
import resource, socket, sys, time
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, n + 100))
held = []
for _ in range(n):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16); held.append(s)
full = socket.socket(); full.bind(("127.0.0.1", 0)); full.listen(1)
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(full.getsockname())
    except BlockingIOError: pass
    held.append(c)
print("ready", flush=True)
time.sleep(3600)
PY
ip netns exec "$ns" python3 "$work/hold.py" "$n" > "$work/hold.out" &
pids+=($!)
for _ in $(seq 600); do grep -q ready "$work/hold.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$work/hold.out" || { echo "listeners.sh: the holder did not start" >&2; exit 1; }

echo "| exporter | listeners | per-listener series | body bytes | scrape ms (median of $RUNS) |"
echo "|---|---|---|---|---|"
port=9850
for exporter in "$@"; do
  ip netns exec "$ns" "$exporter" --web.listen-address=127.0.0.1:$port --log.level=warn 2> "$work/err" &
  pid=$!; pids+=($pid)
  for _ in $(seq 100); do ip netns exec "$ns" curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
  ip netns exec "$ns" curl -sf "http://127.0.0.1:$port/metrics" > "$work/body"
  bytes=$(wc -c < "$work/body")
  series=$(grep -c '^halfopen_listen_' "$work/body" || true)
  : > "$work/times"
  for _ in $(seq "$RUNS"); do
    ip netns exec "$ns" curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >> "$work/times"
  done
  median=$(median < "$work/times" | awk '{printf "%.1f", $1 * 1000}')
  echo "| $exporter | $((n + 1)) | $series | $bytes | $median |"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  port=$((port + 1))
done
