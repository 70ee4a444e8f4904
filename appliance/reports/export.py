"""Everything a school takes away: per-session results, class gradebooks and a full JSON dump, written to
a folder (a USB stick, or `argus export --to DIR`) so that a power cut or a pulled stick never leaves a file
that looks whole but is not: each file is written to a temporary name, fsynced, renamed, then read back
and compared before we say it is safe to remove the stick."""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from appliance.reports import export_files
from appliance.store.db import Database


class ExportError(RuntimeError):
    pass


# Secrets never leave the box: no password hashes, login tokens or setup codes in the dump.
_DUMP_TABLES = {
    "users": "SELECT id, username, role, created_at FROM users",
    "classes": "SELECT * FROM classes",
    "students": "SELECT * FROM students",
    "quizzes": "SELECT * FROM quizzes",
    "questions": "SELECT * FROM questions",
    "sessions": "SELECT * FROM sessions",
    "session_questions": "SELECT * FROM session_questions",
    "responses": "SELECT * FROM responses",  # each with its source: camera, teacher or photo
    "session_absences": "SELECT * FROM session_absences",
    "session_spares": "SELECT * FROM session_spares",
}


async def full_dump(db: Database) -> dict:
    dump = {"format": "argus-dump", "version": 1, "exported_at": time.time()}
    for table, sql in _DUMP_TABLES.items():
        dump[table] = [dict(row) for row in await db.fetchall(sql)]
    return dump


async def build_files(db: Database) -> dict[str, bytes]:
    """File name → contents for a complete export: every class's files (reports/export_files.py, the one
    list of them) and the full dump."""
    files = await export_files.school_files(db)
    files["argus-dump.json"] = json.dumps(await full_dump(db), indent=1, ensure_ascii=False).encode()
    return files


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with open(temporary, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # a full stick keeps no half file behind
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself must reach the disk too
    finally:
        os.close(directory)


def write_export(target: Path, files: dict[str, bytes]) -> Path:
    """Write every file under a new dated folder in `target`, verify each by reading it back; CPU/IO-bound."""
    if not target.is_dir():
        raise ExportError(f"{target} is not a folder")
    if not os.access(target, os.W_OK):
        raise ExportError(f"{target} is not writable (is the stick write-protected?)")
    folder = target / time.strftime("argus-export-%Y%m%d-%H%M%S")
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = target / time.strftime(f"argus-export-%Y%m%d-%H%M%S-{suffix}")
    try:
        for name, data in files.items():
            write_atomically(folder / name, data)
        for name, data in files.items():
            if hashlib.sha256((folder / name).read_bytes()).digest() != hashlib.sha256(data).digest():
                raise ExportError(f"{folder / name} did not read back the same: the stick may be failing")
        os.sync()
    except OSError as exc:
        raise ExportError(f"could not write to {target}: {exc.strerror or exc}") from None
    return folder


def ntfs_supported(ntfs_3g: Path = Path("/usr/bin/ntfs-3g")) -> bool:
    """Whether NTFS sticks are mounted here: the udev rule (90-argus-usb.rules) needs Debian's ntfs-3g."""
    return ntfs_3g.exists()


def usb_mounts(root: Path, mounts_file: Path = Path("/proc/self/mounts")) -> list[Path]:
    """Mounted, writable file systems under `root` (a stick appears as /media/<label> or /media/<user>/<label>)."""
    found = []
    try:
        lines = mounts_file.read_text().splitlines()
    except OSError:
        return []
    root_text = str(root.resolve()).rstrip("/") + "/"
    for line in lines:
        parts = line.split()
        if len(parts) < 2:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if mount_point.startswith(root_text) and os.access(mount_point, os.W_OK):
            found.append(Path(mount_point))
    return sorted(found)
