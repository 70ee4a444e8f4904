"""Render a classroom frame: the cached backdrop, then every raised card (far to near) with its arm and thumb,
then lens and sensor effects. Returns the picture and the truth about every card fully in view.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from appliance.scene.backdrop import Backdrop, render_backdrop
from appliance.scene.camera import PinholeCamera
from appliance.scene.effects import Effects, apply_effects, noise_field, unit_noise_field
from appliance.scene.held import CardGeometry, HeldCard, card_geometry
from appliance.scene.raster import Box, bounding_box, fill_polygon, intersect, paste_quad, polygon_mask
from appliance.scene.room import Room, Student, seat_students

# Card images are rendered once at this width, then halved down a pyramid; each card is warped from the level
# just above its size on screen, so small cards are averaged rather than aliased.
CARD_SOURCE_PX = 512
PAPER, INK = 225, 22  # grey levels of the card's white and black under full light


@dataclass(frozen=True)
class CardTruth:
    card: int
    answer: str
    corners: np.ndarray  # 4×2 float32 pixels: the A edge's left corner, then clockwise
    span_px: float  # the card's shorter side on screen
    occluded: float  # fraction of the card hidden by the thumb, other cards or nearer students


@dataclass(frozen=True)
class Rendered:
    gray: np.ndarray
    cards: tuple[CardTruth, ...]


@dataclass
class _Placed:
    hold: HeldCard
    student: Student
    geometry: CardGeometry
    quad: np.ndarray
    thumb: np.ndarray
    arm: np.ndarray
    box: Box  # card and thumb
    reach: Box  # everything drawn for this card, arm included


@dataclass
class Scene:
    """A classroom seen by one camera: built once (backdrop, noise, card images), rendered many times."""
    camera: PinholeCamera
    room: Room
    students: tuple[Student, ...]
    backdrop: Backdrop
    card_image: Callable[[int, int], np.ndarray]
    card_width_m: float = 0.148
    noise: tuple[np.ndarray, np.ndarray] | None = None
    unit_noise: np.ndarray | None = None  # for Effects.sensor (the physical noise model)
    _lens_maps: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _pyramids: dict[int, list[np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, camera: PinholeCamera, room: Room, students: int, rng: np.random.Generator,
              card_image: Callable[[int, int], np.ndarray] | None = None, card_width_m: float = 0.148,
              noise_sigma: float = 3.0, sensor_noise: bool = False) -> Scene:
        if card_image is None:
            from appliance.vision.cards import render_card as card_image
        seated = seat_students(students, camera, room, rng)
        backdrop = render_backdrop(camera, room, seated, rng)
        noise = noise_field(rng, camera.width, camera.height, noise_sigma) if noise_sigma > 0 else None
        unit = unit_noise_field(rng, camera.width, camera.height) if sensor_noise else None
        return cls(camera, room, seated, backdrop, card_image, card_width_m, noise, unit)

    def render(self, held: Sequence[HeldCard], rng: np.random.Generator, effects: Effects = Effects(),
               exposure: np.ndarray | None = None) -> Rendered:
        """`exposure`: a uint8 gain image over the lens's picture (255 = unchanged), e.g. a cloudy side of the
        room; applied before the sensor's noise."""
        frame = self.backdrop.image.copy()
        placed = [p for p in (self._place(h) for h in held) if p is not None]
        placed.sort(key=lambda p: -p.geometry.centre[1])  # far to near
        for i, p in enumerate(placed):
            self._draw(frame, p, placed[i + 1:])
        truths = [t for i, p in enumerate(placed) if (t := self._truth(p, placed[i + 1:])) is not None]
        if self.camera.distorted:
            if self._lens_maps is None:
                self._lens_maps = self.camera.distortion_maps()
            frame = cv2.remap(frame, *self._lens_maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        gray = apply_effects(frame, effects, self.noise, rng, self.unit_noise, exposure)
        return Rendered(gray, tuple(sorted(truths, key=lambda t: t.card)))

    def truth_of(self, hold: HeldCard, nearer: Sequence[HeldCard] = ()) -> CardTruth | None:
        """What rendering `hold` would report, without drawing: None when the card is not fully in view.
        Lets a caller pick a way of holding the card that keeps it readable."""
        placed = self._place(hold)
        if placed is None:
            return None
        return self._truth(placed, [p for p in (self._place(h) for h in nearer) if p is not None])

    def _place(self, hold: HeldCard) -> _Placed | None:
        student = self.students[hold.student]
        image = self._pyramid(student.card)[0]
        height_m = self.card_width_m * image.shape[0] / image.shape[1]
        g = card_geometry(hold, student, self.card_width_m, height_m, self.camera.position)
        quad = self.camera.project(g.corners)
        thumb, arm = self.camera.project(g.thumb), self.camera.project(g.arm)
        box = bounding_box(np.concatenate([quad, thumb]), self.camera.width, self.camera.height)
        reach = bounding_box(np.concatenate([quad, thumb, arm]), self.camera.width, self.camera.height)
        return None if box is None or reach is None else _Placed(hold, student, g, quad, thumb, arm, box, reach)

    def _pyramid(self, card: int) -> list[np.ndarray]:
        if card not in self._pyramids:
            level = np.asarray(self.card_image(card, CARD_SOURCE_PX), np.uint8)
            levels = [level]
            while min(level.shape[:2]) > 32:
                level = cv2.pyrDown(level)
                levels.append(level)
            self._pyramids[card] = levels
        return self._pyramids[card]

    def _draw(self, frame: np.ndarray, p: _Placed, nearer: list[_Placed]) -> None:
        dx, dy = p.hold.motion_px
        if dx == 0 and dy == 0:
            self._draw_still(frame, p)
            return
        # A card moving during the exposure: draw it still, then smear what was drawn along the motion and lay
        # it over the picture as it was (a moving object's picture: blur(object) + background × (1 - blur(mask))).
        reach = int(np.ceil(max(abs(dx), abs(dy)))) + 2
        x0, y0, x1, y1 = p.reach
        x0, y0 = max(x0 - reach, 0), max(y0 - reach, 0)
        x1, y1 = min(x1 + reach, frame.shape[1]), min(y1 + reach, frame.shape[0])
        before = frame[y0:y1, x0:x1].astype(np.float32)
        self._draw_still(frame, p)
        box = (x0, y0, x1, y1)
        mask = (polygon_mask(p.quad, box) | polygon_mask(p.thumb, box) | polygon_mask(p.arm, box)).astype(np.float32) / 255
        kernel = _line_kernel(dx, dy)
        moved = cv2.filter2D(frame[y0:y1, x0:x1].astype(np.float32) * mask, -1, kernel)
        cover = cv2.filter2D(mask, -1, kernel)
        frame[y0:y1, x0:x1] = np.clip(moved + before * (1 - cover) + 0.5, 0, 255).astype(np.uint8)

    def _draw_still(self, frame: np.ndarray, p: _Placed) -> None:
        cx, cy = np.clip(p.quad.mean(axis=0).astype(int), 0, (frame.shape[1] - 1, frame.shape[0] - 1))
        light = float(self.backdrop.light[cy, cx])
        fill_polygon(frame, p.arm, int(np.clip(p.student.shirt * light, 0, 255)))
        span = _sides(p.quad).max()
        levels = self._pyramid(p.student.card)
        level = next((lv for lv in reversed(levels) if lv.shape[1] >= span), levels[0])
        # Paper and ink under this spot's light; a card turned away from the camera catches less of it.
        gain = light * (0.8 + 0.2 * max(p.geometry.facing, 0.0))
        shaded = cv2.convertScaleAbs(level, alpha=gain * (PAPER - INK) / 255, beta=gain * INK)
        paste_quad(frame, shaded, p.quad)
        fill_polygon(frame, p.thumb, int(np.clip(p.student.skin * light, 0, 255)))
        self._restore_nearer_bodies(frame, p)

    def _restore_nearer_bodies(self, frame: np.ndarray, p: _Placed) -> None:
        """A student sitting in front hides this card: put their body (from the backdrop) back on top."""
        for j, body in enumerate(self.backdrop.bodies):
            if body is None or self.students[j].y >= p.geometry.centre[1] - 0.05:
                continue
            overlap = intersect(p.reach, body.box)
            if overlap is None:
                continue
            x0, y0, x1, y1 = overlap
            bx, by = body.box[:2]
            mask = body.mask[y0 - by:y1 - by, x0 - bx:x1 - bx]
            np.copyto(frame[y0:y1, x0:x1], self.backdrop.image[y0:y1, x0:x1], where=mask > 0)

    def _truth(self, p: _Placed, nearer: list[_Placed]) -> CardTruth | None:
        h, w = self.camera.height, self.camera.width
        q = p.quad
        seen = self.camera.distort(q) if self.camera.distorted else q  # where the lens shows the card
        if not (np.all(np.isfinite(seen)) and seen[:, 0].min() >= 0 and seen[:, 1].min() >= 0
                and seen[:, 0].max() < w and seen[:, 1].max() < h):
            return None
        if not (np.all(np.isfinite(q)) and q[:, 0].min() >= 0 and q[:, 1].min() >= 0 and q[:, 0].max() < w
                and q[:, 1].max() < h):
            return None
        card = polygon_mask(q, p.box)
        covered = polygon_mask(p.thumb, p.box)
        for other in nearer:
            if intersect(p.box, other.reach) is not None:
                covered |= polygon_mask(other.quad, p.box) | polygon_mask(other.thumb, p.box)
                covered |= polygon_mask(other.arm, p.box)
        for j, body in enumerate(self.backdrop.bodies):
            overlap = intersect(p.box, body.box) if body is not None else None
            if overlap is None or self.students[j].y >= p.geometry.centre[1] - 0.05:
                continue
            x0, y0, x1, y1 = overlap
            bx, by = body.box[:2]
            px, py = p.box[:2]
            covered[y0 - py:y1 - py, x0 - px:x1 - px] |= body.mask[y0 - by:y1 - by, x0 - bx:x1 - bx]
        area = max(int(np.count_nonzero(card)), 1)
        hidden = int(np.count_nonzero(card & covered))
        return CardTruth(p.student.card, p.hold.answer, seen.astype(np.float32), float(_sides(seen).min()),
                         round(hidden / area, 3))


def _line_kernel(dx: float, dy: float) -> np.ndarray:
    """A normalised line of length |(dx, dy)| px: the smear of a straight move during the exposure."""
    n = int(np.ceil(max(abs(dx), abs(dy)))) * 2 + 1
    kernel = np.zeros((n, n), np.float32)
    c = n // 2
    cv2.line(kernel, (int(round(c * 16 - dx * 8)), int(round(c * 16 - dy * 8))),
             (int(round(c * 16 + dx * 8)), int(round(c * 16 + dy * 8))), 1.0, 1, cv2.LINE_AA, shift=4)
    return kernel / max(float(kernel.sum()), 1e-6)


def _sides(quad: np.ndarray) -> np.ndarray:
    return np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)
