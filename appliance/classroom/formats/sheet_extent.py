"""How far a spreadsheet reaches, read from the file's own structure before the spreadsheet library sees it.

The library allocates every cell from A1 to the farthest one a sheet names (its <dimension>, a cell's r="…",
or an .ods row repeated a million times) and reserves room for as many shared strings as the file claims:
one stray cell at XFD1048576 asks for 512 GiB and the library aborts. So the sizes are read here as the
formats define them, with a real XML parser (any attribute whitespace, quoting or namespace prefix), from the
parts the package's relationships name (a worksheet may be stored at any path), and a sheet that reaches
beyond our limits is refused. Pure: zip members in, InvalidImport out.

Measured before the limits: 20,000 x 500 cells took the reader 6 s and 720 MB.
"""
from __future__ import annotations

import posixpath
import re
import xml.parsers.expat

from appliance.classroom.importers import InvalidImport

MAX_ROWS = 5000
EXTENT_COLUMNS = 200
MAX_STRINGS = MAX_ROWS * EXTENT_COLUMNS  # every cell a different shared string

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_KINDS = ("worksheet", "chartsheet", "dialogsheet", "macrosheet", "xlMacrosheet", "xlIntlMacrosheet")
# Anchored, no nested repetition: linear in the attribute's length whatever it holds.
_REF = re.compile(r"\s*\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\s*")


def column_letter(column: int) -> str:
    """0-based column → "A", "B", …, "AA"."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check(members: dict[str, bytes]) -> None:
    """Refuse (InvalidImport) a workbook whose sheets or strings reach beyond the limits, or whose parts
    cannot be read as the format defines them."""
    if "content.xml" in members:
        _OdsExtent().run("content.xml", members["content.xml"])
    parts = _xlsx_parts(members)
    for name, kind in parts.items():
        if name not in members:
            continue  # the library reports a missing part itself
        if kind == "sharedStrings":
            _SharedStrings().run(name, members[name])
        else:
            _SheetExtent().run(name, members[name])
    # Parts no relationship names are never read by the library, but a sheet is a sheet wherever it is.
    for name, data in members.items():
        if name not in parts and name.lower().endswith(".xml") and name != "content.xml":
            _Sniff().run(name, data)


def _xlsx_parts(members: dict[str, bytes]) -> dict[str, str]:
    """Every part the workbook's relationships name as a sheet or the shared strings → its kind."""
    found: dict[str, str] = {}
    for book in _targets(members, "", "_rels/.rels", ("officeDocument",)):
        if book.lower().endswith(".bin"):
            raise InvalidImport(["the workbook is in Excel's binary format (.xlsb), which is not read; save it "
                                 "as .xlsx or .ods"])
        folder, file = posixpath.split(book)
        rels = posixpath.join(folder, "_rels", file + ".rels")
        for kind in (*_SHEET_KINDS, "sharedStrings"):
            for target in _targets(members, folder, rels, (kind,)):
                found[target] = kind
    return found


def _targets(members: dict[str, bytes], folder: str, rels: str, kinds: tuple[str, ...]) -> list[str]:
    if rels not in members:
        return []
    reader = _Relationships(kinds)
    reader.run(rels, members[rels])
    out = []
    for target in reader.targets:
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out.append(posixpath.normpath(path).lstrip("/"))
    return out


def cell_position(ref: str) -> tuple[int, int] | None:
    """"B7" → (7, 2) (1-based row and column); None when ref is not a cell reference."""
    found = _REF.fullmatch(ref)
    if found is None:
        return None
    column = 0
    for ch in found.group(1).upper():
        column = column * 26 + ord(ch) - 64
    return int(found.group(2)), column


def within(row: int, column: int) -> None:
    if row > MAX_ROWS or column > EXTENT_COLUMNS:
        raise InvalidImport([f"cell {column_letter(column - 1)}{row}: the sheet reaches beyond row {MAX_ROWS} or "
                             f"column {column_letter(EXTENT_COLUMNS - 1)}; delete the rows and columns not needed"])


class _Walker:
    """A streaming, namespace-aware expat pass over one part; no DTDs, so no entity expansion."""

    name = ""

    @property
    def where(self) -> str:
        return f"the spreadsheet's part {self.name}"

    def run(self, name: str, data: bytes) -> None:
        self.name = name
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        if type(self)._end is not _Walker._end:  # a callback per element costs: only where it is used
            parser.EndElementHandler = self._end
        try:
            parser.Parse(data, True)
        except xml.parsers.expat.ExpatError as exc:
            self.unreadable(exc)

    def unreadable(self, exc: Exception) -> None:
        raise InvalidImport([f"{self.where}: not valid XML ({exc}); save the file again as .xlsx or .ods"])

    def _doctype(self, *_args) -> None:
        raise InvalidImport([f"{self.where}: a document type declaration is not allowed in a spreadsheet"])

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        pass

    def _end(self, tag: str) -> None:
        pass


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _attr(attrs: dict[str, str], local: str) -> str | None:
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


