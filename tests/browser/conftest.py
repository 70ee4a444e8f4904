"""Browser-test fixtures: the real appliance in demo mode as a subprocess, and Debian's chromium.

The server is started exactly as a teacher would (`python -m appliance run --demo`) on a free loopback port
with a throwaway data dir, and must stop cleanly (exit code 0) on SIGTERM, as systemd would stop it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    # Readiness only: the appliance's own certificate is checked by the tests that use HTTPS.
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(url, timeout=2, context=context) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def run_appliance(args: list[str], workdir: Path, https_port: int | None = None, port: int | None = None):
    """`python -m appliance run --port N ARGS` (N free, or `port`) in its own process; yields its base URL (the
    HTTPS one when `https_port` is given, which ARGS must then pass on) once it answers, and requires exit code
    0 after SIGTERM."""
    port = port or free_port()
    log_path = workdir / "server.log"
    with open(log_path, "w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "appliance", "run", "--port", str(port), *args],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        base = f"https://127.0.0.1:{https_port}" if https_port else f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(f"{base}/api/v1/public/state"):
                if process.poll() is not None:
                    pytest.fail(f"the appliance exited with {process.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the appliance did not answer within {START_TIMEOUT} s:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                    pytest.fail(f"the appliance ignored SIGTERM for {STOP_TIMEOUT} s:\n{log_path.read_text()}")
        assert process.returncode == 0, f"exit code {process.returncode} after SIGTERM:\n{log_path.read_text()}"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """Base URL of a demo appliance running in its own process."""
    workdir = tmp_path_factory.mktemp("argus-demo")
    # Every phone here shares 127.0.0.1, where a classroom's phones have an address each: lift the per-address
    # limits on card checks and anonymous sockets to what several phones need.
    config = workdir / "argus.toml"
    config.write_text("[server]\npublic_checks_per_minute = 600\nmax_anonymous_per_address = 64\n")
    with run_appliance(["--demo", "--data-dir", str(workdir / "data"), "--config", str(config)], workdir) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Debian chromium is missing at {CHROMIUM}; install it with `apt-get install chromium` "
                    "(the browser tests never download a browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
