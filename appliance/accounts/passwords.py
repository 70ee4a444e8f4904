"""Password hashing with scrypt (memory-hard), from the cryptography package we already depend on.

The hash records its own parameters so they can be raised later without invalidating stored passwords.
Hashing takes ~0.1 s and 32 MiB by design: callers run it in a thread, never on the event loop.
"""
from __future__ import annotations

import base64
import hmac
import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

_N, _R, _P, _LENGTH = 2**15, 8, 1, 32
MIN_LENGTH = 8


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = Scrypt(salt=salt, length=_LENGTH, n=_N, r=_R, p=_P).derive(password.encode())
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        kdf = Scrypt(salt=base64.b64decode(salt), length=len(expected), n=int(n), r=int(r), p=int(p))
        kdf.verify(password.encode(), expected)
        return True
    except (ValueError, InvalidKey):
        return False


def dummy_verify(password: str) -> None:
    """Spend the same time as a real check, so an unknown username is not revealed by a fast answer."""
    hmac.compare_digest(hash_password(password), "")
