#!/bin/bash -e
# Runs on the build host: put the committed source where the chroot step can read it (/tmp is a fresh tmpfs
# inside pi-gen's chroot, so not there), record what was built, and keep the journal across reboots.
repo="$(cd "${STAGE_DIR}/../.." && pwd)"
src="${ROOTFS_DIR}/var/tmp/argus-src"
rm -rf "${src}"
install -d "${src}"
git -C "${repo}" archive --format=tar HEAD | tar -x -C "${src}"

install -d "${ROOTFS_DIR}/etc/systemd/journald.conf.d"
install -m 644 files/journald-argus.conf "${ROOTFS_DIR}/etc/systemd/journald.conf.d/argus.conf"

printf 'argus %s\npi-gen %s\n' "${ARGUS_GIT_REV:-$(git -C "${repo}" rev-parse HEAD)}" "${GIT_HASH}" \
	> "${ROOTFS_DIR}/etc/argus-image-release"
