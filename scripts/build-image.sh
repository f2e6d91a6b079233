#!/usr/bin/env bash
# Builds and smoke-tests the Vigil image with Debian's podman where no registry is reachable:
#
#   scripts/build-image.sh [tag]            (default tag: localhost/vigil:dev)
#
# The official bases (swift:6.2-bookworm, debian:bookworm-slim) cannot be pulled here, so the
# script makes stand-ins from Debian itself: debootstrap's minimal bookworm becomes the runtime
# base, and the same base plus the Swift build dependencies becomes the build stage, into which
# the host's toolchain (/opt/swift) is mounted read-only. deploy/docker/Dockerfile is then built
# unchanged apart from those two base-image arguments, started, and checked: healthy, the
# HEALTHCHECK passes, a query answers, it runs as uid 10001 and writes to its /vigil volume.
# Needs root, podman, buildah, runc and debootstrap (apt-get install podman buildah runc
# debootstrap); it takes a release build's time, so the test command does not run it.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-localhost/vigil:dev}
work=${VIGIL_IMAGE_WORK:-/tmp/vigil-image}
mkdir -p "$work"
# This machine's kernel refuses the rlimits podman sets by default and mixes cgroup versions:
# no default ulimits, cgroupfs, and runc rather than crun.
printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' > "$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf

if ! podman image exists localhost/debian:bookworm-slim; then
  rootfs=$work/rootfs
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
  tar -C "$rootfs" -c . | podman import - localhost/debian:bookworm-slim
fi
if ! podman image exists localhost/swift-build:bookworm; then
  cat > "$work/Containerfile.swift-build" <<'CONTAINERFILE'
FROM localhost/debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      binutils ca-certificates git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev \
      libncurses6 libpython3.11 libsqlite3-0 libstdc++-12-dev libxml2-dev libz3-dev pkg-config \
      tzdata zlib1g-dev && rm -rf /var/lib/apt/lists/*
ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONTAINERFILE
  podman build --network host -t localhost/swift-build:bookworm -f "$work/Containerfile.swift-build" "$work"
fi

# Where git reaches packages through a local mirror (url.<mirror>.insteadOf in /etc/gitconfig,
# as on the CI machines), the build stage sees the same mirror.
mirror=()
if [ -f /etc/gitconfig ]; then
  mirror+=(-v /etc/gitconfig:/etc/gitconfig:ro)
  for dir in $(git config --system --get-regexp '^url\..*\.insteadof$' | sed -E 's/^url\.(.*)\.insteadof .*/\1/' | sort -u); do
    [ -d "$dir" ] && mirror+=(-v "$dir:$dir:ro")
  done
fi
# Docker format: the OCI format has no HEALTHCHECK, and podman would drop it.
podman build --format docker --network host -v /opt/swift:/opt/swift:ro "${mirror[@]}" \
  --build-arg SWIFT_IMAGE=localhost/swift-build:bookworm \
  --build-arg RUNTIME_IMAGE=localhost/debian:bookworm-slim \
  -f deploy/docker/Dockerfile -t "$tag" .

# Smoke test: the image's own command, its data volume, its healthcheck.
name=vigil-smoke-$$
podman rm -f "$name" >/dev/null 2>&1 || true
podman volume rm -f "$name" >/dev/null 2>&1 || true
podman run -d --name "$name" --network host -v "$name:/vigil" "$tag" \
  --config.file=/etc/vigil/configs/prometheus.yml --alertmanager.config.file=/etc/vigil/configs/alertmanager.yml \
  --web.dashboards-dir=/etc/vigil/dashboards --storage.tsdb.path=/vigil --web.listen-address=127.0.0.1:19090
trap 'podman logs "$name" 2>&1 | tail -20; podman rm -f "$name" >/dev/null; podman volume rm -f "$name" >/dev/null' EXIT
for _ in $(seq 60); do
  curl -fsS http://127.0.0.1:19090/-/healthy >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS http://127.0.0.1:19090/-/healthy
curl -fsS 'http://127.0.0.1:19090/api/v1/query?query=up' | grep -q '"status":"success"'
test "$(podman exec "$name" id -u)" = 10001
podman exec "$name" test -d /vigil/vigil-wal
# The HEALTHCHECK in the image (bash's /dev/tcp, no curl) against the default port is what
# the orchestrator runs; here Vigil listens elsewhere, so run its command against that port.
podman exec "$name" bash -c "exec 3<>/dev/tcp/127.0.0.1/19090 && printf 'GET /-/healthy HTTP/1.0\r\n\r\n' >&3 && grep -q ' 200 ' <&3"
podman image inspect "$tag" --format '{{.Config.Healthcheck.Test}}' | grep -q /-/healthy
podman image inspect "$tag" --format '{{.Size}}' | awk '{printf "build-image: %s built and smoke-tested (%.0f MB)\n", "'"$tag"'", $1/1e6}'
