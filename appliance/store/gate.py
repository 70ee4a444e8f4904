"""A shared/exclusive gate in front of the database, so a restore can swap the file while the appliance runs.

Everything that reads or writes enters the gate shared: a whole HTTP request, a sync round, one engine step,
or (outside those) one query. A restore enters it exclusive: new work waits at the gate, the work already
inside finishes on the old file, and only then is the file swapped. So no request or round ever sees half
the old database and half the new one.

Holds are re-entrant through a context variable: a query inside a request does not queue again behind a
waiting restore (which would deadlock). The variable carries the hold itself, and a hold that has ended no
longer counts, so a task spawned inside a request and outliving it goes through the gate like anyone else.
"""
from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


class GateBusy(RuntimeError):
    """Work already under way did not finish in time for an exclusive hold."""


class _Hold:
    __slots__ = ("gate", "active")

    def __init__(self, gate: Gate):
        self.gate, self.active = gate, True


_HOLDS: contextvars.ContextVar[tuple[_Hold, ...]] = contextvars.ContextVar("argus_db_holds", default=())


class Gate:
    def __init__(self) -> None:
        self._inside = 0
        self._closed = False
        self._changed = asyncio.Condition()
        self._exclusive = asyncio.Lock()

    @property
    def closing(self) -> bool:
        """An exclusive hold is waiting (or held): long work should finish its step and let go."""
        return self._closed

    def _held_here(self) -> bool:
        return any(h.gate is self and h.active for h in _HOLDS.get())

    @asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        if self._held_here():
            yield
            return
        async with self._changed:
            await self._changed.wait_for(lambda: not self._closed)
            self._inside += 1
        try:
            with self._holding():
                yield
        finally:
            async with self._changed:
                self._inside -= 1
                self._changed.notify_all()

    @contextmanager
    def _holding(self) -> Iterator[None]:
        """Mark this task (and what it awaits) as inside, until the block ends."""
        hold = _Hold(self)
        token = _HOLDS.set((*_HOLDS.get(), hold))
        try:
            yield
        finally:
            hold.active = False
            _HOLDS.reset(token)

    @asynccontextmanager
    async def exclusive(self, timeout: float) -> AsyncIterator[None]:
        """Close the gate and wait (at most `timeout` seconds, else GateBusy) until nothing else is inside.
        The caller's own shared hold, if it has one, does not count."""
        mine = 1 if self._held_here() else 0
        async with self._exclusive:
            async with self._changed:
                self._closed = True
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: self._inside <= mine), timeout)
                except TimeoutError:
                    self._closed = False
                    self._changed.notify_all()
                    raise GateBusy(f"work still running after {timeout:.0f} s") from None
            try:
                with self._holding():
                    yield
            finally:
                async with self._changed:
                    self._closed = False
                    self._changed.notify_all()
