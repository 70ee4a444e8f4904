"""How `argus sync status|now` reach the running appliance as an admin without a password.

At start the appliance writes <data dir>/local-admin.json (mode 0600, owner: the service user) with its
loopback URL and a fresh random token; the API accepts that token as a bearer token from loopback only. The
file system decides who may use it: anyone who can read the data folder can read the database anyway, so
this adds no new power, and a new token at every start means an old copy is worthless. (A unix socket
would need a second listener and the same permission reasoning; a file reuses the one server.)"""
from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path

FILE_NAME = "local-admin.json"


def write(data_dir: Path, port: int) -> str:
    token = secrets.token_urlsafe(32)
    path = data_dir / FILE_NAME
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps({"url": f"http://127.0.0.1:{port}", "token": token}).encode())
    finally:
        os.close(fd)
    os.replace(temporary, path)
    return token


def remove(data_dir: Path) -> None:
    (data_dir / FILE_NAME).unlink(missing_ok=True)


def read(data_dir: Path) -> dict:
    """{"url", "token"}; raises OSError or ValueError with the file in the message."""
    path = data_dir / FILE_NAME
    try:
        found = json.loads(path.read_text())
    except FileNotFoundError:
        raise OSError(f"{path} does not exist: is the appliance running with this data folder?") from None
    except PermissionError:
        raise OSError(f"{path} is readable by the appliance's user only: run this as that user "
                      f"(sudo -u argus argus sync ...)") from None
    if not isinstance(found, dict) or not {"url", "token"} <= set(found):
        raise ValueError(f"{path} is not what the appliance writes")
    return found


def matches(expected: str, presented: str) -> bool:
    return hmac.compare_digest(expected.encode(), presented.encode())
