"""Scores after a reveal, for the projector (the class's % correct so far, or team scores) and the teacher's
page (a ranking of students, only when the teacher turns it on). Pure, no I/O.

The ranking never reaches the projector, not even by card number: classmates see each other's cards, so a card
number is a name to them, and the public state goes to every phone in the room. With the ranking on, the
projector shows the class's % correct.

They count what results count: the questions asked so far that have a right answer (not polls, not quick
questions without one), each once however often it was asked, with each student's answer from the latest
round they answered (rounds are asked one after another, so that is their latest answer).
"""
from __future__ import annotations

from dataclasses import dataclass

from appliance.classroom import numbering
from appliance.classroom.models import Question, Student

MODES = ("off", "class", "teams", "ranking")


@dataclass(frozen=True)
class Tally:
    right: int = 0
    answered: int = 0  # graded questions this student (or team) answered

    def plus(self, other: Tally) -> Tally:
        return Tally(self.right + other.right, self.answered + other.answered)

    def percent(self) -> float | None:
        return round(100 * self.right / self.answered, 1) if self.answered else None


def tallies(questions: tuple[Question, ...], origins: tuple[numbering.Origin, ...], asked: set[int],
            answers: dict[int, dict[int, str]]) -> tuple[int, dict[int, Tally]]:
    """(graded questions so far, student id → Tally). `answers[position][student_id]` is a letter; no origins
    means every question is the quiz's own, asked once."""
    labels = numbering.labels(origins or tuple(numbering.Origin(None, False) for _ in questions))
    rounds: dict[int, list[int]] = {}
    for position in sorted(asked):
        if position < len(questions) and questions[position].correct:
            rounds.setdefault(labels[position].root, []).append(position)
    found: dict[int, Tally] = {}
    for positions in rounds.values():
        latest: dict[int, int] = {}  # student → the last round they answered
        for position in positions:
            for student in answers.get(position, {}):
                latest[student] = position
        for student, position in latest.items():
            right = answers[position][student] == questions[position].correct
            found[student] = found.get(student, Tally()).plus(Tally(int(right), 1))
    return len(rounds), found


def _ranked(students: tuple[Student, ...], by_student: dict[int, Tally]) -> list[tuple[Student, Tally]]:
    scored = [(s, by_student.get(s.id, Tally())) for s in students]
    return sorted(scored, key=lambda pair: (-pair[1].right, pair[0].card))


def public_scores(mode: str, students: tuple[Student, ...], graded: int, by_student: dict[int, Tally]) -> dict | None:
    """What the projector shows in `mode`: the class's tally, and in "teams" each team's; never a student."""
    if mode == "off" or not graded:
        return None
    total = Tally()
    for tally in by_student.values():
        total = total.plus(tally)
    view = {"mode": mode, "questions": graded, "right": total.right, "answered": total.answered,
            "percent": total.percent()}
    if mode == "teams":
        teams: dict[str, tuple[int, Tally]] = {}
        for s in students:
            if s.team:
                members, tally = teams.get(s.team, (0, Tally()))
                teams[s.team] = (members + 1, tally.plus(by_student.get(s.id, Tally())))
        view["teams"] = sorted(({"team": name, "members": members, "right": tally.right, "answered": tally.answered,
                                 "percent": tally.percent()} for name, (members, tally) in teams.items()),
                               key=lambda t: (-(t["percent"] or 0), -t["right"], t["team"]))
    return view


def teacher_ranking(students: tuple[Student, ...], by_student: dict[int, Tally], named: bool) -> list[dict]:
    """Every student, most right first, for the teacher's own page; no names when the lesson is anonymous."""
    return [{"student_id": s.id, "card": s.card, "right": t.right, "answered": t.answered,
             **({"name": s.name} if named else {})} for s, t in _ranked(students, by_student)]
