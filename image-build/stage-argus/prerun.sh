#!/bin/bash -e
# Start from stage2's root file system (Raspberry Pi OS Lite), as every pi-gen stage after the first does.
if [ ! -d "${ROOTFS_DIR}" ]; then
	copy_previous
fi
