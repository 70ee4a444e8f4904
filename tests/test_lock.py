"""One file of versions for the venv, CI, the installer and the Pi image (scripts/lock writes it).

The locks agree with pyproject.toml, every pin carries hashes, the venv the suite runs in holds exactly the
locked versions, and every run-time package has a wheel for the Pi (aarch64, CPython 3.11 and 3.13) and for
x86_64, so nothing is ever compiled on the appliance.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.lockfile import read_lock, read_lock_text

REPO = Path(__file__).resolve().parents[1]
RUNTIME = REPO / "requirements.lock"
TEST = REPO / "requirements-test.lock"
# Packages PyPI has only as a source distribution, named once in scripts/install-lock: pure Python, so pip builds
# them anywhere in a second. Anything else without a wheel for a target fails the checks below.
PURE_PYTHON_SDISTS = set(re.search(r"^readonly SDISTS=(\S+)$", (REPO / "scripts" / "install-lock").read_text(),
                                   re.M).group(1).split(","))
# The Pi (Raspberry Pi OS Bookworm: glibc 2.36, Python 3.11; Trixie: Python 3.13) and a laptop or CI machine.
TARGETS = [(platform, python) for platform in ("aarch64-manylinux_2_36", "x86_64-manylinux_2_36")
           for python in ("3.11", "3.13")]
def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_every_pin_is_exact_and_hashed():
    for path in (RUNTIME, TEST):
        pins = read_lock(path)
        assert pins, f"{path.name} pins nothing"
        for pin in pins.values():
            assert pin.hashes, f"{path.name}: {pin.name}=={pin.version} has no --hash: pip --require-hashes refuses it"


def test_runtime_dependencies_are_locked_within_pyproject():
    pins = read_lock(RUNTIME)
    project = _project()
    wanted = project["project"]["dependencies"] + project["build-system"]["requires"]
    for dependency in wanted:
        req = Requirement(dependency)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (pyproject.toml) is not in requirements.lock: run scripts/lock"
        assert req.specifier.contains(pins[name].version, prereleases=True), \
            f"requirements.lock has {name}=={pins[name].version}, pyproject.toml asks {req}: run scripts/lock"


def test_test_dependencies_are_locked_within_pyproject_and_share_the_runtime_pins():
    runtime, test = read_lock(RUNTIME), read_lock(TEST)
    shared = set(runtime) & set(test)
    assert not shared, f"pinned in both lock files (pip refuses a package named twice): {sorted(shared)}"
    for dependency in _project()["project"]["optional-dependencies"]["test"]:
        req = Requirement(dependency)
        name = canonicalize_name(req.name)
        pin = test.get(name) or runtime.get(name)
        assert pin, f"{req.name} (the test extra) is in neither lock file: run scripts/lock"
        assert req.specifier.contains(pin.version, prereleases=True), f"{name}=={pin.version} violates {req}"


def test_the_venv_holds_exactly_the_locked_versions():
    """What the suite runs on is what ships: every distribution in this venv is pinned, at its pinned version,
    and every pin meant for this machine is installed."""
    pins = read_lock(RUNTIME) | read_lock(TEST)
    venv_site = [Path(p) for p in sys.path if p.startswith(sys.prefix) and p.endswith("site-packages")]
    assert sys.prefix != sys.base_prefix and venv_site, "the suite runs in the venv scripts/setup-venv makes"
    installed = {}
    for dist in metadata.distributions(path=[str(p) for p in venv_site]):
        name = canonicalize_name(dist.metadata["Name"])
        installed[name] = dist.version
    installed.pop("argus-appliance", None)  # the project itself, installed editable with --no-deps
    installed.pop("pip", None)  # the venv's own installer, from the Python that made it
    unpinned = {name: version for name, version in installed.items() if name not in pins}
    assert not unpinned, f"installed but not in the lock files: {unpinned}"
    wrong = {name: (version, pins[name].version) for name, version in installed.items()
             if pins[name].version != version}
    assert not wrong, f"installed (version, locked version) differ: {wrong}"
    # A pin the system site already satisfies exactly (the venv sees it: --system-site-packages) is not installed
    # again; what counts is that the version imported is the locked one.
    seen = {}
    for name, pin in pins.items():
        if pin.applies_here():
            try:
                seen[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                seen[name] = None
    off = {name: (version, pins[name].version) for name, version in seen.items() if version != pins[name].version}
    assert not off, f"locked for this machine but not what this venv imports (found, locked): {off}"


def test_the_installer_and_the_image_read_the_lock():
    installer = (REPO / "scripts" / "install.sh").read_text()
    assert re.search(r'scripts/install-lock" "\$new_venv/bin/python" \\\n\s+"\$PREFIX/requirements\.lock"', installer), \
        "install.sh installs requirements.lock through scripts/install-lock"
    assert "wheel --quiet --no-deps --no-build-isolation" in installer, "the wheel is built with the locked setuptools"
    assert not (REPO / "image-build" / "constraints.txt").exists(), "one file of versions: requirements.lock"
    setup = (REPO / "scripts" / "setup-venv").read_text()
    assert "scripts/install-lock" in setup and "requirements-test.lock" in setup
    helper = (REPO / "scripts" / "install-lock").read_text()
    assert "--require-hashes" in helper and "--only-binary :all:" in helper and "--no-build-isolation" in helper


def _wheels_only(lock: Path, platform: str, python: str) -> None:
    """uv resolves the lock's pins for the target with source builds refused but for the pure-Python sdists
    named in scripts/install-lock; every pin meant for that target must come out at its locked version."""
    uv = Path(sys.prefix) / "bin" / "uv"
    command = [str(uv), "pip", "compile", str(lock), "--python-platform", platform, "--python-version", python,
               "--only-binary", ":all:", "--no-deps", "--no-header", "--no-annotate", "--quiet",
               "--index-url", "https://pypi.org/simple"]
    for name in PURE_PYTHON_SDISTS:
        command += ["--no-binary", name]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{lock.name}: no wheel for {platform} CPython {python}:\n{result.stderr[-3000:]}"
    expected = {name: pin.version for name, pin in read_lock(lock).items()
                if pin.marker is None or pin.marker.evaluate(_environment(platform, python))}
    assert read_lock_text(result.stdout) == expected


@pytest.mark.parametrize(("platform", "python"), TARGETS)
def test_every_runtime_package_has_a_wheel_for(platform, python):
    """A pin with no wheel for a Pi's Python would mean pip compiling Rust or C in a classroom, or failing."""
    _wheels_only(RUNTIME, platform, python)


