"""A clock the test moves by hand: the engine's countdowns then run without sleeping for real."""
from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, now: float = 1_000_000.0):
        self._now = now
        self._mono = 0.0
        self._sleepers: list[tuple[float, asyncio.Future]] = []

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + seconds, wake))
        try:
            await wake
        finally:
            self._sleepers = [(t, f) for t, f in self._sleepers if f is not wake]

    async def advance(self, seconds: float) -> None:
        """Move time on, wake every sleeper whose time has come and let them run."""
        self._now += seconds
        self._mono += seconds
        for when, wake in list(self._sleepers):
            if when <= self._now and not wake.done():
                wake.set_result(None)
        for _ in range(5):  # a woken task takes a few loop turns to reach the store and back
            await asyncio.sleep(0)
