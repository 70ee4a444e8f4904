"""Skills over time: for a class, how far each student has mastered each skill its questions test, from every
lesson, with the trend. Pure, no I/O; the definition is written for teachers in docs/ITEM_ANALYSIS.md.

An attempt is a student's counted answer (the latest over a question's rounds, as the score counts it) to an
asked question with a right answer that carries the skill. Unanswered questions are not attempts (the student
may have been out of the room). Mastery is the share right over the student's last WINDOW attempts at the skill;
a student is "mastered" at MASTERED or above with at least MIN_ATTEMPTS attempts, "developing" from DEVELOPING,
"not yet" below it, and "too few" under MIN_ATTEMPTS attempts. The change is mastery now minus mastery before
the latest lesson in which the student attempted the skill.
"""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom import scoring
from appliance.classroom.models import Student

WINDOW = 5
MIN_ATTEMPTS = 3
MASTERED = 0.8
DEVELOPING = 0.5


@dataclass(frozen=True)
class Attempt:
    session_id: int
    when: float
    student_id: int
    skill: str
    right: bool


def attempts(sessions) -> list[Attempt]:
    """Every attempt in the sessions (analytics.SessionData), in lesson then question order."""
    found = []
    for s in sorted(sessions, key=lambda s: (s.created_at, s.id)):
        labels = s.labels()
        by_student: dict[int, list] = {}
        for r in s.present():  # an absent student makes no attempt
            if 0 <= r.question < len(s.questions):
                by_student.setdefault(r.student_id, [None] * len(s.questions))[r.question] = r
        for root in scoring.graded_roots(s.questions, labels):
            skills = s.questions[root].skills
            for student_id, answers in sorted(by_student.items()):
                counted = scoring.counted_round(root, labels, answers)
                if counted is None:
                    continue
                right = answers[counted].answer == s.questions[counted].correct
                found += [Attempt(s.id, s.created_at, student_id, skill, right) for skill in skills]
    return found


def level(mastery: float | None, count: int) -> str:
    if mastery is None or count < MIN_ATTEMPTS:
        return "too few"
    return "mastered" if mastery >= MASTERED else "developing" if mastery >= DEVELOPING else "not yet"


def _share(results: list[bool]) -> float | None:
    window = results[-WINDOW:]
    return sum(window) / len(window) if window else None


def student_skill(mine: list[Attempt]) -> dict:
    """One student's standing on one skill from their attempts at it, oldest first."""
    results = [a.right for a in mine]
    mastery = _share(results)
    last = mine[-1].session_id if mine else None
    before = _share([a.right for a in mine if a.session_id != last])
    return {"attempts": len(results), "right": sum(results), "mastery": mastery,
            "level": level(mastery, len(results)),
            "change": None if mastery is None or before is None else mastery - before}


def grid(students: list[Student], sessions) -> dict:
    """The class's students × skills grid, and per skill the class's share right in each lesson (the trend)."""
    found = attempts(sessions)
    skills = sorted({a.skill for a in found}, key=str.casefold)
    rows = []
    for st in students:
        mine = [a for a in found if a.student_id == st.id]
        rows.append({"student_id": st.id, "name": st.name, "card": st.card,
                     "skills": {skill: student_skill([a for a in mine if a.skill == skill]) for skill in skills}})
    trends = []
    for skill in skills:
        lessons: dict[int, list[Attempt]] = {}
        for a in found:
            if a.skill == skill:
                lessons.setdefault(a.session_id, []).append(a)
        trend = [{"session_id": sid, "created_at": group[0].when, "answers": len(group),
                  "share": sum(a.right for a in group) / len(group)} for sid, group in lessons.items()]
        levels = [row["skills"][skill]["level"] for row in rows]
        trends.append({"skill": skill, "trend": trend,
                       "students": {name: levels.count(name) for name in ("mastered", "developing", "not yet",
                                                                             "too few")}})
    return {"definition": {"window": WINDOW, "min_attempts": MIN_ATTEMPTS, "mastered": MASTERED,
                           "developing": DEVELOPING},
            "skills": trends, "students": rows}
