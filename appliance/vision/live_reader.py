"""Reading a camera's stream frame after frame, without reading every whole frame.

A class holding cards up changes little from one frame to the next, and reading the whole 12 MP frame every
time is most of the appliance's work. Per frame this reads, with CardReader's own passes, size limits and
checks (so a card read here is read exactly as in a whole frame):
- the cards already known, each in a small region around where it was last seen (a card that moves a little,
  turns to another answer or is lowered is seen at once);
- the parts of the picture that changed since the last frame, or within the last MOTION_HOLD_SECONDS (a card
  being raised is read as soon as it is still enough to decode; motion is a cheap difference of the frames
  shrunk to ~MOTION_SIDE pixels, as video analytics do before running a detector);
- a known card those passes missed (a thumb slid onto its border, glare, a noisy frame) read at its last place by
  aligning its own marker's picture (vision/known.py, CardReader.reread), which ignores its quiet zone;
- one of `scan_frames` horizontal bands of the frame in turn, so the whole frame is searched every
  `scan_frames` frames even where nothing moved (a card raised very slowly, or whose motion was missed); the
  shrunk pass over the whole frame (cards larger than a band's overlap) runs with the first band.
When the regions to read cover most of the frame anyway, the whole frame is read instead.

Stateful and used by one thread at a time (the reading loop); `reset` forgets what it knew.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards
from appliance.vision.combine import SmallCardRules, SmallCards, small_card_reader
from appliance.vision.reader import SHRINK, SHRINK_FROM_PX, Box, CardReader, Region
from appliance.vision.types import Sighting

MOTION_SIDE = 480  # frames are compared shrunk to about this longer side (12 MP: 8x8 pixel cells)
# A shrunk cell counts as changed at this grey-level difference: frame-to-frame sensor noise, focus changes and
# JPEG blocks of a still room average out below it over a cell of 4x4 pixels and more; an arm or a card entering
# moves far more.
MOTION_THRESHOLD = 12
MOTION_HOLD_SECONDS = 0.8  # a place that moved is read for this long after (a raised card steadies, then reads)
KNOWN_MARGIN = 0.3  # a known card's region: its outline grown by this share of its side on every side...
KNOWN_MARGIN_MIN_PX = 16  # ...and at least this many pixels (a hand-held card moves a few pixels a frame)
# A known card whose outline's shorter side is at least this is re-read by the shrunk pass only: its marker is
# then >= 24 px in the shrunk frame, which reads it as surely as a whole-frame read would.
LARGE_CARD_PX = 160
ALIGN = 8  # regions start and end on multiples of this
FORGET_SECONDS = 1.5  # a known card not seen for this long is no longer re-read in its region (it was lowered)
# A known card missed by this frame's passes is read at its last place (vision/known.py) only while its last sighting
# is this recent: a lowered card stops costing alignments after a few frames.
REREAD_SECONDS = 0.5
# A changed area is read with this much around it: a card's white margin may match the wall behind it, so only its
# marker changed, and the detector needs the marker's quiet zone and a little more.
MOTION_MARGIN_CELLS = 2
MOTION_MARGIN_PX = 32
# Rows shared by neighbouring scan bands: a marker up to this tall lies whole in one of them; larger ones (>= 24 px
# shrunk) are read by the shrunk pass over the whole frame that comes with the first band.
SCAN_OVERLAP = 96
# Read the whole frame when the regions would cost more than this share of it. Regions cost about their share
# (1080p lesson of bench e2e, reader alone: 30 ms at share ~0.4 against 60 ms whole); at 0.5, 49 of its 169
# frames were read whole, at 0.75 two, for 33.9 instead of 38.8 ms a frame and 2734 instead of 2735 sightings.
WHOLE_SHARE = 0.75


@dataclass(frozen=True)
class FramePlan:
    """What one frame's read covers (for the bench's and status page's numbers)."""
    whole: bool
    regions: tuple[Region, ...]
    share: float  # the cost of the regions as a share of the whole frame's (a shrunk pixel costs 1/SHRINK²)


