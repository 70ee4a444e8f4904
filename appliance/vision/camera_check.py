"""The camera check: what the camera sees, which cards it reads, and how far away a card can be read.
Helps a teacher aim and focus the camera before the lesson. Pure functions; drawing and JPEG encoding are
CPU work that callers run in a thread."""
from __future__ import annotations

import math

import cv2
import numpy as np

from appliance.vision.types import Sighting

# The reader's floor: cards whose shorter side spans at least this many pixels are read reliably
# (see the card benchmark in the README).
READABLE_PX = 24
CARD_WIDTHS_M = (0.148, 0.100)


def span_px(corners: np.ndarray) -> float:
    """The shorter side of a card's outline in the frame, in pixels."""
    pts = np.asarray(corners, dtype=np.float32).reshape(4, 2)
    sides = [float(np.linalg.norm(pts[i] - pts[(i + 1) % 4])) for i in range(4)]
    return min(sides)


def readable_distance_m(frame_width_px: int, hfov_degrees: float, card_width_m: float,
                        min_px: float = READABLE_PX) -> float:
    """How far from the camera a card of this width still spans `min_px` (pinhole model, card facing it)."""
    focal_px = (frame_width_px / 2) / math.tan(math.radians(hfov_degrees) / 2)
    return round(card_width_m * focal_px / min_px, 1)


def overlay_jpeg(gray: np.ndarray, sightings: list[Sighting], max_width: int = 1280, quality: int = 70) -> bytes:
    """The frame, downscaled, with every read card outlined and labelled with its number and answer."""
    scale = min(1.0, max_width / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    image = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    for s in sightings:
        pts = (np.asarray(s.corners, dtype=np.float32).reshape(4, 2) * scale).astype(np.int32)
        cv2.polylines(image, [pts], True, (0, 200, 0), 2, cv2.LINE_AA)
        x, y = pts[:, 0].min(), max(12, pts[:, 1].min() - 6)
        label = f"{s.card}{s.answer}"
        cv2.putText(image, label, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(image, label, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 255, 255), 1, cv2.LINE_AA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return encoded.tobytes()
