"""Loading what reports need: a class's sessions with their questions and answers, one session's results."""
from __future__ import annotations

import dataclasses

from appliance.classroom import analytics, items, numbering, scoring
from appliance.classroom.formats import grades
from appliance.classroom.formats.xlsx import Sheets
from appliance.reports import item_analysis
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
    questions = await store.session_questions(db, session_id)
    origins = await store.session_origins(db, session_id)
    absent = frozenset(await attendance.absent_students(db, session_id))
    results = scoring.session_results(questions, roster, responses, origins, absent)
    # One question, one item: a question asked again is one item with its rounds inside (issue 23). Absent
    # students count in no item, as in no question.
    grouped = items.session_items(questions, numbering.labels(origins),
                                  [r for r in responses if r.student_id not in absent])
    for row in results["students"]:
        row["items"] = grouped["answers"].get(row["student_id"]) or [
            {"answer": None, "first": None, "source": None} for _ in grouped["items"]]
        row["answered"] = sum(1 for a in row["items"] if a["answer"] is not None)  # questions, not rounds
    return {**results, "items": grouped["items"]}


async def session_sheets(db: Database, session_id: int) -> Sheets:
    """A lesson's results as sheets for .xlsx and CSV, with its item analysis: what the download, the USB
    export and sync all carry."""
    return grades.results_sheets(await session_results(db, session_id),
                                 await item_analysis.session_item_analysis(db, session_id))
