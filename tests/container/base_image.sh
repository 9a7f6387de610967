#!/usr/bin/env bash
# Makes the two base images deploy/container/Dockerfile starts FROM,
# localhost/debian:12 and localhost/debian:12-slim, from the Debian archive
# this machine's apt already uses: no container registry is needed. podman
# resolves the Dockerfile's short names `debian:12` and `debian:12-slim` to
# them. Like Debian's official images, both clean apt's caches after every
# install and list bookworm, bookworm-updates and bookworm-security; the slim
# one also leaves out documentation, manual pages and translations.
#
#   tests/container/base_image.sh          reuse both when present
#   tests/container/base_image.sh --force  build them again
#
# Kept between runs: building them takes about a minute, and nothing in the
# project changes them. Remove them with
#   podman rmi localhost/debian:12 localhost/debian:12-slim
set -euo pipefail

readonly full=localhost/debian:12 slim=localhost/debian:12-slim

if [ "${1:-}" != "--force" ] && podman image exists "$full" &&
    podman image exists "$slim"; then
  echo "base images: reusing $full and $slim ($(podman image inspect \
    --format '{{.Created.Format "2006-01-02"}}' "$full"))"
  exit 0
fi
podman rmi "$full" "$slim" >/dev/null 2>&1 || true

# The archive apt uses here, for the release and for its security updates.
repo() {
  apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' \
    "Codename: $1" | sort -u | head -1
}
mirror=$(repo bookworm)
security=$(repo bookworm-security)
if [ -z "$mirror" ]; then
  echo "base_image.sh: apt on this machine knows no bookworm archive" \
       "(run apt-get update)" >&2
  exit 1
fi

work=$(mktemp -d /var/tmp/halfopen-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
started=$SECONDS
echo "base images: debootstrap --variant=minbase bookworm from $mirror"
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1; then
  tail -20 "$work/debootstrap.log" >&2
  echo "base_image.sh: debootstrap failed (log above)" >&2
  exit 1
fi

cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
// No downloaded packages nor binary caches left in an image's layers.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
EOF
rm -f "$root/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\n' "$mirror"
  printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  if [ -n "$security" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\n' "$security"
    printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  fi
} >"$root/etc/apt/sources.list.d/debian.sources"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
  "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/*

import() {
  tar -C "$root" --numeric-owner -c . | podman import -q \
    --change 'CMD ["bash"]' - "$1" >/dev/null
  echo "base images: $1, $(podman image inspect --format '{{.Size}}' "$1") bytes"
}
import "$full"

cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
# Documentation, manual pages and translations stay out of this image.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
EOF
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/{man,info,groff,lintian,locale}/*
import "$slim"
echo "base images: built in $((SECONDS - started)) s"
