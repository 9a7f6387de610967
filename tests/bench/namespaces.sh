#!/usr/bin/env bash
# The cost of --netns.scope=all, with pods sharing the host's TCP established
# hash table (the kernel's default) and with a table of their own
# (net.ipv4.tcp_child_ehash_entries set when they were created, Linux 6.1+).
# Holds HOST established loopback connections in a namespace that stands for
# the host (it shares the kernel's global table, as a node's own namespace
# does), then for each table mode and each pod count in NS creates that many
# pod namespaces, each with a listener and three connections (7 sockets), and
# times scrapes of three exporters running in the "host" namespace:
# --netns.scope=own, --netns.scope=all walking one namespace at a time
# (--netns.walkers=1), and --netns.scope=all with WALKERS walkers. Every
# scrape may walk every namespace (--scrape.timeout=300). Prints medians with
# min-max, the ratio to scope=own, peak RSS, and the load average over the
# last minute when the row was measured (the machine may be shared).
#
# The pods' tables are sized by the namespace they are created from: the
# script makes a creator namespace of its own and sets
# net.ipv4.tcp_child_ehash_entries there (restoring it, and deleting
# everything, on exit, also on failure), so the host's setting, and the
# namespaces other people create meanwhile, are never touched.
#
#   sudo tests/bench/namespaces.sh ["NS ..."] [HOST]  (default: "10 50 110" 100000)
#   RUNS=3 BUILD=build/release TABLES="shared own" EHASH_ENTRIES=1024
#   WALKERS=<cores, at most 4>                        (environment)
set -euo pipefail
cd "$(dirname "$0")/../.."
counts=${1:-10 50 110}
host_connections=${2:-100000}
RUNS=${RUNS:-3}
BUILD=${BUILD:-build/release}
TABLES=${TABLES:-shared own}
EHASH_ENTRIES=${EHASH_ENTRIES:-1024}
WALKERS=${WALKERS:-$(n=$(nproc); echo $((n < 4 ? n : 4)))}
. tests/bench/lib.sh
bench_start namespaces.sh
exporter=$BUILD/exporter/halfopen_exporter
loadgen=$BUILD/tests/halfopen_loadgen
bench_tools "$exporter" "$loadgen"
[ -e /proc/sys/net/ipv4/tcp_child_ehash_entries ] || [ "$TABLES" = shared ] || {
  echo "$bench: this kernel has no net.ipv4.tcp_child_ehash_entries (before Linux 6.1): run with TABLES=shared" >&2
  exit 2
}

host=hoe-nshost-$$
creator=hoe-nscreator-$$
bench_netns "$host"
bench_netns "$creator"
knob=net.ipv4.tcp_child_ehash_entries
if [ "$TABLES" != shared ]; then
  knob_before=$(ip netns exec "$creator" sysctl -n "$knob")
  restore_knob() {
    ip netns exec "$creator" sysctl -qw "$knob=$knob_before" 2>/dev/null || true
    bench_cleanup
  }
  trap restore_knob EXIT
fi
echo "$bench: holding $host_connections connections in $host" >&2
ip netns exec "$host" "$loadgen" "$host_connections" > "$work/loadgen.out" &
pids+=($!)
wait_for "$work/loadgen.out" '^ready' 600

# One process holds every pod's sockets: it enters each pod namespace in
# turn (setns through libc), listens and connects there, and comes back.
cat > "$work/pods.py" <<'PY'
import ctypes, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
home = os.open("/proc/self/ns/net", os.O_RDONLY)
held = []
for name in sys.argv[1:]:
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)
    listener = socket.socket(); listener.bind(("127.0.0.1", 8080)); listener.listen(16)
    held.append(listener)
    for _ in range(3):
        client = socket.create_connection(("127.0.0.1", 8080))
        server, _ = listener.accept()
        held += [client, server]
libc.setns(home, CLONE_NEWNET)
print("ready", len(sys.argv) - 1, flush=True)
time.sleep(3600)
PY

