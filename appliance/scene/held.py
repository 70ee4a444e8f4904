"""A card held up by a student: where it is, how it is turned and tilted, and the hand gripping it.

The answer is the letter on top: A upright; B a quarter turn counter-clockwise (the right edge comes to the
top); C a half turn; D a quarter turn clockwise. Angles here are counter-clockwise as the camera sees the card.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from appliance.scene.room import Student

ANSWER_TURN_DEGREES = {"A": 0.0, "B": 90.0, "C": 180.0, "D": -90.0}


@dataclass(frozen=True)
class HeldCard:
    student: int  # index into the scene's students
    answer: str  # "A".."D", the letter on top
    turning_degrees: float = 0.0  # extra in-plane turn while a student changes their answer
    side_m: float = 0.18  # card centre beside the head (negative: left)
    lift_m: float = 0.05  # card centre above the head's centre
    forward_m: float = 0.25  # card held in front of the face
    yaw_degrees: float = 0.0
    pitch_degrees: float = 0.0
    roll_degrees: float = 0.0
    grip: str = "bottom"  # "bottom", "side" or "corner": where the thumb covers the card
    grip_at: float = 0.0  # thumb position along that edge, -0.5..0.5
    thumb_m: float = 0.02  # how far the thumb reaches onto the card
    motion_px: tuple[float, float] = (0.0, 0.0)  # how far the card moves on screen during the exposure


def random_hold(student: int, answer: str, s: Student, rng: np.random.Generator) -> HeldCard:
    """A natural way of holding the card up: beside or in front of the face, a little tilted every way."""
    side = rng.uniform(0.1, 0.3) * (1 if s.right_handed else -1)
    return HeldCard(
        student=student, answer=answer, side_m=side, lift_m=rng.uniform(-0.02, 0.22),
        forward_m=rng.uniform(0.15, 0.35), yaw_degrees=rng.normal(0, 12), pitch_degrees=rng.normal(-5, 10),
        roll_degrees=rng.normal(0, 6), grip="bottom" if rng.random() < 0.7 else "side",
        grip_at=rng.uniform(-0.35, 0.35), thumb_m=rng.uniform(0.005, 0.03))


@dataclass(frozen=True)
class CardGeometry:
    corners: np.ndarray  # 4×3 world points of the upright image's tl, tr, br, bl (A edge first, clockwise)
    thumb: np.ndarray  # N×3 outline of the thumb over the card
    arm: np.ndarray  # 4×3 forearm quad from the hand down to the elbow
    centre: np.ndarray
    facing: float  # cosine between the card's normal and the direction to the camera (for shading)


def card_geometry(hold: HeldCard, s: Student, width_m: float, height_m: float,
                  camera_position: np.ndarray) -> CardGeometry:
    centre = np.array([s.x + hold.side_m, s.y - hold.forward_m, s.head_z + hold.lift_m])
    to_camera = _unit(camera_position - centre)
    normal = _unit(0.5 * np.array([0.0, -1.0, 0.0]) + 0.5 * to_camera)  # faces the front, leaning to the camera
    up = _unit(np.array([0.0, 0.0, 1.0]) - normal[2] * normal)
    right = np.cross(up, normal)
    tilt = _rotation(np.array([0.0, 0.0, 1.0]), hold.yaw_degrees) @ _rotation(right, hold.pitch_degrees)
    normal, up, right = tilt @ normal, tilt @ up, tilt @ right

    def world(points_2d: np.ndarray, lift: float = 0.0) -> np.ndarray:
        return centre + points_2d[:, :1] * right + points_2d[:, 1:] * up + lift * normal

    turn = math.radians(ANSWER_TURN_DEGREES[hold.answer] + hold.turning_degrees + hold.roll_degrees)
    spin = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    w, h = width_m / 2, height_m / 2
    upright = np.array([[-w, h], [w, h], [w, -h], [-w, -h]])
    corners = world(upright @ spin.T)
    # The hand holds the card as the student sees it: by its lowest edge or its outer side, wherever A is.
    extent = np.abs(upright @ spin.T).max(axis=0)
    side = 1.0 if hold.side_m >= 0 else -1.0
    if hold.grip == "corner":
        # A thumb on the lower outer corner, reaching in along the diagonal.
        reach = hold.thumb_m / math.sqrt(2)
        thumb_centre = np.array([side * (extent[0] + 0.02 - reach), -(extent[1] + 0.02 - reach)])
        thumb_axes = (0.024, 0.024)
    elif hold.grip == "side":
        thumb_centre = np.array([side * (extent[0] + 0.03 - hold.thumb_m), hold.grip_at * extent[1]])
        thumb_axes = (0.03, 0.022)
    else:
        thumb_centre = np.array([hold.grip_at * extent[0], -(extent[1] + 0.03 - hold.thumb_m)])
        thumb_axes = (0.022, 0.03)
    angles = np.linspace(0, 2 * np.pi, 14, endpoint=False)
    thumb = world(thumb_centre + np.stack([thumb_axes[0] * np.cos(angles), thumb_axes[1] * np.sin(angles)], 1),
                  lift=0.01)
    hand = world(thumb_centre[None])[0]
    elbow = np.array([s.x + hold.side_m * 1.3, s.y - 0.1, s.head_z - 0.35])
    across = np.array([0.04, 0.0, 0.0])
    arm = np.array([hand - across, hand + across, elbow + across, elbow - across])
    return CardGeometry(corners, thumb, arm, centre, float(np.dot(normal, to_camera)))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _rotation(axis: np.ndarray, degrees: float) -> np.ndarray:
    """Rodrigues: rotation by `degrees` about the unit `axis`."""
    a = math.radians(degrees)
    x, y, z = _unit(axis)
    k = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + math.sin(a) * k + (1 - math.cos(a)) * (k @ k)