def test_every_test_package_has_a_wheel_where_the_tests_run():
    _wheels_only(TEST, "x86_64-manylinux_2_36", "3.11")


def test_the_sdists_allowed_are_pure_python(tmp_path):
    """A package allowed to come as a source distribution must build to a py3-none-any wheel (from the locked,
    hash-checked sdist, with the locked setuptools), or the Pi would need a compiler for it after all."""
    pins = read_lock(RUNTIME) | read_lock(TEST)
    for name in PURE_PYTHON_SDISTS:
        assert name in pins, f"{name} is allowed as an sdist but no longer locked: drop it from scripts/install-lock"
        pin = pins[name]
        one = tmp_path / f"{name}.txt"
        one.write_text(f"{name}=={pin.version} " + " ".join(f"--hash=sha256:{h}" for h in pin.hashes) + "\n")
        wheels = tmp_path / f"{name}-wheel"
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--require-hashes",
                                 "--no-binary", name, "--use-pep517", "--no-build-isolation", "--wheel-dir",
                                 str(wheels), "-r", str(one)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        built = [p.name for p in wheels.iterdir()]
        assert len(built) == 1 and built[0].endswith("-py3-none-any.whl"), built




def _environment(platform: str, python: str) -> dict[str, str]:
    machine = platform.split("-")[0]
    return {"platform_machine": machine, "python_version": python, "python_full_version": f"{python}.0",
            "sys_platform": "linux", "os_name": "posix", "platform_system": "Linux",
            "implementation_name": "cpython", "platform_python_implementation": "CPython"}
