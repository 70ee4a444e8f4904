"""Across sessions: each student's history, the class gradebook, question difficulty and participation.
Pure: takes what the store loaded, returns plain data."""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom import items, numbering, scoring
from appliance.classroom.models import Question, Response, Student


@dataclass(frozen=True)
class SessionData:
    id: int
    title: str
    created_at: float
    questions: tuple[Question, ...]
    responses: tuple[Response, ...]
    origins: tuple[numbering.Origin, ...] | None = None  # None: every question asked once
    absent: frozenset[int] = frozenset()  # students marked absent: "absent" in the gradebook, not 0

    def present(self) -> tuple[Response, ...]:
        """The answers of the students not marked absent: an absent student's camera readings count nowhere."""
        return tuple(r for r in self.responses if r.student_id not in self.absent)

    def labels(self) -> list[numbering.QuestionLabel]:
        return numbering.labels(self.origins or tuple(numbering.Origin(None, False) for _ in self.questions))

    def graded(self) -> int:
        """Questions that count towards a score: asked, with a right answer, once however often asked."""
        return len(scoring.graded_roots(self.questions, self.labels()))

    def asked(self) -> int:
        """Questions asked, once however often each was asked."""
        labels = self.labels()
        return len({labels[i].root for i, q in enumerate(self.questions) if q.asked})


def _answers(session: SessionData, student_id: int) -> list[Response | None]:
    """The student's response (or None) at each question position."""
    mine = {r.question: r for r in session.responses if r.student_id == student_id}
    return [mine.get(i) for i in range(len(session.questions))]


def _score(session: SessionData, student_id: int) -> tuple[int, int]:
    """(correct answers, questions answered) for one student in one session."""
    answers, labels = _answers(session, student_id), session.labels()
    answered = len({labels[i].root for i, r in enumerate(answers) if r})  # a question asked again is one
    return scoring.score(session.questions, labels, answers), answered


def question_answers(session: SessionData, student_id: int) -> list[dict]:
    """Every question the session asked, once however often it was asked, with the answer that counts (the
    student's latest over its rounds, as in the score), the right answer and the verdict: "right", "wrong",
    "no answer", or "not scored" (a poll, or a quick question without a right answer)."""
    labels, answers = session.labels(), _answers(session, student_id)
    rows = []
    for root in sorted({labels[i].root for i, q in enumerate(session.questions) if q.asked}):
        question = session.questions[root]
        counted = scoring.counted_round(root, labels, answers)
        answer = answers[counted].answer if counted is not None else None
        key = session.questions[counted if counted is not None else root].correct
        verdict = "not scored" if key is None else "no answer" if answer is None else (
            "right" if answer == key else "wrong")
        rows.append({"question": root, "label": labels[root].text, "text": question.text,
                     "options": list(question.options), "answer": answer, "correct": key, "result": verdict,
                     "rounds": sum(1 for i, label in enumerate(labels) if label.root == root
                                   and session.questions[i].asked)})
    return rows


def student_history(student: Student, sessions: list[SessionData]) -> dict:
    rows = []
    for s in sessions:
        correct, answered = _score(s, student.id)
        rows.append({"session_id": s.id, "title": s.title, "created_at": s.created_at, "score": correct,
                     "graded": s.graded(), "answered": answered, "questions": s.asked(),
                     "absent": student.id in s.absent,
                     "percent": round(100 * correct / s.graded(), 1) if s.graded() else None,
                     "answers": question_answers(s, student.id)})
    return {"student": {"id": student.id, "name": student.name, "card": student.card}, "sessions": rows}


def gradebook(students: list[Student], sessions: list[SessionData]) -> dict:
    """A row per student, a column per session: the score out of the graded questions, None when the student
    answered nothing, "absent" when the teacher marked them absent."""
    columns = [{"session_id": s.id, "title": s.title, "created_at": s.created_at, "graded": s.graded()}
               for s in sessions]
    rows = [{"student_id": st.id, "name": st.name, "card": st.card,
             "scores": ["absent" if st.id in s.absent else
                        _score(s, st.id)[0] if any(r.student_id == st.id for r in s.responses) else None
                        for s in sessions]} for st in students]
    return {"columns": columns, "rows": rows}


def trends(students: list[Student], sessions: list[SessionData]) -> dict:
    """Question difficulty (share correct, hardest first; a question asked again is one item, its counted
    answers as in the score) and participation per session."""
    participation = []
    for s in sessions:
        asked = s.asked() or 1
        labels = s.labels()
        # absent students count in no participation or % correct
        answered = len({(r.student_id, labels[r.question].root) for r in s.present() if r.question < len(labels)})
        participation.append({"session_id": s.id, "title": s.title, "created_at": s.created_at,
                              "percent": round(100 * answered / (asked * max(1, len(students) - len(s.absent))),
                                               1)})
    return {"difficulty": items.hardest(sessions), "participation": participation}
