"""School systems in and out through the real server: spreadsheet rosters with a preview, OneRoster zips
and their re-import next term, gradebooks for Excel in every locale, Canvas, Moodle and OneRoster, and
question banks from Moodle and Kahoot."""
from __future__ import annotations

import io
import time
import zipfile

import aiohttp
import python_calamine

from appliance import keys
from appliance.classroom.formats import tables, xlsx
from appliance.reports import export
from appliance.vision.types import Registration
from tests.school_files import oneroster_files, oneroster_zip, students, zip_bytes

ZIP = {"Content-Type": "application/zip"}
XLSX = {"Content-Type": tables.XLSX_TYPE}


def _sheet(data: bytes, name: str | None = None) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(name or book.sheet_names[0]).to_python()


async def _class(teacher, name="7C"):
    return await (await teacher.post("/api/v1/classes", json={"name": name})).json()


async def test_xlsx_roster_is_previewed_then_imported_whole(teacher):
    klass = await _class(teacher)
    sheet = xlsx.workbook({"Export": [["Klasse 7C"], ["Nachname", "Vorname", "Jahrgang", "Karte", "E-Mail"],
                                      ["Müller", "Jörg", 7, 12, "jm@school.test"], ["Schmidt", "Anna", 7, None, None],
                                      ["=HYPERLINK(\"x\")", "Eve", 7, None, None]]})
    url = f"/api/v1/classes/{klass['id']}/roster"
    preview = await (await teacher.post(url + "?dry_run=1", data=sheet, headers=XLSX)).json()
    assert preview["ok"] and preview["header"] == "row 2" and preview["ignored"] == ["Jahrgang"]
    assert preview["columns"] == {"last": "Nachname", "first": "Vorname", "card": "Karte", "email": "E-Mail"}
    assert [(s["where"], s["name"], s["card"]) for s in preview["students"]] == [
        ("row 3", "Jörg Müller", 12), ("row 4", "Anna Schmidt", 1), ("row 5", "Eve =HYPERLINK(\"x\")", 2)]
    untouched = await (await teacher.get(f"/api/v1/classes/{klass['id']}")).json()
    assert untouched["students"] == []  # the preview wrote nothing
    done = await teacher.post(url, data=sheet, headers=XLSX)
    assert done.status == 200
    assert {s["name"]: s["card"] for s in (await done.json())["students"]} == {
        "Jörg Müller": 12, "Anna Schmidt": 1, "Eve =HYPERLINK(\"x\")": 2}

    again = await teacher.post(url + "?dry_run=1", data=sheet, headers=XLSX)
    flagged = await again.json()
    assert again.status == 200 and not flagged["ok"]
    assert flagged["problems"][0] == ("row 3: 'Jörg Müller' is already in this class: tell them apart (a middle "
                                      "initial, a note) before importing")
    refused = await teacher.post(url, data=sheet, headers=XLSX)
    assert refused.status == 400 and len((await refused.json())["problems"]) == 4  # 3 names, card 12 taken


async def test_school_csv_exports_and_pasted_cells(teacher):
    klass = await _class(teacher)
    url = f"/api/v1/classes/{klass['id']}/roster"
    school = "Surname;Forename;Year;Form\r\nDupont;Chloé;7;7C\r\nMartin;Léa;7;7C\r\n".encode("cp1252")
    done = await teacher.post(url, data=school, headers={"Content-Type": "text/csv"})
    assert done.status == 200 and [s["name"] for s in (await done.json())["students"]] == ["Chloé Dupont", "Léa Martin"]
    pasted = b"Voornaam\tAchternaam\nSanne\tde Vries\nSanne\tde Vries\n"
    twice = await teacher.post(url, data=pasted, headers={"Content-Type": "text/plain"})
    assert twice.status == 400
    assert (await twice.json())["problems"] == ["line 3: 'Sanne de Vries' is also on line 2: tell them apart (a "
                                                "middle initial, a note) before importing"]
    old_excel = await teacher.post(url, data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                                   headers={"Content-Type": "application/vnd.ms-excel"})
    assert old_excel.status == 400 and "spreadsheet cannot be read" in (await old_excel.json())["error"]
    bomb = zip_bytes({"xl/worksheets/sheet1.xml": b"<" * 30_000_000})
    refused = await teacher.post(url, data=bomb, headers=XLSX)
    assert refused.status == 400 and "zip bomb" in (await refused.json())["error"]


async def test_roster_template_reads_back_as_its_own_header(teacher):
    template = await teacher.get("/api/v1/roster-template.xlsx")
    assert template.status == 200 and template.content_type == tables.XLSX_TYPE
    assert _sheet(await template.read()) == [["Last name", "First name", "Card", "Group", "Email", "Student ID"]]
    text = await (await teacher.get("/api/v1/roster-template.csv")).text()
    assert text.lstrip("\ufeff").startswith("Last name,First name,Card")


