"""Who was absent from a lesson, and which spare cards stood for which students in it (SQL only)."""
from __future__ import annotations

import time

import aiosqlite

from appliance.store import outbox
from appliance.store.db import Database


async def absent_students(db: Database, session_id: int) -> set[int]:
    """The ids of the students marked absent from a session (empty when everyone was there)."""
    rows = await db.fetchall("SELECT student_id FROM session_absences WHERE session_id = ?", (session_id,))
    return {r[0] for r in rows}


async def set_absent(conn: aiosqlite.Connection, session_id: int, absent: set[int]) -> tuple[set[int], set[int]]:
    """Replace the session's absent list (inside the caller's transaction); returns (newly absent, back
    present). An unchanged list writes nothing, not even a sync event."""
    async with conn.execute("SELECT student_id FROM session_absences WHERE session_id = ?", (session_id,)) as c:
        before = {r[0] for r in await c.fetchall()}
    added, removed = absent - before, before - absent
    if not added and not removed:
        return added, removed
    await conn.executemany("DELETE FROM session_absences WHERE session_id = ? AND student_id = ?",
                           [(session_id, s) for s in removed])
    await conn.executemany("INSERT INTO session_absences (session_id, student_id) VALUES (?, ?)",
                           [(session_id, s) for s in added])
    async with conn.execute("UPDATE sessions SET attendance_version = attendance_version + 1 WHERE id = ?"
                            " RETURNING attendance_version", (session_id,)) as cursor:
        version = (await cursor.fetchone())[0]
    await outbox.attendance(conn, session_id, version, sorted(absent), time.time())
    return added, removed


async def spares(db: Database, session_id: int) -> dict[int, int]:
    """Spare card number → the student it stands for in this session."""
    rows = await db.fetchall("SELECT card, student_id FROM session_spares WHERE session_id = ?", (session_id,))
    return {r["card"]: r["student_id"] for r in rows}


async def set_spare(conn: aiosqlite.Connection, session_id: int, student_id: int, card: int | None) -> int | None:
    """Give a student a spare card for this session (replacing one they had), or take it back (card None).
    Returns the card the student had before, if any."""
    async with conn.execute("DELETE FROM session_spares WHERE session_id = ? AND student_id = ? RETURNING card",
                            (session_id, student_id)) as cursor:
        row = await cursor.fetchone()
    if card is not None:
        await conn.execute("INSERT INTO session_spares (session_id, card, student_id) VALUES (?, ?, ?)",
                           (session_id, card, student_id))
    return row[0] if row else None
