"""The systemd units pass `systemd-analyze verify` and name only units that exist; the setup-code publisher
copies and retires the code."""
from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT_FILES = sorted(p for p in (REPO / "systemd").iterdir() if p.suffix in (".service", ".path", ".timer"))
SYSTEM_UNITS = Path("/usr/lib/systemd/system")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: scripts/test installs it (Debian package systemd)")
    return path


@pytest.fixture(scope="module")
def unit_root(tmp_path_factory) -> Path:
    """An OS tree with systemd's own units and every ExecStart= binary of ours, as install.sh lays it out."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(SYSTEM_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in UNIT_FILES:
        shutil.copy(unit, root / "etc/systemd/system")
    for exe in ("opt/argus/.venv/bin/argus", "opt/argus/systemd/argus-setup-code.sh"):
        (root / exe).parent.mkdir(parents=True, exist_ok=True)
        (root / exe).write_text("#!/bin/sh\n")
        (root / exe).chmod(0o755)
    return root


def test_units_exist():
    assert {p.name for p in UNIT_FILES} >= {"argus.service", "argus-setup-code.path", "argus-setup-code.service"}


def test_systemd_analyze_verify(unit_root):
    result = subprocess.run([_tool("systemd-analyze"), "verify", f"--root={unit_root}", "--man=no",
                             *(p.name for p in UNIT_FILES)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys and bad values are only warnings


def test_verify_would_catch_a_typo(unit_root, tmp_path):
    """Guard for the test above: a misspelt key must show up in its output."""
    broken = unit_root / "etc/systemd/system/argus-typo.service"
    broken.write_text((REPO / "systemd/argus.service").read_text().replace("WatchdogSec=", "WatchdogSecs="))
    try:
        result = subprocess.run([_tool("systemd-analyze"), "verify", f"--root={unit_root}", "--man=no",
                                 broken.name], capture_output=True, text=True, timeout=30)
    finally:
        broken.unlink()
    assert "Unknown key 'WatchdogSecs'" in result.stderr


def _read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


def test_dependencies_name_real_units():
    ours = {p.name for p in UNIT_FILES}
    for path in UNIT_FILES:
        unit = _read_unit(path)
        for section, key in [("Unit", "After"), ("Unit", "Wants"), ("Unit", "Requires"), ("Unit", "Before"),
                             ("Install", "WantedBy"), ("Path", "Unit")]:
            for name in unit.get(section, key, fallback="").split():
                assert name in ours or (SYSTEM_UNITS / name).exists(), f"{path.name}: {key}={name} does not exist"


def test_main_unit_contract():
    service = _read_unit(REPO / "systemd/argus.service")["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["ExecStart"].startswith("/opt/argus/.venv/bin/argus run --config /etc/argus/config.toml")
    assert service["StateDirectory"] == "argus" and service["User"] == "argus"
    assert service["WatchdogSec"] == "30" and service["Restart"] == "on-failure"
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["CapabilityBoundingSet"] == "CAP_NET_BIND_SERVICE"


def test_setup_code_is_published_then_retired(tmp_path):
    script = REPO / "systemd/argus-setup-code.sh"
    code, boot = tmp_path / "setup-code.txt", tmp_path / "boot"
    boot.mkdir()
    code.write_text("ABCD-EFGH-JKLM\n")
    subprocess.run(["sh", str(script), str(code), str(boot)], check=True, capture_output=True, timeout=10)
    published = (boot / "argus-setup-code.txt").read_text().splitlines()
    assert published[0] == "ABCD-EFGH-JKLM" and "argus.local" in "\n".join(published)
    assert [p.name for p in boot.iterdir()] == ["argus-setup-code.txt"], "no temporary file left behind"
    assert "fingerprint" not in "\n".join(published)  # plain HTTP: nothing to check

    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "fingerprint.txt").write_text("AB:CD:EF\n")
    subprocess.run(["sh", str(script), str(code), str(boot)], check=True, capture_output=True, timeout=10)
    published = (boot / "argus-setup-code.txt").read_text().splitlines()
    assert published[0] == "ABCD-EFGH-JKLM" and "AB:CD:EF" in published and "https://argus.local/" in published[2]

    code.unlink()  # the appliance deletes its code once claimed
    subprocess.run(["sh", str(script), str(code), str(boot)], check=True, capture_output=True, timeout=10)
    assert list(boot.iterdir()) == []
