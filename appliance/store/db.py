"""The SQLite database: one writer connection, one reader connection, numbered migrations.

WAL lets the reader see committed data while a write is under way; synchronous=FULL makes a commit survive
a power cut, which is the promise behind "registered" on the teacher's screen. Writes are serialised by a
lock and run in BEGIN IMMEDIATE so a write transaction never has to upgrade its lock half way.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

from appliance.store.gate import Gate

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# secure_delete: what is deleted is overwritten with zeros, so an erased student's name does not linger in free
# space of the file (docs/PRIVACY.md).
_PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL", "PRAGMA busy_timeout = 5000",
            "PRAGMA secure_delete = ON")


class StoreError(RuntimeError):
    """The database could not do what was asked (disk full, corrupt file, ...)."""


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, in order."""
    found = []
    for entry in resources.files("appliance.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migration numbers must run 1..N without gaps, found {versions}")
    return found


class Database:
    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 backup_dir: Path | None = None, migrations: list[tuple[int, str, str]] | None = None):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._gate = Gate()
        self._backup_dir = backup_dir or path.parent / "backups"
        self._migrations = migrations

    @classmethod
    async def open(cls, path: Path, backup_dir: Path | None = None,
                   migrations: list[tuple[int, str, str]] | None = None) -> Database:
        backup_dir = backup_dir or path.parent / "backups"
        writer, reader = await _connect(path, backup_dir, migrations)
        return cls(path, writer, reader, backup_dir, migrations)

    def held(self):
        """Hold the database for a unit of work (a request, a sync round): a restore waits until it ends,
        and everything inside sees one and the same file."""
        return self._gate.shared()

    @property
    def restore_waiting(self) -> bool:
        """A restore waits for the work under way: a long job (a sync backlog) should stop at its next step."""
        return self._gate.closing

    def exclusive(self, timeout: float):
        """Hold the database alone (a restore): waits until the work under way has ended; GateBusy after
        `timeout` seconds. Inside, the caller may replace_file() and let the services reload."""
        return self._gate.exclusive(timeout)

    async def replace_file(self, source: Path, fallback: Path) -> None:
        """Swap the database file for `source` (a checked copy in the same folder), then migrate it; only
        inside exclusive(). If the new file cannot be opened or migrated, `fallback` (a copy of the current
        state) goes back in its place and StoreError says why."""
        if not self._gate.closing:
            raise RuntimeError("replace_file() needs the database held exclusively")
        async with self._write_lock:
            await self._reader.close()
            await self._writer.close()
            loop = asyncio.get_running_loop()  # renames and fsyncs on an SD card: off the loop
            try:
                await loop.run_in_executor(None, _install, source, self.path)
                self._writer, self._reader = await _connect(self.path, self._backup_dir, self._migrations)
            except (OSError, sqlite3.Error, StoreError) as exc:
                log.error("restore of %s failed, putting back %s: %s", source, fallback, exc)
                await loop.run_in_executor(None, _install, fallback, self.path, True)
                self._writer, self._reader = await _connect(self.path, self._backup_dir, self._migrations)
                raise StoreError(f"the restored database could not be opened: {exc}") from exc

    async def close(self) -> None:
        await self._reader.close()
        async with self._write_lock:
            await self._writer.close()

    async def fetchall(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        async with self._gate.shared(), self._reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Iterable = ()) -> sqlite3.Row | None:
        async with self._gate.shared(), self._reader.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; committed (durably) when the block ends, rolled back on any error."""
        async with self._gate.shared(), self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException as exc:
                await self._rollback()
                if isinstance(exc, sqlite3.OperationalError):  # disk full, I/O error, locked...
                    raise StoreError(f"could not save to {self.path}: {exc}") from exc
                raise
            try:
                await self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                await self._rollback()
                raise StoreError(f"could not save to {self.path}: {exc}") from exc

    async def _rollback(self) -> None:
        # SQLite rolls some failures back by itself (SQLITE_FULL, SQLITE_IOERR); a second ROLLBACK would
        # then fail and hide the real error.
        try:
            await self._writer.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "no transaction is active" not in str(exc):
                raise

    async def checkpoint(self) -> None:
        """Fold the WAL back into the main file so it does not grow without bound."""
        async with self._gate.shared(), self._write_lock:
            await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def scrub(self) -> None:
        """Leave no trace of deleted rows in the files: fold the WAL in and empty it, rebuild the file without
        its free pages, and empty the WAL again (VACUUM itself went through it)."""
        async with self._gate.shared(), self._write_lock:
            for statement in ("PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"):
                async with self._writer.execute(statement) as cursor:
                    row = await cursor.fetchone()
                if row is not None and statement.startswith("PRAGMA") and row[0]:
                    raise StoreError(f"could not empty the write-ahead log of {self.path}: a reader is busy")

    async def vacuum_into(self, target: Path) -> None:
        """A consistent copy of the whole database, made while it stays in use."""
        async with self._gate.shared(), self._write_lock:
            await self._writer.execute("VACUUM INTO ?", (str(target),))

    async def integrity_check(self) -> str:
        row = await self.fetchone("PRAGMA integrity_check")
        return row[0]


async def _connect(path: Path, backup_dir: Path, migrations: list[tuple[int, str, str]] | None
                   ) -> tuple[aiosqlite.Connection, aiosqlite.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = await aiosqlite.connect(path, isolation_level=None)
    try:
        writer.row_factory = sqlite3.Row
        await writer.execute("PRAGMA journal_mode = WAL")
        for pragma in _PRAGMAS:
            await writer.execute(pragma)
        await _migrate(writer, path, backup_dir, migration_files() if migrations is None else migrations)
        reader = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except BaseException:
        await writer.close()
        raise
    reader.row_factory = sqlite3.Row
    for pragma in _PRAGMAS:
        await reader.execute(pragma)
    return writer, reader


def _install(source: Path, target: Path, keep_source: bool = False) -> None:
    """Put `source` in place of the (closed) database `target`, durably. The old file's WAL and shared-memory
    index go first: left beside the new file they would be replayed into it."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    if keep_source:
        partial = target.with_name(f".{target.name}.partial")
        with open(source, "rb") as src, open(partial, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        source = partial
    os.replace(source, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


async def _migrate(conn: aiosqlite.Connection, path: Path, backup_dir: Path,
                   migrations: list[tuple[int, str, str]]) -> None:
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at REAL NOT NULL)"
    )
    async with conn.execute("SELECT version FROM schema_migrations") as cursor:
        applied = {row[0] for row in await cursor.fetchall()}
    pending = [m for m in migrations if m[0] not in applied]
    if not pending:
        return
    if applied:
        # Never migrate a database holding real results without a copy to go back to.
        backup_dir.mkdir(parents=True, exist_ok=True)
        target = backup_dir / f"{path.stem}-before-{pending[0][1][:3]}-{int(time.time())}.db"
        await conn.execute("VACUUM INTO ?", (str(target),))
        log.info("backed up %s to %s before migrating", path, target)
    # Foreign keys are off while migrating so a table can be rebuilt (SQLite's documented way to change a
    # constraint) without its DROP cascading into the rows that reference it; the check below keeps us honest.
    await conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for version, name, sql in pending:
            log.info("applying migration %s", name)
            try:
                await conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n;INSERT INTO schema_migrations VALUES ({version}, '{name}', "
                    f"{time.time()});"
                )
                async with conn.execute("PRAGMA foreign_key_check") as cursor:
                    broken = await cursor.fetchall()
                if broken:
                    raise sqlite3.IntegrityError(f"foreign keys broken in {sorted({r[0] for r in broken})}")
                await conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise StoreError(f"migration {name} failed: {exc}") from exc
    finally:
        await conn.execute("PRAGMA foreign_keys = ON")
