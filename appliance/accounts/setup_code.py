"""Claiming a new appliance: a one-time setup code proves the person creating the first admin account has
the device itself (its console, journal or SD card), not just a browser on the same network."""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from pathlib import Path

from appliance.store.db import Database

log = logging.getLogger(__name__)
FILE_NAME = "setup-code.txt"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_KEY = "setup_code_sha256"


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


async def ensure_code(db: Database, data_dir: Path) -> str | None:
    """On an unclaimed appliance, make (once) and publish the setup code; returns it, or None if claimed."""
    if (await db.fetchone("SELECT count(*) FROM users"))[0]:
        (data_dir / FILE_NAME).unlink(missing_ok=True)
        return None
    path = data_dir / FILE_NAME
    row = await db.fetchone("SELECT value FROM appliance_state WHERE key = ?", (_KEY,))
    if row and path.exists() and _digest(path.read_text()) == row[0]:
        code = path.read_text().strip()
    else:
        code = new_code()
        async with db.transaction() as conn:
            await conn.execute("INSERT OR REPLACE INTO appliance_state (key, value) VALUES (?, ?)",
                               (_KEY, _digest(code)))
        temporary = path.with_suffix(".tmp")
        temporary.write_text(code + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    log.warning("This appliance is not set up yet. Open its web page and enter the setup code %s "
                "(also in %s).", code, path)
    return code


async def code_matches(db: Database, code: str) -> bool:
    row = await db.fetchone("SELECT value FROM appliance_state WHERE key = ?", (_KEY,))
    return bool(row) and hmac.compare_digest(row[0], _digest(code))


class AlreadyClaimed(RuntimeError):
    pass


async def claim(db: Database, data_dir: Path, username: str, password_hash: str) -> int:
    """Create the first admin and retire the code in one transaction; returns the new user's id."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT count(*) FROM users") as cursor:
            if (await cursor.fetchone())[0]:
                raise AlreadyClaimed("this appliance has already been set up")
        cursor = await conn.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, 'admin', ?)",
            (username, password_hash, time.time()),
        )
        user_id = cursor.lastrowid
        await conn.execute("DELETE FROM appliance_state WHERE key = ?", (_KEY,))
    (data_dir / FILE_NAME).unlink(missing_ok=True)
    return user_id
