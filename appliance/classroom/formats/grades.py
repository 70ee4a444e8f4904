"""Gradebooks and session results for where grades go next: sheets for .xlsx and CSV in the teacher's locale
(separator and decimal mark), Canvas and Moodle grade import CSV, and OneRoster 1.1 results. Pure.

The answer key and per-question rows are a sheet (or a CSV section after a blank line) of their own, so a
teacher can sort the students' rows without dragging the key along."""
from __future__ import annotations

import datetime
import io
import zipfile

from appliance.classroom.formats.xlsx import Sheets
from appliance.classroom.models import StudentIds
from appliance.classroom.spreadsheet import csv_text as _csv
from appliance.classroom.spreadsheet import spreadsheet_cell

SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}
DECIMALS = (".", ",")


def _percent(score: int, graded: int) -> float | None:
    return round(100 * score / graded, 1) if graded else None


def date_text(timestamp: float) -> str:
    return _date(timestamp)


def _date(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")


ABSENT = "absent"  # the gradebook's cell for a student marked absent from a lesson
_EXCUSED = "EX"  # Canvas's mark for an excused assignment: not counted, not a zero


def results_sheets(results: dict, analysis: dict | None = None) -> Sheets:
    """Results (a row per student, a column per question, their attendance and the questions whose answer the
    teacher entered), the answer key (a row per question, answered out of the students present), each round of
    a question asked more than once, and the item analysis. A question asked again is one column and one row
    (its counted answers, as in the score), with its rounds on a sheet of their own."""
    items = results.get("items")
    columns = items if items is not None else results["questions"]
    students = [["Student", "Card", *[f"Q{q['index'] + 1}" for q in columns], "Score", "Out of", "Percent",
                 "Answered", "Attendance", "Entered by the teacher"]]
    for s in results["students"]:
        if s["absent"]:
            students.append([s["name"], s["card"], *["" for _ in columns], None, s["graded"], None, None,
                             ABSENT, ""])
            continue
        if items is not None:
            answers, sources = [a["answer"] for a in s["items"]], [a["source"] for a in s["items"]]
        else:
            answers, sources = s["answers"], s["sources"]
        by_hand = ", ".join(f"Q{q['index'] + 1}" for q, source in zip(columns, sources) if source == "teacher")
        students.append([s["name"], s["card"], *[a or "" for a in answers], s["score"], s["graded"],
                         _percent(s["score"], s["graded"]), s["answered"], "present", by_hand])
    # Participation is out of the students present (absent ones are in no count).
    key = [["Question", "Text", "Correct answer", "Asked", f"Answered (of {results['present']} present)", "% correct",
            "A", "B", "C", "D", "Rounds"]]
    for q in columns:
        counts = [q["distribution"].get(letter) for letter in "ABCD"]
        key.append([f"Q{q['index'] + 1}", q["text"], q["correct"] or "(poll)", "yes" if q["asked"] else "no",
                    q["answered"], q["percent_correct"], *counts, _round_count(q)])
    sheets = {"Results": students, "Answer key": key}
    again = [q for q in items or [] if len(q["rounds"]) > 1]
    if again:
        rounds = [["Question", "Round", "Answered", "% correct", "A", "B", "C", "D"]]
        for q in again:
            for r in q["rounds"]:
                rounds.append([f"Q{q['index'] + 1}", r["round"], r["answered"], r["percent_correct"],
                               *[r["distribution"].get(letter) for letter in "ABCD"]])
        sheets["Rounds"] = rounds
    if analysis is not None:
        sheets["Item analysis"] = item_analysis_rows(analysis)
    return sheets


def _round_count(question: dict) -> int:
    rounds = question.get("rounds", 1)  # an item's list of rounds, or a position's count of them
    return len(rounds) if isinstance(rounds, list) else rounds


_FLAG_WORDS = {"distractor_beats_key": "a wrong option drew more students than the right one",
               "negative_discrimination": "negative discrimination: check the key"}


def flag_words(flags: list[str]) -> str:
    return "; ".join(_FLAG_WORDS.get(f, f"option {f[7:]} unused" if f.startswith("unused:") else f) for f in flags)


def item_analysis_rows(analysis: dict) -> list[list]:
    """A row per graded question (docs/ITEM_ANALYSIS.md), then the number of students and KR-20."""
    rows = [["Question", "Text", "Correct answer", "Rounds", "Answered", "Right", "Difficulty", "Discrimination",
             "Share A", "Share B", "Share C", "Share D", "Flags", "Wrong answers chosen", "Skills"]]
    for q in analysis["questions"]:
        shares = [q["options"][letter]["share"] if letter in q["options"] else None for letter in "ABCD"]
        rows.append([f"Q{q['index'] + 1}", q["text"], q["key"], q["rounds"], q["answered"], q["correct"],
                     _rounded(q["difficulty"]), _rounded(q["discrimination"]), *map(_rounded, shares),
                     flag_words(q["flags"]), _wrong_chosen(q), ", ".join(q.get("skills", []))])
    rows += [[], ["Students", analysis["students"]], ["KR-20", _rounded(analysis["kr20"])]]
    return rows


def _wrong_chosen(question: dict) -> str:
    """"B 12: adds the denominators; D 3": each wrong option chosen, most chosen first, with its misconception."""
    chosen = sorted(((o["count"], letter, o.get("misconception")) for letter, o in question["options"].items()
                     if letter != question["key"] and o["count"]), key=lambda c: (-c[0], c[1]))
    return "; ".join(f"{letter} {count}" + (f": {note}" if note else "") for count, letter, note in chosen)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def gradebook_sheets(book: dict) -> Sheets:
    columns = book["columns"]
    grid = [["Student", "Card", *[f"{c['title']} #{c['session_id']} (/{c['graded']})" for c in columns]]]
    for row in book["rows"]:
        grid.append([row["name"], row["card"], *row["scores"]])
    sessions = [["Session", "Title", "Date", "Graded questions"]]
    for c in columns:
        sessions.append([c["session_id"], c["title"], _date(c["created_at"]), c["graded"]])
    return {"Gradebook": grid, "Sessions": sessions}


def csv_text(sheets: Sheets, separator: str = ",", decimal: str = ".") -> str:
    """Every sheet as a CSV section (blank line, then its name), UTF-8 with BOM and CRLF for Excel."""
    lines: list[list] = []
    for n, (title, rows) in enumerate(sheets.items()):
        if n:
            lines += [[], [title]]
        lines += rows
    return _csv(lines, delimiter=separator, cell=lambda v: _cell(v, decimal))


def _cell(value, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}".replace(".", decimal)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return spreadsheet_cell(value)


def _plain_csv(rows: list[list]) -> str:
    return _csv(rows, excel_bom=False, cell=lambda v: _cell(v, "."))


def canvas_csv(book: dict, ids: dict[int, StudentIds], section: str) -> str:
    """Canvas: Grades → Import. Students are matched by SIS User ID or SIS Login ID; each session becomes an
    assignment worth its graded questions (the "Points Possible" row)."""
    columns = book["columns"]
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
             *[f"{c['title']} (Argus #{c['session_id']})" for c in columns]],
            ["Points Possible", "", "", "", "", *[c["graded"] for c in columns]]]
    for row in book["rows"]:
        who = ids.get(row["student_id"], StudentIds())
        rows.append([row["name"], "", who.sourced_id or who.id_number or "", who.username or who.email or "",
                     section, *[_EXCUSED if s == ABSENT else s for s in row["scores"]]])
    return _plain_csv(rows)


