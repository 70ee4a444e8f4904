"""Session results as CSV that opens cleanly in Excel and LibreOffice. Pure, no I/O."""
from __future__ import annotations

import csv
import io

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    text = "" if value is None else str(value)
    # A name like "=HYPERLINK(...)" must stay text in a spreadsheet, never become a formula.
    return "'" + text if text.startswith(_FORMULA_START) else text


def results_csv(results: dict) -> str:
    """One row per student: name, card, the final answer to each question, score; then the answer key."""
    questions = results["questions"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Student", "Card", *[f"Q{q['index'] + 1}" for q in questions], "Score", "Answered"])
    for s in results["students"]:
        writer.writerow([spreadsheet_cell(s["name"]), s["card"], *[a or "" for a in s["answers"]], s["score"], s["answered"]])
    writer.writerow(["Correct answer", "", *[q["correct"] or "(poll)" for q in questions], "", ""])
    writer.writerow(["% correct", "", *["" if q["percent_correct"] is None else q["percent_correct"]
                                        for q in questions], "", ""])
    # The BOM makes Excel read the file as UTF-8 (names with accents stay intact).
    return "\ufeff" + out.getvalue()


def gradebook_csv(book: dict) -> str:
    """A row per student, a column per session (score out of graded questions); blank = absent."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Student", "Card", *[spreadsheet_cell(f"{c['title']} #{c['session_id']} (/{c['graded']})")
                                          for c in book["columns"]]])
    for row in book["rows"]:
        writer.writerow([spreadsheet_cell(row["name"]), row["card"],
                         *["" if s is None else s for s in row["scores"]]])
    return "\ufeff" + out.getvalue()
