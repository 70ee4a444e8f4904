"""The sync outbox (SQL only). Event writers take the open write connection of the transaction that makes the
change, so the event and the change commit together or not at all (a transactional outbox). Event ids are
built from what they describe, and INSERT OR IGNORE keeps a repeated write from making a second event while it
is still in the outbox; delivered events leave the outbox, so each writer is called once per fact (the first
opening of a question, each stored version of a response, one start and one end per session, names turned off).

Nothing is recorded until sync has a target: an appliance that never syncs keeps no second copy of every
answer. `start_recording` (when a target is configured) first writes the history already on disk as events, in
the same transaction that turns recording on, so turning sync on later still sends every lesson."""
from __future__ import annotations

import json
import sqlite3
import time

import aiosqlite

from appliance import timesync
from appliance.store.db import Database

_RECORDING_KEY = "sync_recording"
# The condition is checked inside the writing transaction, so no event slips between "off" and "on".
_INSERT = ("INSERT OR IGNORE INTO sync_events (local_id, type, time, time_synced, body) SELECT ?, ?, ?, ?, ?"
           f" WHERE EXISTS (SELECT 1 FROM appliance_state WHERE key = '{_RECORDING_KEY}')")


def _row(local_id: str, kind: str, at: float, body: dict) -> tuple:
    return (local_id, kind, at, int(timesync.synchronised(at)), json.dumps(body, ensure_ascii=False,
                                                                            separators=(",", ":")))


async def _add(conn: aiosqlite.Connection, local_id: str, kind: str, at: float, body: dict) -> None:
    await conn.execute(_INSERT, _row(local_id, kind, at, body))


async def _one(conn: aiosqlite.Connection, sql: str, params: tuple) -> sqlite3.Row | None:
    async with conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def session_started(conn: aiosqlite.Connection, session_id: int, at: float) -> None:
    """A session_started event and the class roster as of this session. A backfilled lesson whose quiz was
    deleted since carries the title the session kept."""
    row = await _one(conn, "SELECT s.class_id, c.name AS class_name, s.quiz_id, coalesce(q.title, s.quiz_title)"
                           " AS quiz_title,"
                           " u.username AS teacher, s.anonymous FROM sessions s JOIN classes c ON c.id = s.class_id"
                           " JOIN users u ON u.id = s.teacher_id LEFT JOIN quizzes q ON q.id = s.quiz_id"
                           " WHERE s.id = ?", (session_id,))
    async with conn.execute("SELECT count(*) FROM session_questions WHERE session_id = ?", (session_id,)) as c:
        count = (await c.fetchone())[0]
    await _add(conn, f"s{session_id}-started", "session_started", at, {
        "session_id": session_id, "class_id": row["class_id"], "class_name": row["class_name"],
        "quiz_id": row["quiz_id"], "quiz_title": row["quiz_title"], "teacher": row["teacher"],
        "anonymous": bool(row["anonymous"]), "question_count": count})
    # The class as it is now, and anyone who answered in this session (a backfilled lesson's leavers).
    async with conn.execute("SELECT id, name, card FROM students WHERE class_id = ? AND (archived = 0 OR id IN"
                            " (SELECT student_id FROM responses WHERE session_id = ?)) ORDER BY card",
                            (row["class_id"], session_id)) as cursor:
        students = [{"student_id": r["id"], "name": r["name"], "card": r["card"]} for r in await cursor.fetchall()]
    await _add(conn, f"s{session_id}-roster", "roster", at, {
        "session_id": session_id, "class_id": row["class_id"], "class_name": row["class_name"],
        "students": students})


async def question_asked(conn: aiosqlite.Connection, session_id: int, position: int, at: float) -> None:
    """The first opening of a session question (re-opening it later makes no new event)."""
    row = await _one(conn, "SELECT q.text, q.options, q.correct, q.kind, q.time_limit, q.origin, q.adhoc,"
                           " s.class_id FROM session_questions q JOIN sessions s ON s.id = q.session_id"
                           " WHERE q.session_id = ? AND q.position = ?", (session_id, position))
    await _add(conn, f"s{session_id}-q{position}-asked", "question_asked", at, {
        "session_id": session_id, "class_id": row["class_id"], "question": position, "text": row["text"],
        "options": json.loads(row["options"]), "correct": row["correct"], "kind": row["kind"],
        "time_limit": row["time_limit"], "repeats": row["origin"], "adhoc": bool(row["adhoc"])})


def _response_row(session_id: int, class_id: int, row: sqlite3.Row) -> tuple:
    return _row(f"s{session_id}-q{row['question']}-st{row['student_id']}-v{row['changes']}", "response",
                row["last_changed"], {
                    "session_id": session_id, "class_id": class_id, "question": row["question"],
                    "student_id": row["student_id"], "card": row["card"], "answer": row["answer"],
                    "first_answer": row["first_answer"], "first_time": row["first_seen"],
                    "last_time": row["last_changed"], "changes": row["changes"], "source": row["source"]})