def moodle_csv(book: dict, ids: dict[int, StudentIds]) -> str:
    """Moodle: Grades → Import → CSV file, mapping "Email address" to useremail or "ID number" to
    useridnumber; each session a percentage (0-100, what a new Moodle grade item is out of)."""
    columns = book["columns"]
    rows = [["Student", "ID number", "Email address",
             *[f"{c['title']} (Argus #{c['session_id']})" for c in columns]]]
    for row in book["rows"]:
        who = ids.get(row["student_id"], StudentIds())
        rows.append([row["name"], who.id_number or who.sourced_id or "", who.email or "",
                     *[None if s in (None, ABSENT) else _percent(s, c["graded"])
                       for s, c in zip(row["scores"], columns)]])
    return _plain_csv(rows)


def oneroster_results(book: dict, ids: dict[int, StudentIds], class_sourced_id: str,
                      term_sourced_id: str | None) -> bytes:
    """OneRoster 1.1 gradebook CSV (manifest, categories, lineItems, results) as a zip, for a class imported
    from OneRoster: a line item per session with graded questions, a result per student who took part.
    Students added by hand (no sourcedId) have no place in the school's system and are left out."""
    category = "argus-quiz"
    line_items = [["sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate",
                   "classSourcedId", "categorySourcedId", "gradingPeriodSourcedId", "resultValueMin",
                   "resultValueMax"]]
    results = [["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId", "scoreStatus",
                "score", "scoreDate", "comment"]]
    for n, c in enumerate(book["columns"]):
        if not c["graded"]:
            continue  # a session of polls only has nothing to grade
        item = f"argus-{class_sourced_id}-{c['session_id']}-{int(c['created_at'])}"
        day = _date(c["created_at"])
        line_items.append([item, "", "", c["title"], f"Argus session #{c['session_id']}", day, day,
                           class_sourced_id, category, term_sourced_id or "", 0, c["graded"]])
        for row in book["rows"]:
            sid = ids.get(row["student_id"], StudentIds()).sourced_id
            if sid and row["scores"][n] not in (None, ABSENT):  # absent: no result, as for one who never took part
                results.append([f"{item}-{sid}", "", "", item, sid, "fully graded", float(row["scores"][n]), day, ""])
    manifest = [["propertyName", "value"], ["manifest.version", "1.0"], ["oneroster.version", "1.1"],
                *[[f"file.{name}", "bulk" if name in ("categories", "lineItems", "results") else "absent"]
                  for name in ("academicSessions", "categories", "classes", "classResources", "courseResources",
                               "courses", "demographics", "enrollments", "lineItems", "orgs", "resources",
                               "results", "users")],
                ["source.systemName", "Argus"], ["source.systemCode", "argus"]]
    files = {"manifest.csv": manifest, "categories.csv": [["sourcedId", "status", "dateLastModified", "title"],
                                                          [category, "", "", "Argus quiz"]],
             "lineItems.csv": line_items, "results.csv": results}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            # A fixed member date: the same gradebook gives the same bytes (a sync can tell nothing changed).
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), _plain_csv(rows),
                             compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