class LiveReader:
    def __init__(self, reader: CardReader, scan_frames: int, small: SmallCards | None = None):
        self._reader = reader
        self._scan_frames = max(1, scan_frames)
        self._small = small  # when `reader` reads below the single-frame size: what to trust of its small cards
        self.reset()

    def close(self) -> None:
        self._reader.close()

    def reset(self) -> None:
        self._previous: np.ndarray | None = None
        self._moved_until: np.ndarray | None = None  # per shrunk cell: frame time until which it counts as moving
        self._known: dict[int, tuple[np.ndarray, float]] = {}  # card → (outline corners, last seen)
        self._frames = 0
        self.last_plan: FramePlan | None = None
        if self._small is not None:
            self._small.reset()

    def read(self, gray: np.ndarray, now: float) -> list[Sighting]:
        """The cards in this frame (taken at `now`, seconds on any steady clock), sorted by card number."""
        height, width = gray.shape[:2]
        # A power of two over whole cells: resize then averages exact blocks, its fast path (~1 ms at 12 MP).
        cell = 1 << max(0, round(np.log2(max(width, height) / MOTION_SIDE)))
        rows, cols = height // cell, width // cell
        small = cv2.resize(gray[:rows * cell, :cols * cell], (cols, rows), interpolation=cv2.INTER_AREA)
        first = self._previous is None or self._previous.shape != small.shape
        if first or self._scan_frames == 1:
            self._moved_until = np.zeros(small.shape, np.float64)
            plan = FramePlan(True, (), 1.0)
        else:
            plan = self._plan(small, now, cell, width, height)
        self._previous = small
        self._frames += 1
        self.last_plan = plan
        if plan.whole:
            sightings = self._reader.read(gray)
        else:
            sightings = self._reader.read(gray, plan.regions)
        seen = {s.card for s in sightings}
        rereads = [self._reader.reread(gray, card, corners) for card, (corners, last) in self._known.items()
                   if card not in seen and now - last <= REREAD_SECONDS]
        sightings = sorted(sightings + [s for s in rereads if s is not None], key=lambda s: s.card)
        for s in sightings:
            self._known[s.card] = (s.corners, now)
        for card in [c for c, (_, seen) in self._known.items() if now - seen > FORGET_SECONDS]:
            del self._known[card]
        # Small cards not yet corroborated are known places above (re-read next frame) but not passed on.
        return sightings if self._small is None else self._small.update(sightings, now)

    def _scan_index(self) -> int:
        return (self._frames - 1) % self._scan_frames

    def _plan(self, small: np.ndarray, now: float, cell: int, width: int, height: int) -> FramePlan:
        changed = (cv2.absdiff(small, self._previous) > MOTION_THRESHOLD).astype(np.uint8)
        # A lone changed cell is noise, a JPEG block or an edge going soft with the focus; a card or an arm
        # moving changes cells side by side (a 16 px card at 1080p covers 4x4 of them).
        changed = cv2.morphologyEx(changed, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)).astype(bool)
        self._moved_until[changed] = now + MOTION_HOLD_SECONDS
        moving = (self._moved_until > now).astype(np.uint8)
        small_cards, large_cards = [], []
        for corners, _ in self._known.values():
            box = _grown(corners, width, height)
            # A known card is looked for only by the pass that reads cards of its size: a large one in the frame
            # shrunk SHRINK times (its marker then >= 24 px, read as surely as at full size) at 1/16 of the cost.
            large = max(width, height) >= SHRINK_FROM_PX and cards.shorter_side(corners) >= LARGE_CARD_PX
            (large_cards if large else small_cards).append(box)
        # A change within a known card's region is read there (a card turning or swaying); one reaching beyond it
        # is read whole, as a new card may lie across several regions.
        motion = _motion_boxes(moving, cell, width, height, small_cards + large_cards)
        regions = [Region(b, shrunk=False) for b in _merged(small_cards)]
        regions += [Region(b, full=False) for b in _merged(large_cards)]
        regions += [Region(b) for b in _merged(motion)]
        # The band is never joined with the others: its bounding box with a card's region would be a wider band.
        # The shrunk pass over the whole frame, for cards larger than the bands' overlap, comes with the first.
        regions.append(Region(self._band(width, height), shrunk=False))
        if self._scan_index() == 0:
            regions.append(Region((0, 0, width, height), full=False))
        share = sum(_area(r.box) * (r.full + r.shrunk / SHRINK ** 2) for r in regions) / (width * height)
        if share > WHOLE_SHARE:
            return FramePlan(True, (), 1.0)
        return FramePlan(False, tuple(regions), share)

    def _band(self, width: int, height: int) -> Box:
        """This frame's share of the spread full scan: band i of scan_frames, overlapping its neighbours."""
        i = self._scan_index()
        top = height * i // self._scan_frames
        bottom = height * (i + 1) // self._scan_frames
        return 0, max(top - SCAN_OVERLAP // 2, 0), width, min(bottom + SCAN_OVERLAP // 2, height)


def _grown(corners: np.ndarray, width: int, height: int) -> Box:
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    margin = max(KNOWN_MARGIN * max(x1 - x0, y1 - y0), KNOWN_MARGIN_MIN_PX)
    return _clipped(x0 - margin, y0 - margin, x1 + margin, y1 + margin, width, height)


def _clipped(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> Box:
    """On a grid of ALIGN pixels, so shrunk and enlarged passes scale whole pixels (resize's fast path)."""
    a = ALIGN
    return (max(int(x0) // a * a, 0), max(int(y0) // a * a, 0),
            min(-(-int(np.ceil(x1)) // a) * a, width), min(-(-int(np.ceil(y1)) // a) * a, height))


def _inside(box: Box, other: Box) -> bool:
    return other[0] <= box[0] and other[1] <= box[1] and box[2] <= other[2] and box[3] <= other[3]


def _motion_boxes(moving: np.ndarray, cell: int, width: int, height: int, known: list[Box]) -> list[Box]:
    """Rectangles around the places that moved (neighbouring cells joined), grown by the motion margin; those
    that moved only within a known card's region are left to it (a card turning, swaying, or merely looking
    different as the focus breathes)."""
    if not moving.any():
        return []
    joined = cv2.dilate(moving, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    margin = max(MOTION_MARGIN_CELLS, -(-MOTION_MARGIN_PX // cell)) * cell
    out = []
    for x, y, w, h, _ in stats[1:count]:
        changed = _clipped(x * cell, y * cell, (x + w) * cell, (y + h) * cell, width, height)
        if not any(_inside(changed, k) for k in known):
            out.append(_clipped(changed[0] - margin, changed[1] - margin, changed[2] + margin, changed[3] + margin,
                                width, height))
    return out


def _area(box: Box) -> int:
    return max(box[2] - box[0], 0) * max(box[3] - box[1], 0)


def _merged(boxes: list[Box]) -> list[Box]:
    """Overlapping rectangles joined into their bounding rectangle where that reads no more pixels than the two
    apart (pixels shared are read once); others may overlap, as each region holds its own cards whole."""
    boxes = [b for b in boxes if _area(b) > 0]
    merged = True
    while merged:
        merged = False
        out: list[Box] = []
        for box in boxes:
            for i, other in enumerate(out):
                union = (min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))
                overlap = (max(box[0], other[0]), max(box[1], other[1]), min(box[2], other[2]), min(box[3], other[3]))
                if _area(overlap) > 0 and _area(union) <= _area(box) + _area(other):
                    out[i] = union
                    merged = True
                    break
            else:
                out.append(box)
        boxes = out
    return boxes


def make_live_reader(settings: ReaderSettings, cards_settings: CardSettings, reader: CardReader) -> LiveReader:
    """The appliance's live reader: `reader` as it is, or (reader.small_marker_px below min_marker_px) a reader
    that goes down to small_marker_px with its small cards corroborated across frames (vision/combine.py)."""
    if not 0 < settings.small_marker_px < settings.min_marker_px:
        return LiveReader(reader, settings.scan_frames)
    small = SmallCards(SmallCardRules(single_frame_marker_px=settings.min_marker_px))
    return LiveReader(small_card_reader(settings, cards_settings), settings.scan_frames, small)
