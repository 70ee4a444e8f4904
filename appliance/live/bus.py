"""In-process publish/subscribe for live events.

Each subscriber has its own bounded queue: publishing never waits, and a subscriber that falls behind loses
its oldest events (counted) instead of stalling the camera loop or the other clients. Events are tagged with
an audience: "public" events reach everyone, "teacher" events only logged-in subscribers. A teacher event that
belongs to one lesson (names, answers) names its owner and reaches only that teacher and the admins, who may
open every lesson through the API as well.
"""
from __future__ import annotations

import asyncio
from typing import Literal

Audience = Literal["public", "teacher"]


class Subscription:
    def __init__(self, bus: Bus, audience: Audience, maxsize: int, user_id: int | None, admin: bool):
        self.audience = audience
        self.user_id = user_id
        self.admin = admin
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

    def subscribe(self, audience: Audience, maxsize: int = 64, *, user_id: int | None = None,
                  admin: bool = False) -> Subscription:
        sub = Subscription(self, audience, maxsize, user_id, admin)
        self._subscribers.add(sub)
        return sub

    def publish(self, event: dict, audience: Audience, owner: int | None = None) -> None:
        """Offer `event` to its audience; a teacher event with an `owner` goes to that user and admins only."""
        for sub in list(self._subscribers):
            if audience == "public" or (sub.audience == "teacher" and (
                    owner is None or sub.admin or sub.user_id == owner)):
                sub.offer(event)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)
