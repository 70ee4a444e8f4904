"""Loading what reports need: a class's sessions with their questions and answers, one session's results."""
from __future__ import annotations

import dataclasses

from appliance.classroom import analytics, scoring
from appliance.store import attendance, rosters
from appliance.store import sessions as store
from appliance.store.db import Database


async def class_sessions(db: Database, class_id: int) -> list[analytics.SessionData]:
    found = []
    for row in reversed(await store.list_sessions(db, class_id=class_id)):
        found.append(analytics.SessionData(
            row["id"], row["quiz_title"], row["created_at"], await store.session_questions(db, row["id"]),
            tuple(await store.responses(db, row["id"])), await store.session_origins(db, row["id"]),
            frozenset(await attendance.absent_students(db, row["id"]))))
    return found


async def session_results(db: Database, session_id: int) -> dict:
    record = await store.get_session(db, session_id)
    responses = await store.responses(db, session_id)
    roster = await rosters.get_class(db, record.class_id)
    keep = {s.id for s in roster.students} | {r.student_id for r in responses}
    everyone = await rosters.all_students(db, record.class_id)
    roster = dataclasses.replace(roster, students=tuple(s for s in everyone if s.id in keep))
    return scoring.session_results(await store.session_questions(db, session_id), roster, responses,
                                   await store.session_origins(db, session_id),
                                   frozenset(await attendance.absent_students(db, session_id)))
