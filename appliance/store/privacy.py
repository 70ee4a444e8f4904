"""A student's data on request, and names kept no longer than the school decides (docs/PRIVACY.md).

- everything held about one student, for an access request (GDPR art. 15): their row, their class and every
  answer with the question it answered;
- erasure (art. 17): every row about them (any table whose foreign key points at students, or with a
  student_id column, found from the schema so a table added later is covered too), the outbox not yet sent
  (events about them dropped, the roster events rewritten without them, sealed batches that carry them
  unsealed to be made again), then the file's free pages: secure_delete zeroes what is deleted, VACUUM
  rebuilds the file and a TRUNCATE checkpoint empties the WAL, so the name is in neither file afterwards;
- retention: students whose last lesson ended more than privacy.keep_names_days ago become "Student <card>";
  their answers stay, as numbers.
"""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import aiosqlite

from appliance.store import erasures
from appliance.store.db import Database

_STUDENT_COLUMNS = ("id", "class_id", "name", "card", "archived", "team", "sourced_id", "id_number", "email",
                    "username")


async def _student(db: Database, student_id: int) -> dict | None:
    row = await db.fetchone("SELECT * FROM students WHERE id = ?", (student_id,))
    return dict(row) if row else None


async def student_owner(db: Database, student_id: int) -> int | None:
    """The teacher whose class the student is in (archived students too), or None when there is no such
    student."""
    row = await db.fetchone("SELECT c.owner_id FROM students s JOIN classes c ON c.id = s.class_id WHERE s.id = ?",
                            (student_id,))
    return row[0] if row else None


async def every_student(db: Database, owner_id: int | None) -> list[dict]:
    """Every student held, also those who left their class and those of archived classes (a privacy request
    comes as often from a student who has gone); only owner_id's classes when given."""
    rows = await db.fetchall(
        "SELECT s.id, s.name, s.card, s.archived AS left_class, c.id AS class_id, c.name AS class_name,"
        " c.archived AS class_archived FROM students s JOIN classes c ON c.id = s.class_id"
        " WHERE ? IS NULL OR c.owner_id = ? ORDER BY c.archived, c.name, c.id, s.archived, s.card",
        (owner_id, owner_id))
    return [{**dict(r), "left_class": bool(r["left_class"]), "class_archived": bool(r["class_archived"])}
            for r in rows]


async def in_a_lesson(db: Database, student_id: int) -> bool:
    """Whether the student's class has a lesson that has not ended (the engine holds its roster in memory)."""
    row = await db.fetchone("SELECT 1 FROM sessions WHERE state != 'ended' AND class_id ="
                            " (SELECT class_id FROM students WHERE id = ?)", (student_id,))
    return row is not None


async def export_student(db: Database, student_id: int) -> dict | None:
    """Everything Argus holds about one student, or None."""
    student = await _student(db, student_id)
    if student is None:
        return None
    klass = await db.fetchone("SELECT c.id, c.name, c.created_at, u.username AS teacher FROM classes c"
                              " JOIN users u ON u.id = c.owner_id WHERE c.id = ?", (student["class_id"],))
    answers = await db.fetchall(
        "SELECT r.session_id, s.created_at AS lesson_at, coalesce(q2.title, s.quiz_title) AS quiz, r.question,"
        " q.text AS question_text, q.options, q.correct, r.card, r.answer, r.first_answer, r.first_seen,"
        " r.last_changed, r.changes FROM responses r JOIN sessions s ON s.id = r.session_id"
        " LEFT JOIN quizzes q2 ON q2.id = s.quiz_id"
        " LEFT JOIN session_questions q ON q.session_id = r.session_id AND q.position = r.question"
        " WHERE r.student_id = ? ORDER BY s.created_at, r.question", (student_id,))
    lessons = await db.fetchall("SELECT id, created_at, ended_at, state FROM sessions WHERE class_id = ?"
                                " ORDER BY created_at", (student["class_id"],))
    # Every row of every table about them, as stored: complete even for tables added after this was written.
    rows_by_table = {}
    for table, column in [(r[0], r[1]) for r in await db.fetchall(_REFERENCES)]:
        rows = await db.fetchall(f'SELECT * FROM "{table}" WHERE "{column}" = ?', (student_id,))
        if rows:
            rows_by_table.setdefault(table, []).extend(dict(r) for r in rows)
    return {
        "format": "argus-student-export", "exported_at": time.time(),
        "student": {k: student.get(k) for k in _STUDENT_COLUMNS if k in student},
        "class": dict(klass) if klass else None,
        "lessons_of_the_class": [dict(r) for r in lessons],
        "answers": [{**dict(r), "options": json.loads(r["options"]) if r["options"] else None,
                     "question": r["question"] + 1} for r in answers],
        "rows_by_table": rows_by_table,
        "camera_pictures": "none: the appliance never stores camera pictures",
    }


# (table, column) of every foreign key that points at students.id, and of every column called student_id (some
# tables name a student without a foreign key, so a student who never answered stays removable).
_REFERENCES = ("SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
               " WHERE m.type = 'table' AND f.\"table\" = 'students'"
               " UNION SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c"
               " WHERE m.type = 'table' AND m.name != 'students' AND c.name = 'student_id' ORDER BY 1")


