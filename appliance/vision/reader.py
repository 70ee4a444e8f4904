"""Frame → the cards in it: number from the marker id, answer from the marker's rotation.

One pass of OpenCV's ArUco detector over the full-resolution frame with limits in pixels (not fractions of
the frame), so a distant card whose marker spans reader.min_marker_px is found in a 12-megapixel frame; and,
for big frames, a second cheap pass over the frame shrunk SHRINK times, which sees near, large, blurred cards
as small sharp ones. Measured on synthetic cluttered 4608×2592 frames this reads every card of 32 px and more
and is faster than one pass of the default detector (which misses every card under ~140 px at that size);
overlapping tiles were tried and cost three times as much for no extra card. Every detection is checked
again by verify.py on the full-resolution frame; the two passes' duplicates are merged. A marker verify.py refuses
only for what covers its quiet zone (a thumb, fingers) is read when its own marker picture, aligned without the
quiet zone, fits clearly best (known.py).

Thread-safe: each thread gets its own detectors (threading.local); nothing else is shared or mutated.
"""
from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import cards, markers
from appliance.vision.align import Aligner, AlignRules
from appliance.vision.known import KnownReader, KnownRules, marker_corners_of
from appliance.vision.types import Sighting
from appliance.vision.verify import VerifyRules, verify_many

# What one detector pass found: (marker id, corners) it decoded, and the squares it outlined but could not decode.
Found = tuple[list[tuple[int, np.ndarray]], list[np.ndarray]]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1: a rectangle of a frame, in pixels


@dataclass(frozen=True)
class Region:
    """A rectangle of a frame to read, and which of a whole frame's passes to give it."""
    box: Box
    full: bool = True  # the full-size pass (and, for small frames, the enlarged one): every card of its size range
    shrunk: bool = True  # the shrunk pass (frames of SHRINK_FROM_PX and more): large and blurred cards

SHRINK = 4  # the second pass reads the frame at 1/SHRINK of its size...
SHRINK_FROM_PX = 1280  # ...when the frame's longer side is at least this
BAND_OVERLAP = 128  # rows shared by neighbouring bands: a marker up to this tall lies whole in one band; taller
# ones are at least 32 px in the shrunk pass, which reads the whole frame
BAND_MIN_ROWS = 720  # frames shorter than this are read in one piece
AUTO_BANDS_MAX = 4  # reader.bands = 0: one band per core, up to this (a Pi 4/5 has four)
UP = 2  # small frames are read again at UP times their size (ReaderSettings.upsample_below_px)


def detector_parameters(image_side: int, min_marker_px: int) -> cv2.aruco.DetectorParameters:
    """Parameters for images whose longer side is `image_side` pixels."""
    p = cv2.aruco.DetectorParameters()
    # OpenCV's size limits are fractions of the image's longer side; ours are pixels, so small cards count.
    p.minMarkerPerimeterRate = 4 * min_marker_px / image_side
    p.maxMarkerPerimeterRate = 4.0
    # One thresholding window: 9 px reads cells from ~2 px (a marker's border is then found by its edge) to
    # any size, and each extra window would cost another full-frame thresholding and contour pass.
    p.adaptiveThreshWinSizeMin = 9
    p.adaptiveThreshWinSizeMax = 9
    p.polygonalApproxAccuracyRate = 0.05  # small markers' corners are blurred over a pixel or two
    p.minCornerDistanceRate = 0.05
    p.minDistanceToBorder = 1
    # Read each cell from more pixels, ignoring the blurred cell edges.
    p.perspectiveRemovePixelPerCell = 6
    p.perspectiveRemoveIgnoredMarginPerCell = 0.2
    # At most one corrected bit (the dictionary's distance is 4); verify.py allows it only for large cells.
    p.errorCorrectionRate = 1.0
    p.maxErroneousBitsInBorderRate = 0.2
    p.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    p.cornerRefinementWinSize = 3
    p.relativeCornerRefinmentWinSize = 0.3
    return p


