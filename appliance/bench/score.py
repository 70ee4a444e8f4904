"""Match a detector's cards to a frame's ground truth and add up recall, wrong answers and phantoms. Pure.

Matching is by place first, then by name: a detection belongs to the ground-truth card whose outline it sits
on (centres closer than 35% of that card's shorter side, sizes within a factor 1.6). Then
- same card, same answer: a hit; same card, other answer: a WRONG ANSWER;
- another card's number: a WRONG CARD;
- on no card at all (clutter, or a card the frame does not hold): a PHANTOM;
- a second detection on a card already hit: a duplicate (counted, not an error: the tracker merges by number).
Corner order does not enter the match, so a card read with the wrong rotation still lands on its own outline
and is counted as a wrong answer rather than a phantom.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from appliance.scene.render import CardTruth
from appliance.vision import cards

# Buckets are the CARD's size (its shorter side), not the marker's: for a given card width that is its distance
# from the camera, whatever the layout, so a card layout with a larger marker shows as more recall in the same
# buckets (MARKER_SHARE of the card is marker: 67% today, 60% before December 2026).
BUCKETS = (("<16", 0, 16), ("16-24", 16, 24), ("24-32", 24, 32), ("32-48", 32, 48), ("48-64", 48, 64),
           (">=64", 64, math.inf))
# Recall counts a card when at most MAX_OCCLUDED of the card is hidden (thumb, other cards, arms, people) AND
# at most MAX_MARKER_HIDDEN of its marker is. A card is hidden only when its marker is covered: a thumb on the
# white margin (letter band or quiet zone) is how students hold cards, and such a card must be read. (Commit
# bf608e8 had counted a covered quiet zone as hidden, which defined the commonest miss away; issue #20 undid it.)
# 1% allows for the outline's anti-aliased pixels.
MAX_OCCLUDED = 0.30
MAX_MARKER_HIDDEN = 0.01
OCCLUSION_RULE = (f"recall counts cards with at most {MAX_OCCLUDED:.0%} of the card and {MAX_MARKER_HIDDEN:.0%} of "
                  f"its marker hidden, whatever covers the margin")
CENTRE_TOLERANCE = 0.35
SIZE_TOLERANCE = 1.6


@dataclass(frozen=True)
class Detection:
    card: int
    answer: str
    corners: np.ndarray  # card outline, 4×2


def opencv_detections(marker_corners, ids) -> list[Detection]:
    """OpenCV's raw output → cards, exactly as our reader maps it: id + 1 is the card number, the marker edge
    highest in the frame is the answer (a card turned about 45° is left out), the card outline is extrapolated
    from the marker's corners."""
    if ids is None:
        return []
    out = []
    for marker_id, corners in zip(np.ravel(ids), marker_corners):
        c = np.asarray(corners, np.float32).reshape(4, 2)
        answer = cards.letter_on_top(c)
        if answer is not None:
            out.append(Detection(cards.card_number(int(marker_id)), answer, cards.card_corners(c)))
    return out


def span_of(corners: np.ndarray) -> float:
    """A card's size on screen: the shorter side of its outline, or its width across (area / longer side) when
    that is smaller. The renderer's span_px is the shorter side alone, which stays large for a card seen
    nearly edge-on (a sliver with long sides); no detector can read such a card, and it is not a 40 px card."""
    q = np.asarray(corners, np.float64).reshape(4, 2)
    x, y = q[:, 0], q[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    sides = _sides(q)
    return float(min(sides.min(), area / sides.max()))


def bucket_of(span_px: float) -> str:
    return next(name for name, lo, hi in BUCKETS if lo <= span_px < hi)


def _sides(quad: np.ndarray) -> np.ndarray:
    return np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)


def _on_card(d: Detection, t: CardTruth) -> bool:
    distance = float(np.linalg.norm(d.corners.mean(axis=0) - t.corners.mean(axis=0)))
    ratio = float(_sides(d.corners).mean() / max(_sides(t.corners).mean(), 1e-6))
    return distance <= CENTRE_TOLERANCE * t.span_px and 1 / SIZE_TOLERANCE <= ratio <= SIZE_TOLERANCE


@dataclass(frozen=True)
class Error:
    kind: str  # "wrong answer" | "wrong card" | "phantom"
    card: int  # what the detector said
    answer: str
    truth_card: int | None
    truth_answer: str | None
    centre: tuple[float, float]


