"""A last look at small squares OpenCV outlined but could not decode: fit each likely code's picture to the pixels.

A card of 24-32 px carries cells of 2-3 px. Blurred, a white cell between black ones reads grey, OpenCV's
thresholding flips it and the square is rejected, although the marker is plain to see. Here each candidate
square that looks like a marker (dark border, light quiet zone) is tried against the few codes and rotations
whose blurred cell pattern fits it best (verify.py's templates): the code's ideal picture, marker plus quiet
zone, blurred, is aligned to the image with OpenCV's ECC (a homography, so the corners are refined too) and
scored by the correlation coefficient of the aligned pixels. A real card fits its own code almost perfectly
(correlation ~0.99) and any other code clearly worse; clutter that happens to look like a marker fits some
code only roughly. A candidate is read only when the code its cells fit best also fits the pixels with a
correlation of at least `min_rho` and beats the next codes and rotations by `min_gap`: the measured values are
next to the thresholds in AlignRules.

Pure: a frame and squares in; for each square worth it, (marker id, corners in dictionary order) or None out.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appliance.vision import markers
from appliance.vision import verify as V

_PX = 4  # template pixels per cell
_SIDE = V.GRID * _PX
# The marker's corners in template pixels (pixel centres at integers, as OpenCV's warps use).
_TEMPLATE_CORNERS = np.array([[_PX, _PX], [_SIDE - _PX, _PX], [_SIDE - _PX, _SIDE - _PX], [_PX, _SIDE - _PX]],
                             np.float32) - 0.5


@dataclass(frozen=True)
class AlignRules:
    # Candidates whose shorter side is in this range (frame pixels) are tried: below it a 4×4 code is guesswork,
    # above it OpenCV reads the card itself (>= 99% of cards of 32 px and more).
    min_side_px: float = 12.0
    max_side_px: float = 30.0
    # The codes and rotations tried per candidate: those whose blurred cell pattern fits best.
    hypotheses: int = 3
    # The best cell fit (verify.template_scores) must be at least this good to try the pixels: real cards read
    # here fitted at 0.03-0.10 (full bench, seed 1).
    max_cell_residual: float = 0.11
    # Template blur (Gaussian sigma in template pixels, 1/4 cell): a card of 24-32 px seen through the blur of
    # a real lens fits best at 2 (121 of 122 candidates, against 1).
    blur: float = 2.0
    # Read when the best code's correlation is at least min_rho and every other tried code and rotation is at
    # least min_gap lower. Measured (full bench, seed 1, the better of blurs 1 and 2): real cards fit their own
    # code at median 0.99 (5th percentile 0.96) with the runner-up 0.04-0.13 lower; squares on no card (classrooms
    # and 2,000 card-free frames) fit no card's code better than 0.972, and none reached 0.965 with a gap of 0.03.
    # With these rules as they are, the 6,060 card-free frames of seeds 1-3 give no card.
    min_rho: float = 0.975
    min_gap: float = 0.03


def _template(code: int, turns: int, sigma: float) -> np.ndarray:
    grid = V.ideal_grid(np.rot90(markers.bits_of(code), turns)).astype(np.float32)
    picture = cv2.resize(grid, (_SIDE, _SIDE), interpolation=cv2.INTER_NEAREST)
    return cv2.GaussianBlur(picture, (0, 0), sigma)


class Aligner:
    """Reads candidate squares against the first `count` codes (the cards in use); all 100 codes compete."""

    def __init__(self, codes: list[int], rules: AlignRules = AlignRules(),
                 verify_rules: V.VerifyRules = V.VerifyRules()):
        self._rules = rules
        self._verify_rules = verify_rules
        self._in_use = {code: i for i, code in enumerate(codes)}
        all_codes = markers.load_codes()
        self._pictures = {(code, turns): _template(code, turns, rules.blur)
                          for code in all_codes for turns in range(4)}

    def screen(self, gray: np.ndarray, quads: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """The squares (N x 4 x 2) worth fitting, all screened at once: (index, the codes and rotations to try,
        as template indices best first) for those in the size range that frame a marker (blur greys a cell or
        two of a real card's border; a frame any worse is not a marker) whose cells some code fits well."""
        quads = np.asarray(quads, np.float64).reshape(-1, 4, 2)
        shortest = V.sides(quads).min(axis=1)
        sized = np.flatnonzero((shortest >= self._rules.min_side_px) & (shortest <= self._rules.max_side_px))
        framed, cells, _ = V.marker_frames(gray, quads[sized], self._verify_rules, light_border_cells=2)
        scores = V.template_scores(cells)
        order = np.argsort(scores, axis=1)[:, :self._rules.hypotheses]
        good = np.take_along_axis(scores, order[:, :1], axis=1)[:, 0] <= self._rules.max_cell_residual
        return [(int(sized[framed[j]]), order[j]) for j in np.flatnonzero(good)]

    def read(self, gray: np.ndarray, corners: np.ndarray, hypotheses: np.ndarray) -> tuple[int, np.ndarray] | None:
        """(marker id, refined corners in dictionary order) when the square at `corners` is clearly one card.
        `hypotheses`: template indices from screen(), best first."""
        corners = np.asarray(corners, np.float32).reshape(4, 2)
        # The best cell fit first: when even it does not fit the pixels, nothing will be read here, so the
        # other hypotheses (only needed for the gap) are not aligned at all. Clutter mostly stops here.
        fits = []
        for rank, k in enumerate(hypotheses):
            code, turns = V.FIT_CODES[k // 4], int(k % 4)
            fits.append((*self._fit(gray, corners, code, turns), code, turns))
            if rank == 0 and (code not in self._in_use or fits[0][0] < self._rules.min_rho):
                return None
        rho, quad, code, turns = fits[0]
        if rho - max(f[0] for f in fits[1:]) < self._rules.min_gap:
            return None
        # The cells seen through `quad` are the code turned `turns` times; starting the corners `turns` later
        # turns the picture back to the dictionary's orientation.
        return self._in_use[code], np.roll(quad, turns, axis=0)

    def _fit(self, gray: np.ndarray, corners: np.ndarray, code: int, turns: int) -> tuple[float, np.ndarray]:
        """Correlation of the code's picture with the image after aligning it, and the aligned corners."""
        margin = np.ptp(corners, axis=0) * 0.5
        x0, y0 = np.maximum(np.floor(corners.min(axis=0) - margin), 0).astype(int)
        x1, y1 = np.ceil(corners.max(axis=0) + margin).astype(int)
        crop = gray[y0:y1 + 1, x0:x1 + 1].astype(np.float32)
        offset = np.array([x0, y0], np.float32)
        warp = cv2.getPerspectiveTransform(_TEMPLATE_CORNERS, corners - offset).astype(np.float32)
        try:
            rho, warp = cv2.findTransformECC(self._pictures[code, turns], crop, warp, cv2.MOTION_HOMOGRAPHY,
                                             (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 1e-4), None, 1)
        except cv2.error:  # did not converge (a flat or broken patch)
            return -1.0, corners
        quad = cv2.perspectiveTransform(_TEMPLATE_CORNERS.reshape(-1, 1, 2), warp).reshape(4, 2) + offset
        return float(rho), quad.astype(np.float32)
