"""scripts/install.sh for real, on a real Debian 12 root (debootstrap, see debian_root.py): apt-get, useradd and
pip run inside the root through chroot, nothing is stubbed. Then the installed appliance is started inside the
root as the argus user, exactly as its unit would start it, and claimed and used for a short lesson with the
simulated camera. A newer commit is installed over it with its installer and its wheel, as from a USB stick
(config kept, data kept, backup taken, migration applied, every response still there), an update whose pip
fails leaves the previous version running, and --uninstall / --uninstall --purge remove what they promise.
"""
from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from appliance import __version__
from appliance.config import load_settings
from tests.system import debian_root
from tests.system.installed import PASSWORD, TIMINGS, Appliance, collect, install, unit_value

REPO = Path(__file__).resolve().parents[2]
UNITS = ("argus.service", "argus-setup-code.path", "argus-setup-code.service")
NO_PI_CAMERA = "the Pi camera will not be available here"


# --- the root and the checkouts installed into it ---------------------------------------------------------------
@pytest.fixture
def root():
    if not shutil.which("chroot") or os.geteuid() != 0:
        pytest.fail("the Debian install test needs root and chroot (it runs in CI as root)")
    # Not below tmp_path: other pytest sessions prune old temp folders, and must never meet the host's folders
    # bound into this one. It is deleted here, only once nothing is mounted in it.
    path = Path(tempfile.mkdtemp(prefix="argus-debian-root-", dir="/var/tmp"))
    try:
        debian_root.unpack(path)
        with debian_root.host_access(path) as env:
            yield path, env
    finally:
        if not debian_root.mounts_below(path):
            shutil.rmtree(path)


def checkout(dest: Path, version: str, extra_migration: str | None = None, extra_dependency: str | None = None):
    """A copy of this checkout's files as a newer commit would have them: another version, maybe a migration."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split("\n")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    init = dest / "appliance/__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text()))
    if extra_migration:
        migrations = dest / "appliance/store/migrations"
        number = len(list(migrations.glob("[0-9][0-9][0-9]_*.sql"))) + 1
        (migrations / f"{number:03d}_{extra_migration}.sql").write_text(
            f"CREATE TABLE {extra_migration} (id INTEGER PRIMARY KEY);\n")
    if extra_dependency:
        pyproject = dest / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('dependencies = [\n',
                                                           f'dependencies = [\n    "{extra_dependency}",\n', 1))
    return dest


def lesson(root: Path) -> tuple[int, dict]:
    """Claims the appliance with the setup code from the boot partition and runs a two-question lesson."""
    sim = load_settings(root / "etc/argus/config.toml").sim
    with Appliance(root) as app:
        assert app.call("GET", "/api/v1/setup") == {"claimed": False}
        # The code reaches the boot partition through the installed argus-setup-code.service, run as its unit
        # would run it when the path unit sees the appliance write the code.
        (root / "boot/firmware").mkdir(parents=True, exist_ok=True)
        subprocess.run(["chroot", str(root), *shlex.split(unit_value(root, "argus-setup-code.service",
                                                                     "ExecStart"))], check=True, timeout=30)
        code = (root / "boot/firmware/argus-setup-code.txt").read_text().splitlines()[0]
        app.call("POST", "/api/v1/setup", {"code": "WRONG-CODE-0000", "username": "admin", "password": PASSWORD},
                 status=403)
        assert app.call("POST", "/api/v1/setup", {"code": code, "username": "admin", "password": PASSWORD},
                        status=201) == {"username": "admin", "role": "admin"}
        students = [{"name": f"Student {n}", "card": n} for n in range(1, sim.students + 1)]
        klass = app.call("POST", "/api/v1/classes", {"name": "7B", "students": students}, status=201)
        quiz = app.call("POST", "/api/v1/quizzes", {"title": "Install check", "questions": [
            {"text": "2 + 2 =", "options": ["3", "4", "5", "22"], "correct": "B"},
            {"type": "truefalse", "text": "The Pi runs Debian", "correct": "A"}]}, status=201)
        session = app.call("POST", "/api/v1/sessions", {"class_id": klass["id"], "quiz_id": quiz["id"]})
        sid = session["id"]
        app.call("POST", f"/api/v1/sessions/{sid}/open", {"question": 0})
        first = collect(app, sim, sid, 0, 4)
        app.call("POST", f"/api/v1/sessions/{sid}/close")
        app.call("POST", f"/api/v1/sessions/{sid}/open", {"question": 1})
        second = collect(app, sim, sid, 1, 2)
        app.call("POST", f"/api/v1/sessions/{sid}/end")
        results = app.call("GET", f"/api/v1/sessions/{sid}/results")
        by_card = {s["card"]: s["answers"] for s in results["students"]}
        assert all(by_card[card][0] == answer for card, answer in first.items())
        assert all(by_card[card][1] == answer for card, answer in second.items())
        assert app.call("GET", "/api/v1/health")["version"] == __version__
    return sid, results


def results_after_restart(root: Path, sid: int) -> tuple[str, dict]:
    """(version, the session's results) from the appliance as installed now, logged in as the admin."""
    with Appliance(root) as app:
        assert app.call("GET", "/api/v1/setup") == {"claimed": True}
        app.call("POST", "/api/v1/login", {"username": "admin", "password": PASSWORD})
        return app.call("GET", "/api/v1/health")["version"], app.call("GET", f"/api/v1/sessions/{sid}/results")


def venvs(root: Path) -> tuple[str, list[str]]:
    link = root / "opt/argus/.venv"
    assert link.is_symlink()
    return os.readlink(link), sorted(p.name for p in (root / "opt/argus/venvs").iterdir() if p.is_dir())


def paths_named_argus(root: Path) -> list[str]:
    """Every path in the root with "argus" in its name, leaving out what the host has mounted in."""
    mounted = set(debian_root.mounts_below(root))
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in mounted]
        found += [str(Path(folder, name).relative_to(root)) for name in dirs + files if "argus" in name]
    return found


