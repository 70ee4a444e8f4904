"""Moodle's Aiken format, in and out. Pure.

    What is 1/2 + 1/4?
    A. 3/4
    B) 2/6
    ANSWER: A

A question (its text may run over several lines), its options `A.` or `A)` in order, and `ANSWER: X`.
Questions with more than four options are left out and reported by line: cards show A-D.
"""
from __future__ import annotations

from appliance.classroom.formats.bank import Bank, finish
from appliance.classroom.importers import validate_question
from appliance.classroom.models import Question


def _option(line: str) -> tuple[str, str] | None:
    """"B) text" → ("B", "text"). Plain string tests, linear in the line (no regex on an uploaded file)."""
    if len(line) >= 3 and "A" <= line[0] <= "Z" and line[1] in ".)" and line[2].isspace():
        return line[0], line[2:].strip()
    return None


def _answer(line: str) -> str | None:
    """"ANSWER: B" → "B"."""
    if line[:6].upper() != "ANSWER":
        return None
    rest = line[6:].lstrip()
    return rest[1:].strip() if rest.startswith(":") else None


def parse(text: str, title: str) -> Bank:
    questions: list[Question] = []
    skipped: list[str] = []
    problems: list[str] = []
    stem: list[str] = []
    options: list[str] = []
    start = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _answer(line)
        option = _option(line)
        if answer is not None:
            where = f"line {start or number}"
            letter = answer.upper()
            if not stem:
                problems.append(f"line {number}: ANSWER without a question before it")
            elif len(letter) != 1 or not "A" <= letter < chr(65 + len(options)):
                problems.append(f"line {number}: ANSWER {letter!r} is not one of the options "
                                f"A-{chr(64 + max(len(options), 1))}")
            elif len(options) > 4:
                skipped.append(f"{where}: {len(options)} options: cards show at most 4 (A-D)")
            else:
                q = validate_question(where, "multiple", " ".join(stem), options, letter, None, problems)
                if q:
                    questions.append(q)
            stem, options, start = [], [], 0
        elif option and stem:
            expected = chr(65 + len(options))
            if option[0] != expected:
                problems.append(f"line {number}: option {option[0]} where {expected} was expected")
            options.append(option[1])
        elif options:
            problems.append(f"line {number}: the question started on line {start} has no 'ANSWER:' line")
            stem, options, start = [line], [], number
        else:
            if not stem:
                start = number
            stem.append(line)
    if stem:
        problems.append(f"line {start}: the question has no 'ANSWER:' line")
    return finish(title, questions, skipped, problems)


def export(questions: tuple[Question, ...]) -> tuple[str, list[str]]:
    """Aiken text for Moodle's Question bank → Import, and the questions left out (polls: Aiken needs a
    right answer)."""
    lines, left_out = [], []
    for n, q in enumerate(questions, start=1):
        if q.correct is None:
            left_out.append(f"Q{n}: a poll has no right answer, which Aiken needs")
            continue
        lines.append(" ".join(q.text.split()))
        lines += [f"{letter}. {' '.join(option.split())}" for letter, option in zip(q.letters(), q.options)]
        lines += [f"ANSWER: {q.correct}", ""]
    return "\n".join(lines), left_out
