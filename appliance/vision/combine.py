"""Cards too small to trust in one frame, trusted when several frames agree.

A card of 16-18 px (the back rows on a 1080p webcam) carries a marker of 10.8-12 px: cells of 1.8-2 px, below
the reader's single-frame limit (reader.min_marker_px, 12). The reader's own checks (verify.py, align.py) still
read most such markers correctly when let down to `reader.small_marker_px`, but a misread answer is the one
thing the appliance must never do, so live reading accepts a small card only with corroboration: the same
card with the same answer read at the same place in at least SmallCardRules.min_reads frames within
window_seconds, and within that window neither another answer for that card, nor the card at another place,
nor another card at its place. A student holds a card up for seconds, so this costs a few frames of latency;
sensor noise and a moment of blur, which differ from frame to frame, rarely repeat the same misreading, and a
card turning to another answer is held back until the old answer has left the window (it never shows as a mix).

Cards at or above the single-frame size pass at once, unchanged, as they always did; they count as evidence
too (a card near the limit is read at either size from frame to frame).

Pure: sightings and frame times in, sightings out; no I/O, no clock. State is bounded: only readings within
the window are kept, at most one per card per frame.
"""
from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass

import numpy as np

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards
from appliance.vision.align import AlignRules
from appliance.vision.reader import CardReader
from appliance.vision.types import Sighting
from appliance.vision.verify import VerifyRules


@dataclass(frozen=True)
class SmallCardRules:
    # Cards whose marker is smaller than this (frame px; the reader's single-frame limit) need corroboration.
    single_frame_marker_px: float = 12.0
    # ...from at least this many frames (this one included) within the window, all agreeing.
    min_reads: int = 3
    window_seconds: float = 1.0
    # Two readings are at the same place when their centres are closer than this share of the card's side (a
    # held card sways by a few pixels a frame; two students' cards do not overlap by half).
    same_place: float = 0.5


@dataclass(frozen=True)
class _Reading:
    time: float
    card: int
    answer: str
    centre: np.ndarray
    side: float  # the card outline's shorter side, px


def small_card_reader(reader: ReaderSettings, cards_settings: CardSettings) -> CardReader:
    """A CardReader whose size limits (OpenCV's, verify.py's, align.py's) go down to reader.small_marker_px, with
    every other rule as it is. Its small cards must go through SmallCards before anything trusts them."""
    px = reader.small_marker_px
    return CardReader(dataclasses.replace(reader, min_marker_px=px), cards_settings,
                      VerifyRules(min_side_px=float(px)), AlignRules(min_side_px=float(px)))


class SmallCards:
    """Per frame: the sightings of a reader that reads below the single-frame size → those to trust."""

    def __init__(self, rules: SmallCardRules = SmallCardRules()):
        self._rules = rules
        self._recent: deque[_Reading] = deque()  # oldest first, within the window

    def reset(self) -> None:
        self._recent.clear()

    def is_small(self, sighting: Sighting) -> bool:
        # The outline is extrapolated from the marker (cards.card_corners), so this is the marker's side.
        return cards.shorter_side(sighting.corners) * cards.MARKER_SHARE < self._rules.single_frame_marker_px

    def update(self, sightings: list[Sighting], now: float) -> list[Sighting]:
        """Record this frame's sightings (taken at `now`); return the large ones and the corroborated small ones."""
        while self._recent and self._recent[0].time <= now - self._rules.window_seconds:
            self._recent.popleft()
        self._recent.extend(_Reading(now, s.card, s.answer, np.asarray(s.corners, np.float64).mean(axis=0),
                                     cards.shorter_side(s.corners)) for s in sightings)
        return [s for s in sightings if not self.is_small(s) or self._corroborated(s, now)]

    def _corroborated(self, sighting: Sighting, now: float) -> bool:
        centre = np.asarray(sighting.corners, np.float64).mean(axis=0)
        reach = self._rules.same_place * cards.shorter_side(sighting.corners)
        agreeing: set[float] = set()
        for r in self._recent:
            here = float(np.linalg.norm(r.centre - centre)) < max(reach, self._rules.same_place * r.side)
            if r.card == sighting.card and (r.answer != sighting.answer or not here):
                return False  # this card with another answer, or somewhere else: not one steady reading
            if r.card != sighting.card and here:
                return False  # another card read at this place
            if r.card == sighting.card:
                agreeing.add(r.time)
        return len(agreeing) >= self._rules.min_reads
