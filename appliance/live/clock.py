"""The one clock the session engine reads: wall-clock time for what is stored, the monotonic clock the camera
stamps frames with, and sleeping until a countdown runs out. Injected, so tests can move time by hand."""
from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock seconds: stored times and countdown deadlines (they must survive a restart)."""

    def monotonic(self) -> float:
        """The clock frame and registration times are taken on."""

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
