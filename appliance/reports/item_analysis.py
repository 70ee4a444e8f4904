"""Loading what item analysis needs: one lesson, or every ended lesson of a quiz, as classroom.item_analysis
sittings (questions, where each came from, answers, and who was absent)."""
from __future__ import annotations

from appliance.classroom import item_analysis
from appliance.store import attendance
from appliance.store import sessions as store
from appliance.store.db import Database


async def sitting(db: Database, session_id: int) -> item_analysis.Sitting:
    """A lesson's sitting; the students the teacher marked absent (issue 21's attendance) are left out."""
    return item_analysis.Sitting(
        await store.session_questions(db, session_id), await store.session_origins(db, session_id),
        tuple(await store.responses(db, session_id)), frozenset(await attendance.absent_students(db, session_id)))


async def session_item_analysis(db: Database, session_id: int) -> dict:
    return item_analysis.analyse(await sitting(db, session_id))


async def quiz_item_analysis(db: Database, quiz_id: int, teacher_id: int | None) -> dict:
    """Over every ended lesson of the quiz run by `teacher_id` (None: everyone's, for an admin)."""
    ids = await store.ended_sessions_of_quiz(db, quiz_id, teacher_id)
    result = item_analysis.analyse_many([await sitting(db, session_id) for session_id in ids])
    return {"sessions": len(ids), **result}
