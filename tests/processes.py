"""Starting `argus` as a real process in tests: a free loopback port, waiting for the line it prints once it
serves, and the demo appliance started the way the power-cut tests kill and restart it."""
from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

DEMO_READY = "Argus demo running at"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(proc: subprocess.Popen, prefix: str, timeout: float = 30.0) -> str:
    """The first line of the process's stdout that starts with `prefix`; fails with its stderr if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line.strip()
        if not line and proc.poll() is not None:
            raise AssertionError(f"argus exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
    raise AssertionError(f"no line starting {prefix!r} within {timeout} s")


async def start_demo(data: Path, config: Path, stderr=subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """`argus run --demo` on a free port with this data folder and config; returns once it serves."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "appliance", "run", "--demo", "--port", str(port), "--data-dir",
                             str(data), "--config", str(config)], stdout=subprocess.PIPE, stderr=stderr, text=True)
    line = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline), 60)
    assert line.startswith(DEMO_READY), line
    return proc, f"http://127.0.0.1:{port}"
