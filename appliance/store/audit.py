"""A short log of what admins did: accounts created, reset, disabled or deleted, certificates installed,
other teachers' lessons taken over; what cannot be undone (a quiz deleted by its teacher); and every answer,
absence and spare card a teacher entered by hand. Only the newest
KEEP entries are kept; it is a record, not an archive."""
from __future__ import annotations

import time

import aiosqlite

from appliance.store.db import Database

KEEP = 1000


async def record(db: Database, actor_id: int | None, action: str, detail: str) -> None:
    """Append one entry. `action` is a short machine-readable verb ("user.disable", "session.takeover");
    `detail` is a sentence for people. `actor_id` None means the appliance itself."""
    async with db.transaction() as conn:
        await add(conn, actor_id, action, detail)


async def add(conn: aiosqlite.Connection, actor_id: int | None, action: str, detail: str) -> None:
    """record() inside the caller's write transaction: the entry commits with the change it describes."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, actor, action, detail)"
        " VALUES (?, ?, coalesce((SELECT username FROM users WHERE id = ?), 'appliance'), ?, ?)",
        (time.time(), actor_id, actor_id, action, detail),
    )
    await conn.execute("DELETE FROM audit_log WHERE id <= (SELECT max(id) FROM audit_log) - ?", (KEEP,))


async def recent(db: Database, limit: int = 100) -> list[dict]:
    """The newest entries first."""
    rows = await db.fetchall("SELECT id, at, actor_id, actor, action, detail FROM audit_log"
                             " ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]
