"""Issue 22, finding 1, against a real server: spreadsheets made to kill the process.

Before: `tables._check_extent` looked for `<c r="…">` written with one space, in files under xl/worksheets/
only; a tab before the attribute, or a sheet stored at a path the workbook's relationships name, passed, and
the spreadsheet library then asked for 512 GiB and aborted the whole appliance (signal 134, no `except`
catches it). `test_the_attack_aborts_the_library` shows that abort in a throwaway process. Now the extent
is read from the file's structure (appliance/classroom/formats/sheet_extent.py) and the library runs in a
child with RLIMIT_AS and RLIMIT_CPU (appliance/http/isolated.py): every file here gets a clear 400, and the
appliance, its live pages and an open live socket keep answering through each.
"""
from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.classroom.formats import oneroster, sheet_extent, zipsafe
from appliance.classroom.formats.sheet_extent import column_letter
from appliance.classroom.importers import InvalidImport
from appliance.config import ServerSettings
from appliance.http import isolated
from tests.school_files import minimal_ods, minimal_xlsx, xlsx_parts, zip_bytes

XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ODS = {"Content-Type": "application/vnd.oasis.opendocument.spreadsheet"}
NAME = '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>'


def _far(attribute: str) -> str:
    """A header row and one cell at the sheet's last row and column, its reference written as given."""
    return NAME + f'<row r="1048576"><c{attribute} t="inlineStr"><is><t>x</t></is></c></row>'


HOSTILE = {
    "tab before r": (minimal_xlsx(_far('\tr="XFD1048576"')), XLSX),
    "newline and single quotes": (minimal_xlsx(_far("\n r = 'XFD1048576'")), XLSX),
    "sheet at a path the relationships name": (minimal_xlsx(_far(' r="XFD1048576"'), path="data/any.xml"), XLSX),
    "sheet above xl/ via ../": (minimal_xlsx(_far(' r="XFD1048576"'), path="../elsewhere.xml"), XLSX),
    "dimension only": (minimal_xlsx(NAME, head='<dimension ref="A1:XFD1048576"/>'), XLSX),
    "row without cell references": (minimal_xlsx(NAME + '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c>'
                                                        '</row>'), XLSX),
    "shared strings claiming billions": (minimal_xlsx(NAME, shared='<sst xmlns="http://schemas.openxmlformats.org/'
                                                      'spreadsheetml/2006/main" count="4000000000" uniqueCount='
                                                      '"4000000000"><si><t>a</t></si></sst>'), XLSX),
    "ods row repeated a million times": (minimal_ods(
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string">'
        '<text:p>x</text:p></table:table-cell></table:table-row>'), ODS),
    "ods prefix bound to another namespace": (minimal_ods(
        '<table:table-row xmlns:table="urn:x" table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'), ODS),
    "entity declarations": (minimal_xlsx(NAME, head='<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'), XLSX),
}


def test_the_attack_aborts_the_library():
    """What the appliance did with the first file before: the library itself, in its own process, aborts."""
    data = HOSTILE["tab before r"][0]
    code = ("import io, sys, python_calamine as c; book = c.CalamineWorkbook.from_filelike(io.BytesIO("
            "sys.stdin.buffer.read())); book.get_sheet_by_index(0).to_python(skip_empty_area=False)")
    ran = subprocess.run([sys.executable, "-I", "-c", code], input=data, capture_output=True, timeout=60)
    assert ran.returncode == -signal.SIGABRT, (ran.returncode, ran.stderr[-300:])
    assert b"memory allocation" in ran.stderr


async def _still_answering(server, teacher, anonymous, socket) -> None:
    assert (await anonymous.get("/healthz")).status == 200
    assert (await anonymous.get("/projector")).status == 200
    assert (await teacher.get("/api/v1/me")).status == 200
    assert not socket.closed
    async with anonymous.ws_connect("/api/v1/live") as fresh:
        assert (await fresh.receive_json(timeout=10))["type"]


@pytest.fixture
async def live_socket(anonymous):
    async with anonymous.ws_connect("/api/v1/live") as ws:
        await ws.receive_json(timeout=10)
        yield ws


