"""shellcheck on every shell script we ship (installer, image build, the unit's helper)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shell_scripts() -> list[Path]:
    found = []
    for folder in ("scripts", "image-build", "systemd"):
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_file() or "pi-gen" in path.parts or "deploy" in path.parts:
                continue
            head = path.read_bytes()[:200]
            if path.suffix == ".sh" or head.startswith(b"#!") and b"sh" in head.split(b"\n")[0] \
                    or b"shellcheck shell=" in head:
                found.append(path)
    return found


def test_scripts_are_found():
    names = {str(p.relative_to(REPO)) for p in shell_scripts()}
    assert {"scripts/install.sh", "image-build/build.sh", "image-build/config",
            "image-build/stage-argus/00-argus/01-run-chroot.sh", "systemd/argus-setup-code.sh"} <= names


@pytest.mark.parametrize("script", shell_scripts(), ids=lambda p: str(p.relative_to(REPO)))
def test_shellcheck(script):
    shellcheck = shutil.which("shellcheck")
    if not shellcheck:
        pytest.fail("shellcheck is missing: scripts/test installs it (Debian package shellcheck)")
    result = subprocess.run([shellcheck, "--external-sources", "--severity=style", str(script)],
                            capture_output=True, text=True, timeout=60, cwd=script.parent)
    assert result.returncode == 0, result.stdout + result.stderr