@dataclass(frozen=True)
class FrameScore:
    hits: frozenset[int]  # indices into the truth tuple
    errors: tuple[Error, ...]
    duplicates: int


def score_frame(truth: tuple[CardTruth, ...], detections: list[Detection]) -> FrameScore:
    hits: set[int] = set()
    errors: list[Error] = []
    duplicates = 0
    for d in detections:
        near = [i for i, t in enumerate(truth) if _on_card(d, t)]
        centre = tuple(float(v) for v in d.corners.mean(axis=0))
        own = next((i for i in near if truth[i].card == d.card), None)
        if own is not None:
            t = truth[own]
            if t.answer != d.answer:
                errors.append(Error("wrong answer", d.card, d.answer, t.card, t.answer, centre))
            elif own in hits:
                duplicates += 1
            else:
                hits.add(own)
        elif near:
            t = truth[near[0]]
            errors.append(Error("wrong card", d.card, d.answer, t.card, t.answer, centre))
        else:
            errors.append(Error("phantom", d.card, d.answer, None, None, centre))
    return FrameScore(frozenset(hits), tuple(errors), duplicates)


@dataclass
class Tally:
    """One detector's totals over a run."""
    seen: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in BUCKETS})
    total: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in BUCKETS})
    # The same for cards standing still during the exposure (a card smeared by moving 3-12 px is counted above and
    # in the "moving" group; the goal for it is registration within 1 s of stopping)
    still_seen: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in BUCKETS})
    still_total: dict[str, int] = field(default_factory=lambda: {b[0]: 0 for b in BUCKETS})
    hidden_seen: int = 0  # cards hidden beyond the rule above: reported, not scored
    hidden_total: int = 0
    by_group: dict[str, list[int]] = field(default_factory=dict)  # e.g. "answer C", "extreme tilt": [seen, total]
    errors: list[tuple[str, Error]] = field(default_factory=list)  # (frame label, error)
    duplicates: int = 0
    clutter_frames: int = 0
    ms: dict[str, list[float]] = field(default_factory=dict)  # wall ms per frame, by frame size
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)  # process CPU ms per frame, by frame size

    def add(self, label: str, truth: tuple[CardTruth, ...], score: FrameScore, groups: tuple[str, ...] = (),
            marker_hidden: dict[int, float] | None = None, moving: frozenset[int] = frozenset()) -> None:
        for i, t in enumerate(truth):
            hit = i in score.hits
            if t.occluded > MAX_OCCLUDED or (marker_hidden or {}).get(t.card, 0.0) > MAX_MARKER_HIDDEN:
                self.hidden_total += 1
                self.hidden_seen += hit
                continue
            span = span_of(t.corners)
            b = bucket_of(span)
            self.total[b] += 1
            self.seen[b] += hit
            still = t.card not in moving
            self.still_total[b] += still
            self.still_seen[b] += hit and still
            if span >= 32:  # the groups answer "all four answers, every tilt" for cards that must be read
                wide_dim = still and "lens 102" in groups and "light 25-50%" in groups  # a goal of issue #20
                extra = ("still, lens 102, light 25-50%",) if wide_dim else ()
                for g in (f"answer {t.answer}", "still" if still else "moving") + groups + extra:
                    pair = self.by_group.setdefault(g, [0, 0])
                    pair[0] += hit
                    pair[1] += 1
        self.errors += [(label, e) for e in score.errors]
        self.duplicates += score.duplicates

    def time(self, size: str, wall_s: float, cpu_s: float) -> None:
        self.ms.setdefault(size, []).append(wall_s * 1000)
        self.cpu_ms.setdefault(size, []).append(cpu_s * 1000)

    def count(self, kind: str, clutter: bool | None = None) -> int:
        return sum(1 for label, e in self.errors if e.kind == kind
                   and (clutter is None or label.startswith("clutter") == clutter))

    def recall(self, lo: float, hi: float = math.inf, still: bool = False) -> tuple[int, int]:
        names = [name for name, a, b in BUCKETS if a >= lo and b <= hi]
        seen, total = (self.still_seen, self.still_total) if still else (self.seen, self.total)
        return sum(seen[n] for n in names), sum(total[n] for n in names)


def ratio(seen: int, total: int) -> float | None:
    return seen / total if total else None


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None

