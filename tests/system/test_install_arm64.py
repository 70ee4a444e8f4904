"""The Pi's path for real: scripts/install.sh into a Debian 12 **arm64** root (debootstrap through qemu-user), so
pip installs the aarch64 wheels of requirements.lock, hash-checked, as on a Raspberry Pi; then the installed
appliance runs under emulation with the simulated camera at a small frame size, is claimed, runs a one-question
lesson through the API, and `argus scan` reads a printed card's PNG.

Slow under emulation (about ten minutes with the bootstrapped root cached; see the timings it prints), so the
normal suite runs it only when what it checks has changed since it last passed: the lock, the installer, the
image build, the units, or this test (their hash is kept in tests/system/arm64-green.txt, which a pass rewrites:
commit it). `./scripts/test --full`, or ARGUS_TEST_ARM64=always, runs it whatever the record says. Skipped
otherwise only where the kernel refuses binfmt_misc, which emulation needs.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from appliance import __version__
from appliance.config import load_settings
from tests.lockfile import read_lock
from tests.system import debian_root
from tests.system.installed import PASSWORD, TIMINGS, Appliance, collect, install, unit_value

REPO = Path(__file__).resolve().parents[2]
ARCH = "arm64"

pytestmark = pytest.mark.arm64
RECORD = Path(__file__).with_name("arm64-green.txt")
# Everything this test checks that a change elsewhere cannot break on arm64 alone: the app's own code is the same
# Python on every architecture and runs through the whole suite on x86_64.
INPUTS = ("requirements.lock", "scripts/install.sh", "scripts/install-lock", "image-build", "systemd",
          "tests/system/test_install_arm64.py", "tests/system/installed.py", "tests/system/debian_root.py",
          "tests/lockfile.py")


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = REPO / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and not {"pi-gen", "deploy"} & set(p.parts)) \
            if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(REPO)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture
def inputs_changed() -> str:
    """Skips when the record says this test passed on exactly these inputs; else the inputs' hash, which the
    test writes to the record as its last step, once everything passed."""
    current = inputs_hash()
    recorded = RECORD.read_text().split()[0] if RECORD.exists() else ""
    if recorded == current and os.environ.get("ARGUS_TEST_ARM64") != "always":
        pytest.skip("the lock, installer, image build and units are as when this test last passed "
                    f"({RECORD.name}); ARGUS_TEST_ARM64=always or ./scripts/test --full runs it")
    return current


@pytest.fixture
def arm64_root():
    if not shutil.which("chroot") or os.geteuid() != 0:
        pytest.fail("the arm64 install test needs root and chroot (it runs in CI as root)")
    refused = debian_root.emulation(ARCH)
    if refused:
        pytest.skip(f"cannot run arm64 programs here: {refused}")
    TIMINGS.clear()  # what this test costs, not what an earlier one in the session did
    started = time.monotonic()
    path = Path(tempfile.mkdtemp(prefix="argus-debian-arm64-", dir="/var/tmp"))
    try:
        debian_root.unpack(path, ARCH)
        TIMINGS.append(("arm64 root (debootstrap once, then unpacked from the cache)", time.monotonic() - started))
        with debian_root.host_access(path) as env:
            yield path, env
    finally:
        if not debian_root.mounts_below(path):
            shutil.rmtree(path)


def in_root(root: Path, *command: str, timeout: float = 600) -> str:
    result = subprocess.run(["chroot", str(root), *command], capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def small_classroom(config: Path) -> None:
    """A 960x540 camera at 4 fps and eight students three metres away: emulation runs ~10x slower than a Pi."""
    text = config.read_text()
    for key, value in (("width", "960"), ("height", "540"), ("fps", "4.0")):
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M)
    for key, value in (("students", "8"), ("back_row_m", "3.0")):
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M)
    config.write_text(text)
    settings = load_settings(config)
    assert (settings.camera.width, settings.camera.fps, settings.sim.students) == (960, 4.0, 8)


@pytest.mark.timeout(2400)
def test_install_and_a_lesson_on_arm64(inputs_changed, arm64_root):
    root, env = arm64_root
    assert in_root(root, "uname", "-m").strip() == "aarch64", "the root's programs are arm64, run through qemu"

    started = time.monotonic()
    output = install(REPO, root, env)
    TIMINGS.append(("install.sh into the arm64 root", time.monotonic() - started))
    assert "installing the locked dependencies (requirements.lock)" in output
    # Exactly the locked versions, installed from aarch64 wheels (an sdist only where the lock allows it).
    frozen = in_root(root, "/opt/argus/.venv/bin/python", "-m", "pip", "freeze", "--local")
    installed = dict(line.split("==", 1) for line in frozen.split() if "==" in line)
    lock = {name: pin.version for name, pin in read_lock(REPO / "requirements.lock").items()}
    for name in ("opencv-contrib-python-headless", "numpy", "aiohttp", "cryptography", "simplejpeg"):
        assert installed.get(name) == lock[name], (name, installed.get(name), lock[name])
    arch = in_root(root, "/opt/argus/.venv/bin/python", "-c",
                   "import cv2, numpy, sysconfig; print(sysconfig.get_platform(), cv2.__version__, numpy.__version__)")
    assert arch.split() == ["linux-aarch64", lock["opencv-contrib-python-headless"].rsplit(".", 1)[0],
                            lock["numpy"]], arch
    assert in_root(root, "/opt/argus/.venv/bin/argus", "--version").strip() == f"argus {__version__}"

    # A printed card, drawn and read back by the arm64 build of OpenCV: card 7 turned so that B is on top.
    started = time.monotonic()
    in_root(root, "/opt/argus/.venv/bin/argus", "cards", "--png", "/var/tmp/cards", "--count", "8")
    card = cv2.imread(str(root / "var/tmp/cards/card-7.png"), cv2.IMREAD_GRAYSCALE)
    assert card is not None
    photo = np.full((card.shape[0] + 400, card.shape[1] + 400), 110, np.uint8)
    photo[200:-200, 200:-200] = np.rot90(card, 1)  # a quarter turn counter-clockwise: B on top
    cv2.imwrite(str(root / "var/tmp/photo.png"), photo)
    scanned = json.loads(in_root(root, "/opt/argus/.venv/bin/argus", "scan", "/var/tmp/photo.png", "--json"))
    assert scanned["photo"] == "/var/tmp/photo.png" and scanned["cards"] == [{"card": 7, "answer": "B"}], scanned
    TIMINGS.append(("argus cards + argus scan under emulation", time.monotonic() - started))

    # The installed unit's command, as the argus user, claimed with the code the setup unit writes.
    config = root / "etc/argus/config.toml"
    small_classroom(config)
    sim = load_settings(config).sim
    started = time.monotonic()
    with Appliance(root, start_seconds=600) as app:
        TIMINGS.append(("appliance start under emulation", time.monotonic() - started))
        (root / "boot/firmware").mkdir(parents=True, exist_ok=True)
        subprocess.run(["chroot", str(root), *shlex.split(unit_value(root, "argus-setup-code.service",
                                                                     "ExecStart"))], check=True, timeout=120)
        code = (root / "boot/firmware/argus-setup-code.txt").read_text().splitlines()[0]
        app.call("POST", "/api/v1/setup", {"code": code, "username": "admin", "password": PASSWORD}, status=201)
        students = [{"name": f"Student {n}", "card": n} for n in range(1, sim.students + 1)]
        klass = app.call("POST", "/api/v1/classes", {"name": "Pi class", "students": students}, status=201)
        quiz = app.call("POST", "/api/v1/quizzes", {"title": "On arm64", "questions": [
            {"text": "2 + 2 =", "options": ["3", "4", "5", "22"], "correct": "B"}]}, status=201)
        sid = app.call("POST", "/api/v1/sessions", {"class_id": klass["id"], "quiz_id": quiz["id"]})["id"]
        started = time.monotonic()
        app.call("POST", f"/api/v1/sessions/{sid}/open", {"question": 0})
        answered = collect(app, sim, sid, 0, 4, seconds=600)
        TIMINGS.append(("one question read by the emulated camera and reader", time.monotonic() - started))
        app.call("POST", f"/api/v1/sessions/{sid}/end")
        results = app.call("GET", f"/api/v1/sessions/{sid}/results")
        by_card = {s["card"]: s["answers"][0] for s in results["students"]}
        assert all(by_card[card] == answer for card, answer in answered.items())
        assert app.call("GET", "/api/v1/health")["version"] == __version__
    print("\n".join(f"{seconds:6.1f} s  {step}" for step, seconds in TIMINGS))
    RECORD.write_text(f"{inputs_changed}\n# sha256 of {', '.join(INPUTS)} when test_install_arm64.py last passed\n")
