"""Quizzes and their questions."""
from __future__ import annotations

import json
import time

from appliance.classroom.models import Question, Quiz
from appliance.store.db import Database


def _question(row) -> Question:
    return Question(row["text"], tuple(json.loads(row["options"])), row["correct"], row["id"])


async def create_quiz(db: Database, owner_id: int, title: str, questions: list[Question]) -> Quiz:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO quizzes (owner_id, title, created_at) VALUES (?, ?, ?)", (owner_id, title, time.time())
        )
        quiz_id = cursor.lastrowid
        stored = []
        for position, q in enumerate(questions):
            cursor = await conn.execute(
                "INSERT INTO questions (quiz_id, position, text, options, correct) VALUES (?, ?, ?, ?, ?)",
                (quiz_id, position, q.text, json.dumps(list(q.options)), q.correct),
            )
            stored.append(Question(q.text, q.options, q.correct, cursor.lastrowid))
    return Quiz(quiz_id, title, tuple(stored))


async def list_quizzes(db: Database, owner_id: int | None = None) -> list[Quiz]:
    where, params = ("", ()) if owner_id is None else ("WHERE owner_id = ?", (owner_id,))
    quizzes = await db.fetchall(f"SELECT id, title FROM quizzes {where} ORDER BY title, id", params)
    rows = await db.fetchall("SELECT id, quiz_id, text, options, correct FROM questions ORDER BY quiz_id, position")
    by_quiz: dict[int, list[Question]] = {}
    for row in rows:
        by_quiz.setdefault(row["quiz_id"], []).append(_question(row))
    return [Quiz(q["id"], q["title"], tuple(by_quiz.get(q["id"], ()))) for q in quizzes]


async def get_quiz(db: Database, quiz_id: int) -> Quiz | None:
    row = await db.fetchone("SELECT id, title FROM quizzes WHERE id = ?", (quiz_id,))
    if row is None:
        return None
    questions = await db.fetchall(
        "SELECT id, text, options, correct FROM questions WHERE quiz_id = ? ORDER BY position", (quiz_id,)
    )
    return Quiz(row["id"], row["title"], tuple(_question(q) for q in questions))
