"""Benchmark frames built on the classroom renderer (appliance/scene): rooms full of raised cards with their
ground truth, and card-free rooms full of clutter for counting phantom cards. Deterministic from a seed.

Every card drawn is also in the ground truth: a student whose card cannot be held fully inside the picture, or
whose hold would leave the letter on top ambiguous (the card's own geometry puts another edge highest), does
not raise it. That way a detection is never scored against a card the benchmark could not judge.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from appliance.scene import Effects, HeldCard, PinholeCamera, Room, Scene, random_hold
from appliance.scene.backdrop import Backdrop
from appliance.scene.held import card_geometry
from appliance.scene.raster import bounding_box, paste_quad, polygon_mask
from appliance.scene.render import CardTruth
from appliance.vision import cards as card_layout
from appliance.vision import markers, synthetic

SIZES = {"12mp": (4608, 2592), "3mp": (2304, 1296), "hq": (4056, 3040), "hd": (1920, 1080)}
LENSES = (66.0, 102.0)
CARD_WIDTHS = (0.148, 0.10)
MOUNT_M = 2.4
# The Camera Module 3 Wide (102° across, 120° diagonal) bends straight lines: drawn as a 108.9° pinhole picture
# bent by this radial barrel (camera.py), which shows 102° across, magnifies the middle 1.28× and squeezes the
# corners. An estimate from the lens's published fields of view, not a calibration.
WIDE_LENS = 102.0
WIDE_RENDER_HFOV = 108.9
WIDE_DISTORTION = (-0.06, -0.01)
HOLD_TRIES = 8
ANSWERS = "ABCD"


@dataclass(frozen=True)
class Setup:
    """One classroom as one camera sees it."""
    width: int
    height: int
    lens: float  # horizontal field of view, degrees
    card_width_m: float
    students: int
    front_row_m: float
    back_row_m: float
    tilt: str  # "natural" (how students hold cards) or "extreme" (turned far away from the camera)
    seed: int

    @property
    def label(self) -> str:
        return (f"{self.width}x{self.height} {self.lens:.0f}° card {self.card_width_m * 100:.1f}cm "
                f"{self.students} students {self.front_row_m:.1f}-{self.back_row_m:.1f} m {self.tilt}")


@dataclass(frozen=True)
class BenchFrame:
    gray: np.ndarray
    truth: tuple[CardTruth, ...]
    setup: Setup
    index: int  # frame number within the setup
    marker_hidden: dict[int, float] = dataclasses.field(default_factory=dict)  # card → share of its marker hidden
    conditions: tuple[str, ...] = ()  # what made this frame hard, for recall broken down by condition
    moving: frozenset[int] = frozenset()  # cards smeared by motion during the exposure



def setups(seed: int, count: int, sizes: list[tuple[int, int]], lenses=LENSES, card_widths=CARD_WIDTHS,
           extreme_share: float = 0.25) -> list[Setup]:
    """`count` classrooms cycling through every size × lens × card width, with depth, class size and tilt drawn
    from the seed. Rows run from 1.5–2.4 m to 4–10 m; about a quarter of the rooms hold cards at extreme tilts."""
    rng = np.random.default_rng([seed, 101])
    combos = [(s, lens, w) for s in sizes for lens in lenses for w in card_widths]
    out = []
    for i in range(count):
        (width, height), lens, card_width = combos[i % len(combos)]
        front = float(rng.uniform(1.5, 2.4))
        back = float(rng.uniform(max(front + 1.5, 4.0), 10.0))
        rows = round((back - front) / 0.9) + 1
        students = int(min(64, rng.integers(20, 61), rows * 12))
        tilt = "extreme" if (i * 0.618) % 1.0 < extreme_share else "natural"
        out.append(Setup(width, height, lens, card_width, students, front, back, tilt, int(rng.integers(1 << 30))))
    return out


def build_scene(setup: Setup, noise_sigma: float | None = None) -> Scene:
    rng = np.random.default_rng([setup.seed, 1])
    room = Room(front_row_m=setup.front_row_m, back_row_m=setup.back_row_m, back_wall_m=setup.back_row_m + 1.5)
    pitch = PinholeCamera.pitch_to_frame(MOUNT_M, room.front_row_m, room.back_row_m)
    camera = lens_camera(setup.width, setup.height, setup.lens, pitch)
    sigma = float(rng.uniform(1.5, 6.0)) if noise_sigma is None else noise_sigma
    scene = Scene.build(camera, room, setup.students, rng, card_width_m=setup.card_width_m, noise_sigma=sigma,
                        sensor_noise=True)
    return with_wall_clutter(scene, rng)


def lens_camera(width: int, height: int, lens: float, pitch: float) -> PinholeCamera:
    """The camera for a lens of `lens` degrees across: the wide one with its barrel distortion."""
    if lens == WIDE_LENS:
        return PinholeCamera(width, height, WIDE_RENDER_HFOV, MOUNT_M, pitch, distortion=WIDE_DISTORTION)
    return PinholeCamera(width, height, lens, MOUNT_M, pitch)


def with_wall_clutter(scene: Scene, rng: np.random.Generator, patches: int = 8) -> Scene:
    """Paste extra clutter (text, tables, checkerboards, random-bit squares, near-miss markers) into the room's
    backdrop: what a detector most easily mistakes for a card. Returns a new Scene; the original is untouched."""
    image = scene.backdrop.image.copy()
    h, w = image.shape
    light_mid = float(scene.backdrop.light.mean())
    for _ in range(patches):
        side = int(rng.uniform(0.06, 0.2) * w)
        texture = clutter_texture(rng, side, int(side * rng.uniform(0.6, 1.3)))
        x, y = rng.uniform(0, w - side), rng.uniform(0, h * 0.75)
        skew = rng.uniform(-0.15, 0.15, (4, 2)) * side
        quad = np.array([[x, y], [x + side, y], [x + side, y + side * 0.8], [x, y + side * 0.8]]) + skew
        paste_quad(image, np.clip(texture * light_mid, 0, 255).astype(np.uint8), quad)
    backdrop = Backdrop(image, scene.backdrop.light, scene.backdrop.bodies)
    return dataclasses.replace(scene, backdrop=backdrop)  # shares the card-image cache


def clutter_texture(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A poster-sized patch: the vision team's synthetic clutter, sometimes with near-miss markers on it."""
    patch = synthetic.clutter(rng, max(height, 16), max(width, 16), items=int(rng.integers(3, 10)))
    for _ in range(int(rng.integers(1, 7))):
        cell = int(rng.integers(2, max(3, min(width, height) // 10)))
        marker = near_miss_marker(rng, cell)
        mh, mw = marker.shape
        if mw + 2 < width and mh + 2 < height:
            x, y = int(rng.integers(0, width - mw)), int(rng.integers(0, height - mh))
            patch[y:y + mh, x:x + mw] = marker
    return patch


_CARD_ROTATIONS = np.array([r for c in markers.load_codes() for r in markers.rotations(c)], np.uint32)


def near_miss_code(rng: np.random.Generator, min_distance: int = 2) -> int:
    """A 4×4 code at least `min_distance` bits from every card code in every rotation (a foreign marker, e.g.
    another ArUco dictionary printed on a poster). One flipped bit from a card would be that card's marker
    with a blemish, which the reader may rightly correct; two or more must never read as a card."""
    while True:
        code = int(rng.integers(0, 1 << 16))
        if int(min(bin(code ^ int(r)).count("1") for r in _CARD_ROTATIONS)) >= min_distance:
            return code


def near_miss_marker(rng: np.random.Generator, cell: int) -> np.ndarray:
    """A marker-like square (black border, 4×4 data, white quiet zone) carrying a near-miss code."""
    grid = np.full((8, 8), 255, np.uint8)
    grid[1:7, 1:7] = 0
    grid[2:6, 2:6] = markers.bits_of(near_miss_code(rng)) * 255
    return cv2.resize(grid, (8 * cell, 8 * cell), interpolation=cv2.INTER_NEAREST)


def choose_holds(scene: Scene, setup: Setup, rng: np.random.Generator, raise_share: float = 0.9,
                 answer_offset: int = 0) -> list[HeldCard]:
    """How each raising student holds their card this frame, nearest students first (so a farther card's
    occlusion is judged against the nearer cards already chosen). Answers cycle A–D so all four are common."""
    chosen: list[HeldCard] = []
    order = sorted(range(len(scene.students)), key=lambda i: scene.students[i].y)
    for rank, index in enumerate(order):
        if rng.random() > raise_share:
            continue
        answer = ANSWERS[(index + answer_offset) % 4]
        for _ in range(HOLD_TRIES):
            hold = tilted(student_grip(random_hold(index, answer, scene.students[index], rng), rng), setup.tilt, rng)
            truth = scene.truth_of(hold, chosen)
            if truth is not None and facing_camera(truth.corners) and clear_answer(truth.corners, answer):
                chosen.append(moving(hold, rng))
                break
    return chosen


def student_grip(hold: HeldCard, rng: np.random.Generator) -> HeldCard:
    """Where a student's thumb really goes: the bottom edge, the outer side or a corner, reaching 0.5–3.5 cm
    onto the card (across the letter band and the white margin; a long reach lands on the marker, and only
    that makes the card hidden)."""
    grip = str(rng.choice(["bottom", "side", "corner"], p=[0.45, 0.3, 0.25]))
    return dataclasses.replace(hold, grip=grip, thumb_m=float(rng.uniform(0.005, 0.035)))


MOVING_SHARE = 0.3


def moving(hold: HeldCard, rng: np.random.Generator) -> HeldCard:
    """30% of cards move 3–12 px on screen during the exposure (being raised, waved, turned)."""
    if rng.random() >= MOVING_SHARE:
        return hold
    length, angle = rng.uniform(3, 12), rng.uniform(0, 2 * math.pi)
    return dataclasses.replace(hold, motion_px=(float(length * math.cos(angle)), float(length * math.sin(angle))))


def clear_answer(corners: np.ndarray, answer: str) -> bool:
    """`answer` is plainly the letter on top of a card with this outline: its edge is the highest, by twice the
    margin the reader needs (a card turned near 45° on screen has no letter on top and is not scored)."""
    return card_layout.letter_on_top(corners, 2 * card_layout.CLEAR_TOP_MARGIN) == answer


def facing_camera(corners: np.ndarray) -> bool:
    """The card's printed side faces the camera: its outline, A-edge left corner first, runs clockwise on
    screen. Turned further the camera would see the card's back (the renderer would draw the front mirrored)."""
    x, y = corners[:, 0].astype(np.float64), corners[:, 1].astype(np.float64)
    return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) > 0


def tilted(hold: HeldCard, tilt: str, rng: np.random.Generator) -> HeldCard:
    """Natural holds as random_hold makes them (plus a bigger thumb now and then); extreme holds turn the card
    35–65° about the vertical or 25–50° about the horizontal axis (both, a third of the time), with up to 20°
    of roll so the letter on top stays unambiguous."""
    thumb = hold.thumb_m if rng.random() < 0.8 else float(rng.uniform(0.025, 0.045))
    if tilt != "extreme":
        return dataclasses.replace(hold, thumb_m=thumb)
    sign = lambda: 1.0 if rng.random() < 0.5 else -1.0  # noqa: E731
    kind = rng.integers(0, 3)
    yaw = sign() * rng.uniform(35, 65) if kind != 1 else rng.normal(0, 8)
    pitch = sign() * rng.uniform(25, 50) if kind != 0 else rng.normal(-5, 8)
    return dataclasses.replace(hold, thumb_m=thumb, yaw_degrees=float(yaw), pitch_degrees=float(pitch),
                               roll_degrees=float(rng.uniform(-20, 20)))


def frame_effects(rng: np.random.Generator) -> Effects:
    """A room's picture: focus blur from sharp to soft; light from 25% to 100% of a bright room's with the
    sensor's shot and read noise at the gain that brings it back up (effects.py); 0–3 glare spots; MJPEG
    re-encoding at quality 60–80 (an RTSP or MJPEG camera) on half the frames."""
    blur = (0.3, 0.9) if rng.random() < 0.7 else (1.0, 1.6)
    jpeg = int(rng.integers(60, 81)) if rng.random() < 0.5 else 0
    light = float(rng.uniform(0.25, 1.0))
    return Effects(blur_sigma=blur, noise_sigma=1.0, jpeg_quality=jpeg, sensor=True, light=light,
                   glare=int(rng.integers(0, 4)))


def lighting_ramp(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A uint8 gain image (255 = unchanged): light falling off to 45–85% across the frame in a random
    direction, on top of the renderer's own window light and vignetting (a cloudy side of the room)."""
    angle = rng.uniform(0, 2 * math.pi)
    low = rng.uniform(0.45, 0.85)
    xs = np.linspace(-0.5, 0.5, width, dtype=np.float32)[None, :]
    ys = np.linspace(-0.5, 0.5, height, dtype=np.float32)[:, None]
    along = (xs * math.cos(angle) + ys * math.sin(angle)) + 0.5
    return np.clip(255 * (1.0 - (1.0 - low) * along), 0, 255).astype(np.uint8)


def classroom_frames(setup: Setup, frames: int) -> Iterator[BenchFrame]:
    """`frames` pictures of one classroom, each with a fresh set of holds, answers and effects."""
    scene = build_scene(setup)
    ramp = lighting_ramp(setup.width, setup.height, np.random.default_rng([setup.seed, 2]))
    for index in range(frames):
        rng = np.random.default_rng([setup.seed, 3, index])
        held = choose_holds(scene, setup, rng, raise_share=float(rng.uniform(0.75, 1.0)), answer_offset=index)
        effects = frame_effects(rng)
        rendered = scene.render(held, rng, effects, exposure=ramp if index % 2 else None)
        yield BenchFrame(rendered.gray, rendered.cards, setup, index, marker_occlusion(scene, held),
                         conditions(setup, effects, dimmed=bool(index % 2)), moving_cards(scene, held))


def moving_cards(scene: Scene, held: list[HeldCard]) -> frozenset[int]:
    """The card numbers of the cards smeared by motion."""
    return frozenset(scene.students[h.student].card for h in held if h.motion_px != (0.0, 0.0))


def conditions(setup: Setup, effects: Effects, dimmed: bool) -> tuple[str, ...]:
    out = [f"{setup.tilt} tilt", f"lens {setup.lens:.0f}", f"card {setup.card_width_m * 100:.1f} cm",
           "blur 1.0-1.6" if effects.blur_sigma[0] >= 1.0 else "blur 0.3-0.9",
           "light 25-50%" if effects.light < 0.5 else "light 50-100%"]
    if effects.jpeg_quality:
        out.append("jpeg")
    if effects.glare:
        out.append("glare")
    if dimmed:
        out.append("light ramp")
    return tuple(out)


# The marker (black border and code) fills the middle MARKER_SHARE of each side of the card (vision/cards.py). A
# card is hidden only when its MARKER is covered: whatever a thumb does to the white margin around it, the card is
# the student's answer and must be read (commit bf608e8 had counted a covered quiet zone as hidden too).
_MARKER_SPAN = (card_layout.MARKER_OFFSET / card_layout.CARD_CELLS,
                (card_layout.MARKER_OFFSET + card_layout.MARKER_CELLS) / card_layout.CARD_CELLS)


def marker_occlusion(scene: Scene, held: list[HeldCard]) -> dict[int, float]:
    """Share of each card's MARKER hidden by its own thumb, nearer cards, hands and arms, and nearer students.

    The renderer's truth reports the share of the whole card hidden; a thumb on the white margin hides some of
    the card and nothing the card's answer is written in, while the same thumb on the marker covers the code.
    Recall is scored on visible markers (see score.py), so this repeats the renderer's occlusion test
    (render.Scene._truth) on the marker's outline instead of the card's (in the pinhole picture, before the lens
    bends it: shares of an area barely change).
    """
    cam = scene.camera
    placed = []
    for hold in held:
        student = scene.students[hold.student]
        g = card_geometry(hold, student, scene.card_width_m, scene.card_width_m, cam.position)  # square cards
        placed.append((student, g, cam.project(g.corners), cam.project(g.thumb), cam.project(g.arm)))
    out = {}
    for student, g, quad, thumb, _ in placed:
        if not np.all(np.isfinite(quad)):
            continue
        lo, hi = _MARKER_SPAN
        unit = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])
        to_image = cv2.getPerspectiveTransform(unit, quad.astype(np.float32))
        inner = np.float32([[lo, lo], [hi, lo], [hi, hi], [lo, hi]]).reshape(-1, 1, 2)
        marker = cv2.perspectiveTransform(inner, to_image).reshape(4, 2)
        box = bounding_box(marker, cam.width, cam.height, margin=0)
        if box is None:
            continue
        area = polygon_mask(marker, box)
        covered = polygon_mask(thumb, box)
        nearer_than = g.centre[1]
        for other_student, og, oquad, othumb, oarm in placed:
            if og.centre[1] < nearer_than:  # drawn after this card (the renderer draws far to near)
                covered |= polygon_mask(oquad, box) | polygon_mask(othumb, box) | polygon_mask(oarm, box)
        for j, body in enumerate(scene.backdrop.bodies):
            if body is None or scene.students[j].y >= nearer_than - 0.05:
                continue
            x0, y0 = max(box[0], body.box[0]), max(box[1], body.box[1])
            x1, y1 = min(box[2], body.box[2]), min(box[3], body.box[3])
            if x0 < x1 and y0 < y1:
                covered[y0 - box[1]:y1 - box[1], x0 - box[0]:x1 - box[0]] |= \
                    body.mask[y0 - body.box[1]:y1 - body.box[1], x0 - body.box[0]:x1 - body.box[0]]
        pixels = max(int(np.count_nonzero(area)), 1)
        out[student.card] = round(int(np.count_nonzero(area & covered)) / pixels, 3)
    return out


def clutter_frames(seed: int, count: int, size: tuple[int, int], per_room: int = 20) -> Iterator[np.ndarray]:
    """`count` card-free frames: empty classrooms (posters, whiteboard, windows, desks, seated students) with
    extra clutter pasted on, a new room every `per_room` frames, each frame re-rendered with its own effects
    and a different patch of clutter moved to a new place."""
    width, height = size
    rooms = setups(seed + 7919, math.ceil(count / per_room), [size], extreme_share=0.0)
    made = 0
    for room_index, setup in enumerate(rooms):
        scene = build_scene(setup)
        for i in range(min(per_room, count - made)):
            rng = np.random.default_rng([seed, 5, room_index, i])
            shifted = with_wall_clutter(scene, rng, patches=2)
            effects = frame_effects(rng)
            ramp = lighting_ramp(width, height, rng) if rng.random() < 0.5 else None
            yield shifted.render([], rng, effects, exposure=ramp).gray
            made += 1
