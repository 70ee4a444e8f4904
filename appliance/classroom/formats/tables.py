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
import re
from dataclasses import dataclass

import python_calamine

from appliance.classroom.formats import zipsafe
from appliance.classroom.importers import InvalidImport, decode_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
SEPARATORS = (",", ";", "\t")
MAX_ROWS = 5000
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


def column_letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003), which calamine reads too


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(data: bytes) -> Table:
    """Sniffs the content (a zip or old Excel file is a spreadsheet, anything else text), never trusts a
    file name."""
    if is_zip(data) or data.startswith(_OLD_EXCEL):
        return read_sheet(data)
    return read_csv(decode_text(data))


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
        _check_extent(members)
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


_CELL_REF = re.compile(rb'<c [^>]*?r="([A-Z]{1,3})([0-9]{1,7})"')
_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)\b([^>]*?)(/?)>|</table:table-row>")
_REPEAT = {b"table-row": re.compile(rb'number-rows-repeated="(\d+)"'),
           b"table-cell": re.compile(rb'number-columns-repeated="(\d+)"'),
           b"covered-table-cell": re.compile(rb'number-columns-repeated="(\d+)"')}
EXTENT_COLUMNS = 200


def _check_extent(members: dict[str, bytes]) -> None:
    """The reader allocates every cell from A1 to the farthest one used: one stray cell at XFD1048576 (or an
    .ods row of values repeated a million times) would ask for billions, so a sheet reaching beyond our
    limits is refused before it is read. Measured: 20,000 x 500 cells took the reader 6 s and 720 MB."""
    for name, xml in members.items():
        if name.startswith("xl/worksheets/"):
            for letters, digits in _CELL_REF.findall(xml):
                _within(int(digits), _column_number(letters.decode()))
        elif name == "content.xml":
            _check_ods_extent(xml)


def _within(row: int, column: int) -> None:
    if row > MAX_ROWS or column > EXTENT_COLUMNS:
        raise InvalidImport([f"cell {column_letter(column - 1)}{row}: the sheet reaches beyond row {MAX_ROWS} or "
                             f"column {column_letter(EXTENT_COLUMNS - 1)}; delete the rows and columns not needed"])


def _repeat(kind: bytes, attrs: bytes) -> int:
    found = _REPEAT[kind].search(attrs)
    return int(found.group(1)) if found else 1


def _check_ods_extent(xml: bytes) -> None:
    """Where the last cell with a value lies, counting repeated rows and cells (ODS's run-length coding)."""
    row, column, repeat_rows = 0, 0, 1
    for match in _ODS_TAG.finditer(xml):
        kind, attrs, closed = match.group(1), match.group(2) or b"", match.group(3)
        if kind is None:  # </table:table-row>
            row += repeat_rows
        elif kind == b"table":
            row = 0  # a new sheet
        elif kind == b"table-row":
            repeat_rows, column = _repeat(kind, attrs), 0
            if closed:
                row += repeat_rows
        else:
            repeat_columns = _repeat(kind, attrs)
            if b"value-type" in attrs:
                _within(row + repeat_rows, column + repeat_columns)
            column += repeat_columns


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


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
