"""Who uploaded which question image and how big it is (the per-teacher quota), and which images are in use."""
from __future__ import annotations

import time

from appliance.store.db import Database


async def add(db: Database, name: str, owner_id: int, size: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO images (name, owner_id, bytes, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name, owner_id) DO UPDATE SET created_at = excluded.created_at",
            (name, owner_id, size, time.time()))


async def bytes_used(db: Database, owner_id: int) -> int:
    row = await db.fetchone("SELECT coalesce(sum(bytes), 0) FROM images WHERE owner_id = ?", (owner_id,))
    return row[0]


async def owns(db: Database, name: str, owner_id: int) -> bool:
    return await db.fetchone("SELECT 1 FROM images WHERE name = ? AND owner_id = ?", (name, owner_id)) is not None


async def in_use(db: Database) -> set[str]:
    """Every image a quiz question or a past session's question shows (results keep their pictures)."""
    rows = await db.fetchall("SELECT image FROM questions WHERE image IS NOT NULL"
                             " UNION SELECT image FROM session_questions WHERE image IS NOT NULL")
    return {r[0] for r in rows}


async def forget_unused(db: Database, older_than: float) -> None:
    """Drop the quota rows of images no question uses, uploaded before `older_than` (wall-clock seconds)."""
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM images WHERE created_at < ? AND name NOT IN (SELECT image FROM questions WHERE image IS NOT"
            " NULL UNION SELECT image FROM session_questions WHERE image IS NOT NULL)", (older_than,))
