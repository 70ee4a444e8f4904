"""Card layout: which marker each card carries, how a card is drawn, and how a seen marker maps back to the card.

Lengths are in cells, a cell being one bit of the marker. A card is a square of CARD_CELLS × CARD_CELLS cells
(8.9: a 6-cell marker, a 1-cell quiet zone and a 0.45-cell letter band on every side; the marker is 67% of the
side, against 60% on the cards printed before):

    ┌──────────────────┐   band (0.45 cell): letter A (ink 0.25 cell) centred on the top edge, B right,
    │7       A         │   C bottom, D left, the card number in the top-left corner (and upside down
    │ ┌──────────────┐ │   bottom-right)
    │ │ ████████████ │ │   quiet zone (1 cell, white): keeps the marker's black border separable; verify.py
    │D│ ██  data  ██ │B│   and align.py look at exactly this ring around the marker
    │ │ ████████████ │ │   marker (6 cells): 1-cell black border around 4×4 data cells
    │ └──────────────┘ │
    │         C       7│
    └──────────────────┘

Nothing but the marker and its quiet zone is read: the band is for people. So cards printed with another band
read all the same, e.g. the cards printed before December 2026 (LEGACY_LAYOUT: a 1-cell band with letters 0.72
cell tall, the marker 60% of the side); their outline (card_corners) then comes out smaller than the paper.

Upright (A on top) the marker is in its dictionary orientation, so OpenCV's first corner is the card's A-edge
left corner and the corners run clockwise A-edge, B-edge, C-edge, D-edge. Presenting B means turning the card
a quarter turn counter-clockwise (np.rot90 once): B's edge is then on top.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from appliance.vision import markers

MARKER_CELLS = markers.MARKER_BITS + 2 * markers.BORDER_CELLS  # 6


@dataclass(frozen=True)
class Layout:
    """What surrounds the marker, in cells: the white quiet zone, then the band the letters are printed in."""
    quiet: float
    band: float
    letter: float  # height of the letters A-D
    number: float  # height of the card number

    @property
    def offset(self) -> float:
        """From the card's edge to the marker's."""
        return self.band + self.quiet

    @property
    def side(self) -> float:
        return MARKER_CELLS + 2 * self.offset


# The quiet zone stays 1 cell: the reader's checks sample that ring, and on a dark background (a shirt behind the
# card) a thinner one loses small cards: 14 px markers read 69/80 with 1 cell, 57/80 with 0.75, 45/80 with 0.5.
# The letters' ink is 0.25 cell tall (4.2 mm on a 14.8 cm card, 2.8 mm on a 10 cm one: about half of
# LEGACY_LAYOUT's 8.0 / 5.4 mm), sitting in the band with white on both sides so a crooked cut misses them.
LAYOUT = Layout(quiet=1.0, band=0.45, letter=0.34, number=0.3)
LEGACY_LAYOUT = Layout(quiet=1.0, band=1.0, letter=0.72, number=0.45)  # cards printed before December 2026
CARD_CELLS = LAYOUT.side  # 8.9
MARKER_OFFSET = LAYOUT.offset  # 1.45
MARKER_SHARE = MARKER_CELLS / CARD_CELLS  # 0.674: the marker's share of the card's side
ANSWERS = "ABCD"  # card edges clockwise from the top of an upright card
MIN_CARD_PX = 40
_FONT = cv2.FONT_HERSHEY_DUPLEX


def card_codes(count: int) -> list[int]:
    if not 1 <= count <= markers.MAX_CARDS:
        raise ValueError(f"card count must be 1..{markers.MAX_CARDS}, got {count}")
    return markers.load_codes()[:count]


def card_number(marker_id: int) -> int:
    """Dictionary id → card number (cards are numbered from 1)."""
    return marker_id + 1


def _edge_heights(corners: np.ndarray) -> np.ndarray:
    c = np.asarray(corners, np.float64).reshape(4, 2)
    return (c[:, 1] + np.roll(c[:, 1], -1)) / 2  # edge i's midpoint y (edge i: corner i to corner i+1)


def answer_from_corners(marker_corners: np.ndarray) -> str:
    """The letter on top: the card edge whose midpoint is highest in the image (smallest y).

    `marker_corners` are in dictionary order (4×2), so edge i runs from corner i to corner i+1 and is the
    edge of letter ANSWERS[i]. Choosing the highest edge is the same as choosing the rotation closest to
    upright, so a card tilted up to 45° still reads as the letter nearest the top.
    """
    return ANSWERS[int(np.argmin(_edge_heights(marker_corners)))]


# A card turned about 45° has two edges about equally high: no letter is on top, and a pixel of corner error
# would pick either. The reader reports a card only when its top edge is higher than the next by this share
# of the mean side: a card turned up to ~41° from upright facing the camera (the benchmark's holds keep twice
# this margin, so a card it scores is never this close).
CLEAR_TOP_MARGIN = 0.05


def top_margin(corners: np.ndarray) -> float:
    """How much higher the top edge's midpoint is than the next highest, as a share of the mean side."""
    c = np.asarray(corners, np.float64).reshape(4, 2)
    lowest_two = np.sort(_edge_heights(c))[:2]
    mean_side = float(np.linalg.norm(c - np.roll(c, -1, axis=0), axis=1).mean())
    return float(lowest_two[1] - lowest_two[0]) / max(mean_side, 1e-9)


