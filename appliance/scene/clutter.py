"""Textures for the things a real classroom wall is covered in: posters with text, a gridded whiteboard, a
window. They matter because text, grids and window bars are exactly what a marker detector can mistake for a
card; a simulation with bare walls would hide false readings.
"""
from __future__ import annotations

import cv2
import numpy as np

_WORDS = ("MATHS", "PERIODIC TABLE", "VERBS", "FRACTIONS", "CLASS RULES", "WORLD MAP", "TIMES TABLES",
          "HOMEWORK", "SCIENCE FAIR", "READ MORE", "ALPHABET", "WEATHER", "GEOMETRY", "HISTORY")


def _text(image: np.ndarray, rng: np.random.Generator, text: str, origin, scale: float, shade: int) -> None:
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, int(shade), max(1, int(scale * 2)),
                cv2.LINE_AA)


def poster(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    paper = int(rng.integers(150, 245))
    image = np.full((height, width), paper, np.uint8)
    ink = int(rng.integers(10, 90))
    title = str(rng.choice(_WORDS))
    _text(image, rng, title, (int(width * 0.06), int(height * 0.14)), width / 260, ink)
    kind = rng.integers(0, 3)
    top = int(height * 0.22)
    if kind == 0:  # a table: the kind of grid a detector must not mistake for a marker
        rows, cols = int(rng.integers(4, 9)), int(rng.integers(3, 6))
        for r in range(rows + 1):
            y = top + r * (height - top - 10) // rows
            cv2.line(image, (8, y), (width - 8, y), ink, 1)
        for c in range(cols + 1):
            x = 8 + c * (width - 16) // cols
            cv2.line(image, (x, top), (x, height - 10), ink, 1)
        for r in range(rows):
            for c in range(cols):
                if rng.random() < 0.3:  # some cells filled solid
                    x0, y0 = 8 + c * (width - 16) // cols, top + r * (height - top - 10) // rows
                    cv2.rectangle(image, (x0 + 2, y0 + 2), (x0 + (width - 16) // cols - 2,
                                                              y0 + (height - top - 10) // rows - 2), ink, -1)
    elif kind == 1:  # lines of text
        for i, y in enumerate(range(top, height - 8, max(height // 12, 8))):
            words = " ".join(str(w).lower() for w in rng.choice(_WORDS, size=2))
            _text(image, rng, words, (10, y), width / 420, ink)
    else:  # shapes and a picture block
        for _ in range(int(rng.integers(3, 8))):
            center = (int(rng.integers(0, width)), int(rng.integers(top, height)))
            cv2.circle(image, center, int(rng.integers(4, max(width // 5, 5))), int(rng.integers(0, 255)), -1)
        cv2.rectangle(image, (width // 5, height // 2), (width * 4 // 5, height - 12), ink, 2)
    return image


def whiteboard(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    image = np.full((height, width), 222, np.uint8)
    step = max(width // 40, 6)
    for x in range(0, width, step):  # the faint printed grid of a maths board
        cv2.line(image, (x, 0), (x, height), 196, 1)
    for y in range(0, height, step):
        cv2.line(image, (0, y), (width, y), 196, 1)
    for line in range(int(rng.integers(2, 6))):
        _text(image, rng, f"{rng.integers(2, 99)} x {rng.integers(2, 12)} = ?", (int(width * 0.05),
              int(height * (0.2 + 0.17 * line))), width / 500, int(rng.integers(20, 80)))
    for _ in range(3):  # scribbles
        points = np.cumsum(rng.normal(0, width / 60, (12, 2)), axis=0) + (width * rng.uniform(0.4, 0.9),
                                                                       height * rng.uniform(0.2, 0.8))
        cv2.polylines(image, [points.astype(np.int32)], False, int(rng.integers(20, 120)), 2, cv2.LINE_AA)
    cv2.rectangle(image, (0, 0), (width - 1, height - 1), 120, max(width // 100, 2))
    return image


def window(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    image = np.full((height, width), 252, np.uint8)
    image[int(height * rng.uniform(0.55, 0.8)):] = 200  # buildings or trees below the sky
    bar = max(width // 30, 2)
    for x in np.linspace(0, width - bar, int(rng.integers(2, 4)) + 1).astype(int):
        image[:, x:x + bar] = 60
    for y in np.linspace(0, height - bar, 3).astype(int):
        image[y:y + bar, :] = 60
    return image
