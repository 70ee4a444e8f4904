"""How long the school formats take, printed (run with -s): a year group's spreadsheet roster, a district's
OneRoster zip imported and re-imported through the real server, and a full year's gradebook as .xlsx.
Numbers, not timing asserts; the slow ones are the full sizes, CI runs the small ones.

    ./scripts/test tests/bench/test_school_formats_bench.py -s -m slow     # full sizes
"""
from __future__ import annotations

import time

import pytest

from appliance.classroom.formats import grades, roster_table, xlsx
from tests import school_files
from tests.school_files import oneroster_zip, students

ZIP = {"Content-Type": "application/zip"}


def _roster_sheet(rows: int) -> bytes:
    return xlsx.workbook({"Export": [["Surname", "Forename", "Year", "Form", "Card"]]
                          + [[f"Family{n}", f"Given{n}", 7, "7B", ""] for n in range(rows)]})


@pytest.mark.parametrize("rows", [pytest.param(1000, marks=pytest.mark.slow), 200])
def test_spreadsheet_roster(rows):
    data = _roster_sheet(rows)
    start = time.perf_counter()
    parsed = roster_table.parse(school_files.read_table(data), card_count=5000)
    ms = (time.perf_counter() - start) * 1000
    print(f"\nroster .xlsx, {rows} students ({len(data) // 1024} KiB): read + mapped + checked in {ms:.0f} ms")
    assert len(parsed) == rows and parsed[-1][1] == rows


@pytest.mark.parametrize("classes", [pytest.param(200, marks=pytest.mark.slow), 20])
async def test_oneroster_district_import_and_next_term(teacher, classes):
    first = oneroster_zip({f"c{n}": students(f"s{n}-", 30) for n in range(classes)})
    start = time.perf_counter()
    made = await teacher.post("/api/v1/classes/import", data=first, headers=ZIP)
    took = time.perf_counter() - start
    assert made.status == 201, await made.text()
    print(f"\nOneRoster import, {classes} classes x 30 students ({len(first) // 1024} KiB zip): {took:.2f} s")
    # Next term: every class loses 3 students and gains 3.
    second = oneroster_zip({f"c{n}": students(f"s{n}-", 30, start=3) for n in range(classes)})
    start = time.perf_counter()
    again = await (await teacher.post("/api/v1/classes/import", data=second, headers=ZIP)).json()
    took = time.perf_counter() - start
    assert all((c["added"], c["archived"], c["updated"]) == (3, 3, 27) for c in again["classes"])
    print(f"OneRoster re-import (3 leave, 3 join per class): {took:.2f} s")


@pytest.mark.parametrize("sessions", [pytest.param(200, marks=pytest.mark.slow), 40])
def test_gradebook_workbook(sessions):
    book = {"columns": [{"session_id": n, "title": f"Quiz {n}", "created_at": 1.8e9 + n, "graded": 10}
                        for n in range(sessions)],
            "rows": [{"student_id": s, "name": f"Student {s}", "card": s, "scores": [(s + n) % 11 for n in range(sessions)]}
                     for s in range(1, 31)]}
    start = time.perf_counter()
    data = xlsx.workbook(grades.gradebook_sheets(book))
    ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    text = grades.csv_text(grades.gradebook_sheets(book), ";", ",")
    csv_ms = (time.perf_counter() - start) * 1000
    print(f"\ngradebook 30 students x {sessions} sessions: .xlsx {ms:.0f} ms ({len(data) // 1024} KiB), "
          f"CSV {csv_ms:.1f} ms")
    assert data[:2] == b"PK" and text.count("\r\n") == 31 + 3 + sessions  # students, blank, title, header, sessions
