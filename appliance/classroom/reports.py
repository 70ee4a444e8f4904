"""Session results and gradebooks as CSV that opens cleanly in Excel and LibreOffice. Pure, no I/O."""
from __future__ import annotations

from appliance.classroom.spreadsheet import csv_text


def results_csv(results: dict) -> str:
    """One row per student: name, card, the final answer to each question, score; then the answer key."""
    questions = results["questions"]
    rows = [["Student", "Card", *[f"Q{q['index'] + 1}" for q in questions], "Score", "Answered"]]
    for s in results["students"]:
        rows.append([s["name"], s["card"], *[a or "" for a in s["answers"]], s["score"], s["answered"]])
    rows.append(["Correct answer", "", *[q["correct"] or "(poll)" for q in questions], "", ""])
    rows.append(["% correct", "", *["" if q["percent_correct"] is None else q["percent_correct"]
                                    for q in questions], "", ""])
    return csv_text(rows)


def gradebook_csv(book: dict) -> str:
    """A row per student, a column per session (score out of graded questions); blank = absent."""
    rows = [["Student", "Card", *[f"{c['title']} #{c['session_id']} (/{c['graded']})" for c in book["columns"]]]]
    for row in book["rows"]:
        rows.append([row["name"], row["card"], *["" if s is None else s for s in row["scores"]]])
    return csv_text(rows)