async def test_oneroster_import_then_next_term_updates_by_sourced_id(teacher):
    first = oneroster_zip({"c1": students("s", 3), "c2": students("t", 2)})
    not_zip = await teacher.post("/api/v1/classes/import", data=first, headers={"Content-Type": "text/csv"})
    assert not_zip.status == 415  # a zip must say it is one (or be plain bytes)
    dry = await teacher.post("/api/v1/classes/import?dry_run=1", data=first, headers=ZIP)
    assert dry.status == 200 and [c["added"] for c in (await dry.json())["classes"]] == [3, 2]
    assert not [c for c in await (await teacher.get("/api/v1/classes")).json() if c["name"].startswith("Maths c")]
    made = await teacher.post("/api/v1/classes/import", data=first, headers=ZIP)
    body = await made.json()
    assert made.status == 201 and body["version"] == "1.1"
    c1 = next(c for c in body["classes"] if c["sourced_id"] == "c1")
    assert c1["created"] and c1["added"] == 3 and c1["term"] == "Autumn 2026" and c1["course"] == "Maths 7"
    roster = await (await teacher.get(f"/api/v1/classes/{c1['id']}")).json()
    cards = {s["name"]: s["card"] for s in roster["students"]}
    assert cards == {"Given0 Family0": 1, "Given1 Family1": 2, "Given2 Family2": 3}

    # Next term: s0 left, s3 joined, s1 and s2 stay on their cards; a name changed in the school's system.
    changed = students("s", 4)[1:]
    changed[0] = ("s1", "Renamed", "Family1", "", "ID1", "s1@school.test")
    second = await teacher.post("/api/v1/classes/import", data=oneroster_zip({"c1": changed}, version="1.2"),
                                headers=ZIP)
    update = (await second.json())["classes"][0]
    assert second.status == 201 and not update["created"] and update["id"] == c1["id"]
    assert (update["added"], update["archived"], update["updated"]) == (1, 1, 2)
    roster = await (await teacher.get(f"/api/v1/classes/{c1['id']}")).json()
    assert {s["name"]: s["card"] for s in roster["students"]} == {"Renamed Family1": 2, "Given2 Family2": 3,
                                                                  "Given3 Family3": 1}  # s0's card was freed


async def test_oneroster_teachers_matched_to_accounts_never_created(server, teacher):
    made = await teacher.post("/api/v1/users", json={"username": "ms.h@school.test", "password": "teacher-pass"})
    assert made.status == 201
    data = oneroster_zip({"c1": students("s", 2), "c2": students("t", 2)},
                         teachers={"c1": ("teach1", "msh", "MS.H@school.test"), "c2": ("teach2", "nobody", "")})
    body = await (await teacher.post("/api/v1/classes/import", data=data, headers=ZIP)).json()
    owners = {c["sourced_id"]: (c["owner"], c["teacher_matched"]) for c in body["classes"]}
    assert owners == {"c1": ("ms.h@school.test", "MS.H@school.test"), "c2": ("demo", None)}
    users = await (await teacher.get("/api/v1/users")).json()
    assert sorted(u["username"] for u in users) == ["demo", "ms.h@school.test"]  # nobody was created
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as ms_h:
        await ms_h.post("/api/v1/login", json={"username": "ms.h@school.test", "password": "teacher-pass"})
        assert [c["name"] for c in await (await ms_h.get("/api/v1/classes")).json()] == ["Maths c1"]
        # A teacher importing the school's file gets only the classes it names them teacher of.
        own = await (await ms_h.post("/api/v1/classes/import", data=data, headers=ZIP)).json()
        assert [c["sourced_id"] for c in own["classes"]] == ["c1"] and own["not_imported"] == 1
        assert not own["classes"][0]["created"]


