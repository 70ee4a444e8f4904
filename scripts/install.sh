#!/usr/bin/env bash
# Install, update or remove Argus on Raspberry Pi OS Lite 64-bit (Bookworm or Trixie). Run as root from a
# checkout of the repository. Re-running updates the code in place and keeps the config and the data.
#
# Usage: scripts/install.sh [--root DIR] [--no-start]             install or update
#        scripts/install.sh [--root DIR] --uninstall [--purge]    remove; --purge also deletes config, data, user
#
# Layout: code in /opt/argus with its venv in /opt/argus/.venv, config /etc/argus/config.toml (installed once,
# never overwritten), data /var/lib/argus (the unit's StateDirectory), units in /etc/systemd/system.
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
readonly UNITS=(argus.service argus-setup-code.path argus-setup-code.service)
readonly HOST_NAME=argus
# python3-picamera2 without recommends: the recommends pull a desktop (Qt, OpenGL) onto Lite.
readonly APT_PACKAGES=(python3 python3-venv python3-pip python3-picamera2 avahi-daemon ca-certificates)

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${ARGUS_INSTALL_ROOT:-/}"
action=install
start=1
purge=0

usage() { sed -n '4,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || usage; root="$2"; shift ;;
        --root=*) root="${1#--root=}" ;;
        --no-start) start=0 ;;
        --uninstall) action=uninstall ;;
        --purge) purge=1 ;;
        -h|--help) usage ;;
        *) echo "install.sh: unknown argument $1" >&2; usage ;;
    esac
    shift
done

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

install_packages() {
    log "installing Debian packages: ${APT_PACKAGES[*]}"
    in_target env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    in_target env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}"
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
    # Replace everything but the venv, so files deleted from the repository disappear here too.
    find "$dest" -mindepth 1 -maxdepth 1 ! -name .venv -exec rm -rf {} +
    tar -C "$src" --owner=0 --group=0 \
        --exclude=./.venv --exclude=./.git --exclude=./.pytest_cache --exclude=./.hypothesis \
        --exclude=__pycache__ --exclude='*.egg-info' --exclude=./build --exclude=./demo-data \
        --exclude=./test-artifacts --exclude=./image-build/pi-gen --exclude=./image-build/deploy \
        -cf - . | tar -C "$dest" --no-same-owner -xf -
    find "$dest" -mindepth 1 -maxdepth 1 ! -name .venv -exec chmod -R u=rwX,go=rX {} +
}

make_venv() {
    local venv="$PREFIX/.venv"
    # -x follows the symlink: a venv whose base Python went away (a release upgrade) is made again.
    if [ ! -x "$R$venv/bin/python" ]; then
        log "creating $venv"
        # --system-site-packages: picamera2 and libcamera come from apt (python3-picamera2).
        in_target python3 -m venv --clear --system-site-packages "$venv"
    fi
    log "installing Argus into $venv"
    local pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-cache-dir)
    in_target "${pip[@]}" install --quiet --prefer-binary --constraint "$PREFIX/image-build/constraints.txt" \
        "$PREFIX" simplejpeg
    # The version number does not change with every commit: reinstall the package itself so new code lands.
    in_target "${pip[@]}" install --quiet --no-deps --force-reinstall "$PREFIX"
    if [ ! -x "$R$venv/bin/argus" ]; then
        echo "install.sh: $venv/bin/argus is missing after pip install" >&2
        exit 1
    fi
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
    set_toml "$tmp" camera source '"picamera2"'
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
        systemctl restart argus.service
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
    rm -rf "$R$PREFIX"
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