class _Relationships(_Walker):
    def __init__(self, kinds: tuple[str, ...]):
        self.kinds, self.targets = kinds, []

    def _start(self, tag, attrs):
        if _local(tag) != "Relationship" or _attr(attrs, "TargetMode") == "External":
            return
        kind, target = _attr(attrs, "Type") or "", _attr(attrs, "Target")
        if target and kind.rsplit("/", 1)[-1] in self.kinds:
            self.targets.append(target)


class _SheetExtent(_Walker):
    """Rows and cells as SpreadsheetML places them: r="…" where given, else one after the one before."""

    def __init__(self):
        self.row, self.column = 0, 0

    def _position(self, ref: str) -> tuple[int, int]:
        found = cell_position(ref)
        if found is None:
            raise InvalidImport([f"{self.where}: {ref[:20]!r} is not a cell reference"])
        return found

    def _start(self, tag, attrs):
        local = tag[tag.rfind(" ") + 1:]
        if local == "c":
            r = _attr(attrs, "r")
            self.row, self.column = self._position(r) if r is not None else (max(self.row, 1), self.column + 1)
            if self.row > MAX_ROWS or self.column > EXTENT_COLUMNS:
                within(self.row, self.column)
        elif local == "dimension":
            for corner in (_attr(attrs, "ref") or "").split(":"):
                within(*self._position(corner))
        elif local == "row":
            r = _attr(attrs, "r")
            if r is not None and not (r.strip().isascii() and r.strip().isdigit() and len(r.strip()) <= 7):
                raise InvalidImport([f"{self.where}: row number {r[:20]!r} is not a number"])
            self.row, self.column = (int(r) if r is not None else self.row + 1), 0
            within(self.row, 1)


class _SharedStrings(_Walker):
    def __init__(self):
        self.count = 0

    def _start(self, tag, attrs):
        local = _local(tag)
        if local == "sst":
            for key in ("count", "uniqueCount"):
                value = (_attr(attrs, key) or "0").strip()
                if not value.isascii() or not value.isdigit() or len(value) > 9 or int(value) > MAX_STRINGS:
                    raise InvalidImport([f"{self.where}: {key}={value[:20]!r}: more than {MAX_STRINGS} texts"])
        elif local == "si":
            self.count += 1
            if self.count > MAX_STRINGS:
                raise InvalidImport([f"{self.where}: more than {MAX_STRINGS} texts"])


class _Sniff(_Walker):
    """A part no relationship names: checked as a sheet or string table if that is what its root says."""

    def run(self, name, data):
        self.inner: _Walker | None = None
        super().run(name, data)

    def unreadable(self, exc):
        if self.inner is not None:
            super().unreadable(exc)  # a sheet that breaks half way is refused; other unread parts do not matter

    def _start(self, tag, attrs):
        if self.inner is None:
            local = _local(tag)
            self.inner = (_SheetExtent() if local in _SHEET_KINDS else _SharedStrings() if local == "sst"
                          else _Walker())
            self.inner.name = self.name
        self.inner._start(tag, attrs)


class _OdsExtent(_Walker):
    """Where the last cell with content lies, counting repeated rows and cells (ODS's run-length coding);
    a table inside a cell keeps its own count. Elements count by their local name in any namespace: the
    library matches `table:table-row` by its written name, whatever namespace the prefix is bound to."""

    def __init__(self):
        self.tables: list[list[int]] = []  # [row, column, rows this row repeats] per open table
        self.cell: list[int] | None = None  # [row it ends on, column it ends on, has content]

    def _repeat(self, attrs, key: str) -> int:
        value = (_attr(attrs, key) or "1").strip()
        if not value.isascii() or not value.isdigit() or len(value) > 9:
            raise InvalidImport([f"{self.where}: {key}={value[:20]!r} is not a number"])
        return max(int(value), 1)

    def _start(self, tag, attrs):
        local = _local(tag)
        if self.cell is not None:
            self.cell[2] = 1  # text or a value inside the cell
        if local == "table":
            self.tables.append([0, 0, 1])
        elif local == "table-row" and self.tables:
            table = self.tables[-1]
            table[1], table[2] = 0, self._repeat(attrs, "number-rows-repeated")
        elif local in ("table-cell", "covered-table-cell") and len(self.tables) == 1:  # nested: the outer cell
            table = self.tables[-1]
            table[1] += self._repeat(attrs, "number-columns-repeated")
            has_value = any(_local(key) == "value-type" for key in attrs)
            self.cell = [table[0] + table[2], table[1], int(has_value)]

    def _end(self, tag):
        local = _local(tag)
        if not self.tables:
            return
        if local in ("table-cell", "covered-table-cell") and len(self.tables) == 1 and self.cell is not None:
            if self.cell[2]:
                within(self.cell[0], self.cell[1])
            self.cell = None
        elif local == "table-row":
            self.tables[-1][0] += self.tables[-1][2]
            self.tables[-1][2] = 1
        elif local == "table":
            self.tables.pop()
