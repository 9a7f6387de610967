#!/usr/bin/env bash
# What Unix-domain listeners cost: for each N given, holds N Unix stream
# listeners (paths in a fresh directory, one of them full) in a network
# namespace of its own, then times RUNS bare LISTEN-only unix_diag dumps
# (halfopen_diag_dump --scope=unix-listeners: every datagram received and
# decoded, timed by the tool itself) and RUNS scrapes of the exporter with
# only the unix collector (timed by curl, and by the collector's own
# halfopen_scrape_collector_duration_seconds), and reports the medians and
# the unix series a scrape carries.
#
#   sudo tests/bench/unix_listeners.sh [N ...]     default: 10 1000
#   RUNS=20 BUILD=build/release (environment, defaults shown)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start unix_listeners.sh
build=${BUILD:-build/release}
RUNS=${RUNS:-20}
dump=$build/tools/halfopen_diag_dump
exporter=$build/exporter/halfopen_exporter
bench_tools "$dump" "$exporter"
[ $# -gt 0 ] || set -- 10 1000

cat > "$work/hold.py" <<'PY'
import os, resource, socket, sys, time
n, base = int(sys.argv[1]), sys.argv[2]
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 100, n + 100))
held = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.bind(os.path.join(base, "l%d.sock" % i))
    s.listen(128 if i else 2)
    held.append(s)
for _ in range(3):  # the first one full
    c = socket.socket(socket.AF_UNIX); c.setblocking(False)
    c.connect(os.path.join(base, "l0.sock")); held.append(c)
print("ready", flush=True)
time.sleep(3600)
PY

# The median of RUNS runs of the command, in ms, of the number its output
# holds after PREFIX (in seconds).
median_ms() {
  local prefix=$1; shift
  : > "$work/times"
  for _ in $(seq "$RUNS"); do
    "$@" | grep -o "$prefix[0-9.e+-]*" | head -1 | cut -c$((${#prefix} + 1))- >> "$work/times"
  done
  sort -g "$work/times" | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.2f", m * 1000}'
}

# The unix collector's own duration line of one scrape.
collector_duration() {
  ip netns exec "$1" curl -sf "http://127.0.0.1:$2/metrics" |
    grep '^halfopen_scrape_collector_duration_seconds{collector="unix"}'
}

echo "| Unix listeners | unix_diag dump ms | datagrams | unix collector ms | scrape ms (curl) | unix series |"
echo "|---|---|---|---|---|---|"
port=9870
for n in "$@"; do
  ns=hoe-unixbench-$$-$n
  bench_netns "$ns"
  mkdir -p "$work/s$n"
  ip netns exec "$ns" python3 "$work/hold.py" "$n" "$work/s$n" > "$work/hold.out" &
  holder=$!; pids+=($holder)
  for _ in $(seq 600); do grep -q ready "$work/hold.out" 2>/dev/null && break; sleep 0.1; done
  grep -q ready "$work/hold.out" || { echo "$bench: the holder did not start" >&2; exit 1; }
  datagrams=$(ip netns exec "$ns" "$dump" --scope=unix-listeners | sed 's/.*datagrams=\([0-9]*\).*/\1/')
  dump_ms=$(median_ms seconds= ip netns exec "$ns" "$dump" --scope=unix-listeners)
  ip netns exec "$ns" "$exporter" --web.listen-address=127.0.0.1:$port \
    --log.level=warn --collector.disable-defaults --collector.unix \
    --collector.unix.max=100000 2> "$work/err" &
  pid=$!; pids+=($pid)
  for _ in $(seq 100); do ip netns exec "$ns" curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
  series=$(ip netns exec "$ns" curl -sf "http://127.0.0.1:$port/metrics" | grep -c '^halfopen_unix_listen_' || true)
  scrape_ms=$(median_ms "" ip netns exec "$ns" curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/metrics")
  collector_ms=$(median_ms 'collector="unix"} ' collector_duration "$ns" "$port")
  echo "| $n | $dump_ms | $datagrams | $collector_ms | $scrape_ms | $series |"
  kill "$pid" "$holder"; wait "$pid" "$holder" 2>/dev/null || true
  port=$((port + 1))
done
