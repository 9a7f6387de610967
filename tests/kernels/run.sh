#!/usr/bin/env bash
# Runs the scenario tests on a Debian kernel booted under QEMU:
#
#   tests/kernels/run.sh [VERSION] [-- COMMAND...]
#
# VERSION is a Debian kernel series ("6.1", the default: Debian 12's kernel,
# the newest ABI the archive has) or one ABI ("6.1.0-47"). The script
# fetches linux-image-<ABI>-amd64-unsigned with apt-get download, unpacks it
# with dpkg-deb -x (nothing is installed), builds an initramfs of
# busybox-static and the modules that mounting 9p needs, and boots QEMU
# (KVM when /dev/kvm can be opened, TCG otherwise). The VM mounts this
# machine's root read-only over virtio-9p, with a tmpfs overlay on top, so
# the build tree and every tool the tests call (ip, nft, tc, prometheus,
# chromium) are the host's; the kernel loads its own modules from the
# unpacked package. Inside, ctest runs the chosen tests with CI=true.
#
# Under TCG (no KVM, as on the CI machine) the scenarios are 2-3 times
# slower, and six are left out by default to keep CI's added time under
# 12 minutes. None has the kernel as its subject, and each is run on the
# host's kernel by CI's own ctest:
#   StatusScenario       headless Chromium: its 60 s bound passes under
#                        emulation before the page is drawn
#   PrometheusEndToEnd   a real Prometheus and promtool over TLS (39 s)
#   SlowClientsScenario  the HTTP server under a hundred slow clients (34 s)
#   LossyControl         fixed 120 s and 60 s statistical controls of the
#                        suspicion model
#   HealthyBusyIdleAndLossyConnectionsNeverScore  the same kind of control,
#                        48 s under emulation
#   NamespacesComingAndGoingLeaveNoFdsOrMemoryBehind  the exporter's own
#                        descriptors and memory over 140 s of namespace
#                        churn; the other namespace scenarios run
#
# The VM prints its ctest's exit status on a marker line of its serial
# console; without that line the run is a VM failure (exit 3), never a
# pass. Otherwise the exit status is ctest's, and the last thing printed is
# ctest's own summary for that kernel. With `-- COMMAND...` the VM runs that
# instead (from the repository root, as root, CI=true), e.g. to capture a
# fixture on that kernel; its exit status comes out the same way.
#
# Environment:
#   BUILD          build tree whose tests run (default build/release)
#   CTEST_ARGS     ctest's arguments that select the tests, as shell words
#                  (default: -L scenario, every scenario; under TCG without
#                  the six above)
#   KERNEL_CACHE   a folder to keep the downloaded .deb and its unpacked,
#                  depmod-ed tree in between runs (default: none; both go in
#                  the temporary directory and are removed)
#   VM_TIMEOUT     seconds before the VM is stopped (default 1800)
#   VM_MEMORY      guest memory (default 2G); VM_CPUS (default: up to 2)
#   VM_WRITABLE    a folder the VM may write to (shared read-write at the
#                  same path; everything else it writes is lost at the end),
#                  e.g. tests/fixtures for a capture
#   KEEP_VM_FILES  1 keeps the temporary directory and says where it is
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
here=$repo/tests/kernels
case "${1:-}" in
  -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
version=6.1
if [ $# -gt 0 ] && [ "$1" != -- ]; then version=$1; shift; fi
command=()
if [ $# -gt 0 ]; then
  [ "$1" = -- ] || { echo "usage: tests/kernels/run.sh [VERSION] [-- COMMAND...]" >&2; exit 2; }
  shift
  command=("$@")
fi
build=$(realpath -m "${BUILD:-build/release}")
timeout_seconds=${VM_TIMEOUT:-1800}
memory=${VM_MEMORY:-2G}
cpus=${VM_CPUS:-$(($(nproc) < 2 ? $(nproc) : 2))}
writable=""
if [ -n "${VM_WRITABLE:-}" ]; then
  writable=$(realpath "$VM_WRITABLE") || exit 2
fi

say() { echo "kernels/run.sh: $*" >&2; }
die() { say "$*"; exit 2; }

for tool in qemu-system-x86_64 busybox apt-get apt-cache dpkg-deb; do
  command -v "$tool" >/dev/null ||
    die "needs $tool (scripts/install-deps.sh test installs it)"
done
[ -x "$build/tests/scenario_tests" ] ||
  die "no test build in $build (scripts/build.sh release first)"

# The package: the newest <series>.0-N ABI the archive knows, or the ABI given.
case "$version" in
  *.*.*-*) abi=$version ;;
  *.*)
    newest_abi() {
      apt-cache pkgnames "linux-image-$version.0-" |
        sed -n "s/^linux-image-\\($version\\.0-[0-9]*\\)-amd64-unsigned\$/\\1/p" |
        sort -V | tail -n 1
    }
    abi=$(newest_abi)
    if [ -z "$abi" ] && [ "$(id -u)" -eq 0 ]; then
      say "the apt lists know no Linux $version: apt-get update"
      apt-get update -qq >&2 && abi=$(newest_abi)
    fi
    [ -n "$abi" ] || die "the apt lists know no linux-image-$version.0-*-amd64-unsigned" \
                         "(apt-get update first?)" ;;
  *) die "VERSION is a series such as 6.1 or an ABI such as 6.1.0-47, not \"$version\"" ;;
esac
kver=$abi-amd64
package=linux-image-$kver-unsigned

