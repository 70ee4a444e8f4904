"""Usernames compared as PRECIS UsernameCaseMapped (RFC 8265): what a person reads as the same name is the
same account. Pure.

`ａｌｉｃｅ` (full-width), `Alice` and `alice` are one name. As PRECIS IdentifierClass (RFC 8264) allows, a
name holds letters, digits and combining marks of any script and printable ASCII; refused are controls,
format (invisible) characters, private-use and unassigned ones, non-ASCII symbols and punctuation (U+2800
braille blank) and every Default_Ignorable_Code_Point (Hangul fillers U+115F and U+3164, the combining
grapheme joiner U+034F, variation selectors U+FE0F): `admin` with any of them is refused, not a look-alike.
RFC 8265 lets an application allow spaces between the parts of a name ("Mrs Smith"): one ASCII space between
parts is kept, runs are one.
"""
from __future__ import annotations

import unicodedata

MAX_LENGTH = 40
# IdentifierClass's LetterDigits: the categories a name's non-ASCII characters must have.
_LETTER_DIGITS = {"Ll", "Lu", "Lo", "Nd", "Lm", "Mn", "Mc"}
# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt): drawn as nothing, though some are letters
# or marks by category. Ranges, inclusive.
_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
              (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
              (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
              (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))


def _allowed(ch: str) -> bool:
    code = ord(ch)
    if 0x21 <= code <= 0x7E or ch == " ":
        return True
    if any(lo <= code <= hi for lo, hi in _IGNORABLE):
        return False
    return unicodedata.category(ch) in _LETTER_DIGITS


def display(name: str) -> str | None:
    """The name as stored and shown (NFKC: width-mapped, compatibility forms folded; one space between
    parts), or None when it cannot be a username."""
    text = unicodedata.normalize("NFKC", name)
    parts = text.split(" ")
    if not all(_allowed(ch) for part in parts for ch in part):
        return None
    text = " ".join(part for part in parts if part)
    return text if 0 < len(text) <= MAX_LENGTH else None


def key(name: str) -> str:
    """What two names must share to be the same account: the display form case-folded (and normalised again,
    as case folding may undo NFKC). A name that cannot be a username keys as itself, so it matches nothing
    but its exact twin."""
    shown = display(name)
    if shown is None:
        return "\x00" + name
    return unicodedata.normalize("NFKC", shown.casefold())
