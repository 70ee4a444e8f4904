"""Where the students sit and what they look like: a pure function of the camera, the room and a Generator."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from appliance.scene.camera import PinholeCamera

ROW_SPACING_M = 0.9  # desk plus chair
ROOM_HALF_WIDTH_M = 3.8
SIDE_MARGIN_M = 0.35  # keeps a raised card inside the picture at the ends of a row


@dataclass(frozen=True)
class Room:
    front_row_m: float = 2.4
    back_row_m: float = 5.5
    half_width_m: float = ROOM_HALF_WIDTH_M
    back_wall_m: float = 7.5
    ceiling_m: float = 3.0


@dataclass(frozen=True)
class Student:
    card: int  # the card this student holds
    row: int
    x: float
    y: float  # depth of the seat
    head_z: float  # height of the head's centre (seated)
    shirt: int  # grey levels (albedo, 0..255)
    hair: int
    skin: int
    right_handed: bool


def row_depths(room: Room) -> list[float]:
    span = max(room.back_row_m - room.front_row_m, 0.0)
    rows = max(1, round(span / ROW_SPACING_M) + 1)
    return [room.front_row_m + span * i / max(rows - 1, 1) for i in range(rows)]


def seat_students(count: int, camera: PinholeCamera, room: Room, rng: np.random.Generator) -> tuple[Student, ...]:
    """Seat `count` students (holding cards 1..count) in rows, more per row further back where more fits."""
    depths = row_depths(room)
    widths = [2 * max(min(room.half_width_m, camera.half_width_at(d)) - SIDE_MARGIN_M, 0.3) for d in depths]
    per_row = _share(count, widths)
    students = []
    for row, (depth, width, n) in enumerate(zip(depths, widths, per_row)):
        spacing = width / max(n, 1)
        for i in range(n):
            x = -width / 2 + spacing * (i + 0.5) + rng.uniform(-0.08, 0.08) * min(spacing, 1.0)
            students.append(Student(
                card=len(students) + 1, row=row, x=x, y=depth + rng.uniform(-0.08, 0.08),
                head_z=rng.uniform(1.12, 1.28), shirt=int(rng.integers(40, 200)), hair=int(rng.integers(15, 110)),
                skin=int(rng.integers(90, 190)), right_handed=bool(rng.random() < 0.85)))
    return tuple(students)


def _share(count: int, widths: list[float]) -> list[int]:
    """Split `count` seats over rows in proportion to their widths (largest remainders get the rest)."""
    total = sum(widths)
    exact = [count * w / total for w in widths]
    shares = [math.floor(e) for e in exact]
    for i in sorted(range(len(widths)), key=lambda i: exact[i] - shares[i], reverse=True)[:count - sum(shares)]:
        shares[i] += 1
    return shares