class CardReader:
    def __init__(self, reader: ReaderSettings, cards_settings: CardSettings, rules: VerifyRules = VerifyRules(),
                 align_rules: AlignRules = AlignRules(), known_rules: KnownRules = KnownRules()):
        self._min_marker_px = reader.min_marker_px
        self._upsample_below_px = reader.upsample_below_px
        # Only the cards in use are in the dictionary: a card numbered above the count cannot even decode.
        self._codes = cards.card_codes(cards_settings.count)
        self._dictionary = markers.aruco_dictionary(self._codes)
        self._rules = rules
        self._aligner = Aligner(self._codes, align_rules, rules)
        self._known = KnownReader(self._codes, known_rules)
        self._local = threading.local()
        self._bands = reader.bands or min(os.cpu_count() or 1, AUTO_BANDS_MAX)
        self._pool = ThreadPoolExecutor(self._bands, "card-bands") if self._bands > 1 else None

    def close(self) -> None:
        """Stop the band threads (the appliance runs for months; a stopped app must leave no threads)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _detector(self, image_side: int, min_marker_px: int | None = None) -> cv2.aruco.ArucoDetector:
        detectors = getattr(self._local, "detectors", None)
        if detectors is None:
            detectors = self._local.detectors = {}
        key = (image_side, min_marker_px)
        detector = detectors.get(key)
        if detector is None:
            parameters = detector_parameters(image_side, min_marker_px or self._min_marker_px)
            detector = detectors[key] = cv2.aruco.ArucoDetector(self._dictionary, parameters)
        return detector

    def _detect(self, image: np.ndarray, min_marker_px: int | None = None, side: int | None = None) -> Found:
        """(markers, rejected squares) in `image`; `side` is the longer side of the frame it was cut from."""
        found, ids, rejected = self._detector(side or max(image.shape[:2]), min_marker_px).detectMarkers(image)
        squares = [np.asarray(c, np.float32).reshape(4, 2) for c in rejected]
        if ids is None:
            return [], squares
        return [(int(i), np.asarray(c, np.float32).reshape(4, 2)) for i, c in zip(np.ravel(ids), found)], squares

    def _passes(self, gray: np.ndarray, regions: Sequence[Region] | None = None
                ) -> tuple[list[tuple[int, np.ndarray]], list[np.ndarray]]:
        """(marker id, corners) from every pass, duplicates included, and the squares the full-size and
        enlarged passes outlined but could not decode; all in frame pixels."""
        height, width = gray.shape
        side = max(width, height)
        if regions is not None:
            return self._run([job for region in regions for job in self._region_jobs(gray, region, side)])
        # Bands only where the shrunk pass reads the whole frame: a marker taller than the overlap lies whole in
        # no band (a card filling a photo would be lost).
        split = self._pool is not None and side >= SHRINK_FROM_PX
        jobs = self._banded(gray, side, self._min_marker_px, lambda c: c, split)
        if side >= SHRINK_FROM_PX:
            jobs.append(lambda: self._shrunk(gray))
        if side <= self._upsample_below_px:
            # Cells of 2-3 px (cards of 24-32 px) blur into each other; at twice the size the thresholding
            # window and the contour finder separate the marker's border from its quiet zone again. This pass
            # costs as much as a frame four times as large, so it is read in bands too.
            big = cv2.resize(gray, (width * UP, height * UP), interpolation=cv2.INTER_LINEAR)
            jobs += self._banded(big, side * UP, self._min_marker_px * UP, lambda c: (c + 0.5) / UP - 0.5, split)
        return self._run(jobs)

    def _run(self, jobs: list[Callable[[], Found]]) -> tuple[list[tuple[int, np.ndarray]], list[np.ndarray]]:
        if self._pool is None or len(jobs) == 1:
            results = [job() for job in jobs]
        else:
            results = [f.result() for f in [self._pool.submit(job) for job in jobs]]
        return [hit for found, _ in results for hit in found], [sq for _, rejected in results for sq in rejected]

    def _shrunk(self, image: np.ndarray) -> Found:
        """The pass over `image` shrunk SHRINK times (large, blurred cards read as small sharp ones). Its rejected
        squares are large cards' worth, which the full-size pass reads."""
        height, width = image.shape
        small = cv2.resize(image, (width // SHRINK, height // SHRINK), interpolation=cv2.INTER_AREA)
        scale = (width / small.shape[1], height / small.shape[0])
        # Map corners back through pixel centres, which is how resize aligns the two images.
        return _moved(self._detect(small), lambda c: (c + 0.5) * scale - 0.5)[0], []

    def _region_jobs(self, gray: np.ndarray, region: Region, side: int) -> list[Callable[[], Found]]:
        """The passes a whole frame of longer side `side` gets (those the region asks for), over one rectangle of
        it, with the same limits in pixels, so a card read in a region is read as it would be in the whole
        frame. (OpenCV's limits are fractions of the image it is given, so each crop gets its own.)"""
        x0, y0, x1, y1 = region.box
        crop = gray[y0:y1, x0:x1]
        offset = np.array([x0, y0], np.float32)
        jobs = []
        if region.full:
            jobs.append(lambda: _moved(self._detect(crop), lambda c: c + offset))
        if region.shrunk and side >= SHRINK_FROM_PX and min(crop.shape) >= SHRINK * 2 * self._min_marker_px:
            jobs.append(lambda: _moved(self._shrunk(crop), lambda c: c + offset))
        if region.full and side <= self._upsample_below_px:
            big = lambda: cv2.resize(crop, (crop.shape[1] * UP, crop.shape[0] * UP),  # noqa: E731
                                     interpolation=cv2.INTER_LINEAR)
            jobs.append(lambda: _moved(self._detect(big(), self._min_marker_px * UP),
                                       lambda c: (c + 0.5) / UP - 0.5 + offset))
        return jobs

    def _banded(self, image: np.ndarray, side: int, min_marker_px: int, move: Callable[[np.ndarray], np.ndarray],
                split: bool) -> list[Callable[[], Found]]:
        """Jobs reading `image` whole, or (`split`) as overlapping horizontal bands to be read in parallel (OpenCV
        releases the GIL), with the size limits of the whole image (`side`: its longer side) and corners moved to
        frame pixels by `move`. The overlap grows with the image, as the markers do."""
        height = image.shape[0]
        if not split or height < BAND_MIN_ROWS:
            return [lambda: _moved(self._detect(image, min_marker_px, side), move)]
        overlap = BAND_OVERLAP * min_marker_px // self._min_marker_px
        edges = np.linspace(0, height, self._bands + 1).round().astype(int)
        jobs = []
        for y0, y1 in itertools.pairwise(edges):
            top, bottom = max(y0 - overlap // 2, 0), min(y1 + overlap // 2, height)
            jobs.append(lambda top=top, bottom=bottom: _moved(
                self._detect(image[top:bottom], min_marker_px, side),
                lambda c, top=top: move(c + np.array([0, top], np.float32))))
        return jobs

    def read(self, gray: np.ndarray, regions: Sequence[Region] | None = None) -> list[Sighting]:
        """Every card in a grayscale frame, sorted by card number; `time` is left 0.0 for the caller.

        With `regions` only the cards inside them are read, with the passes each asks for and the same size
        limits and checks as in a whole-frame read."""
        if gray.ndim != 2 or gray.dtype != np.uint8:
            raise ValueError(f"expected a 2-D uint8 grayscale frame, got {gray.dtype} {gray.shape}")
        kept: list[tuple[int, np.ndarray]] = []
        found, rejected = self._passes(gray, regions)
        found = [(i, c) for i, c in found if 0 <= i < len(self._codes)]
        verified = verify_many(gray, [c for _, c in found], [self._codes[i] for i, _ in found], self._rules)
        undecided: list[np.ndarray] = []
        refused: list[tuple[int, np.ndarray]] = []
        for (marker_id, corners), ok in zip(found, verified):
            if _is_duplicate(kept, marker_id, corners):
                continue
            if ok:
                kept.append((marker_id, corners))
            else:
                refused.append((marker_id, corners))
        # A marker OpenCV decoded but verify.py refused, most often for a thumb or a dark shape on its quiet zone:
        # read it when its own marker picture, aligned without the quiet zone, fits clearly best (known.py).
        for marker_id, corners in refused:
            if _is_duplicate(kept, marker_id, corners):
                continue
            hit = self._known.read(gray, marker_id, corners)
            if hit is not None and not _is_duplicate(kept, *hit):
                kept.append(hit)
            elif hit is None:
                undecided.append(corners)
        # Small squares no threshold could decode (or whose decoding verify.py refused): fit the codes' pictures.
        # The enlarged pass's squares first: its outlines of small markers are the more accurate.
        squares = np.array(undecided + rejected[::-1], np.float32).reshape(-1, 4, 2)
        centres = np.array([c.mean(axis=0) for _, c in kept]).reshape(-1, 2)
        for index, hypotheses in self._aligner.screen(gray, squares):
            if _covered(centres, squares[index]):
                continue
            hit = self._aligner.read(gray, squares[index], hypotheses)
            if hit is not None and not _is_duplicate(kept, *hit):
                kept.append(hit)
                centres = np.vstack([centres, hit[1].mean(axis=0)])
        # A card turned about 45° shows no letter on top: it is missed rather than perhaps misread.
        answers = [(i, c, cards.letter_on_top(c)) for i, c in kept]
        return sorted((Sighting(cards.card_number(i), answer, cards.card_corners(c))
                       for i, c, answer in answers if answer is not None), key=lambda s: s.card)


    def reread(self, gray: np.ndarray, card: int, outline: np.ndarray) -> Sighting | None:
        """Card `card`, seen a moment ago with this outline, read at that place by aligning its own marker's
        picture (vision/known.py): for a known card the detector's passes missed in this frame."""
        marker_id = card - 1
        if not 0 <= marker_id < len(self._codes):
            return None
        hit = self._known.read(gray, marker_id, marker_corners_of(outline))
        answer = None if hit is None else cards.letter_on_top(hit[1])
        return None if answer is None else Sighting(card, answer, cards.card_corners(hit[1]))


def _moved(result: Found, move: Callable[[np.ndarray], np.ndarray]) -> Found:
    found, rejected = result
    return [(i, move(c)) for i, c in found], [move(c) for c in rejected]


def _covered(centres: np.ndarray, corners: np.ndarray) -> bool:
    """A kept marker (centres: N x 2) lies on this square: centres closer than half the square's side."""
    half_side = np.linalg.norm(corners[0] - corners[1]) / 2
    return bool(np.any(np.hypot(*(centres - corners.mean(axis=0)).T) < half_side))


def _is_duplicate(kept: list[tuple[int, np.ndarray]], marker_id: int, corners: np.ndarray) -> bool:
    """The same marker already kept from the other pass (centres closer than half its side)."""
    centre = corners.mean(axis=0)
    half_side = np.linalg.norm(corners[0] - corners[1]) / 2
    return any(i == marker_id and np.linalg.norm(c.mean(axis=0) - centre) < half_side for i, c in kept)
