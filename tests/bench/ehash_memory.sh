#!/usr/bin/env bash
# What a TCP established hash table per network namespace costs in memory.
# For each size in ENTRIES (0: the pods share the host's table), creates N
# namespaces from a creator namespace of the script's own whose
# net.ipv4.tcp_child_ehash_entries is set to that size, and prints per
# namespace: the tables' own allocation (the kernel's vmalloc of
# inet_pernet_hashinfo_alloc, exact), and the change of MemAvailable, Slab
# and VmallocUsed (/proc/meminfo; noisy on a busy machine), then deletes
# them. The host's setting is never touched; everything is deleted on exit.
#
#   sudo tests/bench/ehash_memory.sh [N] ["ENTRIES ..."]   (default: 50 "0 1024 65536")
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-50}
sizes=${2:-0 1024 65536}
. tests/bench/lib.sh
bench_start ehash_memory.sh
[ -e /proc/sys/net/ipv4/tcp_child_ehash_entries ] || {
  echo "$bench: this kernel has no net.ipv4.tcp_child_ehash_entries (before Linux 6.1)" >&2
  exit 2
}
creator=hoe-ehcreator-$$
bench_netns "$creator"

meminfo_kb() { awk -v key="$1:" '$1 == key {print $2}' /proc/meminfo; }
# The tables' pages (the size column of vmallocinfo adds a guard page).
tables_bytes() {
  awk '/inet_pernet_hashinfo_alloc/ {for (i = 1; i <= NF; i++) if ($i ~ /^pages=/) sum += substr($i, 7) * 4096}
       END {print sum + 0}' /proc/vmallocinfo
}
sample() { echo "$(meminfo_kb MemAvailable) $(meminfo_kb Slab) $(meminfo_kb VmallocUsed) $(tables_bytes)"; }

echo "| tcp_child_ehash_entries | namespaces | tables KiB per namespace (vmallocinfo) | MemAvailable KiB per namespace | Slab KiB per namespace | VmallocUsed KiB per namespace |"
echo "|---|---|---|---|---|---|"
for entries in $sizes; do
  ip netns exec "$creator" sysctl -qw "net.ipv4.tcp_child_ehash_entries=$entries"
  sleep 2  # let namespaces deleted before settle
  read -r avail0 slab0 vmalloc0 tables0 < <(sample)
  made=()
  for i in $(seq "$count"); do
    ns=hoe-ehmem-$$-$entries-$i
    nsenter --net="/run/netns/$creator" ip netns add "$ns"
    bench_namespaces+=("$ns"); made+=("$ns")
  done
  sleep 1
  read -r avail1 slab1 vmalloc1 tables1 < <(sample)
  awk -v e="$entries" -v n="$count" -v a="$((avail0 - avail1))" -v s="$((slab1 - slab0))" \
      -v v="$((vmalloc1 - vmalloc0))" -v t="$((tables1 - tables0))" \
      'BEGIN {printf "| %d | %d | %.1f | %.0f | %.0f | %.0f |\n", e, n, t / 1024 / n, a / n, s / n, v / n}'
  for ns in "${made[@]}"; do ip netns del "$ns"; done
done
ip netns exec "$creator" sysctl -qw net.ipv4.tcp_child_ehash_entries=0
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg); MemAvailable counts everything else the machine did meanwhile)"
