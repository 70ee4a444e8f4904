"""A simulated classroom camera: students who answer questions by holding up cards, rendered in real time.

The control calls come from the event loop and only record what happened; planning and rendering run in the
camera thread inside `grab()`. What each student does is a pure function of (sim.seed, question key), so tests
can ask `planned_answers` what the class is about to answer and compare it with what the reader registered.
"""
from __future__ import annotations

import dataclasses
import math
import threading
import time
import zlib
from dataclasses import dataclass

import numpy as np

from appliance.camera.base import CameraError
from appliance.config import CameraSettings, CardSettings, SimSettings
from appliance.scene import Effects, HeldCard, PinholeCamera, Room, Scene, random_hold
from appliance.scene.held import ANSWER_TURN_DEGREES

LETTERS = "ABCD"
# A changed answer comes at least this long after the card went up, so the first one is seen and counted.
CHANGE_AFTER_SECONDS = (1.5, 2.5)
TURN_SECONDS = 0.2  # the card turns through in-between angles for at most a couple of frames
LOWER_WITHIN_SECONDS = 0.6  # after a question closes, cards come down within this long
HOLD_TRIES = 6  # ways of holding a card tried to find one that is not hidden behind someone
FRONT_ROW_M = 2.4


@dataclass(frozen=True)
class StudentPlan:
    card: int
    raise_at: float  # seconds after the question opened
    first: str
    final: str
    change_at: float | None  # None: keeps the first answer


def plan_question(sim: SimSettings, students: int, key: str, option_count: int) -> tuple[StudentPlan, ...]:
    """What every answering student does for this question (abstainers are left out). Pure."""
    rng = np.random.default_rng([sim.seed, zlib.crc32(key.encode())])
    letters = LETTERS[:max(1, min(option_count, len(LETTERS)))]
    plans = []
    for card in range(1, students + 1):
        # Every student draws the same numbers whatever they decide, so one student's choice never shifts
        # another's.
        abstain, raise_at, first, change, after, shift = rng.random(6)
        if abstain < sim.abstain_probability:
            continue
        first_letter = letters[int(first * len(letters))]
        changes = len(letters) > 1 and change < sim.change_probability
        final = letters[(letters.index(first_letter) + 1 + int(shift * (len(letters) - 1))) % len(letters)]
        raised = raise_at * sim.raise_seconds
        plans.append(StudentPlan(card, raised, first_letter, final if changes else first_letter,
                                 raised + CHANGE_AFTER_SECONDS[0] + after * (CHANGE_AFTER_SECONDS[1]
                                                                             - CHANGE_AFTER_SECONDS[0])
                                 if changes else None))
    return tuple(plans)


@dataclass(frozen=True)
class _Question:
    key: str
    option_count: int
    opened: float  # time.monotonic()
    closed: float | None = None


