"""What a teacher may enter by hand: an answer for a student, the lesson's absent list, a spare card.
Pure, no I/O: each check returns a problem (a code and what it is about) or None; words are chosen at the edge.

Spare cards are the highest card numbers the class does not use, so they stay the same from lesson to lesson
and the class's printout can carry them."""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom.models import ClassRoster, Question

SPARE_COUNT = 4  # a few per class: a forgotten card or two, a new student, a card chewed by the dog
SOURCES = ("camera", "teacher", "photo")


@dataclass(frozen=True)
class Problem:
    code: str  # "no_such_question", "not_asked", "not_in_class", "no_such_letter", "absent", "not_a_spare",
    # "spare_taken", "no_spare_left"
    subject: object = None  # the question index, student id(s), letter or card it is about


class InvalidEntry(ValueError):
    """A hand entry that cannot be stored; nothing was written."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(f"{problem.code}: {problem.subject}")


def check_answer(questions: tuple[Question, ...], asked: set[int], roster: ClassRoster, absent: set[int],
                 question: int, student_id: int, answer: str | None) -> Problem | None:
    if not 0 <= question < len(questions):
        return Problem("no_such_question", question)
    if question not in asked:
        return Problem("not_asked", question)
    if student_id not in {s.id for s in roster.students}:
        return Problem("not_in_class", student_id)
    if answer is not None and answer not in questions[question].letters():
        return Problem("no_such_letter", answer)
    if student_id in absent and answer is not None:
        return Problem("absent", student_id)
    return None


def check_absent(roster: ClassRoster, absent: set[int]) -> Problem | None:
    unknown = sorted(absent - {s.id for s in roster.students})
    return Problem("not_in_class", unknown) if unknown else None


def spare_cards(roster: ClassRoster, card_count: int, count: int = SPARE_COUNT) -> list[int]:
    """The class's spare card numbers, lowest first: the highest numbers no student of the class has."""
    used = {s.card for s in roster.students}
    return sorted([n for n in range(card_count, 0, -1) if n not in used][:count])


def pick_spare(roster: ClassRoster, card_count: int, given: dict[int, int], student_id: int,
               card: int | None) -> tuple[int | None, Problem | None]:
    """The spare card to give `student_id` (`card`, or the first free one when None) and the problem if none
    can be given. `given` maps the spares already handed out in this lesson to their students."""
    if student_id not in {s.id for s in roster.students}:
        return None, Problem("not_in_class", student_id)
    spares = spare_cards(roster, card_count)
    free = [c for c in spares if given.get(c, student_id) == student_id]
    if card is None:
        return (free[0], None) if free else (None, Problem("no_spare_left", spares))
    if card not in spares:
        return None, Problem("not_a_spare", card)
    if card not in free:
        return None, Problem("spare_taken", card)
    return card, None