# --- the test -----------------------------------------------------------------------------------------------------
@pytest.mark.timeout(1200)  # three real installs on a loaded 2-core machine: about 5 minutes
def test_install_update_failed_update_and_purge_on_debian(root, tmp_path):
    root, env = root
    TIMINGS.clear()  # what this test costs, not what an earlier one in the session did
    config = root / "etc/argus/config.toml"

    # 1. A fresh install from this checkout.
    output = install(REPO, root, env)
    assert output.count(NO_PI_CAMERA) == 1, "plain Debian has no python3-picamera2: said once, plainly"
    settings = load_settings(config)
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 80)
    assert settings.server.https and settings.server.https_port == 443  # HTTP on 80 only redirects
    assert settings.camera.source == "opencv:0" and settings.storage.data_dir == "/var/lib/argus"
    assert "argus:" in (root / "etc/passwd").read_text()
    opt = root / "opt/argus"
    assert (opt / "scripts/install.sh").read_bytes() == (REPO / "scripts/install.sh").read_bytes()
    assert not (opt / ".git").exists() and not (opt / "build").exists() and not list(opt.glob("*.egg-info"))
    assert os.access(opt / "systemd/argus-setup-code.sh", os.X_OK)
    assert (root / "etc/udev/rules.d/90-argus-usb.rules").exists()
    assert (root / "etc/hostname").read_text() == "argus\n"
    assert "127.0.1.1\targus" in (root / "etc/hosts").read_text()
    avahi = configparser.ConfigParser()
    avahi.read(root / "etc/avahi/avahi-daemon.conf")
    assert avahi["server"]["disallow-other-stacks"] == "no"
    for unit in UNITS:
        assert (root / "etc/systemd/system" / unit).read_bytes() == (REPO / "systemd" / unit).read_bytes()
        assert (root / "etc/systemd/system/multi-user.target.wants" / unit).is_symlink()
    verify = subprocess.run(["systemd-analyze", "verify", f"--root={root}", "--man=no", *UNITS],
                            capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0 and verify.stderr.strip() == "", verify.stderr
    first_venv, _ = venvs(root)
    version = subprocess.run(["chroot", str(root), "/opt/argus/.venv/bin/argus", "--version"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == f"argus {__version__}"

    # The school's admin sets a 1080p USB webcam (which the simulated class stands in for); updates keep it.
    camera = re.search(r"^\[camera\]\n(.*?)(?=^\[)", config.read_text(), re.M | re.S).group(1)
    webcam = re.sub(r"^width = \d+", "width = 1920", re.sub(r"^height = \d+", "height = 1080",
                                                             re.sub(r"^fps = [\d.]+", "fps = 8.0", camera, flags=re.M),
                                                             flags=re.M), flags=re.M)
    assert webcam != camera
    config.write_text(config.read_text().replace(camera, webcam))
    edited = config.read_bytes()
    assert (load_settings(config).camera.width, load_settings(config).camera.height) == (1920, 1080)
    started = time.monotonic()
    sid, results = lesson(root)
    TIMINGS.append(("start, claim and a two-question lesson", time.monotonic() - started))

    # 2. A newer commit over it, as a wheel brought on a USB stick: new version, one more migration.
    newer = f"{__version__}.post1"
    source = checkout(tmp_path / "newer", newer, extra_migration="upgrade_probe")
    stick = tmp_path / "usb-stick"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(stick),
                    str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = stick.glob(f"argus_appliance-{newer}-*.whl")
    output = install(source, root, env, "--wheel", str(wheel))
    assert f"installing {wheel.name} into /opt/argus/venvs/" in output and "building the Argus wheel" not in output
    assert config.read_bytes() == edited, "an update never touches the config"
    current, kept = venvs(root)
    assert current != first_venv and kept == sorted([Path(first_venv).name, Path(current).name]), \
        "the replaced venv stays until the next update"
    version, after = results_after_restart(root, sid)
    assert version == newer
    assert after == results, "every response is still there"
    backups = list((root / "var/lib/argus/backups").glob("argus-before-*.db"))
    assert backups, "a backup is taken before the migration"
    with sqlite3.connect(backups[0]) as old, sqlite3.connect(root / "var/lib/argus/argus.db") as new:
        assert "upgrade_probe" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
        assert "upgrade_probe" in {r[0] for r in new.execute("SELECT name FROM sqlite_master")}
        assert old.execute("SELECT count(*) FROM responses").fetchone() == \
            new.execute("SELECT count(*) FROM responses").fetchone() != (0,)

    # 3. An update whose pip fails (a requirement no index has) changes nothing: the previous version runs.
    broken = checkout(tmp_path / "broken", f"{__version__}.post2",
                      extra_dependency="argus-install-test-no-such-package==1.0")
    output = install(broken, root, env, ok=False)
    assert "the update failed; the version installed before stays in use" in output
    assert venvs(root) == (current, kept), "no half-made venv is left, nothing was switched"
    version, after = results_after_restart(root, sid)
    assert version == newer and after == results

    # 4. Uninstall keeps config and data; --purge removes them and the user too.
    install(broken, root, env, "--uninstall")
    assert not (root / "opt/argus").exists()
    assert not any((root / "etc/systemd/system" / unit).exists() for unit in UNITS)
    assert not any(p.name in UNITS for p in (root / "etc/systemd/system/multi-user.target.wants").iterdir())
    assert not (root / "etc/udev/rules.d/90-argus-usb.rules").exists()
    assert config.read_bytes() == edited and (root / "var/lib/argus/argus.db").exists()
    install(broken, root, env, "--uninstall", "--purge")
    assert paths_named_argus(root) == []
    mentions = subprocess.run(["grep", "-rl", "argus", str(root / "etc")], capture_output=True, text=True).stdout
    mentions = sorted(str(Path(p).relative_to(root)) for p in mentions.split())
    # Kept on purpose (see install.sh): the host name; shadow-utils' own backups of the user files ("-").
    assert [m for m in mentions if not m.endswith("-")] == ["etc/hostname", "etc/hosts"], mentions
    print("\n".join(f"{seconds:6.1f} s  {step}" for step, seconds in TIMINGS))
