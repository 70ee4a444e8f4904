"""The part of the picture that does not move during a lesson, rendered once per scene: walls with clutter,
desks, the seated students (their body outlines are kept so a nearer student can hide a farther card), and
the light falling across the room.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from appliance.scene import clutter
from appliance.scene.camera import PinholeCamera
from appliance.scene.raster import Box, bounding_box, ellipse_points, fill_polygon, paste_quad
from appliance.scene.room import Room, Student, row_depths

DESK_HEIGHT_M = 0.74


@dataclass(frozen=True)
class BodySprite:
    box: Box
    mask: np.ndarray  # 255 where the body covers the box


@dataclass(frozen=True)
class Backdrop:
    image: np.ndarray  # H×W uint8, lit
    light: np.ndarray  # H×W float32: illumination × vignetting, applied to everything drawn later
    bodies: tuple[BodySprite | None, ...]  # one per student, None when out of view


def render_backdrop(camera: PinholeCamera, room: Room, students: tuple[Student, ...],
                    rng: np.random.Generator) -> Backdrop:
    albedo = _room_albedo(camera, room)
    _wall_clutter(albedo, camera, room, rng)
    bodies: list[BodySprite | None] = [None] * len(students)
    depths = row_depths(room)
    for row in reversed(range(len(depths))):  # far to near: nearer things paint over farther ones
        members = [i for i, s in enumerate(students) if s.row == row]
        for i in members:
            bodies[i] = _draw_body(albedo, camera, students[i])
        if members:
            xs = [students[i].x for i in members]
            _draw_desk(albedo, camera, min(xs) - 0.45, max(xs) + 0.45, depths[row], rng)
    light = _light(camera, rng)
    image = np.clip(albedo * light, 0, 255)
    return Backdrop(image.astype(np.uint8), light, tuple(bodies))


def _room_albedo(camera: PinholeCamera, room: Room) -> np.ndarray:
    """Cast one ray per pixel (at half size: walls are smooth) to the floor, walls or ceiling."""
    w, h = camera.width // 2, camera.height // 2
    d = camera.rays(w, h)
    cam_z = camera.mount_height_m
    with np.errstate(divide="ignore", invalid="ignore"):
        hits = np.stack([
            np.where(d[..., 2] < 0, -cam_z / d[..., 2], np.inf),  # floor
            np.where(d[..., 2] > 0, (room.ceiling_m - cam_z) / d[..., 2], np.inf),  # ceiling
            np.where(d[..., 1] > 0, room.back_wall_m / d[..., 1], np.inf),  # back wall
            np.where(d[..., 0] < 0, -room.half_width_m / d[..., 0], np.inf),  # left wall
            np.where(d[..., 0] > 0, room.half_width_m / d[..., 0], np.inf),  # right wall
        ])
    plane = hits.argmin(axis=0)
    t = hits.min(axis=0)
    x, y, z = (d[..., 0] * t, d[..., 1] * t, cam_z + d[..., 2] * t)
    tiles = ((np.floor(x / 0.6) + np.floor(y / 0.6)) % 2) * 10
    albedo = np.choose(plane, [
        95 + tiles,
        205 + 0 * x,
        np.where(z < 0.12, 100, 182),
        np.where(z < 0.12, 100, np.where(z < 1.0, 150, 172)),
        np.where(z < 0.12, 100, np.where(z < 1.0, 150, 172)),
    ]).astype(np.float32)
    return cv2.resize(albedo, (camera.width, camera.height), interpolation=cv2.INTER_LINEAR)


def _wall_quad(camera: PinholeCamera, wall: str, room: Room, u0: float, z0: float, u1: float, z1: float):
    """Image corners (tl, tr, br, bl) of a rectangle on a wall; u runs along the wall, z is height."""
    if wall == "back":
        corners = [(u0, room.back_wall_m, z1), (u1, room.back_wall_m, z1), (u1, room.back_wall_m, z0),
                   (u0, room.back_wall_m, z0)]
    else:  # side walls: u is the depth; seen from inside, the left wall's near end is on the picture's left
        x = -room.half_width_m if wall == "left" else room.half_width_m
        a, b = (u1, u0) if wall == "left" else (u0, u1)
        corners = [(x, a, z1), (x, b, z1), (x, b, z0), (x, a, z0)]
    return camera.project(np.array(corners, np.float64))


def _wall_clutter(albedo: np.ndarray, camera: PinholeCamera, room: Room, rng: np.random.Generator) -> None:
    window_wall, board_wall = ("left", "right") if rng.random() < 0.5 else ("right", "left")
    _paste(albedo, clutter.window(rng, 300, 240), _wall_quad(camera, window_wall, room, 2.0, 1.0, 6.5, 2.6))
    _paste(albedo, clutter.whiteboard(rng, 480, 200), _wall_quad(camera, board_wall, room, 2.5, 0.95, 6.8, 2.1))
    u = -room.half_width_m + 0.3
    while u < room.half_width_m - 0.8:  # a row of posters along the back wall, some pinned higher
        width = rng.uniform(0.5, 1.1)
        z0 = rng.uniform(1.2, 1.6)
        height = width * rng.uniform(0.7, 1.4)
        size = (int(260 * width), int(260 * height))
        _paste(albedo, clutter.poster(rng, *size), _wall_quad(camera, "back", room, u, z0, u + width,
                                                              min(z0 + height, room.ceiling_m - 0.1)))
        u += width + rng.uniform(0.15, 0.6)


def _paste(albedo: np.ndarray, texture: np.ndarray, quad: np.ndarray) -> None:
    paste_quad(albedo, texture.astype(np.float32), quad)


def _draw_body(albedo: np.ndarray, camera: PinholeCamera, s: Student) -> BodySprite | None:
    """Torso, neck and head of a seated student, as filled shapes; returns the outline for occlusion."""
    scale = camera.scale_at((s.x, s.y, s.head_z))
    shoulder_z, waist_z = s.head_z - 0.24, 0.55
    arc = np.linspace(np.pi, 0, 9)
    torso = [(s.x + 0.21 * np.cos(a), s.y + 0.05, shoulder_z + 0.06 * np.sin(a)) for a in arc]
    torso += [(s.x + 0.17, s.y + 0.05, waist_z), (s.x - 0.17, s.y + 0.05, waist_z)]
    neck = [(s.x - 0.05, s.y, s.head_z - 0.06), (s.x + 0.05, s.y, s.head_z - 0.06),
            (s.x + 0.05, s.y, shoulder_z + 0.04), (s.x - 0.05, s.y, shoulder_z + 0.04)]
    centre = camera.project(np.array([[s.x, s.y, s.head_z]]))[0]
    hair = ellipse_points(centre - (0, 0.02 * scale), (0.085 * scale, 0.1 * scale))
    face = ellipse_points(centre + (0, 0.012 * scale), (0.07 * scale, 0.088 * scale))
    shapes = [(camera.project(np.array(torso)), s.shirt), (camera.project(np.array(neck)), s.skin),
              (hair, s.hair), (face, s.skin)]
    box = bounding_box(np.concatenate([p for p, _ in shapes]), albedo.shape[1], albedo.shape[0])
    if box is None:
        return None
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for points, shade in shapes:
        fill_polygon(albedo, points, shade)
        fill_polygon(mask, points, 255, box, antialias=False)
    return BodySprite(box, mask)


def _draw_desk(albedo: np.ndarray, camera: PinholeCamera, x0: float, x1: float, row_y: float,
               rng: np.random.Generator) -> None:
    near, far = row_y - 0.75, row_y - 0.3
    top = [(x0, far, DESK_HEIGHT_M), (x1, far, DESK_HEIGHT_M), (x1, near, DESK_HEIGHT_M), (x0, near, DESK_HEIGHT_M)]
    front = [(x0, near, DESK_HEIGHT_M), (x1, near, DESK_HEIGHT_M), (x1, near, 0.0), (x0, near, 0.0)]
    fill_polygon(albedo, camera.project(np.array(top)), 135)
    fill_polygon(albedo, camera.project(np.array(front)), 85)
    for _ in range(int((x1 - x0) * 1.5)):  # books, pencil cases, a laptop
        cx, w, d = rng.uniform(x0 + 0.2, x1 - 0.2), rng.uniform(0.1, 0.35), rng.uniform(0.1, 0.25)
        cy = rng.uniform(near + d / 2, far - d / 2)
        item = [(cx - w / 2, cy + d / 2, DESK_HEIGHT_M + 0.02), (cx + w / 2, cy + d / 2, DESK_HEIGHT_M + 0.02),
                (cx + w / 2, cy - d / 2, DESK_HEIGHT_M + 0.02), (cx - w / 2, cy - d / 2, DESK_HEIGHT_M + 0.02)]
        fill_polygon(albedo, camera.project(np.array(item)), int(rng.integers(20, 240)))


def _light(camera: PinholeCamera, rng: np.random.Generator) -> np.ndarray:
    """Daylight from a window on one side falling off across the room, times lens vignetting."""
    w, h = camera.width, camera.height
    xs = np.linspace(0.0, 1.0, w, dtype=np.float32)
    across = xs if rng.random() < 0.5 else xs[::-1]
    window = 0.62 + 0.5 * (1.0 - across) ** 1.5
    ys = np.linspace(-1.0, 1.0, h, dtype=np.float32)[:, None]
    r2 = ((xs[None, :] * 2 - 1) ** 2 + ys ** 2) / 2
    vignette = 1.0 - rng.uniform(0.25, 0.4) * r2
    exposure = rng.uniform(0.88, 1.05)
    return (exposure * window[None, :] * vignette).astype(np.float32)
