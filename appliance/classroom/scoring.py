"""Distributions, percentages and scores from responses. Pure, no I/O."""
from __future__ import annotations

from appliance.classroom import numbering
from appliance.classroom.models import ClassRoster, Question, Response


def distribution(question: Question, answers: list[str]) -> dict[str, int]:
    counts = {letter: 0 for letter in question.letters()}
    for answer in answers:
        if answer in counts:
            counts[answer] += 1
    return counts


def percent_correct(question: Question, answers: list[str]) -> float | None:
    if question.correct is None or not answers:
        return None
    return round(100.0 * sum(a == question.correct for a in answers) / len(answers), 1)


def session_results(questions: tuple[Question, ...], roster: ClassRoster, responses: list[Response],
                    origins: tuple[numbering.Origin, ...] | None = None, absent: frozenset[int] = frozenset()) -> dict:
    """Per question and per student. A question asked more than once counts once in the score: each
    student's latest answer to any of its rounds (a re-ask is usually after a discussion). Absent students
    are left out of participation and % correct: "answered" counts the `present` students who answered."""
    if origins is None:
        origins = tuple(numbering.Origin(None, False) for _ in questions)
    labels = numbering.labels(origins)
    by_question: dict[int, dict[int, Response]] = {}
    for r in responses:
        if r.student_id not in absent:
            by_question.setdefault(r.question, {})[r.student_id] = r
    question_rows = []
    for index, q in enumerate(questions):
        answers = [r.answer for r in by_question.get(index, {}).values()]
        question_rows.append({
            "index": index, "text": q.text, "options": list(q.options), "correct": q.correct, "asked": q.asked,
            "distribution": distribution(q, answers), "answered": len(answers),
            "percent_correct": percent_correct(q, answers),
            "label": labels[index].text, "root": labels[index].root, "round": labels[index].round,
            "rounds": sum(1 for other in labels if other.root == labels[index].root),
        })
    # A score is out of the questions that were asked and have a right answer (not polls, not the part of
    # the quiz the lesson never reached).
    roots = graded_roots(questions, labels)
    graded = len(roots)
    student_rows = []
    for s in roster.students:
        answers = [by_question.get(i, {}).get(s.id) for i in range(len(questions))]
        student_rows.append({
            "student_id": s.id, "name": s.name, "card": s.card,
            "absent": s.id in absent,
            "answers": [r.answer if r else None for r in answers],
            "first_answers": [r.first_answer if r else None for r in answers],
            "sources": [r.source if r else None for r in answers],
            "score": score(questions, labels, answers),
            "graded": graded,
            "answered": sum(1 for r in answers if r),
        })
    present = sum(1 for s in roster.students if s.id not in absent)
    return {"present": present, "questions": question_rows, "students": student_rows}


def graded_roots(questions: tuple[Question, ...], labels: list[numbering.QuestionLabel]) -> list[int]:
    """The questions a score is out of: asked, with a right answer, each counted once however often asked."""
    return sorted({labels[i].root for i, q in enumerate(questions) if q.asked and q.correct})


def score(questions: tuple[Question, ...], labels: list[numbering.QuestionLabel],
          answers: list[Response | None]) -> int:
    """One student's score; `answers` has the student's response (or None) at each question position."""
    return sum(1 for root in graded_roots(questions, labels) if _counted_right(root, labels, questions, answers))


def counted_round(root: int, labels: list[numbering.QuestionLabel], answers: list[Response | None]) -> int | None:
    """The position whose answer counts for question `root`: the student's latest answer over all its rounds
    (a re-ask is usually after a discussion); None when they answered none of them."""
    rounds = [i for i, label in enumerate(labels) if label.root == root and answers[i] is not None]
    return max(rounds, key=lambda i: (answers[i].last_changed, i)) if rounds else None


def _counted_right(root: int, labels: list[numbering.QuestionLabel], questions: tuple[Question, ...],
                   answers: list[Response | None]) -> bool:
    """Whether the student's latest answer over every round of question `root` is right."""
    last = counted_round(root, labels, answers)
    return last is not None and answers[last].answer == questions[last].correct