async def _referencing_columns(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
    async with conn.execute(_REFERENCES) as cursor:
        return [(r[0], r[1]) for r in await cursor.fetchall()]


async def _unsend(conn: aiosqlite.Connection, student_id: int, class_id: int) -> int:
    """Take the student out of everything the outbox has not delivered; returns the batches unsealed."""
    about = ("(json_extract(body, '$.student_id') = :id OR (type = 'roster' AND EXISTS (SELECT 1 FROM"
             " json_each(body, '$.students') WHERE json_extract(value, '$.student_id') = :id)))")
    args = {"id": student_id, "class": class_id}
    async with conn.execute(f"SELECT DISTINCT batch_id FROM sync_events WHERE batch_id IS NOT NULL AND {about}",
                            args) as cursor:
        batches = [r[0] for r in await cursor.fetchall()]
    # Results files (CSV with names) of the class's lessons not delivered yet are made again without them.
    async with conn.execute("SELECT id, session_id FROM sync_batches WHERE kind = 'results' AND delivered_at IS NULL"
                            " AND session_id IN (SELECT id FROM sessions WHERE class_id = :class)", args) as cursor:
        results = await cursor.fetchall()
    for batch in batches:
        await conn.execute("UPDATE sync_events SET batch_id = NULL WHERE batch_id = ?", (batch,))
    await conn.executemany("DELETE FROM sync_batches WHERE id = ? AND delivered_at IS NULL",
                           [(b,) for b in batches] + [(r[0],) for r in results])
    await conn.executemany("DELETE FROM sync_results_queued WHERE session_id = ?", [(r[1],) for r in results])
    await conn.execute("DELETE FROM sync_events WHERE type != 'roster' AND json_extract(body, '$.student_id') = :id",
                       args)
    await conn.execute(
        "UPDATE sync_events SET body = json_set(body, '$.students', (SELECT json_group_array(json(value)) FROM"
        " json_each(sync_events.body, '$.students') WHERE json_extract(value, '$.student_id') != :id))"
        f" WHERE type = 'roster' AND {about}", args)
    return len(batches) + len(results)


async def erase_student(db: Database, student_id: int, data_dir: Path, scrub: bool = True) -> dict | None:
    """Remove the student from every table and the unsent outbox, then from the file's free pages and the WAL;
    the erasure goes into the ledger (store/erasures.py) so a restore cannot bring them back.
    Returns what was removed (counts, never the name), or None when there is no such student."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT class_id, card, name FROM students WHERE id = ?", (student_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        removed: dict[str, int] = {}
        for table, column in await _referencing_columns(conn):
            cursor = await conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (student_id,))
            removed[table] = cursor.rowcount
        removed["unsent_batches_remade"] = await _unsend(conn, student_id, row[0])
        await conn.execute("DELETE FROM students WHERE id = ?", (student_id,))
    await asyncio.get_running_loop().run_in_executor(None, erasures.record, data_dir, student_id, row["class_id"],
                                                     row["card"], row["name"])
    if scrub:
        await db.scrub()
    return {"class_id": row["class_id"], "removed": removed}


async def reapply_erasures(db: Database, data_dir: Path) -> int:
    """After a restore: erase again every student the ledger says was erased and the restored file still holds
    (same id, class, card and name). Returns how many."""
    again = 0
    for entry in erasures.entries(data_dir):
        row = await db.fetchone("SELECT class_id, card, name FROM students WHERE id = ?", (entry.get("student_id"),))
        if row is not None and erasures.matches(data_dir, entry, row["class_id"], row["card"], row["name"]):
            await erase_student(db, entry["student_id"], data_dir, scrub=False)
            again += 1
    if again:
        await db.scrub()
    return again


_ANONYMOUS = "'Student ' || card"


async def anonymise_expired(db: Database, keep_days: int, now: float | None = None) -> int:
    """Replace the names of students whose last lesson ended more than keep_days ago (current students: their
    class's last lesson, and none is running; students who left: the last lesson they answered in).
    Returns how many were anonymised; their answers stay."""
    cutoff = (now or time.time()) - keep_days * 86400
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"UPDATE students SET name = {_ANONYMOUS}, email = NULL, username = NULL, id_number = NULL,"
            " sourced_id = NULL"
            f" WHERE (name != {_ANONYMOUS} OR email IS NOT NULL OR username IS NOT NULL OR id_number IS NOT NULL"
            "        OR sourced_id IS NOT NULL)"
            "   AND NOT EXISTS (SELECT 1 FROM sessions WHERE class_id = students.class_id AND state != 'ended')"
            "   AND coalesce(CASE WHEN archived = 0"
            "       THEN (SELECT max(coalesce(ended_at, created_at)) FROM sessions WHERE class_id = students.class_id)"
            "       ELSE (SELECT max(coalesce(s.ended_at, s.created_at)) FROM sessions s JOIN responses r"
            "             ON r.session_id = s.id WHERE r.student_id = students.id) END, :never) < :cutoff",
            {"cutoff": cutoff, "never": cutoff + 1})
        changed = cursor.rowcount
    if changed:
        await db.scrub()
    return changed
