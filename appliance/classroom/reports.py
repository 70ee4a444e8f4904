"""Cells for CSV that opens cleanly in Excel and LibreOffice (the files themselves: classroom/formats/grades.py).
Pure, no I/O."""
from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    text = "" if value is None else str(value)
    # A name like "=HYPERLINK(...)" must stay text in a spreadsheet, never become a formula.
    return "'" + text if text.startswith(_FORMULA_START) else text
