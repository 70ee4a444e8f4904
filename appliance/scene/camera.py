"""A pinhole camera mounted high at the front of the room, pitched down at the students.

World axes: x to the right (as the camera sees it), y away from the camera wall into the room, z up; the
floor is z = 0 and the camera sits at (0, 0, mount_height_m).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class PinholeCamera:
    width: int
    height: int
    hfov_degrees: float = 66.0  # Camera Module 3 standard lens; 102 for the wide one
    mount_height_m: float = 2.4
    pitch_degrees: float = 17.0  # downwards
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

    def half_width_at(self, depth_m: float) -> float:
        """Half the room width in view at a given depth (roughly, at the image's horizontal centre line)."""
        return depth_m * math.tan(math.radians(self.hfov_degrees) / 2)
