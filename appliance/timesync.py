"""Whether the wall clock can be trusted. A Pi has no real-time clock: until NTP answers it runs from 1970 or
from fake-hwclock's last saved time, which looks plausible and is wrong. The kernel knows: an NTP client
(systemd-timesyncd, chrony) clears STA_UNSYNC once it has set the clock, and adjtimex() then stops
returning TIME_ERROR. Read-only, no privileges needed."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import time

_TIME_ERROR = 5
# No clock that NTP has set reads earlier than this (2025-01-01 UTC).
_EARLIEST_PLAUSIBLE = 1_735_689_600.0


@functools.cache
def _adjtimex():
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return libc.adjtimex


def kernel_says_synchronised() -> bool:
    try:
        buffer = ctypes.create_string_buffer(512)  # larger than struct timex on every architecture
        return _adjtimex()(buffer) != _TIME_ERROR
    except (OSError, AttributeError):  # not Linux: no way to know, trust a plausible clock
        return True


def synchronised(now: float | None = None) -> bool:
    now = time.time() if now is None else now
    return now >= _EARLIEST_PLAUSIBLE and kernel_says_synchronised()
