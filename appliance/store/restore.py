"""What a restore checks before anything changes, and the one row it carries over.

A candidate file is refused, with a code and the reason in words, when it is not a SQLite database, when
SQLite finds it damaged, when it is not an Argus database (no schema_migrations table, or migrations we do
not know), or when a newer Argus made it (a migration this version lacks). Checks run on a private copy, in
a worker thread (integrity_check reads every page).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from appliance.store.accounts import _token_hash
from appliance.store.db import Database, migration_files


class RestoreRefused(ValueError):
    """The file cannot be restored; `code` is one of "not_sqlite", "corrupt", "foreign", "newer"."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_candidate(path: Path, migrations: list[tuple[int, str, str]] | None = None) -> int:
    """The candidate's schema version if it may be restored; RestoreRefused otherwise. Blocking."""
    known = {v: name for v, name, _ in (migration_files() if migrations is None else migrations)}
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise RestoreRefused("not_sqlite", "the file is not a SQLite database (an Argus backup is one)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise RestoreRefused("not_sqlite", f"the file cannot be opened as a database: {exc}") from None
    try:
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        except sqlite3.DatabaseError as exc:
            raise RestoreRefused("corrupt", f"the file is damaged ({exc})") from None
        if problems != ["ok"]:
            raise RestoreRefused("corrupt", "the file is damaged (SQLite's integrity check: "
                                 + "; ".join(problems) + ")")
        try:
            applied = conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()
        except sqlite3.OperationalError:
            raise RestoreRefused("foreign", "the file is a SQLite database but not an Argus one "
                                 "(it has no schema_migrations table)") from None
    finally:
        conn.close()
    if not applied:
        raise RestoreRefused("foreign", "the file is not an Argus database (no migrations were ever applied to it)")
    newest = max(known)
    for version, name in applied:
        if not isinstance(version, int):
            raise RestoreRefused("foreign", "the file is not an Argus database (its schema_migrations is not ours)")
        if version > newest:
            raise RestoreRefused("newer", f"the file was made by a newer version of Argus (database version "
                                 f"{max(v for v, _ in applied)}; this appliance knows up to {newest}): update "
                                 "the appliance first, then restore it")
        if known.get(version) != name:
            raise RestoreRefused("foreign", f"the file is not an Argus database (migration {version} is "
                                 f"{name!r}, not {known.get(version)!r})")
    return max(v for v, _ in applied)


def demo_traits(path: Path) -> tuple[bool, str | None, int]:
    """(marked as demo data, the password hash of a user called "demo" or None, how many users) of a checked
    candidate: a demo database must not become a real appliance's (its admin's password is public)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            marked = conn.execute("SELECT 1 FROM appliance_state WHERE key = 'demo_database'").fetchone() is not None
        except sqlite3.OperationalError:  # a database from before appliance_state existed
            marked = False
        row = conn.execute("SELECT password_hash FROM users WHERE username = 'demo' COLLATE NOCASE").fetchone()
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    finally:
        conn.close()
    return marked, row[0] if row else None, users


async def login_row(db: Database, token: str) -> dict | None:
    row = await db.fetchone("SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, u.username"
                            " FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                            (_token_hash(token),))
    return dict(row) if row else None


async def keep_login(db: Database, login: dict) -> bool:
    """Carry the restoring admin's login into the restored database when the same account (id and name,
    still an admin) is in it, so the page they restored from keeps working; True if it was."""
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT OR IGNORE INTO auth_sessions (token_hash, user_id, created_at, expires_at)"
            " SELECT ?, id, ?, ? FROM users WHERE id = ? AND username = ? AND role = 'admin' AND disabled = 0",
            (login["token_hash"], login["created_at"], login["expires_at"], login["user_id"], login["username"]))
        async with conn.execute("SELECT 1 FROM auth_sessions s JOIN users u ON u.id = s.user_id"
                                " WHERE s.token_hash = ? AND u.username = ?",
                                (login["token_hash"], login["username"])) as cursor:
            return await cursor.fetchone() is not None
