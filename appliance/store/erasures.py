"""The ledger of erasures, kept beside the database and not in it, so a restore cannot take it back.

A backup made before an erasure still holds the student; restoring it would bring them back. Each erasure is
therefore recorded here (when, the student's row id, class and card, and a keyed hash of their name, never
the name) and applied again after every restore to the same student: same id, class, card and name. The key
is the appliance's own (0600), so the hash cannot be checked against a list of names elsewhere.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from pathlib import Path

from appliance.store import secret_keys

LEDGER = "erasures.jsonl"
KEY = "erasure-key"


def name_digest(data_dir: Path, name: str) -> str:
    return hmac.new(secret_keys.load_or_make(data_dir / KEY), name.strip().casefold().encode(), hashlib.sha256).hexdigest()


def record(data_dir: Path, student_id: int, class_id: int, card: int, name: str) -> None:
    """Append one erasure (durably: the student is already gone from the database)."""
    entry = {"at": time.time(), "student_id": student_id, "class_id": class_id, "card": card,
             "name_hmac": name_digest(data_dir, name)}
    fd = os.open(data_dir / LEDGER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def entries(data_dir: Path) -> list[dict]:
    try:
        lines = (data_dir / LEDGER).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    found = []
    for line in lines:
        try:
            found.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a power cut
    return found


def matches(data_dir: Path, entry: dict, class_id: int, card: int, name: str) -> bool:
    return (entry.get("class_id") == class_id and entry.get("card") == card
            and hmac.compare_digest(entry.get("name_hmac", ""), name_digest(data_dir, name)))
