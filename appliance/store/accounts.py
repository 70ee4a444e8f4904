"""Teacher and admin accounts, and login sessions (only a hash of each cookie token is stored)."""
from __future__ import annotations

import hashlib
import secrets
import time

from appliance.classroom import usernames
from appliance.classroom.models import User
from appliance.store.db import Database


class UsernameTaken(Exception):
    """Another account's name is the same name once normalised (classroom/usernames.py)."""

    def __init__(self, existing: str):
        super().__init__(existing)
        self.existing = existing


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(db: Database, username: str, password_hash: str, role: str) -> User:
    """`username` as usernames.display gives it; UsernameTaken when an account has the same name. Checked in
    the write transaction, so two requests cannot both take a name. Names stored before issue 22 are compared
    the same way (no migration: the rule is applied to them as they are read)."""
    wanted = usernames.key(username)
    async with db.transaction() as conn:
        async with conn.execute("SELECT username FROM users") as cursor:
            for (existing,) in await cursor.fetchall():
                if usernames.key(existing) == wanted:
                    raise UsernameTaken(existing)
        cursor = await conn.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            (username, password_hash, role, time.time()),
        )
        return User(cursor.lastrowid, username, role)


async def set_password(db: Database, user_id: int, password_hash: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
        # A new password ends every existing login.
        await conn.execute("DELETE FROM auth_sessions WHERE user_id = ?", (user_id,))


async def find_user(db: Database, username: str) -> tuple[User, str] | None:
    """The user whose name is `username` once normalised, and their password hash, or None. Two accounts made
    before issue 22 may share a normalised name: then only the exact name finds either."""
    wanted = usernames.key(username)
    rows = [row for row in await db.fetchall("SELECT id, username, role, password_hash FROM users")
            if usernames.key(row["username"]) == wanted]
    if len(rows) > 1:
        rows = [row for row in rows if row["username"] == username]
    if len(rows) != 1:
        return None
    row = rows[0]
    return User(row["id"], row["username"], row["role"]), row["password_hash"]


async def count_users(db: Database) -> int:
    row = await db.fetchone("SELECT count(*) FROM users")
    return row[0]


async def start_login(db: Database, user_id: int, lifetime_seconds: float, keep: int = 10) -> str:
    """A new login's cookie token; the user's oldest logins beyond the newest `keep` end with it."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM auth_sessions WHERE expires_at < ?", (now,))
        await conn.execute(
            "INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (_token_hash(token), user_id, now, now + lifetime_seconds),
        )
        await conn.execute(
            "DELETE FROM auth_sessions WHERE user_id = ? AND rowid NOT IN (SELECT rowid FROM auth_sessions"
            " WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?)", (user_id, user_id, keep))
    return token


async def user_for_token(db: Database, token: str) -> User | None:
    row = await db.fetchone(
        "SELECT u.id, u.username, u.role FROM auth_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        (_token_hash(token), time.time()),
    )
    return User(row["id"], row["username"], row["role"]) if row else None


async def end_login(db: Database, token: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM auth_sessions WHERE token_hash = ?", (_token_hash(token),))


async def list_users(db: Database) -> list[dict]:
    rows = await db.fetchall("SELECT id, username, role, created_at, disabled FROM users ORDER BY username")
    return [{**dict(r), "disabled": bool(r["disabled"])} for r in rows]


async def get_user(db: Database, user_id: int) -> tuple[User, str] | None:
    row = await db.fetchone("SELECT id, username, role, password_hash FROM users WHERE id = ?", (user_id,))
    return (User(row["id"], row["username"], row["role"]), row["password_hash"]) if row else None


async def csv_choice(db: Database, user_id: int) -> tuple[str | None, str | None]:
    """The CSV separator and decimal mark the user last chose (None, None before any choice)."""
    row = await db.fetchone("SELECT csv_separator, csv_decimal FROM users WHERE id = ?", (user_id,))
    return (row[0], row[1]) if row else (None, None)


async def remember_csv_choice(db: Database, user_id: int, separator: str, decimal: str) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET csv_separator = ?, csv_decimal = ? WHERE id = ?",
                           (separator, decimal, user_id))


async def is_disabled(db: Database, user_id: int) -> bool:
    row = await db.fetchone("SELECT disabled FROM users WHERE id = ?", (user_id,))
    return bool(row and row["disabled"])


async def set_disabled(db: Database, user_id: int, disabled: bool) -> None:
    async with db.transaction() as conn:
        await conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))
        if disabled:  # a disabled account's logins end now, not when their cookies expire
            await conn.execute("DELETE FROM auth_sessions WHERE user_id = ?", (user_id,))


async def delete_user(db: Database, user_id: int, heir_id: int) -> dict[str, int]:
    """Delete an account and hand its classes, quizzes and lessons (with every result) to `heir_id`, in one
    transaction. Returns how many of each were handed on."""
    moved = {}
    async with db.transaction() as conn:
        for table, column in (("classes", "owner_id"), ("quizzes", "owner_id"), ("sessions", "teacher_id")):
            cursor = await conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (heir_id, user_id))
            moved[table] = cursor.rowcount
        await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))  # logins go with it (ON DELETE CASCADE)
    return moved
