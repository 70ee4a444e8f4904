"""What the lens and sensor do to a picture: blur, noise, and (optionally) JPEG compression."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Noise is cut from a pre-made field at a random offset each frame: drawing 2 million normals per frame
# would cost more than rendering the whole classroom.
NOISE_MARGIN = 64


@dataclass(frozen=True)
class Effects:
    blur_sigma: tuple[float, float] = (0.5, 1.0)  # focus / motion, drawn per frame from this range
    noise_sigma: float = 3.0  # grey levels of sensor noise
    jpeg_quality: int = 0  # 0 = off; otherwise re-encode (an RTSP or MJPEG camera)


def noise_field(rng: np.random.Generator, width: int, height: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The positive and negative parts of one noise field (saturating adds need unsigned images)."""
    field = rng.normal(0.0, sigma, (height + NOISE_MARGIN, width + NOISE_MARGIN)).astype(np.float32)
    return (np.clip(field, 0, 255).astype(np.uint8), np.clip(-field, 0, 255).astype(np.uint8))


def apply_effects(gray: np.ndarray, effects: Effects, noise: tuple[np.ndarray, np.ndarray] | None,
                  rng: np.random.Generator) -> np.ndarray:
    sigma = rng.uniform(*effects.blur_sigma)
    if sigma > 0.05:
        gray = cv2.GaussianBlur(gray, (0, 0), sigma)
    if noise is not None and effects.noise_sigma > 0:
        h, w = gray.shape
        dy, dx = (int(v) for v in rng.integers(0, NOISE_MARGIN, 2))
        gray = cv2.add(gray, noise[0][dy:dy + h, dx:dx + w])
        gray = cv2.subtract(gray, noise[1][dy:dy + h, dx:dx + w])
    if effects.jpeg_quality:
        ok, encoded = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, int(effects.jpeg_quality)])
        if ok:
            gray = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return gray
