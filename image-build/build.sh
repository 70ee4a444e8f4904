#!/usr/bin/env bash
# Build the Argus SD card image with pi-gen (Raspberry Pi's own image builder) at a pinned release.
# Needs root, internet and an arm64 host or qemu-user-static with binfmt; run by an admin, not by CI.
# Usage: sudo image-build/build.sh        -> image-build/deploy/<date>-argus-bookworm-arm64.img.xz
# The image holds the committed HEAD of this repository (git archive), not the work tree.
set -euo pipefail

# pi-gen release tag "2026-06-18-raspios-bookworm-arm64" (the arm64 branch), pinned by commit as well so a
# moved tag cannot change what we build.
readonly PI_GEN_REPO=https://github.com/RPi-Distro/pi-gen.git
readonly PI_GEN_TAG=2026-06-18-raspios-bookworm-arm64
readonly PI_GEN_COMMIT=d7a31c6aa09f4b867902c51da2b45807c0a1709e

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pigen="$here/pi-gen"

if [ "$(id -u)" != 0 ]; then
    echo "build.sh: pi-gen must run as root (sudo $0)" >&2
    exit 1
fi
git -C "$here/.." rev-parse --verify HEAD >/dev/null  # the stage copies HEAD with git archive

if [ ! -d "$pigen/.git" ]; then
    git clone --branch "$PI_GEN_TAG" "$PI_GEN_REPO" "$pigen"
fi
git -C "$pigen" fetch --tags origin
git -C "$pigen" checkout --force --detach "$PI_GEN_COMMIT"
git -C "$pigen" clean -fdx --exclude=work --exclude=deploy
# Only our stage exports an image; stage2 would otherwise also export plain Raspberry Pi OS Lite.
touch "$pigen/stage2/SKIP_IMAGES"

# Pass the stage's location to the config (pi-gen sources it inside its own build.sh).
export ARGUS_STAGE_DIR="$here/stage-argus"
export ARGUS_GIT_REV
ARGUS_GIT_REV="$(git -C "$here/.." rev-parse HEAD)"
(cd "$pigen" && ./build.sh -c "$here/config")

mkdir -p "$here/deploy"
cp -v "$pigen"/deploy/*argus* "$here/deploy/"