async def _roster_url(teacher) -> str:
    made = await teacher.post("/api/v1/classes", json={"name": "7C"})
    return f"/api/v1/classes/{(await made.json())['id']}/roster"


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_a_hostile_spreadsheet_is_a_400_and_the_appliance_keeps_answering(server, teacher, anonymous,
                                                                                  live_socket, kind):
    data, headers = HOSTILE[kind]
    url = await _roster_url(teacher)
    for target in (url + "?dry_run=1", url):
        refused = await teacher.post(target, data=data, headers=headers)
        body = await refused.json()
        assert refused.status == 400 and body["problems"], (kind, body)
    await _still_answering(server, teacher, anonymous, live_socket)
    if headers is XLSX:
        kahoot = await teacher.post("/api/v1/quizzes/import?format=kahoot", data=data, headers=headers)
        assert kahoot.status == 400, await kahoot.text()
    untouched = await (await teacher.get(url.removesuffix("/roster"))).json()
    assert untouched["students"] == []


def _amplifier() -> bytes:
    """Within every limit the structure can show (ten columns, a hundred rows, one shared string), but each
    cell repeats one 1.3 MB text: the library copies it into every cell and asks for gigabytes."""
    text = base64.b64encode(os.urandom(1_000_000)).decode()
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000" uniqueCount="1">'
              f'<si><t>{text}</t></si></sst>')
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{chr(65 + c)}{r}" t="s"><v>0</v></c>' for c in range(10))
                   + "</row>" for r in range(1, 101))
    return minimal_xlsx(rows, shared=shared)


async def test_a_library_abort_ends_only_the_worker(server, teacher, anonymous, live_socket):
    """The memory limit is what holds here, not the structure check: the child aborts (SIGABRT), the teacher
    reads a 400 that says what to do, the appliance goes on."""
    url = await _roster_url(teacher)
    refused = await teacher.post(url, data=_amplifier(), headers=XLSX)
    body = await refused.json()
    assert refused.status == 400, body
    assert "needs more than the 512 MB" in body["error"] and "SIGABRT" in body["error"], body
    await _still_answering(server, teacher, anonymous, live_socket)


# ---------------------------------------------------------------- fuzzing the structure check and the worker

_SPACE = st.sampled_from([" ", "\t", "\n", "\r\n", "  \t "])
_CELLS = st.lists(st.tuples(st.integers(1, 6000), st.integers(1, 300), _SPACE, st.sampled_from(['"', "'"]),
                            st.booleans()), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_CELLS, st.sampled_from(["worksheets/sheet1.xml", "x.xml", "deep/er/s.xml", "../top.xml", "/xl/abs.xml"]),
       st.one_of(st.none(), st.tuples(st.integers(1, 6000), st.integers(1, 300))))
def test_the_structure_check_refuses_exactly_the_sheets_beyond_the_limits(cells, path, dimension):
    """Whatever the whitespace, quoting, path or dimension: refused if and only if some cell lies beyond."""
    rows, far = "", False
    for row, column, space, quote, referenced in sorted(cells, key=lambda c: c[0]):
        ref = f"{space}r{space}={space}{quote}{column_letter(column - 1)}{row}{quote}" if referenced else ""
        implied = (row, column) if referenced else (row, 1)  # no r: the first column of its row
        far |= implied[0] > sheet_extent.MAX_ROWS or implied[1] > sheet_extent.EXTENT_COLUMNS
        rows += f'<row r="{row}"><c{ref} t="inlineStr"><is><t>x</t></is></c></row>'
    head = ""
    if dimension:
        head = f'<dimension ref="A1:{column_letter(dimension[1] - 1)}{dimension[0]}"/>'
        far |= dimension[0] > sheet_extent.MAX_ROWS or dimension[1] > sheet_extent.EXTENT_COLUMNS
    parts = xlsx_parts(rows, path=path, head=head)
    try:
        sheet_extent.check(parts)
    except InvalidImport as refused:
        assert far, refused.problems
    else:
        assert not far


VALID = minimal_xlsx(NAME + '<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c></row>')


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(sorted(xlsx_parts(NAME))), st.integers(0, 600), st.integers(0, 40),
       st.sampled_from([b"", b"\t", b"XFD1048576", b' r="ZZZ9999999"', b"<!DOCTYPE a>", b"\xff\xfe", b"</",
                        b'<dimension ref="A1:XFD1048576"/>', b'count="99999999999"', b"<c>" * 50]))
