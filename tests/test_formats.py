"""The school formats as pure functions: spreadsheets and CSV in every encoding, header words in the languages
schools export in, zip safety, OneRoster plans, and the gradebook files, each checked on files made here."""
from __future__ import annotations

import io
import zipfile

import pytest
import python_calamine

from appliance.classroom.formats import grades, oneroster, roster_table, tables, xlsx, zipsafe
from appliance.classroom.importers import InvalidImport
from tests import school_files
from tests.school_files import oneroster_files, students, zip_bytes

ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Klasse">{rows}</table:table>
</office:spreadsheet></office:body></office:document-content>"""


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet, as LibreOffice's format defines it."""
    body = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in row)
        + "</table:table-row>" for row in rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", ODS_CONTENT.format(rows=body))
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                         '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
                         'opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
                         'manifest:media-type="text/xml"/></manifest:manifest>')
    return out.getvalue()


SCHOOL = [["Apellido", "Nombre", "Curso", "Tarjeta"], ["García", "Lucía", "1A", "4"], ["Pérez", "Hugo", "1A", ""]]


@pytest.mark.parametrize("data", [
    ods(SCHOOL),
    xlsx.workbook({"Hoja1": SCHOOL}),
    "\n".join(";".join(r) for r in SCHOOL).encode("cp1252"),
    ("\ufeff" + "\r\n".join(",".join(r) for r in SCHOOL)).encode(),
    "\n".join("\t".join(r) for r in SCHOOL).encode(),
], ids=["ods", "xlsx", "csv-semicolon-cp1252", "csv-comma-utf8-bom", "pasted-tabs"])
def test_one_roster_whatever_program_saved_it(data):
    rows = roster_table.parse(school_files.read_table(data), 64)
    assert [(r.name, card) for r, card in rows] == [("Lucía García", 4), ("Hugo Pérez", 1)]


@pytest.mark.parametrize("header, expected", [
    (["Surname", "Forename"], "Ava Jones"), (["Forename", "Surname"], "Jones Ava"), (["Nom", "Prénom"], "Ava Jones"),
    (["Nachname", "Vorname"], "Ava Jones"), (["Achternaam", "Voornaam"], "Ava Jones"),
    (["Cognome", "Nome"], "Ava Jones"), (["Full name", "Form"], "Jones"), (["Student", "Card"], "Jones"),
])
def test_header_words_in_the_languages_schools_export_in(header, expected):
    table = tables.Table((tuple(header), ("Jones", "Ava")), sheet=False)
    result = roster_table.preview(table, 64)
    assert not result.problems or header == ["Student", "Card"]
    if header != ["Student", "Card"]:
        assert [r.name for r in result.rows] == [expected]
    else:  # "Ava" in the card column is reported, naming the line
        assert result.problems == ("line 2: card 'Ava' is not a number from 1 to 64",)


def test_a_sheet_reaching_past_the_limits_is_refused_before_it_is_read():
    book = io.BytesIO()
    import xlsxwriter
    wb = xlsxwriter.Workbook(book, {"in_memory": True})
    sheet = wb.add_worksheet()
    sheet.write_string(0, 0, "Name")
    sheet.write_string(1048575, 16383, "far away")
    wb.close()
    with pytest.raises(InvalidImport, match=r"^cell XFD1048576: the sheet reaches beyond row 5000"):
        school_files.read_table(book.getvalue())


def test_text_is_never_a_formula_in_the_workbooks_we_write():
    data = xlsx.workbook({"S": [["Student"], ["=HYPERLINK(\"http://x\",\"y\")"], ["+1"], [3.5]]})
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows == [["Student"], ["=HYPERLINK(\"http://x\",\"y\")"], ["+1"], [3.5]]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula cell anywhere


def test_zip_safety():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", b"0" * 5_000_000)  # ~5 KB compressed: a 1000:1 ratio
    with pytest.raises(InvalidImport, match=r"^users.csv: inflates to more than .* zip bomb"):
        zipsafe.read_members(bomb.getvalue(), "zip")
    assert zipsafe.read_members(bomb.getvalue(), "zip", zipsafe.ZipLimits(ratio=2000))["users.csv"][:1] == b"0"
    with pytest.raises(InvalidImport, match=r"^users.csv: inflates to more than 1 KiB"):
        zipsafe.read_members(zip_bytes({"users.csv": bytes(range(256)) * 40}), "zip", zipsafe.ZipLimits(member_bytes=1024))
    for evil in ("../x.csv", "/etc/passwd", "a/../../x", "C:/x.csv", "a\\..\\..\\x"):
        with pytest.raises(InvalidImport, match="path outside the zip"):
            zipsafe.read_members(zip_bytes({evil: b"x"}), "zip")
    with pytest.raises(InvalidImport, match="holds 65 files, at most 64"):
        zipsafe.read_members(zip_bytes({f"f{n}.csv": b"x" for n in range(65)}), "zip")
    with pytest.raises(InvalidImport, match="the OneRoster zip is not a valid zip file"):
        zipsafe.read_members(b"PK\x03\x04garbage", "OneRoster zip")


def _parse(files) -> oneroster.RosterFile:
    return oneroster.parse(zipsafe.read_members(zip_bytes(files), "zip"))


