"""The session engine on a real SQLite file and a real bus, with time moved by hand: countdowns run in no time."""
from __future__ import annotations

import asyncio

import pytest

from appliance.classroom import session as rules
from appliance.classroom.models import Question
from appliance.live.bus import Bus
from appliance.live.engine import SessionEngine
from appliance.store import accounts, quizzes, rosters
from appliance.store import sessions as store
from appliance.store.db import Database
from appliance.vision.types import Registration
from tests.fakes.clock import FakeClock

QUESTIONS = [Question("Two plus two?", ("3", "4"), "B", time_limit=30), Question("Sky?", ("Blue", "Green"), "A")]


@pytest.fixture
async def lesson(tmp_path):
    db = await Database.open(tmp_path / "argus.db")
    clock = FakeClock()
    bus = Bus()
    engine = SessionEngine(db, bus, clock)
    teacher = await accounts.create_user(db, "t", "x", "teacher")
    roster = await rosters.create_class(db, teacher.id, "7B", [("Ada", 1), ("Ben", 2)])
    quiz = await quizzes.create_quiz(db, teacher.id, "Sums", QUESTIONS)
    record = await engine.start(roster, quiz, teacher.id)
    yield db, clock, bus, engine, record
    await engine.close()
    await db.close()


async def _stored_state(db, session_id: int, want: str) -> str:
    """The state on disk, once it is `want` (the timer's write crosses to the database thread and back)."""
    for _ in range(500):
        record = await store.get_session(db, session_id)
        if record.state == want:
            return record.state
        await asyncio.sleep(0.01)
    return record.state


async def test_countdown_closes_the_question_when_time_is_up_and_not_before(lesson):
    db, clock, _, engine, record = lesson
    await engine.act(record.id, "open", 0)
    assert (await store.get_session(db, record.id)).deadline == clock.now() + 30
    await clock.advance(29.5)
    assert engine.public_state()["session"]["state"] == "open"
    await clock.advance(1.0)
    assert await _stored_state(db, record.id, "closed") == "closed"
    assert engine.public_state()["session"]["state"] == "closed"


async def test_a_pause_keeps_the_time_left_and_resume_continues_it(lesson):
    db, clock, _, engine, record = lesson
    await engine.act(record.id, "open", 0)
    await clock.advance(10)
    await engine.act(record.id, "pause")
    assert engine.public_state()["session"]["remaining"] == pytest.approx(20)
    await clock.advance(600)  # a long pause: nothing runs out
    assert engine.public_state()["session"]["state"] == "paused"
    await engine.act(record.id, "resume")
    assert engine.public_state()["session"]["deadline"] == pytest.approx(clock.now() + 20)
    await clock.advance(19)
    assert engine.public_state()["session"]["state"] == "open"
    await clock.advance(2)
    assert await _stored_state(db, record.id, "closed") == "closed"


async def test_an_answer_after_time_is_up_is_not_registered(lesson):
    db, clock, _, engine, record = lesson
    await engine.act(record.id, "open", 0)
    await engine.register(Registration(1, "B", clock.monotonic()))
    clock._now += 31  # time is up, and the timer has not run yet
    await engine.register(Registration(2, "A", clock.monotonic()))
    answered = {r.card: r.answer for r in await store.responses(db, record.id)}
    assert answered == {1: "B"}


async def test_a_restart_picks_up_the_stored_deadline(lesson, tmp_path):
    db, clock, bus, engine, record = lesson
    await engine.act(record.id, "open", 0)
    await engine.close()
    await clock.advance(40)  # the appliance was off when time ran out
    restarted = SessionEngine(db, bus, clock)
    await restarted.restore()
    await clock.advance(0)
    assert await _stored_state(db, record.id, "closed") == "closed"
    await restarted.close()


async def test_allowed_actions_follow_the_state_machine(lesson):
    _, _, _, engine, record = lesson
    allowed = lambda: engine.public_state()["session"]["allowed"]  # noqa: E731
    assert allowed() == ["open", "end", "quick"]
    await engine.act(record.id, "open", 0)
    assert allowed() == ["pause", "close", "reveal", "end", "photo"]
    await engine.act(record.id, "reveal")
    assert allowed() == ["open", "next", "end", "reask", "quick"]
    await engine.act(record.id, "open", 1)
    await engine.act(record.id, "close")
    assert "next" not in allowed()  # the last question
    with pytest.raises(rules.InvalidTransition):
        await engine.act(record.id, "pause")  # what is not allowed is refused by the same rules
