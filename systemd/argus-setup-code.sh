#!/bin/sh
# Publish the appliance's one-time setup code on the boot partition, or remove it there once it is retired.
# Usage: argus-setup-code.sh CODE_FILE [BOOT_DIR]   (BOOT_DIR defaults to /boot/firmware, else /boot)
set -eu

code_file="${1:?usage: argus-setup-code.sh CODE_FILE [BOOT_DIR]}"
boot="${2:-}"
if [ -z "$boot" ]; then
    # Bookworm and later mount the FAT partition at /boot/firmware; older releases at /boot.
    if [ -d /boot/firmware ]; then boot=/boot/firmware; else boot=/boot; fi
fi
target="$boot/argus-setup-code.txt"
# The appliance writes its HTTPS certificate's fingerprint next to its data (tls/fingerprint.txt).
fingerprint_file="$(dirname "$code_file")/tls/fingerprint.txt"

if [ -s "$code_file" ]; then
    code="$(head -n 1 "$code_file" | tr -d '\r\n ')"
    tmp="$target.tmp"
    {
        echo "$code"
        echo ""
        echo "Argus setup code. Open https://argus.local/ (or the address shown on the projector),"
        echo "choose \"Set up this appliance\" and enter the code above to create the first admin account."
        if [ -s "$fingerprint_file" ]; then
            echo ""
            echo "Your browser will warn about the appliance's own certificate. Accept it only if its"
            echo "SHA-256 fingerprint is exactly:"
            head -n 1 "$fingerprint_file" | tr -d '\r '  # keeps its newline
        fi
        echo "This file is removed once the appliance has been set up."
    } > "$tmp"
    # Write then rename, and flush: people pull the power (and the SD card) without shutting down.
    mv -f "$tmp" "$target"
    sync
    echo "setup code published in $target"
elif [ -e "$target" ]; then
    rm -f "$target"
    sync
    echo "appliance claimed: removed $target"
fi
