"""Synthetic frames with known cards, for tests and benchmarks of the reader (no camera needed).

Clutter is the point: text, tables, checkerboards, grids and noise are what a marker detector mistakes for
markers, so a frame full of them measures phantom cards as well as recall.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appliance.vision.cards import LAYOUT, MIN_CARD_PX, Layout, render_card

_LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "))
_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_PLAIN)


@dataclass(frozen=True)
class PlacedCard:
    card: int
    answer: str
    corners: np.ndarray  # card outline in the frame, clockwise from the A-edge left corner


def _text(image: np.ndarray, rng: np.random.Generator) -> None:
    h, w = image.shape
    for _ in range(int(rng.integers(3, 15))):
        text = "".join(rng.choice(_LETTERS, int(rng.integers(2, 14))))
        origin = (int(rng.integers(-20, w)), int(rng.integers(0, h + 20)))
        cv2.putText(image, text, origin, int(rng.choice(_FONTS)), float(rng.uniform(0.4, 4)),
                    int(rng.integers(0, 256)), int(rng.integers(1, 8)))


def _grid(image: np.ndarray, rng: np.random.Generator) -> None:
    h, w = image.shape
    x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
    step, n = int(rng.integers(4, 60)), int(rng.integers(2, 12))
    ink, thick = int(rng.integers(0, 120)), int(rng.integers(1, 6))
    for i in range(n + 1):
        cv2.line(image, (x0 + i * step, y0), (x0 + i * step, y0 + n * step), ink, thick)
        cv2.line(image, (x0, y0 + i * step), (x0 + n * step, y0 + i * step), ink, thick)
    for _ in range(int(rng.integers(0, n * n // 2 + 1))):  # some cells filled, like a table or crossword
        r, c = rng.integers(0, n, 2)
        cv2.rectangle(image, (x0 + int(c) * step, y0 + int(r) * step),
                      (x0 + (int(c) + 1) * step, y0 + (int(r) + 1) * step), ink, -1)


def _checkerboard(image: np.ndarray, rng: np.random.Generator) -> None:
    h, w = image.shape
    cell, n = int(rng.integers(3, 40)), int(rng.integers(2, 10))
    board = ((np.indices((n, n)).sum(axis=0) % 2) * 255).astype(np.uint8)
    if rng.random() < 0.5:  # random bits rather than alternating: closest to a real marker
        board = (rng.integers(0, 2, (n, n)) * 255).astype(np.uint8)
        board[0, :] = board[-1, :] = board[:, 0] = board[:, -1] = 0
    tile = cv2.resize(board, (n * cell, n * cell), interpolation=cv2.INTER_NEAREST)
    angle = float(rng.uniform(0, 360))
    m = cv2.getRotationMatrix2D((tile.shape[1] / 2, tile.shape[0] / 2), angle, 1.0)
    m[:, 2] += (rng.integers(0, w), rng.integers(0, h))
    mask = cv2.warpAffine(np.full_like(tile, 255), m, (w, h))
    warped = cv2.warpAffine(tile, m, (w, h))
    image[mask > 127] = warped[mask > 127]


def _shapes(image: np.ndarray, rng: np.random.Generator) -> None:
    h, w = image.shape
    for _ in range(int(rng.integers(2, 10))):
        p = rng.integers(0, max(w, h), 4)
        shade = int(rng.integers(0, 256))
        if rng.random() < 0.5:
            cv2.rectangle(image, (int(p[0]), int(p[1])), (int(p[2]), int(p[3])), shade, int(rng.choice([-1, 2, 6])))
        else:
            cv2.circle(image, (int(p[0]), int(p[1])), int(p[2] % 80 + 3), shade, -1)


def clutter(rng: np.random.Generator, height: int, width: int, items: int = 6) -> np.ndarray:
    """A card-free grayscale frame of text, grids, checkerboards, shapes and noise."""
    base = int(rng.integers(60, 230))
    image = np.full((height, width), base, np.uint8)
    draw = (_text, _grid, _checkerboard, _shapes)
    for _ in range(items):
        draw[int(rng.integers(0, len(draw)))](image, rng)
    noise = rng.normal(0, float(rng.uniform(1, 8)), image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def card_quad(rng: np.random.Generator, centre, side: float, turns: int, tilt: float = 0.25) -> np.ndarray:
    """A card outline with shorter side about `side` px, turned `turns` quarter turns counter-clockwise plus
    a small random roll, and foreshortened by up to `tilt` (perspective of a card held at an angle)."""
    half = side / 2
    square = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    squash = 1 + rng.uniform(0, tilt)  # the card's other side is longer on the image, never shorter
    square[:, int(rng.integers(0, 2))] *= squash
    keystone = rng.uniform(-tilt, tilt) / 2  # one edge wider than the opposite one
    square[:2, 0] *= 1 + keystone
    square[2:, 0] *= 1 - keystone
    angle = turns * np.pi / 2 + rng.uniform(-0.35, 0.35)  # counter-clockwise on screen (y grows down)
    rot = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    return (square @ rot.T + np.asarray(centre, float)).astype(np.float32)


def place_card(frame: np.ndarray, number: int, corners: np.ndarray, shade: float = 1.0,
               layout: Layout = LAYOUT) -> None:
    """Draw card `number` (upright image, printed with `layout`) into `frame` so its outline lands on `corners`
    (in place)."""
    side = float(np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1).max())
    size = max(MIN_CARD_PX, int(side * 2))  # render larger and let the warp filter it down
    card = render_card(number, size, layout)
    if side < size / 1.5:  # pre-blur to avoid aliasing, as a lens would
        card = cv2.GaussianBlur(card, (0, 0), size / side * 0.4)
    src = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32)
    m = cv2.getPerspectiveTransform(src, np.asarray(corners, np.float32))
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 3
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, frame.shape[1]), min(y1, frame.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64) @ m
    patch = cv2.warpPerspective(card.astype(np.float32) * shade, shift, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(np.ones_like(card, np.float32), shift, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    region = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(region * (1 - alpha) + patch, 0, 255).astype(np.uint8)


def camera_blur(frame: np.ndarray, rng: np.random.Generator, sigma: float = 0.7, noise: float = 3.0) -> np.ndarray:
    """Lens blur and sensor noise."""
    blurred = cv2.GaussianBlur(frame, (0, 0), sigma).astype(np.float32)
    return np.clip(blurred + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)


def classroom_frame(rng: np.random.Generator, width: int, height: int, count: int, sides: tuple[float, float],
                    cards: int = 64, clutter_items: int = 40) -> tuple[np.ndarray, list[PlacedCard]]:
    """A cluttered frame with `count` non-overlapping cards of shorter side in `sides` (px), random answers."""
    frame = clutter(rng, height, width, clutter_items)
    placed: list[PlacedCard] = []
    boxes: list[tuple[np.ndarray, float]] = []
    numbers = rng.permutation(np.arange(1, cards + 1))
    for attempt in range(count * 50):
        if len(placed) == count:
            break
        side = float(rng.uniform(*sides))
        reach = side * 1.2
        centre = rng.uniform((reach, reach), (width - reach, height - reach))
        if any(np.linalg.norm(centre - c) < reach + r for c, r in boxes):
            continue
        turns = int(rng.integers(0, 4))
        corners = card_quad(rng, centre, side, turns)
        number = int(numbers[len(placed) % len(numbers)])
        place_card(frame, number, corners, shade=float(rng.uniform(0.7, 1.0)))
        boxes.append((centre, reach))
        placed.append(PlacedCard(number, "ABCD"[turns], corners))
    return camera_blur(frame, rng), placed