async def response(conn: aiosqlite.Connection, session_id: int, row: sqlite3.Row) -> None:
    """A response registered (changes 0) or changed (changes n): one event per stored version."""
    class_row = await _one(conn, "SELECT class_id FROM sessions WHERE id = ?", (session_id,))
    await conn.execute(_INSERT, _response_row(session_id, class_row["class_id"], row))


async def response_cleared(conn: aiosqlite.Connection, session_id: int, row: sqlite3.Row, at: float) -> None:
    """A teacher removed a response (the student is the camera's again): the version after the last stored one."""
    class_row = await _one(conn, "SELECT class_id FROM sessions WHERE id = ?", (session_id,))
    version = row["changes"] + 1
    await _add(conn, f"s{session_id}-q{row['question']}-st{row['student_id']}-v{version}", "response_cleared", at, {
        "session_id": session_id, "class_id": class_row["class_id"], "question": row["question"],
        "student_id": row["student_id"], "card": row["card"], "changes": version, "source": "teacher"})


async def attendance(conn: aiosqlite.Connection, session_id: int, version: int, absent: list[int],
                     at: float) -> None:
    """The lesson's whole list of absent students, as the teacher set it (version n of it)."""
    class_row = await _one(conn, "SELECT class_id FROM sessions WHERE id = ?", (session_id,))
    await _add(conn, f"s{session_id}-attendance-v{version}", "attendance", at, {
        "session_id": session_id, "class_id": class_row["class_id"], "absent": absent})


async def session_anonymous(conn: aiosqlite.Connection, session_id: int, at: float) -> None:
    """Names were turned off mid-lesson (one way, so one event): session_started said `anonymous: false`."""
    class_row = await _one(conn, "SELECT class_id FROM sessions WHERE id = ?", (session_id,))
    await _add(conn, f"s{session_id}-anonymous", "session_anonymous", at,
               {"session_id": session_id, "class_id": class_row["class_id"]})


async def session_ended(conn: aiosqlite.Connection, session_id: int, at: float) -> None:
    row = await _one(conn, "SELECT s.class_id, (SELECT count(*) FROM session_questions q WHERE q.session_id = s.id"
                           " AND q.opened_at IS NOT NULL) AS asked, (SELECT count(*) FROM responses r"
                           " WHERE r.session_id = s.id) AS responses FROM sessions s WHERE s.id = ?", (session_id,))
    await _add(conn, f"s{session_id}-ended", "session_ended", at, {
        "session_id": session_id, "class_id": row["class_id"], "questions_asked": row["asked"],
        "responses": row["responses"]})


# --- turning recording on ----------------------------------------------------------------------------

async def _recording(conn: aiosqlite.Connection) -> bool:
    return await _one(conn, "SELECT 1 FROM appliance_state WHERE key = ?", (_RECORDING_KEY,)) is not None


async def start_recording(db: Database) -> int:
    """Record events from now on; the first time, write the lessons already on disk as events first (all in
    one transaction). Returns how many earlier events were written. Earlier versions of a changed answer are
    not on disk, so a backfilled response is its final version (its `changes` still says how many came before)."""
    async with db.transaction() as conn:
        if await _recording(conn):
            return 0
        await conn.execute("INSERT INTO appliance_state (key, value) VALUES (?, '1')", (_RECORDING_KEY,))
        if await _one(conn, "SELECT 1 FROM sync_batches LIMIT 1", ()):
            return 0  # synced before recording could be off: its history since then went, or is in the outbox
        before = (await _one(conn, "SELECT count(*) FROM sync_events", ()))[0]
        async with conn.execute("SELECT id, class_id, created_at, ended_at, state FROM sessions"
                                " ORDER BY id") as cursor:
            past = await cursor.fetchall()
        for s in past:
            await session_started(conn, s["id"], s["created_at"])
            async with conn.execute("SELECT position, opened_at FROM session_questions WHERE session_id = ?"
                                    " AND opened_at IS NOT NULL ORDER BY position", (s["id"],)) as cursor:
                for q in await cursor.fetchall():
                    await question_asked(conn, s["id"], q["position"], q["opened_at"])
            async with conn.execute("SELECT question, student_id, card, answer, first_answer, first_seen,"
                                    " last_changed, changes, source FROM responses WHERE session_id = ?"
                                    " ORDER BY last_changed", (s["id"],)) as cursor:
                rows = [_response_row(s["id"], s["class_id"], r) for r in await cursor.fetchall()]
            await conn.executemany(_INSERT, rows)
            async with conn.execute("SELECT student_id FROM session_absences WHERE session_id = ?"
                                    " ORDER BY student_id", (s["id"],)) as cursor:
                absent = [r[0] for r in await cursor.fetchall()]
            if absent:
                version = (await _one(conn, "SELECT attendance_version FROM sessions WHERE id = ?", (s["id"],)))[0]
                await attendance(conn, s["id"], version, absent, s["ended_at"] or s["created_at"])
            if s["state"] == "ended":
                await session_ended(conn, s["id"], s["ended_at"] or s["created_at"])
        return (await _one(conn, "SELECT count(*) FROM sync_events", ()))[0] - before


