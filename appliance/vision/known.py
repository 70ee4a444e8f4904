"""A card read from its own marker's picture alone, at a place where it is expected, whatever covers its margin.

Two uses. In one frame (CardReader.read): a marker OpenCV outlined and decoded but verify.py refused, most
often because a thumb or fingers darken its quiet zone, which verify.py needs light. Live (CardReader.reread):
a card already known, read again where it was when a frame's detector passes miss it.

The live reader knows where each raised card was a moment ago. A frame's contour-based passes can still miss it:
a thumb that slid onto the marker's black border merges with it into one dark shape that is no square, a glare
spot, a noisy dim frame, a small move. Here the card's own marker picture is aligned to the pixels at its last
place with OpenCV's ECC (a homography, so a few pixels of movement and a change of tilt are followed) — the
MARKER ONLY, not its white quiet zone, so whatever covers the margin does not count — in all four rotations of
its code, and against the other codes whose cells fit that place best. The card is read only when one rotation of
its own code fits with a correlation of at least `min_rho` and every other rotation and code at least `min_gap`
worse: a turned card reads its new answer, a lowered card (a face, a shirt, the wall behind) fits nothing, and a
different card held up at that place fits its own code better. The measured values are next to the thresholds.

Pure: a frame, a card and where its marker is expected in; (marker id, marker corners in dictionary order) or
None out.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appliance.vision import cards, markers
from appliance.vision import verify as V

_PX = 4  # template pixels per cell
_SIDE = cards.MARKER_CELLS * _PX
# The marker's corners in template pixels (pixel centres at integers, as OpenCV's warps use).
_CORNERS = np.array([[0, 0], [_SIDE, 0], [_SIDE, _SIDE], [0, _SIDE]], np.float32) - 0.5
_CARD_TO_MARKER = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.float32) * cards.MARKER_CELLS + cards.MARKER_OFFSET


@dataclass(frozen=True)
class KnownRules:
    min_side_px: float = 14.0  # the marker's shortest side; below it the cells are 2 px and guesswork
    # Read when the card's own code in one rotation correlates at least min_rho with the pixels and every other
    # rotation and tried code at least min_gap less (see the module docstring; measured in docs/BENCHMARKS.md).
    min_rho: float = 0.93
    min_gap: float = 0.12
    others: int = 2  # other codes tried besides the card's own: those whose cells fit the place best
    # The picture's blur in frame pixels (lens, focus, a little motion); the template is blurred to match it at
    # the template's scale, so a small marker (cells of 3 px) is compared with a soft picture, a large one with
    # a sharp one.
    blur_px: float = 1.2
    # Before any alignment: the cells sampled where the marker is expected must fit one rotation of its own code's
    # blurred cell pattern (verify.template_scores) at least this well, so a place the card has left (a face, a
    # shirt) costs one remap instead of six ECCs. Measured (1080p bench frames, seed 11, the marker +-2 px off):
    # still cards fit at median 0.098 (74% <= 0.15), moving 0.121 (71%); places the card had left: 1.6% <= 0.15,
    # 19% <= 0.25 (0.25 made a 12 MP lesson whose cards all moved between frames cost 50 ms a frame more).
    max_cell_residual: float = 0.15


def marker_corners_of(card_outline: np.ndarray) -> np.ndarray:
    """The marker's corners (dictionary order) inside a card outline as the reader reports it."""
    n = cards.CARD_CELLS
    unit = np.array([[0, 0], [n, 0], [n, n], [0, n]], np.float32)
    h = cv2.getPerspectiveTransform(unit, np.asarray(card_outline, np.float32).reshape(4, 2))
    return cv2.perspectiveTransform(_CARD_TO_MARKER.reshape(-1, 1, 2), h).reshape(4, 2)


_BLURS = (0.5, 0.8, 1.2, 1.7, 2.4)  # template blurs available (template pixels)


