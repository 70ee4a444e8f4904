"""A second, stricter look at every marker OpenCV reports, so clutter never becomes a card.

OpenCV decides from its own thresholding; we resample the marker and its surroundings through the detected
corners on a grid of cells (8 × 8: the 6 × 6 marker plus the 1-cell white quiet zone every card has) and
require what a real card looks like:
- a clearly dark border and a clearly light quiet zone (a pattern on a poster rarely has both);
- data cells that match the card's code exactly, or within one cell when each cell spans enough pixels
  that a one-cell slip is a glare spot rather than a different pattern, and every other data cell is clearly
  black or white (a real card with one spoiled cell is otherwise clean; a foreign marker half painted over by
  other clutter, two cells from every card, reached one cell only through a grey cell near the threshold);
- or, for a marker too blurred for any threshold, cells that the blurred picture of its own code fits clearly
  better than that of any other code or rotation;
- a plausible quadrilateral (convex, not a sliver).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appliance.vision import markers
from appliance.vision.cards import MARKER_CELLS

GRID = MARKER_CELLS + 2  # marker plus the quiet-zone ring
_SAMPLE = 6  # pixels per cell in the resampled grid
_INNER = slice(1, _SAMPLE - 1)  # ignore cell edges, where blur mixes neighbours


@dataclass(frozen=True)
class VerifyRules:
    min_side_px: float = 12.0  # shortest marker side (2 px cells); below this a 4×4 code is guesswork
    max_side_ratio: float = 4.0  # longest / shortest marker side (strong foreshortening is still fine)
    min_contrast: float = 25.0  # grey levels between the dark border and the light quiet zone
    max_dark_ring_cells: int = 4  # quiet-zone cells allowed to be dark (fingers holding the card)
    correct_from_px: float = 6.0  # pixels per cell from which one wrong data cell is tolerated
    # ...and only when every other data cell is at least this share of the border-to-quiet-zone contrast away
    # from the threshold. Card-free bench frames (seeds 1-3, 6,000 frames) gave three such corrections, with
    # their nearest other cell at 0.02, 0.04 and 0.14; no real card in 76 classroom frames needed a correction.
    correct_margin: float = 0.25
    # A blurred marker's cells bleed into each other (an isolated white cell among black ones reads grey):
    # the code may also match exactly after this much sharpening of the cell grid against its 4 neighbours.
    deblur: float = 1.0
    # A marker blurred so much that no threshold separates its cells is read by fitting the blurred picture of
    # every code in every rotation (gain and offset free, blur from a few kernels) to its 6 x 6 cells: accepted
    # when its own code, as the corners say, fits best with an RMS residual of at most this share of the fitted
    # contrast, and every other code and rotation fits worse by at least fit_margin. On the full bench (seed 1)
    # real cards rejected otherwise fitted at 0.036-0.07 with the runner-up 0.03-0.1 worse; clutter candidates
    # (card-free frames, seeds 1-3) fitted no better than 0.085, with runners-up within 0.01-0.07.
    fit_max_residual: float = 0.07
    fit_margin: float = 0.03


def sides(corners: np.ndarray) -> np.ndarray:
    """Side lengths of one quadrilateral (4 x 2 -> 4) or of many (N x 4 x 2 -> N x 4)."""
    return np.hypot(*np.moveaxis(corners - corners[..., [1, 2, 3, 0], :], -1, 0))


def plausible_quads(quads: np.ndarray, rules: VerifyRules) -> np.ndarray:
    """For N quadrilaterals (N x 4 x 2): which are convex and not slivers or specks."""
    lengths = sides(quads)
    shortest = lengths.min(axis=1)
    edges = quads[:, [1, 2, 3, 0]] - quads
    following = edges[:, [1, 2, 3, 0]]
    turns = edges[..., 0] * following[..., 1] - edges[..., 1] * following[..., 0]
    convex = (turns > 0).all(axis=1) | (turns < 0).all(axis=1)
    return convex & (shortest >= rules.min_side_px) & (lengths.max(axis=1) <= rules.max_side_ratio * shortest)


# Where each cell is sampled, in a grid of _SAMPLE px per cell with the marker's corners at cells 1 and GRID - 1:
# the pixel centres of each cell but its edge pixels, where blur mixes neighbours.
_SAMPLE_AT = (np.arange(GRID)[:, None] * _SAMPLE + np.arange(_SAMPLE)[_INNER][None, :]).ravel().astype(np.float64)
_SAMPLE_POINTS = np.stack([*(g.ravel() for g in np.meshgrid(_SAMPLE_AT, _SAMPLE_AT)), np.ones(_SAMPLE_AT.size ** 2)])
_GRID_CORNERS = np.array([[1, 1], [GRID - 1, 1], [GRID - 1, GRID - 1], [1, GRID - 1]], np.float64) * _SAMPLE


def _homographies(quads: np.ndarray) -> np.ndarray:
    """N homographies (N x 3 x 3) from the sampling grid to each quad (corners in dictionary order)."""
    n = len(quads)
    x, y = _GRID_CORNERS[:, 0], _GRID_CORNERS[:, 1]
    u, v = quads[..., 0], quads[..., 1]
    a = np.zeros((n, 8, 8))
    a[:, 0::2, 0], a[:, 0::2, 1], a[:, 0::2, 2] = x, y, 1
    a[:, 1::2, 3], a[:, 1::2, 4], a[:, 1::2, 5] = x, y, 1
    a[:, 0::2, 6], a[:, 0::2, 7] = -x * u, -y * u
    a[:, 1::2, 6], a[:, 1::2, 7] = -x * v, -y * v
    b = np.empty((n, 8))
    b[:, 0::2], b[:, 1::2] = u, v
    h = np.linalg.solve(a, b[..., None])[..., 0]
    return np.concatenate([h, np.ones((n, 1))], axis=1).reshape(n, 3, 3)


def sample_cells_many(gray: np.ndarray, quads: np.ndarray) -> np.ndarray:
    """Mean grey of each cell of the 8 × 8 grid (the marker and its quiet-zone ring) around each of N plausible
    quads whose corners are in dictionary order: N x 8 x 8. One remap for all of them."""
    n, k = len(quads), _SAMPLE_AT.size
    if n == 0:
        return np.empty((0, GRID, GRID))
    mapped = _homographies(np.asarray(quads, np.float64)) @ _SAMPLE_POINTS  # N x 3 x k²
    xy = (mapped[:, :2] / mapped[:, 2:]).astype(np.float32)
    samples = cv2.remap(gray, xy[:, 0].reshape(n * k, k), xy[:, 1].reshape(n * k, k), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    inner = _SAMPLE - 2
    return samples.reshape(n, GRID, inner, GRID, inner).mean(axis=(2, 4))


_RING = np.ones((GRID, GRID), bool)
_RING[1:-1, 1:-1] = False
_BORDER = np.zeros((GRID, GRID), bool)
_BORDER[1:-1, 1:-1] = True
_BORDER[2:-2, 2:-2] = False


def _deblurred_matches(cells: np.ndarray, threshold: float, code: int, strength: float) -> bool:
    padded = np.pad(cells, 1, mode="edge")
    around = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]) / 4
    sharp = cells + strength * (cells - around)
    seen = (sharp[2:-2, 2:-2] >= threshold).astype(np.uint8)
    return bool(np.array_equal(seen, markers.bits_of(code)))


def ideal_grid(bits: np.ndarray) -> np.ndarray:
    grid = np.ones((GRID, GRID))
    grid[1:-1, 1:-1] = 0
    grid[2:-2, 2:-2] = bits
    return grid


_BLURS = (0.0, 0.12, 0.25, 0.4, 0.6)  # weight of a cell's edge neighbours (corner neighbours: its square)


def _templates() -> tuple[list[int], np.ndarray]:
    """Every code (all 100, not only the cards in use) in every rotation, as the 6 x 6 marker cells a blurred
    marker would show, centred, per blur: (code, or -1 for a rotation, which is never a match; templates)."""
    codes = markers.load_codes()
    kinds = [code if turns == 0 else -1 for code in codes for turns in range(4)]
    out = np.empty((len(_BLURS), len(kinds), MARKER_CELLS * MARKER_CELLS))
    for b, w in enumerate(_BLURS):
        kernel = np.array([[w * w, w, w * w], [w, 1, w], [w * w, w, w * w]])
        kernel /= kernel.sum()
        out[b] = [cv2.filter2D(ideal_grid(np.rot90(markers.bits_of(code), turns)), -1, kernel,
                               borderType=cv2.BORDER_REPLICATE)[1:-1, 1:-1].ravel()
                  for code in codes for turns in range(4)]
    out -= out.mean(axis=2, keepdims=True)
    return kinds, out


_FIT_KINDS, _FIT = _templates()
FIT_CODES = markers.load_codes()  # template k shows FIT_CODES[k // 4]
_FIT_NORM2 = (_FIT ** 2).sum(axis=2)


def template_scores(cells: np.ndarray) -> np.ndarray:
    """How badly each blurred code template fits a marker's 6 x 6 cells: the RMS residual as a share of the
    fitted contrast, best blur, for template k = code FIT_CODES[k // 4] turned k % 4 times (np.rot90).
    `cells`: one 8 x 8 grid or a stack of them (... x 8 x 8 -> ... x 400)."""
    y = cells[..., 1:-1, 1:-1].reshape(*cells.shape[:-2], MARKER_CELLS * MARKER_CELLS).astype(np.float64)
    y = y - y.mean(axis=-1, keepdims=True)
    gain = np.einsum("...j,bkj->...bk", y, _FIT) / _FIT_NORM2  # (..., blurs, templates)
    total = (y * y).sum(axis=-1)[..., None, None]
    residual = np.sqrt(np.maximum((total - gain * gain * _FIT_NORM2) / y.shape[-1], 0.0))
    return np.where(gain > 0, residual / np.maximum(gain, 1e-9), np.inf).min(axis=-2)


def _fitted(cells: np.ndarray, code: int, rules: VerifyRules) -> bool:
    """`code`, unrotated, is clearly the best fit of all blurred code templates to the marker's cells."""
    score = template_scores(cells)
    best, second = np.argsort(score)[:2]
    return bool(_FIT_KINDS[best] == code and score[best] <= rules.fit_max_residual
                and score[second] - score[best] >= rules.fit_margin)


def marker_frames(gray: np.ndarray, quads: np.ndarray, rules: VerifyRules,
                  light_border_cells: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which of N quads (N x 4 x 2) frame a marker: a plausible shape, a dark border (up to `light_border_cells`
    of its cells may be light) inside a light quiet zone. Returns (their indices, their 8 x 8 cells, their
    thresholds halfway between border and quiet zone)."""
    quads = np.asarray(quads, np.float64).reshape(-1, 4, 2)
    index = np.flatnonzero(plausible_quads(quads, rules))
    cells = sample_cells_many(gray, quads[index])
    border, ring = cells[:, _BORDER], cells[:, _RING]
    dark, light = np.median(border, axis=1), np.median(ring, axis=1)
    threshold = (dark + light) / 2
    keep = ((light - dark >= rules.min_contrast)
            & ((border >= threshold[:, None]).sum(axis=1) <= light_border_cells)
            & ((ring < threshold[:, None]).sum(axis=1) <= rules.max_dark_ring_cells))
    return index[keep], cells[keep], threshold[keep]


def verify_many(gray: np.ndarray, quads: list[np.ndarray], codes: list[int], rules: VerifyRules) -> list[bool]:
    """verify() for many markers at once (their cells sampled in one go): one answer per (quad, code)."""
    ok = [False] * len(quads)
    if not quads:
        return ok
    index, cells, threshold = marker_frames(gray, np.array(quads), rules)
    for i, c, t in zip(index, cells, threshold):
        ok[i] = _carries(c, float(t), np.asarray(quads[i], np.float32).reshape(4, 2), codes[i], rules)
    return ok


def verify(gray: np.ndarray, corners: np.ndarray, code: int, rules: VerifyRules) -> bool:
    """True when the marker at `corners` (dictionary order) looks like a real card carrying `code`."""
    return verify_many(gray, [corners], [code], rules)[0]


def _carries(cells: np.ndarray, threshold: float, corners: np.ndarray, code: int, rules: VerifyRules) -> bool:
    """The framed marker's data cells show `code` (see the module's docstring)."""
    data = cells[2:-2, 2:-2]
    seen = (data >= threshold).astype(np.uint8)  # 1 = white, as in the dictionary
    mismatch = seen != markers.bits_of(code)
    wrong = int(np.count_nonzero(mismatch))
    if wrong == 0:
        return True
    # Only a card in the clear: with fingers or clutter on the quiet zone, sharpening makes patterns.
    if rules.deblur and not np.any(cells[_RING] < threshold) and _deblurred_matches(cells, threshold, code, rules.deblur):
        return True
    if rules.fit_max_residual and _fitted(cells, code, rules):
        return True
    if wrong > 1 or sides(corners).min() / MARKER_CELLS < rules.correct_from_px:
        return False
    contrast = np.median(cells[_RING]) - np.median(cells[_BORDER])
    margin = np.abs(data[~mismatch] - threshold).min() / contrast
    return bool(margin >= rules.correct_margin)
