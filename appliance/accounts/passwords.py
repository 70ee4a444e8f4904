"""Password hashing with scrypt (memory-hard), from the cryptography package we already depend on.

The hash records its own parameters so they can be raised later without invalidating stored passwords.
Hashing takes ~0.1 s and 32 MiB by design: callers run it in a thread, never on the event loop.
"""
from __future__ import annotations

import base64
import functools
import hmac
import os
from importlib import resources

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

_N, _R, _P, _LENGTH = 2**15, 8, 1, 32
MIN_LENGTH = 8
MAX_LENGTH = 200


@functools.cache
def _common() -> frozenset[str]:
    text = resources.files("appliance.accounts").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.casefold() for line in text.splitlines() if line and not line.startswith("#"))


def _sequence(password: str) -> bool:
    """One character repeated ("        ", "aaaaaaaa") or a run up or down ("12345678", "hgfedcba")."""
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:])}
    return len(steps) == 1 and steps <= {-1, 0, 1}


# What each problem code means, for the API and `argus user add` alike (no message catalogue yet).
# Said by the API and `argus user add` when classroom/usernames.py refuses a name.
USERNAME_PROBLEM = ("the username may not be empty or longer than 40 characters, and may hold only letters, "
                    "digits, marks, ASCII punctuation and single spaces (no invisible characters or symbols)")
PROBLEMS = {
    "too_short": f"the password needs at least {MIN_LENGTH} characters",
    "too_long": f"the password may have at most {MAX_LENGTH} characters",
    "common": "this password is on the list of common or breached passwords that are guessed first; choose "
              "another (a few unrelated words make a good one)",
    "sequence": "a password of one repeated character or a run like 12345678 is guessed first; choose another",
    "username": "the password may not contain the username",
}


def problem(password: str, username: str = "") -> str | None:
    """Why `password` may not be used, as a code, or None. NIST SP 800-63B 5.1.1.2: at least 8 characters
    and any characters at all (spaces and emoji included), but not a common or breached password, a repeated or
    sequential run, or the username. No rules about character classes: they only make passwords harder to
    remember, not to guess."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    folded = password.casefold()
    if folded in _common():
        return "common"
    if _sequence(password):
        return "sequence"
    name = username.casefold()
    if name and name in folded and len(folded) - len(name) < 4:  # the username, or it with a few characters more
        return "username"
    return None


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
