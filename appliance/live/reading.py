"""The reading loop: newest camera frame → card reader (worker thread) → tracker → session engine.

It holds one frame at a time: while a frame is being read, newer frames replace each other in the slot, so
the loop never falls behind the camera, it only reads fewer frames.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from appliance.camera.slot import LatestFrame
from appliance.vision.tracker import Tracker
from appliance.vision.types import Registration, Sighting

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderStats:
    frames: int = 0
    ms_per_frame: float = 0.0  # moving average
    cards_last_frame: int = 0


class ReadingLoop:
    def __init__(self, slot: LatestFrame, read: Callable[[np.ndarray, float], list[Sighting]], tracker: Tracker,
                 on_registration: Callable[[Registration], Awaitable[None]], executor: Executor):
        self._slot = slot
        self._read = read
        self._tracker = tracker
        self._on_registration = on_registration
        self._executor = executor
        self.stats = ReaderStats()
        # For the camera check page: the newest frame's sightings, and when each card was last seen.
        self.last_sightings: list[Sighting] = []
        self.last_seen: dict[int, float] = {}
        # Where each card was last read, as a share of the frame's width and height (centre of the card): the
        # teacher's map of who sits where, never a picture.
        self.last_place: dict[int, tuple[float, float]] = {}

    # QuestionListener: each question starts from a clean slate, so a card still up from the last
    # question must be held up again (min_frames) to count for this one.
    def question_opened(self, key: str, option_count: int) -> None:
        self._tracker.reset()

    def question_closed(self) -> None:
        self._tracker.reset()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            frame = None  # the last frame's buffer goes back to the camera while we wait (camera/pool.py)
            frame = await loop.run_in_executor(self._executor, self._slot.get, 0.5)
            if frame is None:
                continue
            started = time.perf_counter()
            try:
                sightings = await loop.run_in_executor(self._executor, self._read, frame.gray, frame.time)
            except Exception:  # one bad frame must not stop reading for the rest of the lesson
                log.exception("card reader failed on frame %s", frame.seq)
                continue
            ms = (time.perf_counter() - started) * 1000
            sightings = [dataclasses.replace(s, time=frame.time) for s in sightings]
            frames = self.stats.frames + 1
            average = ms if frames == 1 else 0.9 * self.stats.ms_per_frame + 0.1 * ms
            self.stats = ReaderStats(frames, round(average, 1), len(sightings))
            self.last_sightings = sightings
            height, width = frame.gray.shape[:2]
            for s in sightings:
                self.last_seen[s.card] = frame.time
                centre = s.corners.mean(axis=0)
                self.last_place[s.card] = (round(float(centre[0]) / width, 3), round(float(centre[1]) / height, 3))
            for registration in self._tracker.update(sightings, frame.time):
                await self._on_registration(registration)
