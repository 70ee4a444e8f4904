"""Read the cards in a photo file (a phone photo of the class, or a camera still)."""
from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from appliance.vision.reader import CardReader


class UnreadableImage(ValueError):
    """The file is missing, unreadable or not an image; the message names the file."""


def load_gray(path: Path) -> np.ndarray:
    """The photo as a grayscale uint8 image (colour photos are converted)."""
    try:
        data = np.fromfile(path, np.uint8)  # not cv2.imread: it cannot tell "missing" from "not an image"
    except OSError as exc:
        raise UnreadableImage(f"{path}: cannot read file ({exc.strerror or exc})") from None
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
    if image is None:
        raise UnreadableImage(f"{path}: not an image OpenCV can decode")
    return image


def scan_photo(path: Path, reader: CardReader) -> dict:
    """{"photo": path as given, "cards": [{"card", "answer"}, ...] sorted by card, "ms": detection time}."""
    gray = load_gray(path)
    started = time.perf_counter()
    sightings = reader.read(gray)
    ms = (time.perf_counter() - started) * 1000
    return {"photo": str(path), "cards": [{"card": s.card, "answer": s.answer} for s in sightings],
            "ms": round(ms, 1)}
