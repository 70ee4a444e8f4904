"""Usernames compared as PRECIS UsernameCaseMapped (RFC 8265): what a person reads as the same name is the
same account. Pure.

`ａｌｉｃｅ` (full-width), `Alice` and `alice` are one name; `admin` with a zero-width space is refused, as is
any control, format (invisible), private-use or unassigned character. RFC 8265 lets an application allow
spaces between the parts of a name ("Mrs Smith"): one ASCII space between parts is kept, runs are one.
"""
from __future__ import annotations

import unicodedata

MAX_LENGTH = 40
# Categories a username may not contain: controls, format characters (zero-width space, joiners, direction
# marks, soft hyphen), surrogates, private use, unassigned; and every space but the one kept between parts.
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def display(name: str) -> str | None:
    """The name as stored and shown (NFKC: width-mapped, compatibility forms folded; one space between
    parts), or None when it cannot be a username."""
    text = unicodedata.normalize("NFKC", name)
    if any(unicodedata.category(ch) in _REFUSED for ch in text):
        return None
    parts = text.split()
    if any(unicodedata.category(ch) == "Zs" for part in parts for ch in part):
        return None
    text = " ".join(parts)
    return text if 0 < len(text) <= MAX_LENGTH else None


def key(name: str) -> str:
    """What two names must share to be the same account: the display form case-folded (and normalised again,
    as case folding may undo NFKC). A name that cannot be a username keys as itself, so it matches nothing
    but its exact twin."""
    shown = display(name)
    if shown is None:
        return "\x00" + name
    return unicodedata.normalize("NFKC", shown.casefold())
