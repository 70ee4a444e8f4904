"""Item analysis from classical test theory: how hard each question was, whether it told the students who
knew from those who did not, how consistent the whole test was, and which wrong options drew the class.
Pure, no I/O; the formulas are written out for teachers in docs/ITEM_ANALYSIS.md (keep the two together).

Definitions (issue 23):
- the students are those present (not in `absent`) who answered at least one graded question;
- a graded question was asked and has a right answer, counted once however often it was asked: each
  student's answer is their latest over its rounds (scoring.counted_round, as the score counts it);
- item score x = 1 when that answer is right, else 0 (no answer is 0);
- difficulty = mean of x over the students; discrimination = Pearson correlation of x with the rest score
  (the student's total minus x), None when either does not vary;
- KR-20 = k/(k-1) * (1 - sum p(1-p) / var(total)), population variance, None when k < 2 or var = 0;
- an option's share = its count / the students who answered the question.

Several sessions of one quiz are pooled by `analyse_many`: a student of one lesson is a separate row from
the same student in another lesson (each sitting is one attempt); items are matched by their content, and
each is judged over the lessons that asked it; KR-20 over the items every lesson asked.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from appliance.classroom import numbering, scoring
from appliance.classroom.models import Question, Response

UNUSED_SHARE = 0.05  # a wrong option chosen by fewer than this share of the answers does not distract


@dataclass(frozen=True)
class Sitting:
    """One lesson as item analysis needs it: its questions (by position), where each came from, the answers,
    and who was absent (attendance, issue 21)."""
    questions: tuple[Question, ...]
    origins: tuple[numbering.Origin, ...]
    responses: tuple[Response, ...]
    absent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class _Item:
    root: int  # position of the question's first round; quiz questions share it across sessions
    question: Question


def _graded_items(sitting: Sitting) -> tuple[list[numbering.QuestionLabel], list[_Item]]:
    labels = numbering.labels(sitting.origins)
    return labels, [_Item(root, sitting.questions[root])
                    for root in scoring.graded_roots(sitting.questions, labels)]


def _rows(sitting: Sitting, labels, items: list[_Item]) -> list[dict[int, tuple[str, bool]]]:
    """Per student taken into account: root → (the answer that counts, whether it is right by the key of
    the round it was given in, as the score judges it); a question not answered is left out."""
    by_student: dict[int, list[Response | None]] = {}
    for r in sitting.responses:
        if r.student_id in sitting.absent or not 0 <= r.question < len(sitting.questions):
            continue
        by_student.setdefault(r.student_id, [None] * len(sitting.questions))[r.question] = r
    rows = []
    for student_id in sorted(by_student):
        answers = by_student[student_id]
        row = {}
        for item in items:
            counted = scoring.counted_round(item.root, labels, answers)
            if counted is not None:
                answer = answers[counted].answer
                row[item.root] = (answer, answer == sitting.questions[counted].correct)
        if row:  # answered at least one graded question
            rows.append(row)
    return rows


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _variance(values: list[float]) -> float:
    """Population variance (divides by n), as KR-20 is defined."""
    mean = _mean(values)
    return math.fsum((v - mean) ** 2 for v in values) / len(values)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r; None when there are fewer than two values or either list does not vary."""
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def kr20(k: int, difficulties: list[float], totals: list[float]) -> float | None:
    if k < 2 or not totals:
        return None
    variance = _variance(totals)
    if variance == 0:
        return None
    return k / (k - 1) * (1 - math.fsum(p * (1 - p) for p in difficulties) / variance)


def flags(key: str, letters: tuple[str, ...], counts: dict[str, int], answered: int,
          discrimination: float | None) -> list[str]:
    """Codes the page turns into advice: a wrong option beat the key, an option nobody (or < 5%) took,
    a negative discrimination (the students who did well overall got it wrong: check the key)."""
    found = []
    if any(counts[letter] > counts[key] for letter in letters if letter != key):
        found.append("distractor_beats_key")
    for letter in letters:
        if letter != key and (counts[letter] == 0 or counts[letter] < UNUSED_SHARE * answered):
            found.append(f"unused:{letter}")
    if discrimination is not None and discrimination < 0:
        found.append("negative_discrimination")
    return found


def analyse(sitting: Sitting) -> dict:
    """The item analysis of one lesson."""
    return analyse_many([sitting])


def _keys(items: list[_Item]) -> list[tuple]:
    """How an item is known across lessons: its content (a quiz edited between lessons, or a quick question
    typed in one lesson, is not merged with another question at the same position), and which occurrence of
    that content it is in its lesson (the same text asked twice as two questions stays two items)."""
    seen: dict[tuple, int] = {}
    keys = []
    for item in items:
        identity = (item.question.text, item.question.options, item.question.correct)
        seen[identity] = seen.get(identity, 0) + 1
        keys.append((identity, seen[identity]))
    return keys


def analyse_many(sittings: Iterable[Sitting]) -> dict:
    """The item analysis over several lessons of one quiz. Each lesson's students are rows of their own; an
    item's numbers are over the rows of the lessons that asked it, and KR-20 over the items every lesson
    asked (for one lesson: all of them)."""
    found: dict[tuple, dict] = {}  # key → index, question, rounds; in order of first appearance
    table: list[tuple[frozenset, dict]] = []  # per row: the items its lesson asked, key → (answer, right)
    for sitting in sittings:
        labels, items = _graded_items(sitting)
        keys = _keys(items)
        for key, item in zip(keys, items):
            rounds = sum(1 for i, label in enumerate(labels) if label.root == item.root and sitting.questions[i].asked)
            entry = found.setdefault(key, {"index": item.root, "question": item.question, "rounds": 0})
            entry["rounds"] = max(entry["rounds"], rounds)
        by_root = dict(zip((item.root for item in items), keys))
        table += [(frozenset(keys), {by_root[root]: answer for root, answer in row.items()})
                  for row in _rows(sitting, labels, items)]
    score = {key: [1.0 if key in row and row[key][1] else 0.0 for _, row in table] for key in found}
    totals = [math.fsum(score[key][n] for key in asked) for n, (asked, _) in enumerate(table)]
    out = []
    for key, entry in found.items():
        question = entry["question"]
        rows = [n for n, (asked, _) in enumerate(table) if key in asked]
        x = [score[key][n] for n in rows]
        letters = question.letters()
        answers = [table[n][1][key][0] for n in rows if key in table[n][1]]
        counts = {letter: answers.count(letter) for letter in letters}
        discrimination = pearson(x, [totals[n] - xi for n, xi in zip(rows, x)])
        out.append({
            "index": entry["index"], "text": question.text, "key": question.correct, "rounds": entry["rounds"],
            "students": len(rows), "answered": len(answers), "correct": sum(1 for xi in x if xi),
            "difficulty": _mean(x) if x else None, "discrimination": discrimination,
            "skills": list(question.skills),
            "options": {letter: {"count": counts[letter],
                                 "share": counts[letter] / len(answers) if answers else None,
                                 "misconception": question.misconception(letter)}
                        for letter in letters},
            "flags": flags(question.correct, letters, counts, len(answers), discrimination),
        })
    return {"students": len(table), "kr20": _common_kr20(found, table, score) if table else None,
            "questions": out}


def _common_kr20(found: dict, table: list, score: dict) -> float | None:
    """KR-20 over the items every row's lesson asked (all of them, for one lesson)."""
    common = [key for key in found if all(key in asked for asked, _ in table)]
    totals = [math.fsum(score[key][n] for key in common) for n in range(len(table))]
    return kr20(len(common), [_mean(score[key]) for key in common], totals)
