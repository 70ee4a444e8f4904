"""Secret keys the appliance keeps as files in its data folder (0600), each made on first use."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_make(path: Path) -> bytes:
    """The 32-byte key at `path`, made (durably, readable by the appliance alone) if there is none yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another caller: theirs wins
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
    return key
