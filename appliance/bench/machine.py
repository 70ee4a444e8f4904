"""The machine a benchmark ran on, and what its numbers suggest for a Raspberry Pi 5.

The Pi 5 estimate is an assumption, stated in PI5_ASSUMPTION and printed with every estimate: one Cortex-A76
core at 2.4 GHz does OpenCV image work about PI5_CORE_FACTOR times slower than one core of a current x86
server or desktop. Geekbench 6 single-core puts a Pi 5 near 800–900 and current EPYC/Ryzen cores near
1,800–2,500 (2–3×); OpenCV's inner loops (thresholding, contours, warps) are SIMD- and memory-bound, where
256-bit AVX2 against 128-bit NEON and LPDDR4X bandwidth widen the gap, so we take 3× (plausible range 2–4×).
Measured CPU time (all threads) × factor is the one-core time; dividing by the Pi's 4 cores is the ideal
parallel bound, reached only if the work splits evenly (tiles do; OpenCV's own passes partly do).
"""
from __future__ import annotations

import os
import platform

import cv2

PI5_CORE_FACTOR = 3.0
PI5_CORES = 4
PI5_ASSUMPTION = (f"assumes one Pi 5 Cortex-A76 core is {PI5_CORE_FACTOR:g}x slower than one core here for OpenCV "
                  f"work (range 2-4x), {PI5_CORES} cores")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe() -> dict:
    return {"cpu": cpu_model(), "nproc": os.cpu_count(), "python": platform.python_version(),
            "opencv": cv2.__version__, "opencv_threads": cv2.getNumThreads()}


def pi5_estimate(cpu_ms: float | None) -> dict:
    if not cpu_ms:
        return {}
    one = cpu_ms * PI5_CORE_FACTOR
    return {"ms_one_core": one, "fps_one_core": 1000 / one, "ms_four_cores": one / PI5_CORES,
            "fps_four_cores": 1000 * PI5_CORES / one}


def rss_mb() -> tuple[float, float]:
    """(current VmRSS, peak VmHWM) of this process in MB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, kb = line.split()[:2]
                values[key] = int(kb) / 1024
    return values.get("VmRSS:", 0.0), values.get("VmHWM:", 0.0)
