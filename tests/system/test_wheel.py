"""The release as a school gets it: `python -m build` makes an sdist and, from it, a wheel; both hold every file
Argus reads at run time. The wheel, installed without -e into a fresh venv, serves every page from a folder
with no checkout in it."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from appliance import __version__
from tests.processes import free_port, wait_for_line

REPO = Path(__file__).resolve().parents[2]


def run_time_files() -> list[str]:
    """Every file the installed package reads, as a path inside the package (web/ installs as appliance/web/)."""
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "web", "appliance/store/migrations",
                              "appliance/vision/data"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    files = [name for name in tracked if not name.endswith(".py") and (REPO / name).is_file()]
    return [f"appliance/{name}" if name.startswith("web/") else name for name in files]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the build backend is the locked setuptools, as when the installer builds on the Pi.
    result = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (sdist,) = out.glob("argus_appliance-*.tar.gz")
    (wheel,) = out.glob("argus_appliance-*.whl")
    return sdist, wheel


def test_sdist_and_wheel_hold_every_run_time_file(release):
    sdist, wheel = release
    needed = run_time_files()
    assert len([n for n in needed if n.startswith("appliance/web/templates/")]) >= 10
    assert any(n.startswith("appliance/web/static/js/") for n in needed)
    assert "appliance/vision/data/markers.json" in needed and "appliance/store/migrations/001_initial.sql" in needed
    with zipfile.ZipFile(wheel) as zf:
        in_wheel = set(zf.namelist())
    assert set(needed) <= in_wheel, sorted(set(needed) - in_wheel)
    with tarfile.open(sdist) as tf:
        top = f"{sdist.name.removesuffix('.tar.gz')}/"
        in_sdist = {m.name.removeprefix(top) for m in tf.getmembers()}
    source_paths = [n.removeprefix("appliance/") if n.startswith("appliance/web/") else n for n in needed]
    assert set(source_paths) <= in_sdist, sorted(set(source_paths) - in_sdist)
    assert wheel.name.startswith(f"argus_appliance-{__version__}-"), "the version is the one in appliance/__init__"


def test_installed_wheel_serves_every_page_without_a_checkout(release, tmp_path):
    _, wheel = release
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # As the installer does: the locked versions, hash-checked, then the wheel with nothing fetched for it.
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps",
                             "-r", str(REPO / "requirements.lock")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", str(wheel)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr

    room = tmp_path / "elsewhere"  # no checkout here, and none on the path
    room.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    where = subprocess.run([str(python), "-c", "import appliance.http.pages as p; print(p.__file__, p.STATIC_DIR)"],
                           cwd=room, env=env, capture_output=True, text=True, check=True).stdout
    site = str(venv / "lib")
    assert where.split()[0].startswith(site) and where.split()[1].startswith(site), where
    assert str(REPO) not in where
    version = subprocess.run([str(venv / "bin" / "argus"), "--version"], cwd=room, env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
    assert version == f"argus {__version__}"

    port = free_port()
    proc = subprocess.Popen([str(venv / "bin" / "argus"), "run", "--demo", "--port", str(port)], cwd=room, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_line(proc, "Argus demo running at", 90)
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

        def get(path: str) -> tuple[str, str]:
            with opener.open(base + path, timeout=10) as response:
                assert response.status == 200, path
                return response.headers.get_content_type(), response.read().decode()

        kind, login = get("/login")
        assert kind == "text/html" and "<form" in login and 'type="password"' in login
        request = urllib.request.Request(base + "/api/v1/login", data=b'{"username": "demo", "password": "demo"}',
                                         headers={"Content-Type": "application/json", "Origin": base})
        with opener.open(request, timeout=10) as response:
            assert response.status == 200
        kind, teacher = get("/")
        assert kind == "text/html" and "/static/js/dashboard.js" in teacher
        _, projector = get("/projector")
        assert "/static/js/projector.js" in projector
        _, student = get("/student")
        assert "/static/js/student.js" in student
        kind, css = get("/static/argus.css")
        assert kind == "text/css" and re.search(r"body\s*{", css)
        kind, script = get("/static/js/api.js")
        assert kind in ("text/javascript", "application/javascript") and "export " in script
        _, health = get("/api/v1/health")
        assert json.loads(health)["version"] == __version__
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, proc.stderr.read()
