#!/usr/bin/env bash
# Installs and starts what cdktf-docker-vm needs on a Debian 12 host:
#   the Debian host tools, a running docker engine, and a local debian:bookworm
#   base image (made with debootstrap when no registry can provide it).
# Idempotent: each step checks first and does nothing when already satisfied.
# Not root or not Debian: prints exactly what to install and exits 3.
set -euo pipefail

log() { printf 'setup: %s\n' "$*" >&2; }

# xfsprogs: --root-fs xfs. For the tests: libxml2-utils (xmllint, the OVF schema check), vagrant + vagrant-libvirt
# (vagrant box add), libvirt-daemon + libvirt-daemon-driver-qemu + libvirt-clients (virsh in qemu:///session).
# initramfs-tools-core: lsinitramfs, with which preview --virtiofs checks an image's initrd (cpio: the tests write initrds).
PACKAGES=(docker.io fdisk mtools dosfstools syslinux syslinux-common syslinux-efi ovmf qemu-utils qemu-system-x86 debootstrap pigz libdeflate-tools genisoimage openssh-client
  xfsprogs libxml2-utils vagrant vagrant-libvirt libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
  initramfs-tools-core cpio)
E2FS_MIN=1.47.1

e2fs_version() { mke2fs -V 2>&1 | awk 'NR==1 {print $2}'; }
e2fs_ok() { command -v mke2fs >/dev/null && dpkg --compare-versions "$(e2fs_version)" ge "$E2FS_MIN"; }

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

explain_and_exit() {
  cat >&2 <<MSG
setup: cannot install host tools here ($1).
Install these yourself, then run the command again:
  - Debian/Ubuntu packages: ${PACKAGES[*]}
  - e2fsprogs $E2FS_MIN or later (Debian 12: apt-get install -t bookworm-backports e2fsprogs)
  - a running docker engine that this user can reach (docker info must succeed)
  - the base image debian:bookworm (docker pull debian:bookworm)
MSG
  exit 3
}

install_packages() {
  local missing
  missing=$(missing_packages)
  if [ -z "$missing" ] && e2fs_ok; then return 0; fi
  [ "$(id -u)" = 0 ] || explain_and_exit "not root"
  [ -r /etc/debian_version ] && command -v apt-get >/dev/null || explain_and_exit "not a Debian system"
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if ! e2fs_ok && [ "$codename" = bookworm ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding the bookworm-backports suite (for e2fsprogs >= $E2FS_MIN)"
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/bookworm-backports.list
  fi
  log "apt-get update"
  apt-get update -qq >&2
  if [ -n "$missing" ]; then
    log "installing: $(echo $missing)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
  fi
  if ! e2fs_ok; then
    log "installing e2fsprogs >= $E2FS_MIN"
    if [ "$codename" = bookworm ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports e2fsprogs >&2
    else
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq e2fsprogs >&2
    fi
  fi
  e2fs_ok || explain_and_exit "e2fsprogs is $(e2fs_version), need $E2FS_MIN or later"
}

start_docker() {
  if docker info >/dev/null 2>&1; then return 0; fi
  [ "$(id -u)" = 0 ] || explain_and_exit "the docker engine does not answer and only root can start it"
  log "starting dockerd (log: /var/log/dockerd.log)"
  nohup /usr/sbin/dockerd >/var/log/dockerd.log 2>&1 &
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "dockerd did not answer within 60 s; see /var/log/dockerd.log"
  tail -20 /var/log/dockerd.log >&2 || true
  exit 1
}

# Users elsewhere pull the real image; here no registry serves it, so build it.
ensure_base_image() {
  if docker image inspect debian:bookworm >/dev/null 2>&1; then return 0; fi
  if timeout 60 docker pull -q debian:bookworm >/dev/null 2>&1; then return 0; fi
  log "making debian:bookworm with debootstrap (no registry reachable; takes a few minutes)"
  local dir
  dir=$(mktemp -d /var/tmp/debootstrap.XXXXXX)
  trap 'rm -rf "$dir"' RETURN
  debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >&2
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import --change 'CMD ["bash"]' - debian:bookworm >/dev/null
  log "debian:bookworm imported"
}

install_packages
start_docker
ensure_base_image
log "host ready: $(e2fs_version | sed 's/^/e2fsprogs /'), $(docker version --format 'docker {{.Server.Version}}')"
