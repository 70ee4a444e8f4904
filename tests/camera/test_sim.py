"""The simulated classroom: deterministic plans, answers only among the offered options, real-time frames."""
import time

import numpy as np
import pytest

from appliance.camera import open_source
from appliance.camera.base import CameraError
from appliance.camera.sim import CHANGE_AFTER_SECONDS, SimClassroom, plan_question
from appliance.config import CameraSettings, CardSettings, Settings, SimSettings


def test_same_seed_and_key_give_the_same_plan():
    a = plan_question(SimSettings(seed=4), 30, "s1-q0", 4)
    assert a == plan_question(SimSettings(seed=4), 30, "s1-q0", 4)
    assert a != plan_question(SimSettings(seed=4), 30, "s1-q1", 4)
    assert a != plan_question(SimSettings(seed=5), 30, "s1-q0", 4)


def test_planned_answers_are_the_final_answers_among_the_options():
    sim = SimClassroom(SimSettings(change_probability=0.5), CameraSettings(width=1920, height=1080), CardSettings())
    for options, allowed in ((2, {"A", "B"}), (3, {"A", "B", "C"}), (4, set("ABCD"))):
        answers = sim.planned_answers("s2-q3", options)
        assert answers and set(answers.values()) <= allowed and set(answers) <= set(range(1, 31))
        plans = plan_question(SimSettings(change_probability=0.5), 30, "s2-q3", options)
        assert {p.card: p.final for p in plans} == answers
        assert {p.first for p in plans} <= allowed


def test_changes_of_mind_come_late_enough_and_differ():
    plans = plan_question(SimSettings(change_probability=1.0, raise_seconds=3.0), 30, "k", 4)
    assert len(plans) >= 20
    for p in plans:
        assert 0.0 <= p.raise_at <= 3.0
        assert p.final != p.first and p.change_at - p.raise_at >= CHANGE_AFTER_SECONDS[0]
    single = plan_question(SimSettings(change_probability=1.0), 30, "k", 1)
    assert all(p.first == p.final == "A" and p.change_at is None for p in single)


def test_abstainers_are_left_out_and_students_are_capped_by_the_cards():
    assert plan_question(SimSettings(abstain_probability=1.0), 30, "k", 4) == ()
    assert len(plan_question(SimSettings(abstain_probability=0.0), 30, "k", 4)) == 30
    sim = SimClassroom(SimSettings(students=40, abstain_probability=0.0), CameraSettings(width=1920, height=1080),
                       CardSettings(count=12))
    assert sorted(sim.planned_answers("k", 4)) == list(range(1, 13))


def test_frames_have_the_configured_size_and_pace():
    sim = open_source("sim", Settings().replace(camera={"width": 640, "height": 360, "fps": 20.0}))
    assert isinstance(sim, SimClassroom)
    with pytest.raises(CameraError, match="not open"):
        sim.grab()
    sim.open()
    try:
        sim.grab()
        started = time.monotonic()
        frames = [sim.grab() for _ in range(5)]
        elapsed = time.monotonic() - started
    finally:
        sim.close()
    assert all(f.shape == (360, 640) and f.dtype == np.uint8 for f in frames)
    assert elapsed >= 4 / 20.0, "frames are paced to camera.fps"
    assert not np.array_equal(frames[0], frames[1]), "every frame has fresh sensor noise"
