#!/usr/bin/env bash
# Install, update or remove Argus on Raspberry Pi OS Lite 64-bit (Bookworm or Trixie) or plain Debian. Run as
# root from a checkout of the repository. Re-running from a newer checkout updates Argus; config and data stay.
#
# Usage: scripts/install.sh [--root DIR] [--no-start] [--wheel FILE]   install or update
#        scripts/install.sh [--root DIR] --uninstall [--purge]          remove; --purge also deletes config, data, user
#
# Layout: the installer's files (units, config template, this script) in /opt/argus; each installed version in
# its own venv /opt/argus/venvs/<id>, and /opt/argus/.venv a symlink to the one in use. Config
# /etc/argus/config.toml (installed once, never overwritten), data /var/lib/argus (the unit's StateDirectory),
# units in /etc/systemd/system.
# An update builds a new venv next to the running one and switches the symlink only once the new venv works;
# a failed pip, a full disk or a power cut before the switch leaves the previous version in use. The venv it
# replaced is kept until the next update (and put back if the new one fails to start under systemd).
# --wheel FILE: install this Argus wheel (e.g. from a USB stick) instead of building one from the checkout;
#   units and config template still come from the checkout this script is in (/opt/argus after an install).
# --root DIR (or $ARGUS_INSTALL_ROOT): install into the OS tree at DIR, e.g. a mounted image. Files are written
#   below DIR, apt-get/useradd/python run inside it through chroot, systemctl gets --root, nothing is started.
# --no-start: install and enable but start nothing (image builds run this inside pi-gen's chroot).
set -euo pipefail

readonly USER_NAME=argus
readonly PREFIX=/opt/argus
readonly CONF_DIR=/etc/argus
readonly DATA_DIR=/var/lib/argus
readonly UNIT_DIR=/etc/systemd/system
readonly UDEV_RULE=/etc/udev/rules.d/90-argus-usb.rules
readonly VENVS=$PREFIX/venvs
readonly UNITS=(argus.service argus-setup-code.path argus-setup-code.service)
readonly HOST_NAME=argus
readonly APT_PACKAGES=(python3 python3-venv python3-pip avahi-daemon ca-certificates)
# From Raspberry Pi OS's own repository, not Debian's: installed where apt has it. Without recommends, which
# pull a desktop (Qt, OpenGL) onto Lite.
readonly PI_CAMERA_PACKAGE=python3-picamera2
# USB sticks formatted NTFS (common from Windows) are mounted through ntfs-3g where apt offers it.
readonly NTFS_PACKAGE=ntfs-3g

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${ARGUS_INSTALL_ROOT:-/}"
action=install
start=1
purge=0
wheel=""
pi_camera=0

usage() { sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || usage; root="$2"; shift ;;
        --root=*) root="${1#--root=}" ;;
        --no-start) start=0 ;;
        --uninstall) action=uninstall ;;
        --purge) purge=1 ;;
        --wheel) [ $# -ge 2 ] || usage; wheel="$2"; shift ;;
        --wheel=*) wheel="${1#--wheel=}" ;;
        -h|--help) usage ;;
        *) echo "install.sh: unknown argument $1" >&2; usage ;;
    esac
    shift
done

if [ -n "$wheel" ]; then
    [ -f "$wheel" ] || { echo "install.sh: --wheel $wheel: no such file" >&2; exit 2; }
    wheel="$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"
fi
if [ "$root" != / ]; then
    root="$(cd "$root" && pwd)"
    start=0  # nothing of DIR's system is running
fi
R="${root%/}"  # prefix for paths: "" when installing into the running system

log() { echo "install.sh: $*"; }

# Runs a command inside the target system.
in_target() {
    if [ -z "$R" ]; then "$@"; else chroot "$root" "$@"; fi
}

target_systemctl() {
    if [ -z "$R" ]; then systemctl "$@"; else systemctl --root="$root" "$@"; fi
}

# True only on a booted system managed by systemd (not in a chroot, not for --root): then units can start.
systemd_running() {
    [ -z "$R" ] && [ -d /run/systemd/system ] || return 1
    if command -v systemd-detect-virt >/dev/null 2>&1 && systemd-detect-virt --quiet --chroot; then
        return 1
    fi
}

user_exists() { grep -q "^${USER_NAME}:" "$R/etc/passwd" 2>/dev/null; }