class SimClassroom:
    def __init__(self, sim: SimSettings, camera: CameraSettings, cards: CardSettings):
        self._sim = sim
        self._camera = camera
        self._students = min(sim.students, cards.count)
        self._lock = threading.Lock()  # guards _question (written by the event loop, read by the camera)
        self._question: _Question | None = None
        self._scene: Scene | None = None  # built in the camera thread on first open, kept across reopens
        self._holds: tuple[str, dict[int, HeldCard]] | None = None  # per question key, camera thread only
        self._opened = False
        self._next_frame = 0.0
        self._frames = 0
        self.description = "sim"

    # --- control (event loop) -------------------------------------------------------------------------------
    def question_opened(self, key: str, option_count: int) -> None:
        with self._lock:
            self._question = _Question(key, option_count, time.monotonic())

    def question_closed(self) -> None:
        with self._lock:
            if self._question is not None and self._question.closed is None:
                self._question = dataclasses.replace(self._question, closed=time.monotonic())

    def planned_answers(self, key: str, option_count: int) -> dict[int, str]:
        return {p.card: p.final for p in plan_question(self._sim, self._students, key, option_count)}

    # --- CameraSource (camera thread) -----------------------------------------------------------------------
    def open(self) -> None:
        if self._scene is None:
            self._scene = self._build_scene()
        self._opened = True
        self._next_frame = time.monotonic()

    def close(self) -> None:
        self._opened = False

    def grab(self) -> np.ndarray:
        if not self._opened or self._scene is None:
            raise CameraError("camera sim is not open")
        self._pace()
        self._frames += 1
        with self._lock:
            question = self._question
        held = self._held_at(question, time.monotonic()) if question is not None else []
        rng = np.random.default_rng([self._sim.seed, self._frames])
        return self._scene.render(held, rng, Effects()).gray

    def _pace(self) -> None:
        delay = self._next_frame - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        # Falling behind (a slow machine) lowers the rate; it never causes a burst of catch-up frames.
        self._next_frame = max(self._next_frame + 1.0 / self._camera.fps, time.monotonic())

    def _build_scene(self) -> Scene:
        sim = self._sim
        room = Room(front_row_m=FRONT_ROW_M, back_row_m=max(sim.back_row_m, FRONT_ROW_M))
        pitch = PinholeCamera.pitch_to_frame(2.4, room.front_row_m, room.back_row_m)
        lens = self._camera
        camera = PinholeCamera(lens.width, lens.height, lens.hfov_degrees, 2.4, pitch)
        return Scene.build(camera, room, self._students, np.random.default_rng(sim.seed),
                           card_width_m=sim.card_width_m)

    def _held_at(self, question: _Question, now: float) -> list[HeldCard]:
        plans = plan_question(self._sim, self._students, question.key, question.option_count)
        holds = self._holds_for(question.key, plans)
        t = now - question.opened
        held = []
        for plan in plans:
            hold = holds[plan.card]
            if t < plan.raise_at or question.closed is not None and now > question.closed + _lower_delay(plan):
                continue
            answer, turning = plan.first, 0.0
            if plan.change_at is not None and t >= plan.change_at:
                progress = (t - plan.change_at) / TURN_SECONDS
                if progress >= 1.0:
                    answer = plan.final
                else:
                    turning = progress * _turn_between(plan.first, plan.final)
            held.append(_jitter(dataclasses.replace(hold, answer=answer, turning_degrees=turning), plan.card, t))
        return held

    def _holds_for(self, key: str, plans: tuple[StudentPlan, ...]) -> dict[int, HeldCard]:
        """How each student holds their card this question: chosen once, nearest students first, so that
        every card stays in view and as little hidden as the seating allows."""
        if self._holds is not None and self._holds[0] == key:
            return self._holds[1]
        scene = self._scene
        rng = np.random.default_rng([self._sim.seed, zlib.crc32(key.encode()), 1])
        chosen: dict[int, HeldCard] = {}
        for plan in sorted(plans, key=lambda p: scene.students[p.card - 1].y):
            index = plan.card - 1
            best, best_hidden = None, math.inf
            for _ in range(HOLD_TRIES):
                hold = random_hold(index, plan.first, scene.students[index], rng)
                truth = scene.truth_of(hold, list(chosen.values()))
                hidden = truth.occluded if truth is not None else math.inf
                if best is None or hidden < best_hidden:
                    best, best_hidden = hold, hidden
                if hidden < 0.03:
                    break
            chosen[plan.card] = best
        self._holds = (key, chosen)
        return chosen


def _lower_delay(plan: StudentPlan) -> float:
    return (plan.card * 0.618) % 1.0 * LOWER_WITHIN_SECONDS


def _turn_between(first: str, final: str) -> float:
    """The in-plane turn (degrees, counter-clockwise) from showing `first` on top to showing `final`."""
    delta = (ANSWER_TURN_DEGREES[final] - ANSWER_TURN_DEGREES[first]) % 360
    return delta - 360 if delta > 180 else delta


def _jitter(hold: HeldCard, card: int, t: float) -> HeldCard:
    """A held card is never perfectly still: a slow sway of a few millimetres and a degree or two."""
    phase = card * 2.39996
    return dataclasses.replace(
        hold, side_m=hold.side_m + 0.006 * math.sin(1.3 * t + phase),
        lift_m=hold.lift_m + 0.005 * math.sin(0.9 * t + 2 * phase),
        roll_degrees=hold.roll_degrees + 1.5 * math.sin(1.7 * t + 3 * phase))