started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/halfopen-kernel.XXXXXX")
cleanup() {
  local pid
  pid=$(cat "$work/qemu.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
  wait 2>/dev/null  # for the console pipeline, which writes into $work
  if [ "${KEEP_VM_FILES:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fetch_package() {
  local into=$1
  mkdir -p "$into"
  local deb
  deb=$(find "$into" -maxdepth 1 -name "${package}_*_amd64.deb" | sort -V | tail -n 1)
  if [ -z "$deb" ]; then
    say "fetching $package"
    (cd "$into" && apt-get download -q -o APT::Sandbox::User=root "$package" >&2) ||
      die "apt-get download $package failed"
    deb=$(find "$into" -maxdepth 1 -name "${package}_*_amd64.deb" | sort -V | tail -n 1)
  fi
  echo "$deb"
}
# Unpacked (nothing is installed), with the modules.dep and modules.alias
# that the package's postinst would make, so that the kernel can load any
# module the tests need on demand.
unpack() {
  local deb=$1 tree=$2
  [ -e "$tree/.ready" ] && return
  rm -rf "$tree"
  dpkg-deb -x "$deb" "$tree"
  busybox depmod -b "$tree" "$kver"
  touch "$tree/.ready"
}
deb=$(fetch_package "${KERNEL_CACHE:-$work/deb}")
kernel_tree=$work/kernel
[ -n "${KERNEL_CACHE:-}" ] && kernel_tree=$(realpath "$KERNEL_CACHE")/$(basename "$deb" .deb)
unpack "$deb" "$kernel_tree"
modules=$kernel_tree/lib/modules

# The initramfs: busybox, /init, the job, and the modules behind 9p and
# overlayfs with their dependencies, found in the package's modules.dep.
initramfs=$work/initramfs
mkdir -p "$initramfs"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,lib/modules/"$kver"}
cp "$(command -v busybox)" "$initramfs/bin/busybox"
ln -s busybox "$initramfs/bin/sh"
cp "$here/init" "$initramfs/init"
cp "$modules/$kver"/modules.{dep,alias,symbols,builtin,order} \
  "$initramfs/lib/modules/$kver/"
boot_modules() {
  local names="virtio_pci 9pnet_virtio 9p overlay" name line
  for name in $names; do
    line=$(grep -E "/$name\\.ko:" "$modules/$kver/modules.dep") ||
      die "$kver has no module $name"
    tr ' ' '\n' <<<"${line/:/}"
  done | sort -u
}
while read -r module; do
  mkdir -p "$initramfs/lib/modules/$kver/$(dirname "$module")"
  cp "$modules/$kver/$module" "$initramfs/lib/modules/$kver/$module"
done < <(boot_modules)

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
  accel=(-machine q35,accel=kvm -cpu host)
  how="KVM"
  ctest_args=${CTEST_ARGS:--L scenario}
else
  accel=(-machine q35,accel=tcg -cpu max)
  how="TCG (no KVM here: emulated)"
  ctest_args=${CTEST_ARGS:-"-L scenario -E 'StatusScenario|PrometheusEndToEnd|SlowClientsScenario|LossyControl|HealthyBusyIdleAndLossy|NamespacesComingAndGoing'"}
fi

quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
marker="halfopen-kernel-run-$(cat /proc/sys/kernel/random/uuid)"
{
  echo "JOB_MODULES=$(quote "$modules")"
  echo "JOB_DIR=$(quote "$repo")"
  echo "JOB_HOSTNAME=$(quote "vm-$kver")"
  echo "JOB_MARKER=$(quote "$marker")"
  echo "JOB_WRITABLE=$(quote "$writable")"
  if [ ${#command[@]} -gt 0 ]; then
    job=""
    for word in "${command[@]}"; do job+="$(quote "$word") "; done
  else
    job="ctest --test-dir $(quote "$build") --output-on-failure $ctest_args"
  fi
  echo "JOB_COMMAND=$(quote "$job")"
} > "$initramfs/job"
(cd "$initramfs" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) \
  > "$work/initramfs.cpio.gz"

say "booting $kver ($(basename "$deb")) under QEMU $how, $cpus CPUs, $memory;" \
  "prepared in $((SECONDS - started)) s"
if [ ${#command[@]} -gt 0 ]; then
  say "running: ${command[*]}"
else
  say "running: ctest $ctest_args, CI=true, in $build"
fi

shares=(-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap)
if [ -n "$writable" ]; then
  shares+=(-virtfs "local,path=$writable,mount_tag=writable,security_model=none,multidevs=remap")
  say "writable in the VM: $writable"
fi

log=$work/console.log
# Passes the console through as it comes, line by line, up to the marker.
show_console() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in *"$marker"*) break ;; esac
    printf '%s\n' "${line%$'\r'}"
  done
  cat >/dev/null
}
# In the background, so that a signal to this script is handled at once
# (the trap stops QEMU) rather than after the VM is done.
{
  status=0
  timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 "${accel[@]}" \
    -m "$memory" -smp "$cpus" -nodefaults -display none -no-reboot \
    -pidfile "$work/qemu.pid" \
    -serial stdio -kernel "$kernel_tree/boot/vmlinuz-$kver" \
    -initrd "$work/initramfs.cpio.gz" \
    -append "console=ttyS0 panic=-1 rdinit=/init quiet loglevel=3" \
    "${shares[@]}" </dev/null 2>"$work/qemu.err" || status=$?
  echo "$status" > "$work/qemu.status"
} | tee "$log" | show_console &
wait $! || true
qemu_status=$(cat "$work/qemu.status" 2>/dev/null || echo "?")

result=$(grep -a -o "$marker status=[0-9]*" "$log" | tail -n 1 | sed 's/.*status=//' || true)
if [ -z "$result" ]; then
  say "VM failure: no result from the VM (QEMU exited with $qemu_status$(
    [ "$qemu_status" = 124 ] && echo ", stopped after ${timeout_seconds} s"))"
  [ -s "$work/qemu.err" ] && sed 's/^/qemu: /' "$work/qemu.err" >&2
  exit 3
fi
exit "$result"
