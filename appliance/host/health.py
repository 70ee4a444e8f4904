"""Facts about the machine for the status page. Each reader returns None where the fact is unavailable
(a laptop has no Pi firmware), never raises."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

_THERMAL = Path("/sys/class/thermal/thermal_zone0/temp")
_THROTTLE_BITS = {0: "under-voltage now", 1: "frequency capped now", 2: "throttled now",
                  3: "soft temperature limit now", 16: "under-voltage occurred", 17: "frequency capping occurred",
                  18: "throttling occurred", 19: "soft temperature limit occurred"}


def cpu_temperature_c() -> float | None:
    try:
        return round(int(_THERMAL.read_text().strip()) / 1000, 1)
    except (OSError, ValueError):
        return None


def throttling() -> list[str] | None:
    """The Pi firmware's throttling flags in words; None off a Pi."""
    if not shutil.which("vcgencmd"):
        return None
    try:
        out = subprocess.run(["vcgencmd", "get_throttled"], capture_output=True, text=True, timeout=2).stdout
        value = int(out.strip().split("=")[1], 16)
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None
    return [text for bit, text in _THROTTLE_BITS.items() if value & (1 << bit)]


def _proc_kib_as_mb(path: str, key: str) -> float | None:
    """A "Key:   1234 kB" line of a /proc file, in MB."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def process_rss_mb() -> float | None:
    return _proc_kib_as_mb("/proc/self/status", "VmRSS")


def memory_available_mb() -> float | None:
    return _proc_kib_as_mb("/proc/meminfo", "MemAvailable")


def disk_free_mb(path: Path) -> float | None:
    try:
        return round(shutil.disk_usage(path).free / 1_048_576, 1)
    except OSError:
        return None


def system_uptime_s() -> float | None:
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
