#!/usr/bin/env bash
# Installs the Debian 12 packages the build and the tests need, if any are
# missing. Safe to run again: it does nothing when everything is there.
set -euo pipefail

packages=(
  # build
  cmake g++ make git
  prometheus-cpp-dev libspdlog-dev libgtest-dev libgmock-dev libbenchmark-dev
  # --web.config.file (YAML, bcrypt), TLS and gzip
  libyaml-cpp-dev libcrypt-dev libssl-dev zlib1g-dev
  # tests: promtool and prometheus, namespaces, silent drops, HTTP
  prometheus iproute2 nftables curl procps openssl
  # deployment checks: systemd-analyze, YAML parsing
  systemd python3-yaml
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
