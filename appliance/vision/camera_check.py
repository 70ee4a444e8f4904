"""The camera check: what the camera sees, which cards it reads, and how far away a card can be read.
Helps a teacher aim and focus the camera before the lesson. Pure functions; drawing and JPEG encoding are
CPU work that callers run in a thread."""
from __future__ import annotations

import math

import cv2
import numpy as np

from appliance.vision import cards
from appliance.vision.types import Sighting

# The reader's floor is a marker size: markers of at least this many pixels across are read reliably (>= 90%,
# `argus bench cards`: cards of 24-32 px with the 60% marker of LEGACY_LAYOUT read 96%, below 24 px 41%).
READABLE_MARKER_PX = 14.4
# ...so a card must span this many pixels (21 with the 67% marker). A sighting's outline is the card that
# today's layout draws around the marker seen, so span / READABLE_PX is the marker's margin for old cards too.
READABLE_PX = round(READABLE_MARKER_PX / cards.MARKER_SHARE)
CARD_WIDTHS_M = (0.148, 0.100)
# A card within this factor of the floor is read now but not with a margin: a little farther, or a
# little blur, and it would not be.
NEAR_LIMIT = 1.25


def readable_distance_m(frame_width_px: int, hfov_degrees: float, card_width_m: float,
                        min_px: float = READABLE_PX) -> float:
    """How far from the camera a card of this width (printed today) still spans `min_px` (pinhole model, card
    facing it)."""
    focal_px = (frame_width_px / 2) / math.tan(math.radians(hfov_degrees) / 2)
    return round(card_width_m * focal_px / min_px, 1)


def verdict(spans_px: list[float], missing: int | None = None, readable_px: float = READABLE_PX) -> dict:
    """The camera check in a teacher's words: {"level": "ok" | "warn" | "bad", "text"}.

    `spans_px` are the read cards' sizes; `missing` how many cards of the chosen class are not seen (None
    without a class). The smallest cards are the farthest ones, so "too small" means the back row.
    """
    if not spans_px:
        return {"level": "bad", "text": "No card in the picture. Ask the class to hold up their cards, A on top."}
    small = sum(1 for s in spans_px if s < readable_px * NEAR_LIMIT)
    if small:
        cards = "1 card is" if small == 1 else f"{small} cards are"
        return {"level": "warn", "text": f"Back row too small ({cards} near the limit): move the camera closer "
                                         "or use the 14.8 cm cards."}
    if missing:
        cards = "1 card" if missing == 1 else f"{missing} cards"
        return {"level": "warn", "text": f"Every card read is big enough, but {cards} of this class not seen yet: "
                                         "are they held up, and not hidden behind someone?"}
    return {"level": "ok", "text": "Every row readable."}


def sharpness(gray: np.ndarray, sightings: list[Sighting]) -> float | None:
    """How sharp the read cards are (mean variance of the Laplacian inside each card): a focus meter, to be
    turned up by turning the lens. None without a card. Comparable between frames of one camera, not across."""
    values = []
    height, width = gray.shape[:2]
    for s in sightings:
        pts = np.asarray(s.corners, dtype=np.float32).reshape(4, 2)
        x0, y0 = np.floor(pts.min(axis=0)).astype(int)
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        values.append(float(cv2.Laplacian(gray[y0:y1, x0:x1], cv2.CV_32F).var()))
    return round(sum(values) / len(values), 1) if values else None


def overlay_jpeg(gray: np.ndarray, sightings: list[Sighting], max_width: int = 1920, quality: int = 75) -> bytes:
    """The frame, downscaled, with every read card outlined and labelled with its number and answer,
    the labels large enough to read on a laptop (they scale with the picture)."""
    scale = min(1.0, max_width / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    image = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    font = max(0.6, image.shape[1] / 1280)  # ~20 px tall letters at 1280 px wide, more on larger frames
    line = max(2, round(2 * font))
    for s in sightings:
        pts = (np.asarray(s.corners, dtype=np.float32).reshape(4, 2) * scale).astype(np.int32)
        cv2.polylines(image, [pts], True, (0, 200, 0), line, cv2.LINE_AA)
        x, y = pts[:, 0].min(), max(int(24 * font), pts[:, 1].min() - 6)
        label = f"{s.card} {s.answer}"
        cv2.putText(image, label, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, font, (0, 0, 0), line + 4, cv2.LINE_AA)
        cv2.putText(image, label, (int(x), int(y)), cv2.FONT_HERSHEY_SIMPLEX, font, (0, 255, 255), line, cv2.LINE_AA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return encoded.tobytes()
