#!/usr/bin/env bash
# Installs the Debian 12 packages that are missing, and only those:
#   scripts/install-deps.sh run    what building and running the exporter needs
#   scripts/install-deps.sh test   that, plus everything the tests need (default)
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}

run_packages=(
  cmake g++ make git prometheus-cpp-dev libspdlog-dev
  # --web.config.file (YAML, bcrypt), TLS and gzip
  libyaml-cpp-dev libcrypt-dev libssl-dev zlib1g-dev
)
test_packages=(
  # unit tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # promtool and a real Prometheus, namespaces, silent drops, HTTP, TLS files
  prometheus iproute2 nftables curl procps openssl
  # a real proxy in front of a Unix-domain backend (the unix collector)
  nginx-light
  # deployment checks: systemd-analyze, YAML, the man page and the .deb
  systemd python3-yaml help2man man-db dpkg-dev file pkg-config
  # /status in a headless browser, with a font for its screenshot
  chromium fonts-dejavu-core
  # the scenarios on Debian 12's own kernel, booted under QEMU
  qemu-system-x86 busybox-static
  # the fuzzers (libFuzzer with ASan and UBSan, symbolized reports) and the
  # soak's plot
  clang-15 libfuzzer-15-dev llvm-15 gnuplot-nox
  # the container image, built and run (podman with runc, its base made by
  # debootstrap, a registry to push to), and the Kubernetes schemas (npm)
  podman runc buildah debootstrap uidmap docker-registry nodejs
)
# Debian's npm, unless Node.js came with its own (NodeSource's does).
command -v npm >/dev/null || test_packages+=(npm)
case "$what" in
  run) packages=("${run_packages[@]}") ;;
  test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
  *) echo "install-deps.sh: want run or test, not \"$what\"" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2

# Debian's prometheus package starts a server on :9090 as it installs. The
# tests run their own; keep any package from starting a service meanwhile
# (policy-rc.d, which invoke-rc.d and deb-systemd-invoke obey) unless the
# machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  $sudo sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

# ... nor at boot: these services come with what the tests run, and are not
# servers this machine asked for.
for unit in prometheus.service docker-registry.service podman.socket \
    podman.service podman-restart.service; do
  package=${unit%.*}
  package=${package%-restart}
  [[ " ${missing[*]} " == *" $package "* ]] && command -v systemctl >/dev/null || continue
  if [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now --quiet "$unit" || true
  else
    $sudo systemctl disable --quiet "$unit" || true
  fi
  echo "$unit is installed for the tests, disabled and stopped" >&2
done
