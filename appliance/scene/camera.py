"""A pinhole camera mounted high at the front of the room, pitched down at the students.

World axes: x to the right (as the camera sees it), y away from the camera wall into the room, z up; the
floor is z = 0 and the camera sits at (0, 0, mount_height_m).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass(frozen=True)
class PinholeCamera:
    width: int
    height: int
    hfov_degrees: float = 66.0  # Camera Module 3 standard lens; 102 for the wide one
    mount_height_m: float = 2.4
    pitch_degrees: float = 17.0  # downwards
    # Radial lens distortion (k1, k2) of the picture as the sensor records it; (0, 0) = a pinhole. With it,
    # `project` and `rays` still describe the pinhole picture the renderer draws (hfov_degrees wide), and
    # `distort` / `distortion_maps` bend that picture into the lens's: every point keeps its direction from
    # the centre, at radius r (1 + k1 r² + k2 r⁴) in focal units, scaled so the frame's corners stay where
    # they are (nothing outside the drawn picture is needed). Barrel distortion (k1, k2 < 0) magnifies the
    # middle and squeezes the edges, as a wide lens does.
    distortion: tuple[float, float] = (0.0, 0.0)
    _rotation: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = math.radians(self.pitch_degrees)
        # Rows: camera right, camera down, camera forward, in world coordinates.
        rotation = np.array([[1.0, 0.0, 0.0],
                             [0.0, -math.sin(p), -math.cos(p)],
                             [0.0, math.cos(p), -math.sin(p)]])
        object.__setattr__(self, "_rotation", rotation)

    @property
    def focal_px(self) -> float:
        return (self.width / 2) / math.tan(math.radians(self.hfov_degrees) / 2)

    @property
    def position(self) -> np.ndarray:
        return np.array([0.0, 0.0, self.mount_height_m])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (N×3) → camera coordinates (N×3; z is the distance along the optical axis)."""
        return (np.asarray(points, np.float64) - self.position) @ self._rotation.T

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (N×3) → pixel coordinates (N×2). Points behind the camera get NaN."""
        cam = self.to_camera(points)
        z = np.where(cam[:, 2] > 1e-3, cam[:, 2], np.nan)
        f = self.focal_px
        return np.stack([f * cam[:, 0] / z + self.width / 2, f * cam[:, 1] / z + self.height / 2], axis=1)

    def scale_at(self, point) -> float:
        """Pixels per metre for something facing the camera at `point`."""
        return self.focal_px / max(float(self.to_camera(np.asarray(point)[None])[0, 2]), 1e-3)

    def rays(self, width: int, height: int) -> np.ndarray:
        """Unit-free world directions (height×width×3) through the pixel centres of a width×height image."""
        f = self.focal_px * width / self.width
        u = (np.arange(width) + 0.5 - width / 2) / f
        v = (np.arange(height) + 0.5 - height / 2) / f
        cam = np.stack(np.broadcast_arrays(u[None, :], v[:, None], np.ones((height, width))), axis=-1)
        return cam @ self._rotation  # camera → world is the transpose

    @staticmethod
    def pitch_to_frame(mount_height_m: float, near_m: float, far_m: float, target_z: float = 1.35) -> float:
        """Downward pitch (degrees) that centres height `target_z` between depths `near_m` and `far_m`."""
        drop = mount_height_m - target_z
        return math.degrees((math.atan2(drop, near_m) + math.atan2(drop, far_m)) / 2)

    @property
    def distorted(self) -> bool:
        return self.distortion != (0.0, 0.0)

    def _radial(self, r2: np.ndarray) -> np.ndarray:
        k1, k2 = self.distortion
        return 1.0 + k1 * r2 + k2 * r2 * r2

    @property
    def centre_magnification(self) -> float:
        """How much larger the lens's picture shows things at its centre than the pinhole picture."""
        corner = (self.width / 2) ** 2 + (self.height / 2) ** 2
        return float(1.0 / self._radial(np.float64(corner / self.focal_px ** 2)))

    def distort(self, points: np.ndarray) -> np.ndarray:
        """Pinhole-picture pixels (N×2) → where the lens puts them."""
        points = np.asarray(points, np.float64)
        if not self.distorted:
            return points
        c = np.array([self.width / 2, self.height / 2])
        d = (points - c) / self.focal_px
        factor = self._radial((d * d).sum(axis=1, keepdims=True)) * self.centre_magnification
        return c + d * factor * self.focal_px

    def distortion_maps(self, step: int = 4) -> tuple[np.ndarray, np.ndarray]:
        """For cv2.remap: for every pixel of the lens's picture, where it comes from in the pinhole picture.
        Solved on a grid every `step` pixels (the field is smooth) and interpolated up."""
        gw, gh = max(self.width // step, 2), max(self.height // step, 2)
        c = np.array([self.width / 2, self.height / 2])
        # Pixel index = coordinate, as the renderer draws. Grid points where cv2.resize (gw -> width) samples,
        # so interpolating them up lands on every pixel.
        xs, ys = np.meshgrid((np.arange(gw) + 0.5) * self.width / gw - 0.5,
                             (np.arange(gh) + 0.5) * self.height / gh - 0.5)
        d = (np.stack([xs, ys], -1) - c) / (self.focal_px * self.centre_magnification)
        rd = np.hypot(d[..., 0], d[..., 1])
        ru = rd.copy()
        for _ in range(30):  # r_u = r_d / radial(r_u): a contraction for the gentle barrel used here
            ru = rd / self._radial(ru * ru)
        scale = np.where(rd > 0, ru / np.maximum(rd, 1e-12), 1.0)[..., None]
        src = (c + d * scale * self.focal_px).astype(np.float32)
        full = cv2.resize(src, (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        return cv2.convertMaps(np.ascontiguousarray(full[..., 0]), np.ascontiguousarray(full[..., 1]),
                               cv2.CV_16SC2)

    def half_width_at(self, depth_m: float) -> float:
        """Half the room width in view at a given depth (roughly, at the image's horizontal centre line)."""
        return depth_m * math.tan(math.radians(self.hfov_degrees) / 2)
