"""Drawing helpers that only touch the pixels a shape covers (the per-card cost is its size, not the frame's)."""
from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive), clipped to the image


def bounding_box(points: np.ndarray, width: int, height: int, margin: int = 2) -> Box | None:
    """The clipped pixel box around `points` (N×2), or None when it misses the image or a point is undefined."""
    if not np.all(np.isfinite(points)):
        return None
    x0, y0 = np.floor(points.min(axis=0)).astype(int) - margin
    x1, y1 = np.ceil(points.max(axis=0)).astype(int) + margin + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def paste_quad(dst: np.ndarray, texture: np.ndarray, quad: np.ndarray) -> Box | None:
    """Warp `texture` so its corners (top-left, top-right, bottom-right, bottom-left) land on `quad` (4×2)."""
    box = bounding_box(quad, dst.shape[1], dst.shape[0])
    if box is None:
        return None
    x0, y0, x1, y1 = box
    h, w = texture.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    homography = cv2.getPerspectiveTransform(src, np.float32(quad - (x0, y0)))
    roi = dst[y0:y1, x0:x1]
    # BORDER_TRANSPARENT leaves every pixel outside the warped texture as it was: compositing for free.
    cv2.warpPerspective(texture, homography, (x1 - x0, y1 - y0), dst=roi, flags=cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_TRANSPARENT)
    return box


def fill_polygon(dst: np.ndarray, points: np.ndarray, value: int, box: Box | None = None,
                 antialias: bool = True) -> None:
    """Fill a polygon given in image pixels; with `box`, `dst` is that box's view and points are shifted."""
    if not np.all(np.isfinite(points)):
        return
    offset = np.array(box[:2]) if box is not None else 0
    pts = np.round((points - offset) * 16).astype(np.int32)  # 4 fractional bits: sub-pixel edges
    cv2.fillPoly(dst, [pts], int(value), lineType=cv2.LINE_AA if antialias else cv2.LINE_8, shift=4)


def polygon_mask(points: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    if np.all(np.isfinite(points)):
        pts = np.round((points - (x0, y0)) * 16).astype(np.int32)
        cv2.fillPoly(mask, [pts], 255, lineType=cv2.LINE_8, shift=4)
    return mask


def intersect(a: Box, b: Box) -> Box | None:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def ellipse_points(center, axes, count: int = 20) -> np.ndarray:
    """A polygon approximating an axis-aligned ellipse (so ellipses go through the same shifted fill)."""
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return np.stack([center[0] + axes[0] * np.cos(angles), center[1] + axes[1] * np.sin(angles)], axis=1)