async def test_damaged_parts_through_the_worker_are_a_clear_refusal(part, at, cut, insert):
    """A valid workbook with one part damaged, read in the real child process: rows or InvalidImport, never
    anything else (a crash of the child is an InvalidImport too)."""
    import io
    import zipfile
    source = zipfile.ZipFile(io.BytesIO(VALID))
    files = {name: source.read(name) for name in source.namelist()}
    data = files[part]
    files[part] = data[:min(at, len(data))] + insert + data[min(at, len(data)) + cut:]
    try:
        rows = await isolated.run_sheet_worker(zip_bytes(files), ServerSettings(), isolated.ROSTER_CELL_CHARS)
    except InvalidImport as refused:
        assert refused.problems and all(isinstance(p, str) and p for p in refused.problems)
    else:
        assert len(rows) <= sheet_extent.MAX_ROWS


_NAMES = st.sampled_from(["users.csv", "classes.csv", "enrollments.csv", "manifest.csv", "../users.csv",
                          "/etc/passwd", "C:\\x.csv", "a/../../b.csv", "dir/", "users.csv\x00.png", "x" * 300])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_NAMES, st.sampled_from([b"", b"a,", b"sourcedId\r\n", b"\x00", b"\"", b"\xff"]),
                          st.integers(0, 200_000)), max_size=8))
def test_hostile_oneroster_archives_are_refused_or_read(members):
    """Traversal names, NULs, repeated bytes inflating far beyond their size: InvalidImport or a roster."""
    files = {name: chunk * count for name, chunk, count in members}
    try:
        parsed = oneroster.parse(zipsafe.read_members(zip_bytes(files), "OneRoster zip"))
    except InvalidImport as refused:
        assert refused.problems and all(refused.problems)
    else:
        assert all(c.sourced_id for c in parsed.classes)


def _lying_header() -> bytes:
    """One member whose local and central headers say 10 bytes while it inflates to 50 MB."""
    import struct
    import zlib
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = body.compress(b"a," * 25_000_000) + body.flush()
    name = b"users.csv"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(packed), 10, len(name), 0) + name
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(packed), 10, len(name),
                          0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(packed), 0)
    return local + packed + central + end


BOMBS = {
    "ten thousand members": zip_bytes({f"f{n}.csv": b"" for n in range(10_000)}),
    "a header that lies about the size": _lying_header(),
    "a spreadsheet inflating 1000:1": zip_bytes({"xl/worksheets/sheet1.xml": b"<" * 20_000_000}),
}


@pytest.mark.parametrize("kind", list(BOMBS))
async def test_hand_made_bombs_are_a_400_for_every_importer(server, teacher, anonymous, live_socket, kind):
    url = await _roster_url(teacher)
    for target, headers in ((url, XLSX), ("/api/v1/classes/import", {"Content-Type": "application/zip"}),
                            ("/api/v1/quizzes/import?format=kahoot", XLSX)):
        refused = await teacher.post(target, data=BOMBS[kind], headers=headers)
        assert refused.status == 400, (kind, target, await refused.text())
    await _still_answering(server, teacher, anonymous, live_socket)


_ODS_ROWS = st.lists(st.tuples(st.integers(1, 3000), st.lists(st.tuples(st.integers(1, 150), st.booleans()),
                                                               max_size=4)), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ODS_ROWS, st.sampled_from(["table", "t", "x"]))
def test_the_ods_check_counts_repeats_whatever_the_prefix(rows, prefix):
    """Rows and cells repeated (ODS's run-length coding), with and without values, under any prefix: refused
    if and only if a cell with a value ends beyond the limits."""
    xml, row, far = "", 0, False
    for repeat_rows, cells in rows:
        column, inner = 0, ""
        for repeat_columns, valued in cells:
            column += repeat_columns
            value = f' office:value-type="string"><text:p>v</text:p></{prefix}:table-cell>' if valued else "/>"
            inner += f'<{prefix}:table-cell {prefix}:number-columns-repeated="{repeat_columns}"{value}'
            far |= valued and (row + repeat_rows > sheet_extent.MAX_ROWS or column > sheet_extent.EXTENT_COLUMNS)
        xml += f'<{prefix}:table-row {prefix}:number-rows-repeated="{repeat_rows}">{inner}</{prefix}:table-row>'
        row += repeat_rows
    content = (f'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               f'xmlns:{prefix}="urn:any" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               f'<office:body><office:spreadsheet><{prefix}:table>{xml}</{prefix}:table></office:spreadsheet>'
               f'</office:body></office:document-content>')
    try:
        sheet_extent.check({"content.xml": content.encode()})
    except InvalidImport as refused:
        assert far, refused.problems
    else:
        assert not far
