"""A running lesson as the engine holds it, and what of it the projector and students may see. Pure, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field

from appliance.classroom import numbering, peer, scoring, standings
from appliance.classroom import session as rules
from appliance.classroom.models import ClassRoster, Question, SessionRecord, Student, image_url


@dataclass(frozen=True)
class Display:
    """How the projector shows the lesson; the teacher switches these during it (kept in memory only)."""
    blank: bool = False  # "B" in presentation software: the class looks at the teacher, not the screen
    card_grid: bool = False  # the numbers of the cards already read, so students see they were seen
    scores: str = "off"  # after a reveal: "class" % correct so far, "teams", or a "ranking" (see standings.py)


@dataclass
class Lesson:
    record: SessionRecord
    position: rules.SessionPosition
    roster: ClassRoster
    quiz_title: str
    questions: tuple[Question, ...]
    # Where each question came from (quiz, asked again, typed in); empty means every question is the quiz's.
    origins: tuple[numbering.Origin, ...] = ()
    asked: set[int] = field(default_factory=set)  # positions opened at least once
    # answers[question][student_id] = letter: mirrors the stored responses for quick counts.
    answers: dict[int, dict[int, str]] = field(default_factory=dict)
    display: Display = field(default_factory=Display)
    absent: set[int] = field(default_factory=set)  # students marked absent from this lesson
    spares: dict[int, int] = field(default_factory=dict)  # spare card number → the student it stands for

    def student_for_card(self, card: int) -> Student | None:
        """The student a card stands for in this lesson: their own, or the spare they were given."""
        found = self.roster.by_card().get(card)
        if found is None and card in self.spares:
            found = next((s for s in self.roster.students if s.id == self.spares[card]), None)
        return found

    def present(self) -> int:
        return sum(1 for s in self.roster.students if s.id not in self.absent)

    def present_answers(self) -> dict[int, dict[int, str]]:
        """answers without the students marked absent (a card read by mistake counts nowhere)."""
        return {q: {k: v for k, v in by.items() if k not in self.absent} for q, by in self.answers.items()}

    def question_origins(self) -> tuple[numbering.Origin, ...]:
        return self.origins or tuple(numbering.Origin(None, False) for _ in self.questions)

    def tallies(self) -> tuple[int, dict[int, standings.Tally]]:
        return standings.tallies(self.questions, self.question_origins(), self.asked, self.answers)

    def current_question(self) -> Question | None:
        index = self.position.question
        return self.questions[index] if index is not None else None


def public_state(lesson: Lesson | None, now: float) -> dict:
    """What the projector and students may see: never a name, never one student's answer."""
    if lesson is None or lesson.position.state == rules.ENDED:
        return {"session": None, "server_time": now}
    pos = lesson.position
    question = lesson.current_question()
    # An absent student's card read by mistake counts nowhere (the teacher marks them present if they came).
    answered = {k: v for k, v in lesson.answers.get(pos.question, {}).items() if k not in lesson.absent} \
        if question else {}
    answers = list(answered.values())
    revealed = pos.state == rules.REVEALED and question is not None
    summary = numbering.lesson_summary(pos, lesson.question_origins(), lesson.asked)
    cards = {s.id: s.card for s in lesson.roster.students}
    return {"server_time": now, "session": {
        "id": lesson.record.id,
        "state": pos.state,
        "allowed": summary["allowed"],
        "actions": summary["actions"],
        "label": summary["label"],
        "planned": summary["planned"],
        "question_index": pos.question,
        "question_count": len(lesson.questions),
        "question": {"text": question.text, "options": list(question.options), "type": question.kind,
                     "image": image_url(question.image)} if question else None,
        "answered": len(answers),
        "total": lesson.present(),  # absent students are not waited for
        "anonymous": lesson.record.anonymous,
        "deadline": pos.deadline,
        "remaining": pos.remaining,
        "time_limit": question.time_limit if question else None,
        "distribution": scoring.distribution(question, answers) if revealed else None,
        "correct": question.correct if revealed else None,
        "class_name": lesson.roster.name,
        # The lowest and highest card of the class (not who holds which): the student page states the real range.
        "card_range": [min(cards.values()), max(cards.values())] if cards else None,
        "quiz_title": lesson.quiz_title,
        "blank": lesson.display.blank,
        "card_grid": lesson.display.card_grid,
        # Card numbers only (never names, never answers), and only when the teacher turned the grid on.
        "cards_seen": sorted(cards[i] for i in answered if i in cards) if lesson.display.card_grid else None,
        # Peer instruction: after the reveal of a question voted on again, every round's counts side by side.
        "rounds": peer.public_rounds(lesson.questions, lesson.question_origins(), lesson.asked, lesson.present_answers(),
                                     pos.question) if revealed else None,
        # Only after a reveal, only when the teacher chose it: the class's or each team's tally, never a student's.
        "scores": standings.public_scores(lesson.display.scores, lesson.roster.students, *lesson.tallies())
        if revealed else None,
    }}


def teacher_scores(lesson: Lesson | None) -> dict:
    """The teacher's page: what the projector shows, and (when the ranking is on) every student's tally, with
    names unless the lesson is anonymous. Shown on the teacher's page only, where "hide names" still applies."""
    if lesson is None:
        return {"mode": "off", "shown": None, "ranking": None}
    graded, by_student = lesson.tallies()
    mode = lesson.display.scores
    return {"mode": mode, "shown": standings.public_scores(mode, lesson.roster.students, graded, by_student),
            "ranking": standings.teacher_ranking(lesson.roster.students, by_student, not lesson.record.anonymous)
            if mode == "ranking" and graded else None}


def card_answered(lesson: Lesson | None, card: int) -> bool:
    """Whether this card has an answer for the current question (yes/no only, for the student page)."""
    if lesson is None or lesson.position.question is None or lesson.position.state == rules.ENDED:
        return False
    student = lesson.student_for_card(card)
    return bool(student and student.id in lesson.answers.get(lesson.position.question, {}))


def card_in_class(lesson: Lesson | None, card: int) -> bool | None:
    """Whether the running lesson's class has this card; None when no lesson runs."""
    if lesson is None or lesson.position.state == rules.ENDED:
        return None
    return lesson.student_for_card(card) is not None