def test_oneroster_1_2_in_a_folder_with_preferred_names_and_same_names_told_apart():
    files = oneroster_files({"c1": [("a", "Ava", "Jones", "Mary", "1001", ""), ("b", "Ava", "Jones", "Kate", "1002", ""),
                                    ("c", "Ben", "Li", "", "1003", ""), ("d", "Ben", "Li", "", "1004", "")]}, version="1.2")
    parsed = _parse({f"export-2026/{name}": data for name, data in files.items()})
    assert parsed.version == "1.2"
    (cls,) = parsed.classes
    assert [s.name for s in cls.students] == ["Ava M. Jones", "Ava K. Jones", "Ben Li (1003)", "Ben Li (1004)"]
    assert parsed.told_apart[0] == "classes.csv line 2: 2 students named 'Ava Jones': a is shown as 'Ava M. Jones'"


def test_oneroster_problems_name_file_and_line_and_all_are_reported():
    files = oneroster_files({"c1": students("s", 2)})
    files["classes.csv"] = files["classes.csv"].replace(b"school1,term1", b"school9,term9")
    files["users.csv"] += b"s0,,,true,school1,student,x,,A,B,,,,,,,,\r\n"
    with pytest.raises(InvalidImport) as caught:
        _parse(files)
    assert caught.value.problems == [
        "users.csv line 4: sourcedId 's0' is also on line 2",
        "classes.csv line 2: school 'school9' is not in orgs.csv",
        "classes.csv line 2: academic session 'term9' is not in academicSessions.csv"]


def _existing(*rows):
    return [oneroster.Existing(n, sid, f"N{n}", card, archived) for n, (sid, card, archived) in enumerate(rows, 1)]


def test_next_term_plan_keeps_cards_frees_leavers_and_welcomes_returners():
    cls = _parse(oneroster_files({"c1": students("s", 5)})).classes[0]  # s0..s4 in the new file
    existing = _existing(("s0", 1, False), ("s1", 2, False), ("gone", 3, False), ("s3", 3, True), (None, 4, False),
                         ("s4", 2, True))
    plan = oneroster.plan_class(cls, existing, card_count=64)
    assert sorted(i for i, _ in plan.update) == [1, 2]  # s0, s1 stay on cards 1 and 2
    assert plan.archive == (3,)  # "gone" left: archived, card 3 freed
    # s3 comes back to their old card 3; s4's old card 2 is s1's now, so s4 and newcomer s2 get free ones.
    assert [(i, p.sourced_id, card) for i, p, card in plan.restore] == [(4, "s3", 3), (6, "s4", 6)]
    assert [(p.sourced_id, card) for p, card in plan.add] == [("s2", 5)]  # 4 is the hand-added student's
    with pytest.raises(InvalidImport, match="needs 3 more cards, 1 are free"):
        oneroster.plan_class(cls, existing, card_count=4)


BOOK = {"columns": [{"session_id": 7, "title": "Fractions", "created_at": 1_796_000_000.0, "graded": 3}],
        "rows": [{"student_id": 1, "name": "Zoë", "card": 1, "scores": [2]},
                 {"student_id": 2, "name": "-1 trick", "card": 2, "scores": [None]}]}


def test_csv_for_excel_in_every_locale():
    text = grades.csv_text({"Grades": [["Student", "Percent"], ["Zoë", 66.7], ["=x", None]], "Key": [["Q", "A"]]},
                           ";", ",")
    assert text == "\ufeffStudent;Percent\r\nZoë;66,7\r\n'=x;\r\n\r\nKey\r\nQ;A\r\n"


def test_lms_files():
    from appliance.classroom.models import StudentIds
    ids = {1: StudentIds("sid-1", "1001", "zoe@school.test", "zoe"), 2: StudentIds()}
    assert grades.canvas_csv(BOOK, ids, "7B").splitlines() == [
        "Student,ID,SIS User ID,SIS Login ID,Section,Fractions (Argus #7)", "Points Possible,,,,,3",
        "Zoë,,sid-1,zoe,7B,2", "'-1 trick,,,,7B,"]
    assert grades.moodle_csv(BOOK, ids).splitlines()[1] == "Zoë,1001,zoe@school.test,66.7"
    first = grades.oneroster_results(BOOK, ids, "class-1", "term-1")
    assert first == grades.oneroster_results(BOOK, ids, "class-1", "term-1")  # same gradebook, same bytes
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        results = archive.read("results.csv").decode().splitlines()
        manifest = archive.read("manifest.csv").decode()
    assert results[1].split(",")[3:7] == ["argus-class-1-7-1796000000", "sid-1", "fully graded", "2"]
    assert len(results) == 2 and "file.lineItems,bulk" in manifest and "file.users,absent" in manifest


def _ods_with(extra: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(ods([["Name"], ["Ava"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content.xml":
                data = data.replace(b"</table:table>", extra.encode() + b"</table:table>")
            archive.writestr(info.filename, data, compress_type=info.compress_type)
    return out.getvalue()


def test_ods_run_length_rows_are_counted_before_reading():
    # LibreOffice ends every sheet with a million empty repeated rows: harmless, read as two rows.
    tail = ('<table:table-row table:number-rows-repeated="1048570">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    assert len(school_files.read_table(_ods_with(tail)).rows) == 2
    # A value after 20,000 repeated rows would make the reader allocate every cell up to it.
    far = ('<table:table-row table:number-rows-repeated="20000"><table:table-cell table:number-columns-repeated="500"/>'
           '</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="5"/>'
           '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    with pytest.raises(InvalidImport, match=r"^cell F20003: the sheet reaches beyond row 5000"):
        school_files.read_table(_ods_with(far))


def test_kahoot_export_uses_only_time_limits_kahoot_takes():
    from appliance.classroom.formats import kahoot
    assert [kahoot.kahoot_time_limit(s) for s in (None, 5, 7, 8, 45, 100, 3600)] == [20, 5, 5, 10, 30, 90, 240]
