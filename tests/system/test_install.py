"""scripts/install.sh into a temporary OS tree (--root), twice, then --uninstall and --uninstall --purge.

We have no Raspberry Pi OS here, so the commands that would change a real system are stubs on PATH that log
their arguments: apt-get, useradd/usermod/userdel (which also edit the tree's /etc/passwd), hostnamectl,
udevadm, and chroot, which runs the named command with the tree as $STUB_ROOT instead of chrooting. python3
inside the "chroot" is a stub that makes a fake venv whose pip only records what it was asked to install.
systemctl is the real one: `systemctl --root=DIR enable` works on a plain directory tree.
"""
from __future__ import annotations

import configparser
import hashlib
import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from appliance.config import load_settings

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install.sh"
UNITS = ("argus.service", "argus-setup-code.path", "argus-setup-code.service")

STUBS = {
    "apt-get": "",
    "hostnamectl": "",
    "udevadm": "",
    "usermod": "",
    "useradd": 'echo "${!#}:x:999:999:Argus:/var/lib/argus:/usr/sbin/nologin" >> "$STUB_ROOT/etc/passwd"',
    "userdel": 'sed -i "/^$1:/d" "$STUB_ROOT/etc/passwd"',
    "chroot": textwrap.dedent("""\
        export STUB_ROOT="$1"; shift
        case "$1" in
            /*) cmd="$STUB_ROOT$1"; shift; exec "$cmd" "$@" ;;
            *) exec "$@" ;;
        esac"""),
    # python3 -m venv ... DIR: a fake venv whose python logs pip calls and "installs" the argus entry point.
    "python3": textwrap.dedent("""\
        venv="$STUB_ROOT${!#}"
        mkdir -p "$venv/bin"
        cat > "$venv/bin/python" <<'PY'
        #!/bin/sh
        echo "venv-python $*" >> "$STUB_LOG"
        bin="$(dirname "$0")"
        printf '#!/bin/sh\\n' > "$bin/argus" && chmod 755 "$bin/argus"
        PY
        chmod 755 "$venv/bin/python\""""),
}

AVAHI_CONF = """\
[server]
#host-name=foo
use-ipv4=yes
use-ipv6=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000

[publish]
publish-workstation=yes
"""


@pytest.fixture
def target(tmp_path):
    if not shutil.which("systemctl"):
        pytest.fail("systemctl is missing: scripts/test installs Debian's systemd package")
    bin_dir = tmp_path / "stubs"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name, body in STUBS.items():
        path = bin_dir / name
        path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$STUB_LOG"\n{body}\n')
        path.chmod(0o755)
    root = tmp_path / "root"
    (root / "etc" / "avahi").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "hostname").write_text("raspberrypi\n")
    (root / "etc" / "hosts").write_text("127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n")
    (root / "etc" / "avahi" / "avahi-daemon.conf").write_text(AVAHI_CONF)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STUB_LOG": str(log)}
    env.pop("ARGUS_INSTALL_ROOT", None)

    def run(*args: str) -> str:
        log.write_text("")
        result = subprocess.run(["bash", str(INSTALL), "--root", str(root), *args], env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return log.read_text()

    return root, run


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path below root with its type, mode and content (or link target); no timestamps."""
    found = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            found[str(path.relative_to(root))] = ("link", os.readlink(path))
        elif stat.S_ISDIR(st.st_mode):
            found[str(path.relative_to(root))] = ("dir", stat.S_IMODE(st.st_mode))
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(root))] = ("file", stat.S_IMODE(st.st_mode), digest)
    return found


def test_install_is_idempotent_and_complete(target):
    root, run = target
    calls = run()
    first = snapshot(root)

    assert "--no-install-recommends" in calls and "python3-picamera2" in calls and "avahi-daemon" in calls
    assert "useradd --system --user-group --groups video --home-dir /var/lib/argus" in calls
    assert "python3 -m venv --clear --system-site-packages /opt/argus/.venv" in calls
    assert "--constraint /opt/argus/image-build/constraints.txt /opt/argus simplejpeg" in calls
    assert "hostnamectl" not in calls and "udevadm" not in calls, "nothing runs on the host for --root"

    opt = root / "opt" / "argus"
    assert (opt / "appliance" / "host" / "systemd.py").read_bytes() == (REPO / "appliance" / "host" / "systemd.py").read_bytes()
    assert not (opt / ".git").exists() and not (opt / "tests" / "__pycache__").exists()
    assert os.access(opt / ".venv" / "bin" / "argus", os.X_OK)
    assert os.access(opt / "systemd" / "argus-setup-code.sh", os.X_OK)

    settings = load_settings(root / "etc" / "argus" / "config.toml")
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 80)
    assert settings.camera.source == "picamera2"
    assert settings.storage.data_dir == "/var/lib/argus"

    for unit in UNITS:
        assert (root / "etc/systemd/system" / unit).read_bytes() == (REPO / "systemd" / unit).read_bytes()
    wants = root / "etc/systemd/system/multi-user.target.wants"
    assert sorted(p.name for p in wants.iterdir()) == sorted(UNITS)
    assert (root / "etc/udev/rules.d/90-argus-usb.rules").exists()

    assert (root / "etc/hostname").read_text() == "argus\n"
    assert (root / "etc/hosts").read_text() == "127.0.0.1\tlocalhost\n127.0.1.1\targus\n"
    avahi = configparser.ConfigParser()
    avahi.read(root / "etc/avahi/avahi-daemon.conf")
    assert avahi["server"]["disallow-other-stacks"] == "no"
    assert avahi["server"]["use-ipv4"] == "yes" and avahi["publish"]["publish-workstation"] == "yes"

    calls = run()
    assert snapshot(root) == first, "a second run changes nothing"
    assert "useradd" not in calls, "the user is created once"

    # An admin's edits to the config survive an update.
    config = root / "etc/argus/config.toml"
    config.write_text('[server]\nport = 8080\n')
    run()
    assert config.read_text() == '[server]\nport = 8080\n'


def test_uninstall_keeps_data_unless_purged(target):
    root, run = target
    run()
    data = root / "var/lib/argus"
    data.mkdir(parents=True)
    (data / "argus.db").write_text("answers")
    (root / "boot/firmware").mkdir(parents=True)
    (root / "boot/firmware/argus-setup-code.txt").write_text("ABCD-EFGH-JKLM\n")

    run("--uninstall")
    assert not (root / "opt/argus").exists()
    assert not any((root / "etc/systemd/system" / unit).exists() for unit in UNITS)
    assert not (root / "etc/systemd/system/multi-user.target.wants/argus.service").is_symlink()
    assert not (root / "etc/udev/rules.d/90-argus-usb.rules").exists()
    assert (data / "argus.db").read_text() == "answers"
    assert (root / "etc/argus/config.toml").exists()
    assert "argus:" in (root / "etc/passwd").read_text()

    calls = run("--uninstall", "--purge")
    assert not data.exists() and not (root / "etc/argus").exists()
    assert not (root / "boot/firmware/argus-setup-code.txt").exists()
    assert "userdel argus" in calls and "argus:" not in (root / "etc/passwd").read_text()