pods=()      # Names of the pod namespaces alive now.
holders=()   # The processes holding their sockets.
# Adds pods until there are $1, created from the creator namespace.
add_pods() {
  local i pod batch=()
  for i in $(seq $((${#pods[@]} + 1)) "$1"); do
    pod=hoe-nspod-$$-$i
    nsenter --net="/run/netns/$creator" ip netns add "$pod"
    bench_namespaces+=("$pod")
    ip -n "$pod" link set lo up
    pods+=("$pod"); batch+=("$pod")
  done
  [ ${#batch[@]} -gt 0 ] || return 0
  python3 "$work/pods.py" "${batch[@]}" > "$work/holder-$1.out" &
  pids+=($!); holders+=($!)
  wait_for "$work/holder-$1.out" ready 120
}
remove_pods() {
  local pid pod
  for pid in "${holders[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for pod in "${pods[@]}"; do ip netns del "$pod"; done
  pods=(); holders=()
}

names=(own all-1 all-w)
declare -A flags=(
  [own]="--netns.scope=own"
  [all-1]="--netns.scope=all --netns.walkers=1"
  [all-w]="--netns.scope=all --netns.walkers=$WALKERS"
)
declare -A ports=([own]=9761 [all-1]=9762 [all-w]=9763)
declare -A exporter_pids
scrape_ms() {
  ip netns exec "$host" curl -sf -o /dev/null -w '%{time_total}\n' \
    "http://127.0.0.1:$1/metrics" | awk '{print $1 * 1000}'
}
# One row: the three exporters started afresh, scraped RUNS times in turn.
measure() {
  local tables=$1 name pid
  for name in "${names[@]}"; do
    # shellcheck disable=SC2086
    ip netns exec "$host" "$exporter" --web.listen-address=127.0.0.1:${ports[$name]} \
      --log.level=warn --scrape.timeout=300 ${flags[$name]} 2> "$work/$name.err" &
    pids+=($!); exporter_pids[$name]=$!
  done
  for name in "${names[@]}"; do
    for _ in $(seq 100); do scrape_ms "${ports[$name]}" > /dev/null && break; sleep 0.1; done
    : > "$work/$name.times"
  done
  for _ in $(seq "$RUNS"); do
    for name in "${names[@]}"; do scrape_ms "${ports[$name]}" >> "$work/$name.times"; done
  done
  local shared
  shared=$(ip netns exec "$host" curl -sf "http://127.0.0.1:${ports[all-1]}/metrics" |
    grep -c '^halfopen_netns_tcp_ehash_shared{.*} 1$' || true)
  local own_ms rss=() row
  own_ms=$(median < "$work/own.times")
  row="| $tables | ${#pods[@]} | $shared | $(summary < "$work/own.times")"
  for name in all-1 all-w; do
    row+=" | $(summary < "$work/$name.times"), $(median < "$work/$name.times" |
      awk -v own="$own_ms" '{printf "%.2f", $1 / own}')x"
  done
  for name in "${names[@]}"; do
    rss+=("$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/${exporter_pids[$name]}/status")")
  done
  echo "$row | ${rss[0]} / ${rss[1]} / ${rss[2]} | $(cut -d' ' -f1 /proc/loadavg) |"
  for name in "${names[@]}"; do
    pid=${exporter_pids[$name]}
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
}

echo "| tables | pods | sharing the host's | scope=own ms | scope=all, 1 walker ms | scope=all, $WALKERS walkers ms | peak RSS MB own / 1 / $WALKERS | load avg (1 min) |"
echo "|---|---|---|---|---|---|---|---|"
for tables in $TABLES; do
  entries=0; [ "$tables" = own ] && entries=$EHASH_ENTRIES
  ip netns exec "$creator" sysctl -qw "$knob=$entries" 2>/dev/null || [ "$entries" = 0 ]
  for count in $counts; do
    echo "$bench: $tables tables, $count pods" >&2
    add_pods "$count"
    measure "$tables"
  done
  remove_pods
done
echo "(pod namespaces with 7 sockets each; $host_connections connections in the host namespace, which shares the kernel's global table; own tables: $knob=$EHASH_ENTRIES in the pods' creator; medians of $RUNS scrapes, min-max in brackets; the ratio is to scope=own)"
