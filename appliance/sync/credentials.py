"""The credentials file: a TOML file readable by the service user only. Every problem names the file."""
from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path


class CredentialsError(RuntimeError):
    """The credentials file is missing, unreadable, readable by others or lacks a key."""


def load(path: Path, needed: tuple[str, ...]) -> dict[str, str]:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise CredentialsError(f"credentials file {path} is a folder, not a file")
        if info.st_mode & 0o077:
            raise CredentialsError(
                f"{path} can be read by other users (mode {stat.S_IMODE(info.st_mode):04o}); it holds secrets: "
                f"run chmod 600 {path}")
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise CredentialsError(f"credentials file {path} does not exist (sync.credentials_file)") from None
    except PermissionError:
        raise CredentialsError(f"credentials file {path} cannot be read by the appliance's user "
                               f"(uid {os.getuid()}): chown it to that user") from None
    except tomllib.TOMLDecodeError as exc:
        raise CredentialsError(f"credentials file {path} is not valid TOML: {exc}") from None
    missing = [k for k in needed if not isinstance(raw.get(k), str) or not raw[k]]
    if missing:
        raise CredentialsError(f"credentials file {path} needs {' and '.join(needed)}; missing: {', '.join(missing)}")
    return {k: raw[k] for k in needed}


def stamp(path: Path) -> tuple | None:
    """Changes when the file is edited, so a fixed file ends a stop without a restart."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_mode, info.st_ino)
