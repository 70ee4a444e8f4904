"""What the lens and sensor do to a picture: glare, blur, exposure and sensor noise, and (optionally) JPEG.

Two noise models. The old one adds a fixed-σ field (cheap; the simulated camera uses it). The physical one
(`Effects.sensor`) turns the picture into electrons at the frame's exposure (`light`: a dim room is a share of
a bright room's light), draws photon shot noise (σ = √electrons) and read noise on them, then applies the gain
that brings the picture back to its usual brightness: a dim room gives the same mean grey but far more noise,
bright paper more than dark ink. Numbers for an IMX708-class small-pixel sensor read out as 8-bit grey (full
well ~6,000 e- over 255 DN at base gain): σ ≈ 2.3 DN on mid-grey in a bright room, ≈ 5–6 DN at a quarter of the
light, as measured on the issue's room frames (σ 2–7 DN).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Noise is cut from a pre-made field at a random offset each frame: drawing 2 million normals per frame
# would cost more than rendering the whole classroom.
NOISE_MARGIN = 64
ELECTRONS_PER_DN = 24.0  # at base gain, 8-bit output
READ_NOISE_E = 6.0  # read + ADC + row noise, electrons
UNIT_SCALE = 24.0  # the unit-normal field is stored as int8 at this many steps per σ (±5.3 σ)


@dataclass(frozen=True)
class Effects:
    blur_sigma: tuple[float, float] = (0.5, 1.0)  # focus / motion, drawn per frame from this range
    noise_sigma: float = 3.0  # grey levels of sensor noise (the fixed field; unused with `sensor`)
    jpeg_quality: int = 0  # 0 = off; otherwise re-encode (an RTSP or MJPEG camera)
    sensor: bool = False  # physical noise: shot noise on the signal + read noise, times the gain for `light`
    light: float = 1.0  # exposure as a share of a bright room's (0.25 = a dim room: 4x gain)
    glare: int = 0  # glare spots (a lamp or window on glossy paper, a whiteboard's sheen)


def noise_field(rng: np.random.Generator, width: int, height: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The positive and negative parts of one noise field (saturating adds need unsigned images)."""
    field = rng.normal(0.0, sigma, (height + NOISE_MARGIN, width + NOISE_MARGIN)).astype(np.float32)
    return (np.clip(field, 0, 255).astype(np.uint8), np.clip(-field, 0, 255).astype(np.uint8))


def unit_noise_field(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Standard normal noise, int8 at UNIT_SCALE steps per σ, for the physical model."""
    field = rng.standard_normal((height + NOISE_MARGIN, width + NOISE_MARGIN), dtype=np.float32) * UNIT_SCALE
    return np.clip(np.round(field), -127, 127).astype(np.int8)


def add_glare(gray: np.ndarray, spots: int, rng: np.random.Generator) -> np.ndarray:
    """Soft bright spots, saturating: 30–110 grey levels at the centre, 0.4–2.5% of the width across."""
    h, w = gray.shape
    out = gray.astype(np.float32)
    for _ in range(spots):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sx = rng.uniform(0.004, 0.025) * w
        sy = sx * rng.uniform(0.4, 1.0)
        peak = rng.uniform(30, 110)
        x0, x1 = int(max(cx - 3 * sx, 0)), int(min(cx + 3 * sx + 1, w))
        y0, y1 = int(max(cy - 3 * sy, 0)), int(min(cy + 3 * sy + 1, h))
        if x0 >= x1 or y0 >= y1:
            continue
        xs = ((np.arange(x0, x1, dtype=np.float32) - cx) / sx) ** 2
        ys = ((np.arange(y0, y1, dtype=np.float32) - cy) / sy) ** 2
        out[y0:y1, x0:x1] += peak * np.exp(-0.5 * (ys[:, None] + xs[None, :]))
    return np.clip(out, 0, 255).astype(np.uint8)


def sensor_noise(gray: np.ndarray, unit: np.ndarray, light: float, rng: np.random.Generator,
                 exposure: np.ndarray | None = None) -> np.ndarray:
    """The picture as the sensor reads it at `light` (times `exposure`, a uint8 gain image, 255 = 1), with shot
    and read noise, brought back up by the gain 1 / light."""
    h, w = gray.shape
    dy, dx = (int(v) for v in rng.integers(0, NOISE_MARGIN, 2))
    electrons = gray.astype(np.float32) * np.float32(light * ELECTRONS_PER_DN)
    if exposure is not None:
        electrons *= exposure.astype(np.float32) * np.float32(1 / 255)
    sigma = np.sqrt(electrons + np.float32(READ_NOISE_E ** 2))
    noisy = electrons + sigma * unit[dy:dy + h, dx:dx + w].astype(np.float32) * np.float32(1 / UNIT_SCALE)
    return np.clip(noisy * np.float32(1 / (light * ELECTRONS_PER_DN)) + 0.5, 0, 255).astype(np.uint8)


def apply_effects(gray: np.ndarray, effects: Effects, noise: tuple[np.ndarray, np.ndarray] | None,
                  rng: np.random.Generator, unit_noise: np.ndarray | None = None,
                  exposure: np.ndarray | None = None) -> np.ndarray:
    if effects.glare:
        gray = add_glare(gray, effects.glare, rng)
    sigma = rng.uniform(*effects.blur_sigma)
    if sigma > 0.05:
        gray = cv2.GaussianBlur(gray, (0, 0), sigma)
    if effects.sensor and unit_noise is not None:
        gray = sensor_noise(gray, unit_noise, effects.light, rng, exposure)
    else:
        if exposure is not None:
            gray = cv2.multiply(gray, exposure, scale=1 / 255)
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
