"""Known devices: a browser that logged in as a user gets a cookie naming it, so the username's guess budget
(login_limit.LoginGuard) never refuses it (OWASP's "device cookies"). The cookie is not a login and opens
nothing: a random nonce and an HMAC, under a key kept in the data folder (0600), of the nonce, the username
and the account's stored password hash, so a password change revokes every device cookie of the account.
LoginGuard revokes one that keeps failing."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from appliance.store import secret_keys

COOKIE = "argus_device"
KEY_FILE = "device-cookie.key"


def load_key(data_dir: Path) -> bytes:
    """The appliance's device-cookie key, made on first use."""
    return secret_keys.load_or_make(data_dir / KEY_FILE)


def _mac(key: bytes, nonce: str, username: str, password_hash: str) -> str:
    digest = hmac.new(key, f"{nonce}\n{username}\n{password_hash}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token(key: bytes, username: str, password_hash: str) -> str:
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_mac(key, nonce, username, password_hash)}"


def known_device(key: bytes, cookie: str | None, username: str, password_hash: str | None) -> str | None:
    """The device's id (its nonce) when `cookie` was given to a browser that logged in as `username` while
    the account's password hash was `password_hash` (None: no such account, no known device)."""
    if not cookie or password_hash is None or cookie.count(".") != 1 or len(cookie) > 200:
        return None
    nonce, mac = cookie.split(".")
    return nonce if hmac.compare_digest(mac, _mac(key, nonce, username, password_hash)) else None