async def test_bad_oneroster_zips_are_a_clear_400_naming_file_and_line(teacher):
    files = oneroster_files({"c1": students("s", 2)})
    cases = {
        "enrollments.csv line 4: user 'ghost' is not in users.csv": {**files, "enrollments.csv": files["enrollments.csv"]
                                   + b"e9,,,c1,school1,ghost,student,false,,\r\n"},
        "classes.csv line 2: course 'nope'": {**files, "classes.csv": files["classes.csv"].replace(b"course1", b"nope")},
        "users.csv line 2: not valid CSV": {**files, "users.csv": files["users.csv"].replace(b"\r\ns0,", b"\r\n\"s0,", 1)},
        "a file name with a path outside the zip": {**files, "../evil.csv": b"x"},
        "academicSessions.csv: not in the zip": {k: v for k, v in files.items() if k != "academicSessions.csv"},
        "only bulk files": {**files, "manifest.csv": files["manifest.csv"].replace(b"users,bulk", b"users,delta")},
        "zip bomb": {**files, "users.csv": b"a," * 20_000_000},
    }
    for expected, members in cases.items():
        response = await teacher.post("/api/v1/classes/import", data=zip_bytes(members), headers=ZIP)
        body = await response.json()
        assert response.status == 400, expected
        assert expected in body["error"] or any(expected in p for p in body["problems"]), (expected, body)
    not_zip = await teacher.post("/api/v1/classes/import", data=b"sourcedId,title\n", headers=ZIP)
    assert not_zip.status == 400 and "not a valid zip" in (await not_zip.json())["error"]
    assert not [c for c in await (await teacher.get("/api/v1/classes")).json() if c["name"] == "Maths c1"]


async def _graded_session(server, teacher, class_id: int) -> int:
    quiz = await (await teacher.post("/api/v1/quizzes", json={"title": "Fractions", "questions": [
        {"text": "1/2 + 1/4?", "options": ["3/4", "2/6"], "correct": "A"},
        {"text": "1/3 > 1/4", "options": ["True", "False"], "correct": "A", "type": "truefalse"}]})).json()
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": class_id, "quiz_id": quiz["id"]})).json())["id"]
    engine = server.app[keys.ENGINE]
    for question, answers in enumerate(({1: "A", 2: "B"}, {1: "A", 2: "A"})):
        await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": question})
        for card, answer in answers.items():
            await engine.register(Registration(card, answer, time.monotonic()))
        await teacher.post(f"/api/v1/sessions/{sid}/close")
    await teacher.post(f"/api/v1/sessions/{sid}/end")
    return sid


async def test_gradebooks_for_excel_canvas_moodle_and_oneroster(server, teacher):
    body = await (await teacher.post("/api/v1/classes/import", data=oneroster_zip({"c1": students("s", 3)}),
                                     headers=ZIP)).json()
    class_id = body["classes"][0]["id"]
    sid = await _graded_session(server, teacher, class_id)
    base = f"/api/v1/classes/{class_id}/gradebook"

    book = await teacher.get(base + ".xlsx")
    assert book.status == 200 and book.content_type == tables.XLSX_TYPE
    grid = _sheet(await book.read(), "Gradebook")
    assert grid[0] == ["Student", "Card", f"Fractions #{sid} (/2)"]
    assert grid[1:] == [["Given0 Family0", 1.0, 2.0], ["Given1 Family1", 2.0, 1.0], ["Given2 Family2", 3.0, ""]]

    european = (await (await teacher.get(base + ".csv?sep=;")).text()).lstrip("\ufeff")
    assert european.startswith(f"Student;Card;Fractions #{sid} (/2)\r\nGiven0 Family0;1;2\r\n")
    remembered = (await (await teacher.get(base + ".csv")).text()).lstrip("\ufeff")
    assert remembered == european  # the teacher's choice is kept for the next download
    results = (await (await teacher.get(f"/api/v1/sessions/{sid}/results.csv")).text()).lstrip("\ufeff")
    assert "Given1 Family1;2;B;A;1;2;50;2;present;\r\n" in results and "\r\n\r\nAnswer key\r\n" in results
    tabbed = (await (await teacher.get(base + ".csv?sep=tab&decimal=.")).text()).lstrip("\ufeff")
    assert tabbed.startswith("Student\tCard\t")
    assert (await teacher.get(base + ".csv?sep=|")).status == 400

    canvas = (await (await teacher.get(base + ".csv?style=canvas")).text()).splitlines()
    assert canvas[0] == f"Student,ID,SIS User ID,SIS Login ID,Section,Fractions (Argus #{sid})"
    assert canvas[1] == "Points Possible,,,,,2" and canvas[2] == "Given0 Family0,,s0,given0.family0,Maths c1,2"
    moodle = (await (await teacher.get(base + ".csv?style=moodle")).text()).splitlines()
    assert moodle[0] == f"Student,ID number,Email address,Fractions (Argus #{sid})"
    assert moodle[2] == "Given1 Family1,ID1,s1@school.test,50"

    one = await teacher.get(base + ".zip")
    with zipfile.ZipFile(io.BytesIO(await one.read())) as archive:
        assert set(archive.namelist()) == {"manifest.csv", "categories.csv", "lineItems.csv", "results.csv"}
        results_rows = archive.read("results.csv").decode().splitlines()
        line_items = archive.read("lineItems.csv").decode().splitlines()
    assert len(results_rows) == 3 and ",s1,fully graded,1," in results_rows[2]  # s2 took no part
    assert line_items[1].split(",")[7:12] == ["c1", "argus-quiz", "term1", "0", "2"]
    results_book = _sheet(await (await teacher.get(f"/api/v1/sessions/{sid}/results.xlsx")).read(), "Answer key")
    assert results_book[1][:3] == ["Q1", "1/2 + 1/4?", "A"]

    # The USB export (and whatever else carries export_files) holds the very same bytes.
    files = await export.build_files(server.app[keys.DB])
    stem = f"gradebook-maths-c1-{class_id}"
    assert files[f"lms/{stem}-oneroster.zip"] == await (await teacher.get(base + ".zip")).read()
    assert files[f"lms/{stem}-canvas.csv"] == await (await teacher.get(base + ".csv?style=canvas")).read()
    assert _sheet(files[f"{stem}.xlsx"], "Gradebook") == grid

    plain = await _class(teacher, "Hand made")
    refused = await teacher.get(f"/api/v1/classes/{plain['id']}/gradebook.zip")
    assert refused.status == 409 and "OneRoster" in (await refused.json())["error"]


