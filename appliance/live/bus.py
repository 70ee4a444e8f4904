"""In-process publish/subscribe for live events.

Each subscriber has its own bounded queue: publishing never waits, and a subscriber that falls behind loses
its oldest events (counted) instead of stalling the camera loop or the other clients. Events are tagged with
an audience: "public" events reach everyone, "teacher" events (names, answers) only teacher subscribers.
"""
from __future__ import annotations

import asyncio
from typing import Literal

Audience = Literal["public", "teacher"]


class Subscription:
    def __init__(self, bus: Bus, audience: Audience, maxsize: int):
        self.audience = audience
        self.dropped = 0
        self._bus = bus
        self._queue: asyncio.Queue[dict] = asyncio.Queue(maxsize)

    def offer(self, event: dict) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    async def get(self) -> dict:
        return await self._queue.get()

    def close(self) -> None:
        self._bus._subscribers.discard(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Bus:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()

    def subscribe(self, audience: Audience, maxsize: int = 64) -> Subscription:
        sub = Subscription(self, audience, maxsize)
        self._subscribers.add(sub)
        return sub

    def publish(self, event: dict, audience: Audience) -> None:
        for sub in list(self._subscribers):
            if audience == "public" or sub.audience == "teacher":
                sub.offer(event)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)