def _template(code: int, turns: int, sigma: float) -> np.ndarray:
    grid = np.zeros((cards.MARKER_CELLS, cards.MARKER_CELLS), np.float32)
    grid[1:-1, 1:-1] = np.rot90(markers.bits_of(code), turns)
    picture = cv2.resize(grid, (_SIDE, _SIDE), interpolation=cv2.INTER_NEAREST)
    return cv2.GaussianBlur(picture, (0, 0), sigma)


class KnownReader:
    def __init__(self, codes: list[int], rules: KnownRules = KnownRules()):
        self._rules = rules
        self._codes = codes
        self._templates_of = {code: np.flatnonzero(np.array(V.FIT_CODES)[np.arange(4 * len(V.FIT_CODES)) // 4] == code)
                              for code in codes}  # template indices (verify.template_scores) of each code
        self._pictures = {(code, turns, b): _template(code, turns, b)
                          for code in markers.load_codes() for turns in range(4) for b in _BLURS}

    def read(self, gray: np.ndarray, marker_id: int, marker: np.ndarray) -> tuple[int, np.ndarray] | None:
        """(marker_id, refined marker corners) when card `marker_id` is clearly at `marker` (its last corners,
        dictionary order) in `gray`, turned however; None otherwise."""
        marker = np.asarray(marker, np.float32).reshape(4, 2)
        if V.sides(marker.astype(np.float64)).min() < self._rules.min_side_px:
            return None
        own = self._codes[marker_id]
        cells = V.sample_cells_many(gray, marker[None].astype(np.float64))
        scores = V.template_scores(cells)[0]
        if scores[self._templates_of[own]].min() > self._rules.max_cell_residual:
            return None
        cell_px = V.sides(marker.astype(np.float64)).mean() / cards.MARKER_CELLS
        want = self._rules.blur_px * _PX / cell_px
        blur = min(_BLURS, key=lambda b: abs(b - want))
        fits = [(*self._fit(gray, marker, own, turns, blur), turns) for turns in range(4)]
        fits.sort(key=lambda f: -f[0])
        rho, quad, turns = fits[0]
        if rho < self._rules.min_rho or rho - fits[1][0] < self._rules.min_gap:
            return None
        # Other codes whose cells fit this place best (a different card held up here would fit its own code).
        cells = V.sample_cells_many(gray, np.roll(quad, -turns, axis=0)[None].astype(np.float64))
        order = np.argsort(V.template_scores(cells)[0])
        others = [int(k) for k in order if V.FIT_CODES[k // 4] != own][:self._rules.others]
        for k in others:
            other, _ = self._fit(gray, quad, V.FIT_CODES[k // 4], int(k % 4), blur)
            if rho - other < self._rules.min_gap:
                return None
        # The picture in `quad` is the code turned `turns` times: starting the corners `turns` later turns it back.
        return marker_id, np.roll(quad, turns, axis=0)

    def _fit(self, gray: np.ndarray, marker: np.ndarray, code: int, turns: int, blur: float
             ) -> tuple[float, np.ndarray]:
        """Correlation of the code's picture (turned `turns` times, laid on `marker` as it is) with the pixels
        after aligning it, and the aligned corners."""
        margin = np.ptp(marker, axis=0) * 0.35
        x0, y0 = np.maximum(np.floor(marker.min(axis=0) - margin), 0).astype(int)
        x1, y1 = np.ceil(marker.max(axis=0) + margin).astype(int)
        crop = gray[y0:y1 + 1, x0:x1 + 1].astype(np.float32)
        if min(crop.shape) < 8:
            return -1.0, marker
        offset = np.array([x0, y0], np.float32)
        warp = cv2.getPerspectiveTransform(_CORNERS, marker - offset).astype(np.float32)
        try:
            rho, warp = cv2.findTransformECC(self._pictures[code, turns, blur], crop, warp, cv2.MOTION_HOMOGRAPHY,
                                             (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 1e-4), None, 1)
        except cv2.error:  # did not converge (a flat or broken patch)
            return -1.0, marker
        quad = cv2.perspectiveTransform(_CORNERS.reshape(-1, 1, 2), warp).reshape(4, 2) + offset
        return float(rho), quad.astype(np.float32)
