"""Daily database backups, rotated. VACUUM INTO writes a consistent copy while the appliance keeps running;
the copy is made under a temporary name and renamed, so a power cut never leaves a half backup that
looks whole."""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from appliance.store.db import Database

log = logging.getLogger(__name__)
PREFIX = "argus-daily-"


def backups(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{PREFIX}*.db"))


def newest_age_hours(directory: Path, now: float) -> float | None:
    found = backups(directory)
    return (now - found[-1].stat().st_mtime) / 3600 if found else None


async def make_backup(db: Database, directory: Path, keep: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / time.strftime(f"{PREFIX}%Y%m%d-%H%M%S.db")
    partial = directory / f".{target.name}.partial"
    partial.unlink(missing_ok=True)
    try:
        await db.vacuum_into(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in backups(directory)[:-keep]:
        old.unlink(missing_ok=True)
    log.info("database backed up to %s", target)
    return target
