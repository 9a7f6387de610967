#!/usr/bin/env bash
# The shipped image, built and run for real (ctest: container_image_runs_as_the_daemonset):
#
# 1. base images debian:12 and debian:12-slim from the Debian archive, no
#    registry (base_image.sh; kept between runs);
# 2. the README's container and Kubernetes commands, as one script, from the
#    repository's root, with REGISTRY set to a registry started here
#    (Debian's docker-registry on 127.0.0.1): they build the image from
#    deploy/container/Dockerfile, push it, and render an overlay of
#    deploy/kubernetes that names it;
# 3. the image's size and layers: the slim base and two more, no compiler;
# 4. run_daemonset.py: the pushed image run as that rendered DaemonSet runs
#    it, and what it must see.
#
# Then it removes every image, container, file and process it made, except
# the base images. It runs under CI=true, or with HALFOPEN_TEST_CONTAINER=1
# (it needs root, and takes minutes); elsewhere it reports itself skipped.
# Figures (how long each step took, the image's size) go to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
readonly root=$PWD here=$PWD/tests/container
readonly overlay=my-halfopen   # what the README's overlay block creates

skip() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL: $*" >&2
    exit 1
  fi
  echo "skipped: $*"
  exit 77
}
if [ "${CI:-}" != true ] && [ "${HALFOPEN_TEST_CONTAINER:-}" != 1 ]; then
  skip "builds and runs the image as root; runs under CI=true or HALFOPEN_TEST_CONTAINER=1"
fi
[ "$(id -u)" -eq 0 ] || skip "needs root (podman, namespaces)"
for tool in podman runc debootstrap docker-registry kubectl git curl ip python3; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps.sh test)"
done
for leftover in "$overlay" "$overlay.yaml"; do
  if [ -e "$leftover" ]; then
    echo "FAIL: $root/$leftover exists; the README's commands write it" >&2
    exit 1
  fi
done

work=$(mktemp -d /var/tmp/halfopen-container.XXXXXX)
registry_pid=""
images_before=""
cleanup() {
  local status=$?
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" || true
  if [ -n "$images_before" ]; then
    # Every image the build made (the build stage's too), and no other.
    podman images -a -q --no-trunc | sort -u | comm -13 "$work/images-before" - |
      xargs -r podman rmi -f >/dev/null 2>&1 || true
  fi
  rm -rf "$work" "$root/$overlay" "$root/$overlay.yaml"
  exit "$status"
}
trap cleanup EXIT

# This machine's limits, for every podman below (the README's commands
# included): runc with cgroupfs, rlimits no higher than the ones podman may
# set, and the host's network, so that no bridge nor firewall rule is made.
export CONTAINERS_CONF=$work/containers.conf
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "host"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF

step() { echo "== container: $*"; step_started=$SECONDS; }
took() { echo "== container: $1 took $((SECONDS - step_started)) s"; }

step "base images"
"$here/base_image.sh"
took "base images"

step "a registry on 127.0.0.1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: "$registry"}
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  curl -sf "http://$registry/v2/" >/dev/null && break
  sleep 0.1
done
curl -sf "http://$registry/v2/" >/dev/null || {
  cat "$work/registry.log" >&2
  echo "FAIL: the registry on $registry did not start" >&2
  exit 1
}
export CONTAINERS_REGISTRIES_CONF=$work/registries.conf
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$registry" >"$CONTAINERS_REGISTRIES_CONF"
took "registry"

image=$registry/halfopen_exporter:$(sed -n 's/^project(halfopen_exporter VERSION \([^ )]*\).*/\1/p' CMakeLists.txt)
revision=$(git rev-parse --short=12 HEAD)

step "the README's commands"
python3 "$here/readme_commands.py" README.md "$registry" >"$work/readme.sh"
sed 's/^/  | /' "$work/readme.sh"
podman images -a -q --no-trunc | sort -u >"$work/images-before"
images_before=yes
bash -euo pipefail "$work/readme.sh"
took "README's commands (build, push, render)"

step "the image"
python3 "$here/check_image.py" "$image" localhost/debian:12-slim "$revision"
took "image checks"

step "the pushed image, run as the DaemonSet"
podman rmi "$image" >/dev/null   # so that it comes from the registry
python3 "$here/run_daemonset.py" "$overlay" "$image" "$revision"
took "run as the DaemonSet"
