"""argus.service sets MemoryDenyWriteExecute=yes. Check that our native dependencies live with it by importing
and exercising them under the kernel's own equivalent, prctl(PR_SET_MDWE) (Linux 6.3+): like systemd's
seccomp filter, it refuses memory that is writable and executable."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = r"""
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit("a writable+executable mapping was allowed: MDWE is not in force")
except OSError:
    pass
import numpy as np, cv2
from cryptography.fernet import Fernet
gray = (np.random.default_rng(1).random((720, 1280)) * 255).astype(np.uint8)
cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_100)).detectMarkers(gray)
cv2.imencode(".jpg", cv2.GaussianBlur(gray, (5, 5), 0))
np.linalg.svd(np.random.default_rng(2).random((100, 100)))
Fernet(Fernet.generate_key()).encrypt(b"x")
assert ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)(1) == 2
import aiohttp, aiosqlite, jinja2, zeroconf  # noqa: F401  (zeroconf and aiohttp carry compiled modules)
import appliance.host.systemd, appliance.config  # noqa: F401
print("ok")
"""


def test_dependencies_run_without_writable_executable_memory():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    if result.returncode == 77:
        pytest.skip(f"this kernel ({os.uname().release}) has no PR_SET_MDWE (Linux 6.3+)")
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr
