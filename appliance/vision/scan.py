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
    image = decode_gray(data)
    if image is None:
        raise UnreadableImage(f"{path}: not an image OpenCV can decode")
    return image


def decode_gray(data) -> np.ndarray | None:
    """Encoded image bytes (JPEG, PNG, ...) as grayscale, turned upright by their EXIF orientation; None if
    they are not an image."""
    buffer = np.frombuffer(data, np.uint8) if isinstance(data, (bytes, bytearray)) else data
    return cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE) if buffer.size else None


def scan_photo(path: Path, reader: CardReader) -> dict:
    """{"photo": path as given, "cards": [{"card", "answer"}, ...] sorted by card, "ms": detection time}."""
    gray = load_gray(path)
    started = time.perf_counter()
    sightings = reader.read(gray)
    ms = (time.perf_counter() - started) * 1000
    return {"photo": str(path), "cards": [{"card": s.card, "answer": s.answer} for s in sightings],
            "ms": round(ms, 1)}
