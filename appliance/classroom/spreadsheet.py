"""The one way the appliance writes CSV: every text cell defused so a spreadsheet never runs it. Pure, no I/O.

A cell such as "=HYPERLINK(...)" (a student's name, a question typed by anyone with an account) would be a
formula in Excel or LibreOffice; a leading apostrophe keeps it text. Imports strip that apostrophe again, so a
quiz exported and imported comes back unchanged.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a number is data, never a formula (and "-1" must stay a number)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def imported_cell(text: str) -> str:
    """Undo spreadsheet_cell on a cell read back from a file we (or a spreadsheet) wrote."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def csv_text(rows: Iterable[Iterable], *, excel_bom: bool = True, delimiter: str = ",",
             cell: Callable[[object], str] = spreadsheet_cell) -> str:
    """Rows of cells as CSV text (CRLF line ends); the BOM makes Excel read it as UTF-8 (accents intact).
    `cell` formats one value and must end in spreadsheet_cell for text (a locale's decimal mark, say)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return ("\ufeff" if excel_bom else "") + out.getvalue()
