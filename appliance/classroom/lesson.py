"""A running lesson as the engine holds it, and what of it the projector and students may see. Pure, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field

from appliance.classroom import scoring
from appliance.classroom import session as rules
from appliance.classroom.models import ClassRoster, Question, SessionRecord, image_url


@dataclass
class Lesson:
    record: SessionRecord
    position: rules.SessionPosition
    roster: ClassRoster
    quiz_title: str
    questions: tuple[Question, ...]
    # answers[question][student_id] = letter: mirrors the stored responses for quick counts.
    answers: dict[int, dict[int, str]] = field(default_factory=dict)

    def current_question(self) -> Question | None:
        index = self.position.question
        return self.questions[index] if index is not None else None


def public_state(lesson: Lesson | None, now: float) -> dict:
    """What the projector and students may see: never a name, never one student's answer."""
    if lesson is None or lesson.position.state == rules.ENDED:
        return {"session": None, "server_time": now}
    pos = lesson.position
    question = lesson.current_question()
    answers = list(lesson.answers.get(pos.question, {}).values()) if question else []
    revealed = pos.state == rules.REVEALED and question is not None
    return {"server_time": now, "session": {
        "id": lesson.record.id,
        "state": pos.state,
        "allowed": rules.allowed_actions(pos, len(lesson.questions)),
        "question_index": pos.question,
        "question_count": len(lesson.questions),
        "question": {"text": question.text, "options": list(question.options), "type": question.kind,
                     "image": image_url(question.image)} if question else None,
        "answered": len(answers),
        "total": len(lesson.roster.students),
        "anonymous": lesson.record.anonymous,
        "deadline": pos.deadline,
        "remaining": pos.remaining,
        "time_limit": question.time_limit if question else None,
        "distribution": scoring.distribution(question, answers) if revealed else None,
        "correct": question.correct if revealed else None,
        "class_name": lesson.roster.name,
        "quiz_title": lesson.quiz_title,
    }}


def card_answered(lesson: Lesson | None, card: int) -> bool:
    """Whether this card has an answer for the current question (yes/no only, for the student page)."""
    if lesson is None or lesson.position.question is None or lesson.position.state == rules.ENDED:
        return False
    student = lesson.roster.by_card().get(card)
    return bool(student and student.id in lesson.answers.get(lesson.position.question, {}))
