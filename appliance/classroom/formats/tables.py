"""A table of text cells from whatever a teacher has: an .xlsx or .ods sheet, CSV with `,` `;` or tab in
UTF-8 (with or without BOM) or Windows-1252, or cells pasted from a spreadsheet (tab-separated).

Spreadsheets are read with python-calamine: one well-kept reader for both .xlsx and .ods (openpyxl reads
only .xlsx), and its Rust XML parser expands no entities. The zip around the sheet is inflated through
zipsafe first, so a bomb is refused before the reader sees it.
"""
from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

import python_calamine

from appliance.classroom.formats import sheet_extent, zipsafe
from appliance.classroom.formats.sheet_extent import MAX_ROWS, column_letter
from appliance.classroom.importers import InvalidImport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
SEPARATORS = (",", ";", "\t")
MAX_COLUMNS = 100


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    sheet: bool  # True: rows are spreadsheet rows ("row 5", "cell B5"); False: text lines ("line 5")
    numbers: tuple[int, ...] = ()  # the line each CSV row starts on (a quoted cell may span lines)

    def number(self, index: int) -> int:
        return self.numbers[index] if self.numbers else index + 1

    def where(self, index: int) -> str:
        """The place of rows[index] as the teacher's program shows it."""
        return f"{'row' if self.sheet else 'line'} {self.number(index)}"

    def cell(self, index: int, column: int) -> str:
        return f"cell {column_letter(column)}{index + 1}" if self.sheet else self.where(index)


_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003), which calamine reads too


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def is_spreadsheet(data: bytes) -> bool:
    """Sniffs the content (a zip or old Excel file is a spreadsheet, anything else text), never trusts a
    file name."""
    return is_zip(data) or data.startswith(_OLD_EXCEL)


def read_csv(text: str) -> Table:
    if "\x00" in text:
        raise InvalidImport(["the file contains NUL bytes: it is not a CSV text file (is it a spreadsheet "
                             "saved in an old format? save it as .xlsx, .ods or CSV)"])
    head = "\n".join([line for line in text.splitlines() if line.strip()][:10])
    # The separator the first lines use most (a title line above the header has none); a single column has
    # none at all and any will do.
    delimiter = max(SEPARATORS, key=head.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, numbers, start = [], [], 1
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise InvalidImport([f"line {reader.line_num}: more than {MAX_ROWS} lines"])
            numbers.append(start)
            start = reader.line_num + 1
            rows.append(tuple(cell.strip() for cell in row[:MAX_COLUMNS]))
    except csv.Error as exc:
        # The line the broken record starts on: an unclosed quote is only noticed at the end of the file.
        raise InvalidImport([f"line {start}: not valid CSV ({exc})"]) from None
    return Table(tuple(rows), sheet=False, numbers=tuple(numbers))


def read_sheet(data: bytes, sheet: int = 0) -> Table:
    """The first sheet (or `sheet`) of an .xlsx or .ods file, every cell as text."""
    if is_zip(data):
        members = zipsafe.read_members(data, "spreadsheet", zipsafe.ZipLimits(
            members=2000, member_bytes=64 * 1048576, total_bytes=128 * 1048576))
        sheet_extent.check(members)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise InvalidImport(["the spreadsheet has no sheets"])
        cells = book.get_sheet_by_index(sheet).to_python(skip_empty_area=False)
    except InvalidImport:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: B036 - calamine's errors, and a Rust panic arrives as a BaseException
        raise InvalidImport([f"the spreadsheet cannot be read ({type(exc).__name__}: {exc}); save it again "
                             f"as .xlsx or .ods"]) from None
    if len(cells) > MAX_ROWS:
        raise InvalidImport([f"row {MAX_ROWS + 1}: more than {MAX_ROWS} rows"])
    return Table(tuple(tuple(cell_text(c) for c in row[:MAX_COLUMNS]) for row in cells), sheet=True)


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a card typed as 7 is stored as 7.0
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()