def letter_on_top(marker_corners: np.ndarray, min_margin: float = CLEAR_TOP_MARGIN) -> str | None:
    """answer_from_corners, or None when the top edge is not higher than the next by `min_margin` (of the side)."""
    return answer_from_corners(marker_corners) if top_margin(marker_corners) >= min_margin else None


def _marker_to_image(marker_corners: np.ndarray) -> np.ndarray:
    """Homography from card cell coordinates (card top-left = (0, 0), side CARD_CELLS) to image pixels."""
    lo, hi = MARKER_OFFSET, MARKER_OFFSET + MARKER_CELLS
    cells = np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], np.float32)
    return cv2.getPerspectiveTransform(cells, np.asarray(marker_corners, np.float32).reshape(4, 2))


def card_points(marker_corners: np.ndarray, cell_points: np.ndarray) -> np.ndarray:
    """Card cell coordinates (N×2) → image pixels, through the plane of the seen marker."""
    pts = np.asarray(cell_points, np.float32).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, _marker_to_image(marker_corners)).reshape(-1, 2)


def card_corners(marker_corners: np.ndarray) -> np.ndarray:
    """The card's outline (4×2 float32) from its marker's corners, clockwise from the A-edge left corner."""
    n = CARD_CELLS
    return card_points(marker_corners, np.array([[0, 0], [n, 0], [n, n], [0, n]])).astype(np.float32)


def shorter_side(corners: np.ndarray) -> float:
    """The shorter side of an outline (4×2) in pixels: a card's size in the frame, or its marker's."""
    c = np.asarray(corners, np.float64).reshape(4, 2)
    return float(np.hypot(*(c - np.roll(c, -1, axis=0)).T).min())


def _marker_edges(size_px: int, layout: Layout) -> np.ndarray:
    """Pixel edges of the marker's cells on a card size_px wide."""
    cell = size_px / layout.side
    return np.round((layout.offset + np.arange(MARKER_CELLS + 1)) * cell).astype(int)


def _put_centred(image: np.ndarray, text: str, centre: tuple[float, float], height: float) -> None:
    thickness = max(1, round(height / 14))
    (w, h), _ = cv2.getTextSize(text, _FONT, 1.0, thickness)
    scale = height / h
    (w, h), _ = cv2.getTextSize(text, _FONT, scale, thickness)
    origin = (round(centre[0] - w / 2), round(centre[1] + h / 2))
    cv2.putText(image, text, origin, _FONT, scale, 0, thickness, cv2.LINE_AA)


def _draw_marker(image: np.ndarray, code: int, edges: np.ndarray) -> None:
    bits = np.zeros((MARKER_CELLS, MARKER_CELLS), np.uint8)  # border cells stay 0 = black
    bits[1:-1, 1:-1] = markers.bits_of(code)
    for r in range(MARKER_CELLS):
        for c in range(MARKER_CELLS):
            image[edges[r]:edges[r + 1], edges[c]:edges[c + 1]] = 255 if bits[r, c] else 0


def render_card(number: int, size_px: int, layout: Layout = LAYOUT) -> np.ndarray:
    """Card `number` as an upright (A on top) grayscale size_px × size_px uint8 image (`layout`: LEGACY_LAYOUT
    draws the cards printed before, for tests that they still read)."""
    if size_px < MIN_CARD_PX:
        raise ValueError(f"card size must be at least {MIN_CARD_PX} px, got {size_px}")
    codes = markers.load_codes()
    if not 1 <= number <= len(codes):
        raise ValueError(f"card number must be 1..{len(codes)}, got {number}")
    image = np.full((size_px, size_px), 255, np.uint8)
    cell = size_px / layout.side
    # Each letter is drawn upright on the top edge of the card turned so that its edge is on top, then turned
    # back: the letter then reads upright exactly when it is the answer being shown.
    for turns, letter in enumerate(ANSWERS):
        view = np.ascontiguousarray(np.rot90(image, turns))
        _put_centred(view, letter, (size_px / 2, cell * layout.band / 2), cell * layout.letter)
        image = np.ascontiguousarray(np.rot90(view, -turns))
    for _ in range(2):  # the number top-left, then again upside down bottom-right
        _put_centred(image, str(number), (cell * (layout.band + 0.1), cell * layout.band / 2), cell * layout.number)
        image = np.ascontiguousarray(np.rot90(image, 2))
    _draw_marker(image, codes[number - 1], _marker_edges(size_px, layout))
    return image


def write_card_pngs(directory: Path, count: int, size_px: int = 1000) -> list[Path]:
    """Write card-<n>.png for cards 1..count into `directory` (created if missing); returns the paths."""
    card_codes(count)  # validates count
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = directory / f"card-{number}.png"
        if not cv2.imwrite(str(path), render_card(number, size_px)):
            raise OSError(f"could not write {path}")
        paths.append(path)
    return paths
