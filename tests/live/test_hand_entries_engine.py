"""Hand entries in the session engine and the store, on a real SQLite file: the teacher's word survives the
camera in any order, a restart keeps the absent list and the spares, and clears never reuse a sync event id."""
from __future__ import annotations

import time

import pytest

from appliance.classroom.models import Question
from appliance.live.bus import Bus
from appliance.live.engine import SessionEngine
from appliance.store import accounts, attendance, outbox, quizzes, rosters
from appliance.store import sessions as store
from appliance.store.db import Database
from appliance.vision.types import Registration
from tests.fakes.clock import FakeClock


@pytest.fixture
async def lesson(tmp_path):
    db = await Database.open(tmp_path / "argus.db")
    await outbox.start_recording(db)
    clock = FakeClock()
    engine = SessionEngine(db, Bus(), clock)
    teacher = await accounts.create_user(db, "t", "x", "teacher")
    roster = await rosters.create_class(db, teacher.id, "7B", [("Ada", 1), ("Ben", 2), ("Cy", 3)])
    quiz = await quizzes.create_quiz(db, teacher.id, "Sums", [Question("Two plus two?", ("3", "4", "5"), "B")])
    record = await engine.start(roster, quiz, teacher)
    await engine.act(record.id, "open", 0)
    yield db, clock, engine, record, {s.card: s.id for s in roster.students}, teacher
    await engine.close()
    await db.close()


async def test_the_camera_never_overwrites_the_teacher_in_either_order(lesson):
    db, _, _, record, ids, _ = lesson
    async with db.transaction() as conn:
        first = await store.upsert_answer(conn, record.id, 0, ids[1], 1, "A", 1.0, "teacher")
        assert await store.upsert_answer(conn, record.id, 0, ids[1], 1, "C", 2.0, "camera") is None
        assert await store.upsert_answer(conn, record.id, 0, ids[1], 1, "C", 2.5, "photo") is None
        camera = await store.upsert_answer(conn, record.id, 0, ids[2], 2, "C", 3.0, "camera")
        confirmed = await store.upsert_answer(conn, record.id, 0, ids[2], 2, "C", 4.0, "teacher")
        assert await store.upsert_answer(conn, record.id, 0, ids[2], 2, "C", 5.0, "teacher") is None  # no change
    assert (first.source, first.changes) == ("teacher", 0)
    assert (camera.source, confirmed.source, confirmed.changes, confirmed.answer) == ("camera", "teacher", 1, "C")
    stored = {r.student_id: (r.answer, r.source) for r in await store.responses(db, record.id)}
    assert stored == {ids[1]: ("A", "teacher"), ids[2]: ("C", "teacher")}


async def test_clears_keep_counting_versions_so_sync_ids_never_repeat(lesson):
    db, _, engine, record, ids, teacher = lesson
    for _ in range(3):
        await engine.register(Registration(1, "A", time.monotonic()))
        await engine.hand_answer(record, 0, ids[1], None, teacher.id)
    await engine.hand_answer(record, 0, ids[1], "B", teacher.id)
    rows = await db.fetchall("SELECT local_id, type FROM sync_events WHERE local_id LIKE ? ORDER BY seq",
                             (f"s{record.id}-q0-st{ids[1]}-%",))
    assert [r["local_id"].rsplit("-", 1)[1] for r in rows] == [f"v{n}" for n in range(7)]
    assert [r["type"] for r in rows] == ["response", "response_cleared"] * 3 + ["response"]


async def test_a_restart_keeps_the_absent_list_and_the_spares(lesson):
    db, clock, engine, record, ids, teacher = lesson
    await engine.set_absent(record, {ids[3]}, teacher.id)
    card = await engine.give_spare(record, ids[2], None, False, teacher.id)
    await engine.close()
    restarted = SessionEngine(db, Bus(), clock)
    await restarted.restore()
    await restarted.register(Registration(card, "B", time.monotonic()))
    state = restarted.public_state()["session"]
    assert (state["answered"], state["total"]) == (1, 2)
    assert [(r.student_id, r.card) for r in await store.responses(db, record.id)] == [(ids[2], card)]
    assert await attendance.absent_students(db, record.id) == {ids[3]}
    await restarted.close()


async def test_answers_from_a_photo_say_so_and_do_not_beat_the_teacher(lesson):
    db, _, engine, record, ids, teacher = lesson
    await engine.hand_answer(record, 0, ids[1], "B", teacher.id)
    now = time.monotonic()
    changed = await engine.register_photo(record.id, [Registration(1, "A", now), Registration(2, "C", now)])
    assert changed == 1
    stored = {r.student_id: (r.answer, r.source) for r in await store.responses(db, record.id)}
    assert stored == {ids[1]: ("B", "teacher"), ids[2]: ("C", "photo")}
