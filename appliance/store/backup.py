"""Database backups: made daily, by an admin, before a restore and before a migration; listed and rotated.
VACUUM INTO writes a consistent copy while the appliance keeps running; the copy is made under a temporary
name and renamed, so a power cut never leaves a half backup that looks whole.

What made a backup is in its name: argus-<kind>-<UTC time>.db, and argus-before-<NNN>-<epoch>.db for the copy
db.py makes before migration NNN. Each kind is rotated on its own, so a burst of manual backups never pushes
the daily ones out.
"""
from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

from appliance.store.db import Database

log = logging.getLogger(__name__)
KINDS = ("daily", "manual", "before-restore")
PREFIX = "argus-daily-"
_NAME = re.compile(r"^argus-[a-z0-9-]{1,60}\.db$")
_MIGRATION = re.compile(r"^argus-before-\d{3}-\d+\.db$")


def backups(directory: Path, kind: str = "daily") -> list[Path]:
    return sorted(directory.glob(f"argus-{kind}-*.db"))


def kind_of(name: str) -> str:
    """What made a backup: "daily", "manual", "before-restore" or "before-update" (a migration)."""
    if _MIGRATION.match(name):
        return "before-update"
    for kind in KINDS:
        if name.startswith(f"argus-{kind}-"):
            return kind
    return "other"


def newest_age_hours(directory: Path, now: float) -> float | None:
    found = backups(directory)
    return (now - found[-1].stat().st_mtime) / 3600 if found else None


def listing(directory: Path) -> list[dict]:
    """Every backup in the folder, newest first: name, kind, time made (epoch seconds) and size in bytes."""
    found = []
    for path in directory.glob("argus-*.db") if directory.is_dir() else ():
        if not _NAME.match(path.name):
            continue
        try:
            info = path.stat()
        except OSError:
            continue  # rotated away while listing
        found.append({"name": path.name, "kind": kind_of(path.name), "created_at": info.st_mtime,
                      "bytes": info.st_size})
    return sorted(found, key=lambda b: (b["created_at"], b["name"]), reverse=True)


def find(directory: Path, name: str) -> Path | None:
    """The backup called `name`, or None; a name with a path in it never leaves the folder."""
    if not _NAME.match(name):
        return None
    path = directory / name
    return path if path.is_file() else None


async def make_backup(db: Database, directory: Path, keep: int, kind: str = "daily") -> Path:
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = directory / f"argus-{kind}-{stamp}.db"
    n = 1
    while target.exists():  # two in the same second (a manual backup, then a restore)
        n += 1
        target = directory / f"argus-{kind}-{stamp}-{n}.db"
    partial = directory / f".{target.name}.partial"
    partial.unlink(missing_ok=True)
    try:
        await db.vacuum_into(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in backups(directory, kind)[:-keep]:
        old.unlink(missing_ok=True)
    log.info("database backed up to %s", target)
    return target