GIFT = """// Fractions from Moodle
$CATEGORY: $course$/Maths/Fractions

::Half and quarter:: 1/2 + 1/4 = ? {=3/4 ~2/6 ~1/8}

::Star:: The sun is a star {T}

::Short:: Who is buried in Grant's tomb? {=Grant}

::Number:: 2 + 2 = ? {#4}
"""


async def test_question_banks_from_moodle_and_kahoot(teacher):
    made = await teacher.post("/api/v1/quizzes/import?format=gift", data=GIFT.encode())
    quiz = await made.json()
    assert made.status == 201 and quiz["title"] == "Fractions"
    assert [(q["text"], q["type"], q["correct"]) for q in quiz["questions"]] == [
        ("1/2 + 1/4 = ?", "multiple", "A"), ("The sun is a star", "truefalse", "A")]
    assert quiz["skipped"] == ["line 8: a short answer question (no wrong answers to choose from): cards cannot ask it",
                               "line 10: a numeric question: cards cannot ask it"]
    gift = await (await teacher.get(f"/api/v1/quizzes/{quiz['id']}/export.gift")).text()
    assert "1/2 + 1/4 \\= ? {=3/4 ~2/6 ~1/8}" in gift and "The sun is a star {T}" in gift
    aiken = await (await teacher.get(f"/api/v1/quizzes/{quiz['id']}/export.aiken")).text()
    assert aiken.startswith("1/2 + 1/4 = ?\nA. 3/4\nB. 2/6\nC. 1/8\nANSWER: A\n")
    back = await teacher.post("/api/v1/quizzes/import?format=aiken&title=Again", data=aiken.encode())
    assert back.status == 201 and len((await back.json())["questions"]) == 2
    broken = await teacher.post("/api/v1/quizzes/import?format=aiken&title=X", data=b"Q?\nA. 1\nB. 2\nANSWER: C\n")
    assert broken.status == 400 and (await broken.json())["problems"] == [
        "line 4: ANSWER 'C' is not one of the options A-B"]

    kahoot = await teacher.get(f"/api/v1/quizzes/{quiz['id']}/export.xlsx")
    rows = _sheet(await kahoot.read())
    assert rows[7][1].startswith("Question") and rows[8][1:3] == ["1/2 + 1/4 = ?", "3/4"] and rows[8][7] == 1.0
    sheet = xlsx.workbook({"Sheet1": [[], ["", "Question - max 120 characters", "Answer 1", "Answer 2", "Answer 3",
                                           "Answer 4", "Time limit (sec)", "Correct answer(s)"],
                                      [1, "Capital of France?", "Lyon", "Paris", "", "", 20, 2],
                                      [2, "Primes?", "2", "3", "4", "", 30, "1,2"],
                                      [3, "", "", "", "", "", "", ""]]})
    imported = await teacher.post("/api/v1/quizzes/import?format=kahoot&title=Kahoot", data=sheet, headers=XLSX)
    body = await imported.json()
    assert imported.status == 201 and [(q["text"], q["options"], q["correct"], q["time_limit"])
                                       for q in body["questions"]] == [("Capital of France?", ["Lyon", "Paris"], "B", 20)]
    assert body["skipped"] == ["cell H4: 2 correct answers: a card question has one"]
    wrong = xlsx.workbook({"Sheet1": [["Question", "Answer 1", "Answer 2", "Correct answer(s)"], ["Q?", "a", "b", 3]]})
    refused = await teacher.post("/api/v1/quizzes/import?format=kahoot&title=K", data=wrong, headers=XLSX)
    assert refused.status == 400 and (await refused.json())["problems"][0].startswith("cell D2: '3' is not the number")
