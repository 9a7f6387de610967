#!/usr/bin/env bash
# Runs the package's maintainer scripts as dpkg calls them, on a pretend
# systemd host, and checks what they ask systemd to do: nothing is started or
# enabled on install, a running service is restarted on upgrade, stopped on
# removal, and its enablement links go on purge. The host is pretended in a
# mount namespace of its own: a private /run holding /run/systemd/system, a
# private /etc/systemd/system, and systemctl and deb-systemd-invoke that only
# record their arguments. Needs root.
#   check_maintainer_scripts.sh CONTROL_DIR   (postinst, prerm, postrm)
set -euo pipefail
control=$(realpath "$1")
if [ -z "${HALFOPEN_PRETEND_SYSTEMD:-}" ]; then
  exec unshare --mount --propagation private \
    env HALFOPEN_PRETEND_SYSTEMD=1 "$0" "$control"
fi

mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /etc/systemd/system
mkdir -p /run/systemd/system /run/fake-bin
for tool in systemctl deb-systemd-invoke; do
  printf '#!/bin/sh\necho "%s $*" >> /run/calls\n' "$tool" > /run/fake-bin/$tool
  chmod 755 /run/fake-bin/$tool
done

failures=0
# expect NAME EXPECTED_CALLS SCRIPT ARGS...
expect() {
  local name=$1 expected=$2 script=$3
  shift 3
  : > /run/calls
  if ! PATH=/run/fake-bin:$PATH sh "$control/$script" "$@"; then
    echo "FAIL $name: $script $* exited non-zero"; failures=$((failures + 1))
    return
  fi
  local actual
  actual=$(cat /run/calls)
  if [ "$actual" != "$expected" ]; then
    echo "FAIL $name: $script $* called"
    echo "  ${actual:-nothing}"
    echo "want"
    echo "  ${expected:-nothing}"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(echo "${actual:-nothing called}" | paste -sd ';')"
  fi
}

reload="systemctl --system daemon-reload"
expect "install starts and enables nothing" "$reload" postinst configure ""
expect "upgrade restarts the service only if it runs" \
  "$reload
deb-systemd-invoke try-restart halfopen_exporter.service" postinst configure 0.0.9-1
expect "removal stops the service" \
  "deb-systemd-invoke stop halfopen_exporter.service" prerm remove
expect "upgrade does not stop it in prerm" "" prerm upgrade 0.1.0-1
expect "removal reloads systemd" "$reload" postrm remove

mkdir -p /etc/systemd/system/multi-user.target.wants
ln -s /lib/systemd/system/halfopen_exporter.service \
  /etc/systemd/system/multi-user.target.wants/halfopen_exporter.service
expect "purge reloads systemd" "$reload" postrm purge
if [ -e /etc/systemd/system/multi-user.target.wants/halfopen_exporter.service ] ||
   [ -L /etc/systemd/system/multi-user.target.wants/halfopen_exporter.service ]; then
  echo "FAIL purge: the link systemctl enable made is still there"
  failures=$((failures + 1))
else
  echo "ok   purge removes the link systemctl enable made"
fi

rmdir /run/systemd/system
expect "no systemd running: upgrade calls nothing" "" postinst configure 0.0.9-1
expect "no systemd running: removal calls nothing" "" prerm remove

echo "maintainer scripts: $failures failures"
[ "$failures" -eq 0 ]
