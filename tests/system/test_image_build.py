"""The pi-gen stage is assembled the way pi-gen runs it (its Python versions: requirements.lock, tests/test_lock.py).

pi-gen itself (debootstrap, qemu, loop devices, root) is not run here; image-build/build.sh is for an admin.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

IMAGE = Path(__file__).resolve().parents[2] / "image-build"
STAGE = IMAGE / "stage-argus"
REPO = IMAGE.parent


def _steps() -> list[Path]:
    return sorted(p for p in STAGE.iterdir() if p.is_dir() and re.fullmatch(r"\d\d-[\w-]+", p.name))


def test_stage_layout():
    assert os.access(STAGE / "prerun.sh", os.X_OK)
    assert "copy_previous" in (STAGE / "prerun.sh").read_text(), "a later stage starts from the previous rootfs"
    assert (STAGE / "EXPORT_IMAGE").is_file(), "only a stage with EXPORT_IMAGE becomes an image"
    assert _steps(), "at least one numbered step"
    for step in _steps():
        for path in step.iterdir():
            if path.is_file():
                assert re.fullmatch(r"\d\d-(run\.sh|run-chroot\.sh|packages|packages-nr|debconf)", path.name), path
            if path.name.endswith("-run.sh"):  # pi-gen runs these only when executable
                assert os.access(path, os.X_OK), f"{path} is not executable"


def test_files_referenced_by_run_scripts_exist():
    for step in _steps():
        for script in step.glob("*-run*.sh"):
            for ref in re.findall(r"files/[\w.\-/]+", script.read_text()):
                assert (step / ref).is_file(), f"{script.name} uses {ref}, missing from {step.name}/files"


def test_chroot_step_installs_with_the_real_installer():
    chroot = (STAGE / "00-argus" / "01-run-chroot.sh").read_text()
    assert "scripts/install.sh --no-start" in chroot
    host = (STAGE / "00-argus" / "00-run.sh").read_text()
    assert "/var/tmp/argus-src" in host and "/var/tmp/argus-src" in chroot  # /tmp is a tmpfs in the chroot


def test_packages_are_the_installers():
    listed = [line.split("#")[0].strip() for line in (STAGE / "00-argus" / "00-packages").read_text().splitlines()]
    listed = [name for name in listed if name]
    installer = (REPO / "scripts" / "install.sh").read_text()
    apt_line = re.search(r"APT_PACKAGES=\(([^)]*)\)", installer).group(1).split()
    pi_camera = re.search(r"^readonly PI_CAMERA_PACKAGE=(\S+)$", installer, re.M).group(1)
    assert set(listed) <= {*apt_line, pi_camera}
    assert pi_camera in listed, "the image is Raspberry Pi OS: it has the Pi camera's package"


def test_config_pins_the_build():
    config = (IMAGE / "config").read_text()
    assert re.search(r"^RELEASE=bookworm$", config, re.M)
    assert re.search(r"^ENABLE_SSH=0$", config, re.M)
    assert "stage2" in config and "ARGUS_STAGE_DIR" in config
    build = (IMAGE / "build.sh").read_text()
    assert re.search(r"^readonly PI_GEN_COMMIT=[0-9a-f]{40}$", build, re.M), "pi-gen pinned to a commit"
    assert re.search(r"^readonly PI_GEN_TAG=\S+-arm64$", build, re.M)
