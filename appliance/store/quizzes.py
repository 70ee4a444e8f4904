"""Quizzes and their questions: the teacher's library, with tags, search and cloning."""
from __future__ import annotations

import json
import time

from appliance.classroom.errors import QuizInUse
from appliance.classroom.models import Question, Quiz
from appliance.store.db import Database

_QUESTION_COLUMNS = "id, quiz_id, text, options, correct, kind, time_limit, image, skills, misconceptions"


def question_from_row(row) -> Question:
    keys = row.keys()
    return Question(row["text"], tuple(json.loads(row["options"])), row["correct"],
                    row["id"] if "id" in keys else None, row["kind"], row["time_limit"], row["image"],
                    row["opened_at"] is not None if "opened_at" in keys else True,
                    tuple(json.loads(row["skills"])), tuple(sorted(json.loads(row["misconceptions"]).items())))


def notes_columns(q: Question) -> tuple[str, str]:
    """A question's skills and misconception notes as stored (JSON text)."""
    return json.dumps(list(q.skills), ensure_ascii=False), json.dumps(dict(q.misconceptions), ensure_ascii=False)


def _quiz(row, questions) -> Quiz:
    return Quiz(row["id"], row["title"], tuple(questions), tuple(json.loads(row["tags"])))


async def _insert_questions(conn, quiz_id: int, questions: list[Question]) -> list[Question]:
    stored = []
    for position, q in enumerate(questions):
        cursor = await conn.execute(
            "INSERT INTO questions (quiz_id, position, text, options, correct, kind, time_limit, image, skills,"
            " misconceptions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (quiz_id, position, q.text, json.dumps(list(q.options)), q.correct, q.kind, q.time_limit, q.image,
             *notes_columns(q)),
        )
        stored.append(Question(q.text, q.options, q.correct, cursor.lastrowid, q.kind, q.time_limit, q.image,
                               skills=q.skills, misconceptions=q.misconceptions))
    return stored


async def create_quiz(db: Database, owner_id: int, title: str, questions: list[Question],
                      tags: tuple[str, ...] = ()) -> Quiz:
    now = time.time()
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO quizzes (owner_id, title, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (owner_id, title, json.dumps(list(tags)), now, now),
        )
        quiz_id = cursor.lastrowid
        stored = await _insert_questions(conn, quiz_id, questions)
    return Quiz(quiz_id, title, tuple(stored), tuple(tags))


async def replace_quiz(db: Database, quiz_id: int, title: str, questions: list[Question],
                       tags: tuple[str, ...]) -> Quiz:
    """Save an edited quiz whole (the editor's reorder, duplicate and delete all land here). Past sessions
    keep their own copy of the questions, so this never changes a result."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE quizzes SET title = ?, tags = ?, updated_at = ? WHERE id = ?",
                           (title, json.dumps(list(tags)), time.time(), quiz_id))
        await conn.execute("DELETE FROM questions WHERE quiz_id = ?", (quiz_id,))
        stored = await _insert_questions(conn, quiz_id, questions)
    return Quiz(quiz_id, title, tuple(stored), tuple(tags))


async def list_quizzes(db: Database, owner_id: int | None = None, *, search: str = "", tag: str = "",
                       archived: bool = False) -> list[dict]:
    """What the library lists show (id, title, tags, how many questions), without loading any question."""
    where, params = ["archived = ?"], [int(archived)]
    if owner_id is not None:
        where.append("owner_id = ?")
        params.append(owner_id)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(title LIKE ? ESCAPE '\\' OR id IN (SELECT quiz_id FROM questions WHERE text LIKE ? ESCAPE '\\')"
                     " OR EXISTS (SELECT 1 FROM json_each(quizzes.tags) WHERE value LIKE ? ESCAPE '\\'))")
        params += [pattern, pattern, pattern]
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(quizzes.tags) WHERE value = ?)")
        params.append(tag.lower())
    rows = await db.fetchall(
        "SELECT id, title, tags, (SELECT count(*) FROM questions WHERE quiz_id = quizzes.id) AS question_count"
        f" FROM quizzes WHERE {' AND '.join(where)} ORDER BY title, id", params)
    return [{"id": r["id"], "title": r["title"], "tags": json.loads(r["tags"]), "question_count": r["question_count"]}
            for r in rows]


async def get_quiz(db: Database, quiz_id: int, owner_id: int | None = None) -> Quiz | None:
    """The quiz with its questions; None if there is none, or it is not owner_id's (when given)."""
    row = await db.fetchone("SELECT id, title, tags FROM quizzes WHERE id = ? AND (? IS NULL OR owner_id = ?)",
                            (quiz_id, owner_id, owner_id))
    if row is None:
        return None
    questions = await db.fetchall(
        f"SELECT {_QUESTION_COLUMNS} FROM questions WHERE quiz_id = ? ORDER BY position", (quiz_id,)
    )
    return _quiz(row, [question_from_row(q) for q in questions])


async def set_archived(db: Database, quiz_id: int, archived: bool) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE quizzes SET archived = ? WHERE id = ?", (int(archived), quiz_id))


async def delete_quiz(db: Database, quiz_id: int) -> int:
    """Delete a quiz and its questions for good; returns how many past lessons ran it. Those keep their
    results: their questions are their own copy, and they keep the quiz's title. A lesson with it that has
    not ended refuses the deletion (checked in the same transaction, so a lesson cannot start in between)."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT title FROM quizzes WHERE id = ?", (quiz_id,)) as cursor:
            title = (await cursor.fetchone())[0]
        async with conn.execute("SELECT count(*), sum(state != 'ended') FROM sessions WHERE quiz_id = ?",
                                (quiz_id,)) as cursor:
            lessons, unfinished = await cursor.fetchone()
        if unfinished:
            raise QuizInUse(f"quiz '{title}' is in the lesson running now: end the lesson before deleting it")
        await conn.execute("UPDATE sessions SET quiz_title = ?, quiz_id = NULL WHERE quiz_id = ?", (title, quiz_id))
        await conn.execute("DELETE FROM questions WHERE quiz_id = ?", (quiz_id,))
        await conn.execute("DELETE FROM quizzes WHERE id = ?", (quiz_id,))
    return lessons


async def all_tags(db: Database, owner_id: int | None) -> list[str]:
    where, params = ("WHERE archived = 0", ()) if owner_id is None else ("WHERE archived = 0 AND owner_id = ?",
                                                                          (owner_id,))
    rows = await db.fetchall(f"SELECT DISTINCT value FROM quizzes, json_each(quizzes.tags) {where} ORDER BY value",
                             params)
    return [r[0] for r in rows]
