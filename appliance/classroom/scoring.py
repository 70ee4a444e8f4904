"""Distributions, percentages and scores from responses. Pure, no I/O."""
from __future__ import annotations

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


def session_results(questions: tuple[Question, ...], roster: ClassRoster, responses: list[Response]) -> dict:
    by_question: dict[int, dict[int, Response]] = {}
    for r in responses:
        by_question.setdefault(r.question, {})[r.student_id] = r
    question_rows = []
    for index, q in enumerate(questions):
        answers = [r.answer for r in by_question.get(index, {}).values()]
        question_rows.append({
            "index": index, "text": q.text, "options": list(q.options), "correct": q.correct, "asked": q.asked,
            "distribution": distribution(q, answers), "answered": len(answers),
            "percent_correct": percent_correct(q, answers),
        })
    # A score is out of the questions that were asked and have a right answer (not polls, not the part of
    # the quiz the lesson never reached).
    graded = sum(1 for q in questions if q.asked and q.correct)
    student_rows = []
    for s in roster.students:
        answers = [by_question.get(i, {}).get(s.id) for i in range(len(questions))]
        student_rows.append({
            "student_id": s.id, "name": s.name, "card": s.card,
            "answers": [r.answer if r else None for r in answers],
            "first_answers": [r.first_answer if r else None for r in answers],
            "score": sum(1 for q, r in zip(questions, answers) if r and q.correct and r.answer == q.correct),
            "graded": graded,
            "answered": sum(1 for r in answers if r),
        })
    return {"questions": question_rows, "students": student_rows}
