"""Kahoot's quiz spreadsheet template (.xlsx), in and out. Pure.

Kahoot's template has its header on row 8 and a question a row from row 9: column B the question, C-F
answers 1-4, G the time limit in seconds, H the correct answer(s) as numbers ("2", or "1,3"). The header row
is found by its words, so a sheet with the rows moved still reads. A question with several correct answers
is left out and reported by cell: a card question has one.
"""
from __future__ import annotations

from appliance.classroom.formats.bank import Bank, finish
from appliance.classroom.formats.tables import Table, column_letter
from appliance.classroom.formats.xlsx import Sheets
from appliance.classroom.importers import MAX_TIME_LIMIT, InvalidImport, is_number, validate_question
from appliance.classroom.models import Question

HEADER_ROW = 8  # 1-based, as in Kahoot's own template
KAHOOT_TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)  # the only values Kahoot's import takes
HEADERS = ("Question - max 120 characters", "Answer 1 - max 75 characters", "Answer 2 - max 75 characters",
           "Answer 3 - max 75 characters", "Answer 4 - max 75 characters",
           "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs", "Correct answer(s) - choose at least one")


def _columns(row: tuple[str, ...]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for column, text in enumerate(row):
        key = text.lower()
        if key.startswith("question"):
            found.setdefault("question", column)
        elif key.startswith("answer") and key[6:].strip()[:1] in "1234" and key[6:].strip():
            found.setdefault(f"answer{key[6:].strip()[0]}", column)
        elif key.startswith("time limit"):
            found.setdefault("time", column)
        elif key.startswith("correct"):
            found.setdefault("correct", column)
    return found if {"question", "answer1", "answer2", "correct"} <= set(found) else None


def parse(table: Table, title: str) -> Bank:
    header = next(((i, cols) for i, row in enumerate(table.rows[:30]) if (cols := _columns(row))), None)
    if header is None:
        raise InvalidImport(["the sheet has no Kahoot header row (Question, Answer 1-4, Time limit, Correct "
                             "answer(s)) in its first 30 rows"])
    start, cols = header
    questions: list[Question] = []
    skipped: list[str] = []
    problems: list[str] = []
    for index in range(start + 1, len(table.rows)):
        row = table.rows[index]

        def cell(name: str) -> str:
            column = cols.get(name)
            return row[column].strip() if column is not None and column < len(row) else ""

        def where(name: str) -> str:
            return f"cell {column_letter(cols[name])}{index + 1}"

        answers = [cell(f"answer{n}") for n in range(1, 5)]
        if not cell("question") and not any(answers):
            continue  # the template's numbered but empty rows
        present = [(n, a) for n, a in enumerate(answers, start=1) if a]
        raw = cell("correct").replace(";", ",").replace(" ", "")
        picks = [p for p in raw.split(",") if p]
        if not picks:
            problems.append(f"{where('correct')}: no correct answer (a number from 1 to 4)")
            continue
        if not all(is_number(p) and any(int(p) == n for n, _ in present) for p in picks):
            problems.append(f"{where('correct')}: {cell('correct')!r} is not the number of a filled answer "
                            f"({', '.join(str(n) for n, _ in present) or 'none filled'})")
            continue
        if len(set(picks)) > 1:
            skipped.append(f"{where('correct')}: {len(set(picks))} correct answers: a card question has one")
            continue
        limit_text = cell("time") if "time" in cols else ""
        time_limit = None
        if limit_text:
            if not is_number(limit_text) or not 5 <= int(limit_text) <= MAX_TIME_LIMIT:
                problems.append(f"{where('time')}: the time limit {limit_text!r} is not whole seconds from 5 to "
                                f"{MAX_TIME_LIMIT}")
                continue
            time_limit = int(limit_text)
        options = [a for _, a in present]
        correct = "ABCD"[[n for n, _ in present].index(int(picks[0]))]
        q = validate_question(f"row {index + 1}", "multiple", cell("question"), options, correct, time_limit,
                              problems)
        if q:
            questions.append(q)
    return finish(title, questions, skipped, problems)


def kahoot_time_limit(seconds: int | None) -> int:
    """The Kahoot time limit nearest to ours (20 s, Kahoot's default, when the question has none)."""
    if seconds is None:
        return 20
    return min(KAHOOT_TIME_LIMITS, key=lambda allowed: (abs(allowed - seconds), allowed))


def export(title: str, questions: tuple[Question, ...]) -> tuple[Sheets, list[str]]:
    """The quiz laid out as Kahoot's template (for Kahoot's "Import spreadsheet"), and what was left out
    (polls: Kahoot's quiz questions need a correct answer)."""
    rows: list[list] = [[None, title], [None, "Exported from Argus: Kahoot → Create → Import spreadsheet"]]
    rows += [[] for _ in range(HEADER_ROW - 1 - len(rows))]
    rows.append([None, *HEADERS])
    left_out = []
    for n, q in enumerate(questions, start=1):
        if q.correct is None:
            left_out.append(f"Q{n}: a poll has no correct answer, which Kahoot needs")
            continue
        answers = list(q.options) + [None] * (4 - len(q.options))
        number, correct = len(rows) - HEADER_ROW + 1, q.letters().index(q.correct) + 1
        rows.append([number, q.text, *answers, kahoot_time_limit(q.time_limit), correct])
    return {"Sheet1": rows}, left_out