# set_ini FILE SECTION KEY VALUE: set KEY (replacing a commented-out "#KEY=") inside [SECTION], adding the line
# or the section if missing. Writes only on change; returns 0 if the file changed, 1 if it already said so.
set_ini() {
    local file="$1" section="$2" key="$3" value="$4" tmp
    tmp="$(mktemp)"
    awk -v section="[$section]" -v key="$key" -v line="$key=$value" '
        function flush() { if (in_section && !done) { print line; done = 1 } }
        /^[[:space:]]*\[/ { flush(); in_section = ($1 == section) }
        in_section && !done && $0 ~ "^[#;]?[[:space:]]*" key "[[:space:]]*=" { print line; done = 1; next }
        { print }
        END { flush(); if (!done) { print ""; print section; print line } }
    ' "$file" > "$tmp"
    if cmp -s "$tmp" "$file"; then rm -f "$tmp"; return 1; fi
    cat "$tmp" > "$file"  # keep the file's owner and mode
    rm -f "$tmp"
}

# set_toml FILE SECTION KEY VALUE: replace an existing "KEY = ..." line inside [SECTION]; fails if absent, so
# a reworded config.toml is noticed here instead of silently keeping the default.
set_toml() {
    local file="$1" section="$2" key="$3" value="$4" tmp
    tmp="$(mktemp)"
    if ! awk -v section="[$section]" -v key="$key" -v line="$key = $value" '
        /^[[:space:]]*\[/ { in_section = ($1 == section) }
        in_section && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" { print line; found = 1; next }
        { print }
        END { exit !found }
    ' "$file" > "$tmp"; then
        rm -f "$tmp"
        echo "install.sh: $file has no '$key' in [$section]" >&2
        return 1
    fi
    mv -f "$tmp" "$file"
}

# True if the target's apt sources offer PACKAGE (an unknown package has no policy; a known one may lack a
# candidate).
apt_offers() {
    in_target apt-cache policy "$1" 2>/dev/null | grep -q '^  Candidate: [^(]'
}

install_packages() {
    local packages=("${APT_PACKAGES[@]}")
    in_target env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    if apt_offers "$PI_CAMERA_PACKAGE"; then
        packages+=("$PI_CAMERA_PACKAGE")
        pi_camera=1
    else
        log "note: $PI_CAMERA_PACKAGE is not in this system's apt sources (it comes from Raspberry Pi OS):" \
            "the Pi camera will not be available here; USB and IP cameras still work."
    fi
    if apt_offers "$NTFS_PACKAGE"; then
        packages+=("$NTFS_PACKAGE")
    else
        log "note: $NTFS_PACKAGE is not in this system's apt sources: USB sticks formatted NTFS will not be" \
            "mounted (the admin page says so); FAT32 and exFAT sticks work."
    fi
    log "installing Debian packages: ${packages[*]}"
    in_target env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
}

create_user() {
    if user_exists; then
        in_target usermod --append --groups video "$USER_NAME"
        return
    fi
    log "creating system user $USER_NAME"
    # Home is the data dir (ProtectHome= hides /home); no shell, no password: nobody logs in as argus.
    in_target useradd --system --user-group --groups video --home-dir "$DATA_DIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "Argus classroom appliance" "$USER_NAME"
}

copy_code() {
    local dest="$R$PREFIX"
    mkdir -p "$dest"
    if [ "$(cd "$dest" && pwd -P)" = "$(cd "$src" && pwd -P)" ]; then
        log "running from $PREFIX itself: code left as it is"
        return
    fi
    log "copying $src to $dest"
    # Replace everything but the venvs, so files deleted from the repository disappear here too.
    find "$dest" -mindepth 1 -maxdepth 1 ! -name .venv ! -name venvs -exec rm -rf {} +
    tar -C "$src" --owner=0 --group=0 \
        --exclude=./.venv --exclude=./.venv-lock --exclude=./.git --exclude=./.pytest_cache --exclude=./.hypothesis \
        --exclude=__pycache__ --exclude='*.egg-info' --exclude=./build --exclude=./demo-data \
        --exclude=./test-artifacts --exclude=./image-build/pi-gen --exclude=./image-build/deploy \
        -cf - . | tar -C "$dest" --no-same-owner -xf -
    find "$dest" -mindepth 1 -maxdepth 1 ! -name .venv ! -name venvs -exec chmod -R u=rwX,go=rX {} +
}

# Builds the new version in a venv of its own; on any failure removes it and says the old one stays.
new_venv=""
staging=""
abandon_update() {
    local status=$?
    if [ -n "$staging" ]; then rm -rf "$R$staging"; fi
    if [ -n "$new_venv" ]; then
        rm -rf "$R$new_venv"
        if [ -e "$R$PREFIX/.venv" ]; then
            echo "install.sh: the update failed; the version installed before stays in use (nothing was switched)" >&2
        else
            echo "install.sh: the install failed; Argus is not installed yet" >&2
        fi
    fi
    exit "$status"
}

make_venv() {
    local id
    id="$(date -u +%Y%m%d-%H%M%S)-$$"
    new_venv="$VENVS/$id"
    staging="/var/tmp/argus-install-$id"
    trap abandon_update EXIT
    rm -rf "$R"/var/tmp/argus-install-*  # left by an install cut off half way
    install -d -m 0755 "$R$VENVS" "$R$staging"
    log "creating $new_venv"
    # --system-site-packages: picamera2 and libcamera come from apt (python3-picamera2).
    in_target python3 -m venv --system-site-packages "$new_venv"
    local pip=("$new_venv/bin/python" -m pip --disable-pip-version-check --no-cache-dir)
    # Every package at the version the tests ran with, each file checked against the hash in the lock; the system
    # site's copies at other versions (Debian's numpy, simplejpeg) are shadowed by these, not used.
    log "installing the locked dependencies (requirements.lock) into $new_venv"
    in_target env PIP_NO_CACHE_DIR=1 bash "$PREFIX/scripts/install-lock" "$new_venv/bin/python" \
        "$PREFIX/requirements.lock"
    local package
    if [ -n "$wheel" ]; then
        cp "$wheel" "$R$staging/"
        package="$staging/$(basename "$wheel")"
    else
        log "building the Argus wheel from $PREFIX"
        # The build backend is in the lock too: no build dependency is fetched from outside it.
        in_target "${pip[@]}" wheel --quiet --no-deps --no-build-isolation --wheel-dir "$staging" "$PREFIX"
        rm -rf "$R$PREFIX/build" "$R$PREFIX"/*.egg-info
        package="$(cd "$R$staging" && ls argus_appliance-*.whl)"
        package="$staging/$package"
    fi
    log "installing $(basename "$package") into $new_venv"
    # --no-index: its dependencies must all be there already, so a wheel that needs what the lock does not hold
    # (pyproject.toml changed without scripts/lock) fails here, before anything is switched.
    in_target "${pip[@]}" install --quiet --no-index "$package"
    # The new venv must run before it goes live: the entry point, every import the server needs, its web files.
    local version
    version="$(in_target "$new_venv/bin/argus" --version)"
    in_target "$new_venv/bin/python" -c "import appliance.server, appliance.http.pages"
    rm -rf "${R:?}$staging"
    staging=""
    switch_venv "$id"
    new_venv=""
    trap - EXIT
    log "now running $version from $VENVS/$id"
}

# Points .venv at venvs/ID with one rename (atomic), keeps the venv it replaces, deletes any older ones.
switch_venv() {
    local id="$1" link="$R$PREFIX/.venv" previous="" old
    if [ -L "$link" ]; then
        previous="$(basename "$(readlink "$link")")"
    elif [ -d "$link" ]; then
        # An installer from before venvs/: move its venv aside so the symlink can take its name.
        previous="pre-venvs"
        rm -rf "${R:?}$VENVS/$previous"
        mv "$link" "$R$VENVS/$previous"
    fi
    ln -sfn "venvs/$id" "$link.new"
    mv -T "$link.new" "$link"
    sync
    printf '%s\n' "$previous" > "$R$VENVS/.previous"
    for old in "$R$VENVS"/*; do
        case "$(basename "$old")" in
            "$id"|"$previous") ;;
            *) rm -rf "$old" ;;
        esac
    done
}

# Back to the venv the last update replaced (when the new one fails to start under systemd).
roll_back() {
    local previous
    previous="$(cat "$R$VENVS/.previous" 2>/dev/null || true)"
    if [ -z "$previous" ] || [ ! -x "$R$VENVS/$previous/bin/argus" ]; then
        echo "install.sh: no earlier version to go back to" >&2
        return 1
    fi
    ln -sfn "venvs/$previous" "$R$PREFIX/.venv.new"
    mv -T "$R$PREFIX/.venv.new" "$R$PREFIX/.venv"
    echo "install.sh: went back to $VENVS/$previous" >&2
}

install_config() {
    local config="$R$CONF_DIR/config.toml"
    install -d -m 0755 "$R$CONF_DIR"
    if [ -e "$config" ]; then
        log "keeping $CONF_DIR/config.toml"
        return
    fi
    log "installing $CONF_DIR/config.toml"
    local tmp="$config.new"
    cp "$src/config.toml" "$tmp"
    set_toml "$tmp" server host '"0.0.0.0"'
    # Ports 80 and 443 so students type just argus.local (HTTP on 80 redirects to HTTPS on 443); the unit
    # grants only CAP_NET_BIND_SERVICE for them.
    set_toml "$tmp" server port 80
    set_toml "$tmp" server https_port 443
    if [ "$pi_camera" = 1 ]; then
        set_toml "$tmp" camera source '"picamera2"'
    else
        set_toml "$tmp" camera source '"opencv:0"'  # the first USB camera: there is no Pi camera here
    fi
    set_toml "$tmp" storage data_dir "\"$DATA_DIR\""
    # A Pi 4/5 has four cores: read each 12 MP frame as four bands in parallel to keep up with the camera.
    set_toml "$tmp" reader bands 4
    chmod 0644 "$tmp"
    mv -f "$tmp" "$config"
}

install_units() {
    log "installing systemd units: ${UNITS[*]}"
    install -d -m 0755 "$R$UNIT_DIR" "$(dirname "$R$UDEV_RULE")"
    local unit
    for unit in "${UNITS[@]}"; do
        install -m 0644 "$src/systemd/$unit" "$R$UNIT_DIR/$unit"
    done
    install -m 0644 "$src/systemd/90-argus-usb.rules" "$R$UDEV_RULE"
    if systemd_running; then
        systemctl daemon-reload
        udevadm control --reload
    fi
    target_systemctl enable "${UNITS[@]}"
}

set_hostname() {
    if [ "$(cat "$R/etc/hostname" 2>/dev/null)" != "$HOST_NAME" ]; then
        log "setting the host name to $HOST_NAME"
        printf '%s\n' "$HOST_NAME" > "$R/etc/hostname"
        if systemd_running; then hostnamectl set-hostname "$HOST_NAME"; fi
    fi
    # Debian resolves its own name through 127.0.1.1 in /etc/hosts (sudo complains otherwise).
    local hosts="$R/etc/hosts" line
    line="$(printf '127.0.1.1\t%s' "$HOST_NAME")"
    touch "$hosts"
    if grep -q '^127\.0\.1\.1[[:space:]]' "$hosts"; then
        if [ "$(grep '^127\.0\.1\.1[[:space:]]' "$hosts")" != "$line" ]; then
            sed -i "s/^127\.0\.1\.1[[:space:]].*/$line/" "$hosts"
        fi
    else
        printf '%s\n' "$line" >> "$hosts"
    fi
}

configure_avahi() {
    local conf="$R/etc/avahi/avahi-daemon.conf"
    if [ ! -f "$conf" ]; then
        log "warning: $conf not found (is avahi-daemon installed?)"
        return
    fi
    # Argus announces its service with its own mDNS stack (python-zeroconf) next to avahi, which must not
    # claim UDP 5353 for itself. "no" is avahi's default; say it explicitly so a changed default cannot bite.
    if set_ini "$conf" server disallow-other-stacks no; then
        log "avahi: disallow-other-stacks=no"
        if systemd_running && [ "$start" = 1 ]; then systemctl try-restart avahi-daemon.service; fi
    fi
}

start_units() {
    if [ "$start" = 1 ] && systemd_running; then
        log "starting Argus"
        if ! systemctl restart argus.service; then
            echo "install.sh: the new version did not start (journalctl -u argus)" >&2
            roll_back && systemctl restart argus.service
            exit 1
        fi
        systemctl start argus-setup-code.path
        systemctl --no-pager --lines=0 status argus.service || true
    else
        log "not starting anything (--no-start, --root or no running systemd)"
    fi
}

do_install() {
    install_packages
    create_user
    copy_code
    make_venv
    install_config
    install_units
    set_hostname
    configure_avahi
    start_units
    log "done: code $PREFIX, config $CONF_DIR/config.toml, data $DATA_DIR"
}

do_uninstall() {
    local unit
    if systemd_running; then
        systemctl disable --now "${UNITS[@]}" 2>/dev/null || true
    elif [ -e "$R$UNIT_DIR/argus.service" ]; then
        target_systemctl disable "${UNITS[@]}"
    fi
    for unit in "${UNITS[@]}"; do
        rm -f "$R$UNIT_DIR/$unit"
    done
    rm -f "$R$UDEV_RULE"
    if systemd_running; then
        systemctl daemon-reload
        udevadm control --reload
    fi
    rm -rf "$R$PREFIX" "$R"/var/tmp/argus-install-*
    log "removed $PREFIX and the units"
    if [ "$purge" = 1 ]; then
        rm -rf "$R$CONF_DIR" "$R$DATA_DIR" "$R/boot/firmware/argus-setup-code.txt" "$R/boot/argus-setup-code.txt"
        if user_exists; then in_target userdel "$USER_NAME"; fi
        log "purged $CONF_DIR, $DATA_DIR and the $USER_NAME user"
    else
        log "kept $CONF_DIR and $DATA_DIR (use --purge to delete them)"
    fi
    # The host name and avahi's disallow-other-stacks=no (its default) are left as they are.
}

if [ "$(id -u)" != 0 ] && [ -z "$R" ]; then
    echo "install.sh: run as root (sudo $0)" >&2
    exit 1
fi

case "$action" in
    install) do_install ;;
    uninstall) do_uninstall ;;
esac
