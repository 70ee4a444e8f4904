"""The appliance as installed in a Debian root by scripts/install.sh: the installer run for real, and the
installed ExecStart= started as its unit starts it (shared by the amd64 and arm64 install tests)."""
from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from appliance.camera.sim import plan_question

PASSWORD = "a long enough admin password"

TIMINGS: list[tuple[str, float]] = []  # printed at the end of the test: what each step costs


def install(source: Path, root: Path, env: dict, *args: str, ok: bool = True) -> str:
    started = time.monotonic()
    result = subprocess.run(["bash", str(source / "scripts/install.sh"), "--root", str(root), *args], env=env,
                            capture_output=True, text=True, timeout=900)
    TIMINGS.append((f"install.sh {' '.join(args)} ({source.name})", time.monotonic() - started))
    output = result.stdout + result.stderr
    assert (result.returncode == 0) == ok, output[-6000:]
    return output


# --- the installed appliance, started as its unit starts it ------------------------------------------------------
def unit_values(root: Path, unit: str, key: str) -> list[str]:
    """Every KEY= of the unit as installed in the root."""
    return [line.split("=", 1)[1] for line in (root / "etc/systemd/system" / unit).read_text().splitlines()
            if line.startswith(f"{key}=")]


def unit_value(root: Path, unit: str, key: str) -> str:
    (value,) = unit_values(root, unit, key)
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Appliance:
    """The installed ExecStart= in the root as user argus, on a loopback port with the simulated camera."""

    def __init__(self, root: Path, start_seconds: float = 120):
        self.root = root
        self.start_seconds = start_seconds
        self.port, self.https_port = free_port(), free_port()
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.cookies = None

    def __enter__(self):
        execstart = shlex.split(unit_value(self.root, "argus.service", "ExecStart"))
        assert execstart == ["/opt/argus/.venv/bin/argus", "run", "--config", "/etc/argus/config.toml"]
        # What systemd does for the unit before starting it: StateDirectory=argus, mode 0750, owned by argus.
        data = self.root / "var/lib/argus"
        data.mkdir(mode=0o750, exist_ok=True)
        uid, gid = (int(x) for x in next(line for line in (self.root / "etc/passwd").read_text().splitlines()
                                         if line.startswith("argus:")).split(":")[2:4])
        os.chown(data, uid, gid)
        env = {"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/"}
        env.update(kv.split("=", 1) for line in unit_values(self.root, "argus.service", "Environment")
                   for kv in line.split())
        # stderr to a file: a chatty appliance must never block on a full pipe nobody reads.
        self.errors = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [shutil.which("chroot"), "--userspec=argus:argus", "--groups=video", str(self.root), *execstart,
             "--host", "127.0.0.1", "--port", str(self.port), "--https-port", str(self.https_port),
             "--camera", "sim"],
            env=env, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        # Lines are read on a thread so the deadline holds even when the appliance hangs without a word.
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read_lines, args=(lines,), daemon=True).start()
        deadline = time.monotonic() + self.start_seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                self.proc.wait()
                raise AssertionError(f"argus exited with {self.proc.returncode}: {self.stderr()[-4000:]}")
            if line.startswith("Argus running at"):
                assert line.split()[3] == self.base + "/", line
                # Trust exactly the certificate the appliance made for itself (its name is argus.local).
                tls = ssl.create_default_context(cafile=self.root / "var/lib/argus/tls/appliance.pem")
                tls.check_hostname = False
                self.cookies = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                                           urllib.request.HTTPSHandler(context=tls))
                return self
        self.proc.kill()
        self.proc.wait()
        raise AssertionError(f"argus did not start within {self.start_seconds} s: {self.stderr()[-4000:]}")

    def _read_lines(self, lines: queue.Queue) -> None:
        for line in self.proc.stdout:
            lines.put(line)
        lines.put(None)

    def stderr(self) -> str:
        self.errors.seek(0)
        return self.errors.read()

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if exc[0] is None:
            assert self.proc.returncode == 0, self.stderr()[-4000:]

    def call(self, method: str, path: str, body: dict | None = None, status: int = 200):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", "Origin": self.base})
        try:
            with self.cookies.open(request, timeout=20) as response:
                got, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            got, text = error.code, error.read().decode()
        assert got == status, f"{method} {path}: {got} {text[:500]}"
        return json.loads(text) if text else None


def collect(app: Appliance, sim, session_id: int, index: int, options: int, seconds: float = 120) -> dict[int, str]:
    """Waits until the reader has registered exactly what the simulated class answers to this question."""
    planned = {p.card: p.final for p in plan_question(sim, sim.students, f"s{session_id}-q{index}", options)}
    assert planned
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view = app.call("GET", f"/api/v1/sessions/{session_id}")
        got = {r["card"]: r["answer"] for r in view["responses"] if r["question"] == index}
        if got == planned:
            return got
        time.sleep(0.5)
    raise AssertionError(f"question {index}: registered {got}, the class answered {planned}")
