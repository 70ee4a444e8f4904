"""One camera, several teachers: the engine refuses to end a colleague's lesson unless an admin takes it over,
and every ending records who ended it. Real SQLite file and bus; no server needed."""
from __future__ import annotations

import pytest

from appliance.classroom.errors import LessonRunning
from appliance.classroom.models import Question
from appliance.live.bus import Bus
from appliance.live.engine import SessionEngine
from appliance.store import accounts, quizzes, rosters
from appliance.store import sessions as store
from appliance.store.db import Database
from tests.fakes.clock import FakeClock

QUESTIONS = [Question("Two plus two?", ("3", "4"), "B")]


@pytest.fixture
async def school(tmp_path):
    db = await Database.open(tmp_path / "argus.db")
    engine = SessionEngine(db, Bus(), FakeClock())
    people = {}
    for name, role in (("ada", "teacher"), ("ben", "teacher"), ("head", "admin")):
        user = await accounts.create_user(db, name, "x", role)
        roster = await rosters.create_class(db, user.id, f"{name}'s class", [("Pupil", 1)])
        quiz = await quizzes.create_quiz(db, user.id, "Sums", QUESTIONS)
        people[name] = (user, roster, quiz)
    yield db, engine, people
    await engine.close()
    await db.close()


async def test_a_colleagues_lesson_is_never_ended_by_a_start(school):
    db, engine, people = school
    ada, ada_class, ada_quiz = people["ada"]
    ben, ben_class, ben_quiz = people["ben"]
    lesson = await engine.start(ada_class, ada_quiz, ada)
    with pytest.raises(LessonRunning) as refused:
        await engine.start(ben_class, ben_quiz, ben, take_over=True)  # only an admin may take over
    assert refused.value.teacher == "ada" and refused.value.session_id == lesson.id
    assert (await store.get_session(db, lesson.id)).state == "ready" and engine.running_teacher() == ada.id


async def test_an_admin_takeover_and_an_admins_end_are_recorded(school):
    db, engine, people = school
    ada, ada_class, ada_quiz = people["ada"]
    head, head_class, head_quiz = people["head"]
    lesson = await engine.start(ada_class, ada_quiz, ada)
    with pytest.raises(LessonRunning):
        await engine.start(head_class, head_quiz, head)  # an admin too must ask for it
    taken = await engine.start(head_class, head_quiz, head, take_over=True)
    ended = await store.get_session(db, lesson.id)
    assert (ended.state, ended.ended_by, ended.end_reason) == ("ended", head.id, "taken over")
    assert engine.running_teacher() == head.id

    again = await engine.start(ada_class, ada_quiz, head, take_over=True)
    await engine.act(again.id, "end", actor=head.id)
    record = await store.get_session(db, again.id)
    assert (record.ended_by, record.end_reason) == (head.id, "ended") and engine.running_teacher() is None
    assert (await store.get_session(db, taken.id)).ended_by == head.id