async def discard_unrecorded(db: Database) -> None:
    """With no target and recording never on, the outbox holds only what an older version wrote regardless;
    start_recording would write it again from the tables."""
    async with db.transaction() as conn:
        if not await _recording(conn):
            await conn.execute("DELETE FROM sync_events")


# --- what the uploader reads and writes -------------------------------------------------------------------

async def appliance_id(db: Database) -> str:
    row = await db.fetchone("SELECT value FROM appliance_state WHERE key = 'appliance_id'")
    return row[0]


async def get_flag(db: Database, key: str) -> str | None:
    row = await db.fetchone("SELECT value FROM appliance_state WHERE key = ?", (key,))
    return row[0] if row else None


async def set_flag(db: Database, key: str, value: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("INSERT OR REPLACE INTO appliance_state (key, value) VALUES (?, ?)", (key, value))


async def unbatched_events(db: Database, limit: int) -> list[sqlite3.Row]:
    return await db.fetchall("SELECT seq, local_id, type, time, time_synced, body FROM sync_events"
                             " WHERE batch_id IS NULL ORDER BY seq LIMIT ?", (limit,))


async def add_events_batch(db: Database, name: str, content_type: str, payload: bytes, signature: bytes,
                           first_seq: int, last_seq: int) -> int:
    """Fix a batch (name and bytes) and tie its events to it, in one transaction."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO sync_batches (name, kind, content_type, payload, signature, events, created_at)"
            " VALUES (?, 'events', ?, ?, ?, ?, ?)",
            (name, content_type, payload, signature, 0, time.time()))
        batch_id = cursor.lastrowid
        cursor = await conn.execute("UPDATE sync_events SET batch_id = ? WHERE seq BETWEEN ? AND ?"
                                    " AND batch_id IS NULL", (batch_id, first_seq, last_seq))
        await conn.execute("UPDATE sync_batches SET events = ? WHERE id = ?", (cursor.rowcount, batch_id))
    return batch_id


async def ended_sessions_without_results(db: Database, limit: int) -> list[sqlite3.Row]:
    return await db.fetchall("SELECT id, class_id, ended_at FROM sessions WHERE state = 'ended' AND id NOT IN"
                             " (SELECT session_id FROM sync_results_queued) ORDER BY id LIMIT ?", (limit,))


async def add_results_batches(db: Database, session_id: int,
                              files: list[tuple[str, str, bytes, bytes]]) -> None:
    """Queue one ended session's files [(name, content type, payload, signature)], all or none."""
    async with db.transaction() as conn:
        for name, content_type, payload, signature in files:
            await conn.execute(
                "INSERT OR IGNORE INTO sync_batches (name, kind, content_type, payload, signature, session_id,"
                " created_at) VALUES (?, 'results', ?, ?, ?, ?, ?)",
                (name, content_type, payload, signature, session_id, time.time()))
        await conn.execute("INSERT OR IGNORE INTO sync_results_queued (session_id) VALUES (?)", (session_id,))


async def next_pending_batch(db: Database, after_id: int = 0) -> sqlite3.Row | None:
    return await db.fetchone("SELECT id, name, kind, content_type, payload, signature, events, attempts"
                             " FROM sync_batches WHERE delivered_at IS NULL AND id > ? ORDER BY id LIMIT 1",
                             (after_id,))


async def batch_failed(db: Database, batch_id: int, error: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE sync_batches SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                           (error, batch_id))


async def batch_delivered(db: Database, batch_id: int, at: float) -> None:
    """Mark delivered and free the space: the bytes and the events they carried are in the target now."""
    async with db.transaction() as conn:
        await conn.execute("UPDATE sync_batches SET delivered_at = ?, payload = NULL, attempts = attempts + 1,"
                           " last_error = NULL WHERE id = ?", (at, batch_id))
        await conn.execute("DELETE FROM sync_events WHERE batch_id = ?", (batch_id,))


async def counts(db: Database) -> dict:
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM sync_events) AS pending_events,"
        " (SELECT min(time) FROM sync_events) AS pending_since,"
        " (SELECT count(*) FROM sync_batches WHERE delivered_at IS NULL AND kind = 'results') AS pending_files,"
        " (SELECT min(created_at) FROM sync_batches WHERE delivered_at IS NULL) AS oldest_batch,"
        " (SELECT coalesce(sum(events), 0) FROM sync_batches WHERE delivered_at IS NOT NULL) AS delivered_events,"
        " (SELECT count(*) FROM sync_batches WHERE delivered_at IS NOT NULL AND kind = 'results')"
        " AS delivered_files,"
        " (SELECT max(delivered_at) FROM sync_batches) AS last_delivery")
    return dict(row)
