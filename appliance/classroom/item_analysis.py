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
the same student in another lesson (each sitting is one attempt), and items are matched by position in the
quiz, which every session of the quiz shares.
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


def analyse_many(sittings: Iterable[Sitting]) -> dict:
    """The item analysis over several lessons of one quiz (each lesson's students are rows of their own)."""
    questions: dict[int, Question] = {}
    rounds: dict[int, int] = {}
    table: list[dict[int, tuple[str, bool]]] = []
    for sitting in sittings:
        labels, items = _graded_items(sitting)
        for item in items:
            questions.setdefault(item.root, item.question)
            rounds[item.root] = max(rounds.get(item.root, 0), sum(1 for i, label in enumerate(labels)
                                                                    if label.root == item.root
                                                                    and sitting.questions[i].asked))
        table += _rows(sitting, labels, items)
    roots = sorted(questions)
    scores = {root: [1.0 if root in row and row[root][1] else 0.0 for row in table] for root in roots}
    totals = [math.fsum(scores[root][n] for root in roots) for n in range(len(table))]
    out = []
    for root in roots:
        question, x = questions[root], scores[root]
        letters = question.letters()
        answers = [row[root][0] for row in table if root in row]
        counts = {letter: answers.count(letter) for letter in letters}
        discrimination = pearson(x, [t - xi for t, xi in zip(totals, x)])
        out.append({
            "index": root, "text": question.text, "key": question.correct, "rounds": rounds[root],
            "answered": len(answers), "correct": sum(1 for xi in x if xi),
            "difficulty": _mean(x) if table else None, "discrimination": discrimination,
            "skills": list(question.skills),
            "options": {letter: {"count": counts[letter],
                                 "share": counts[letter] / len(answers) if answers else None,
                                 "misconception": question.misconception(letter)}
                        for letter in letters},
            "flags": flags(question.correct, letters, counts, len(answers), discrimination),
        })
    difficulties = [item["difficulty"] for item in out]
    return {"students": len(table), "kr20": kr20(len(roots), difficulties, totals) if table else None,
            "questions": out}
