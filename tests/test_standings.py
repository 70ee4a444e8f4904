"""Scores after a reveal (classroom/standings.py), pure: what counts, and what the projector may show."""
from __future__ import annotations

from appliance.classroom import standings
from appliance.classroom.models import Question, Student
from appliance.classroom.numbering import Origin

QUIZ = (Question("1?", ("a", "b"), "A"), Question("Poll?", ("a", "b"), None), Question("2?", ("a", "b"), "B"))
PUPILS = (Student(1, "Ann", 1, "Red"), Student(2, "Bob", 2, "Red"), Student(3, "Cy", 3, "Blue"), Student(4, "Di", 4))


def test_nothing_is_shown_off_or_before_a_graded_question():
    graded, tallies = standings.tallies(QUIZ, (), {1}, {1: {1: "A"}})  # only the poll asked
    assert graded == 0 and tallies == {}
    assert standings.public_scores("class", PUPILS, graded, tallies) is None
    graded, tallies = standings.tallies(QUIZ, (), {0}, {0: {1: "A"}})
    assert standings.public_scores("off", PUPILS, graded, tallies) is None


def test_a_reask_counts_once_with_the_latest_round_and_teams_without_answers_come_last():
    origins = (Origin(None, False), Origin(None, False), Origin(None, False), Origin(0, False))
    questions = (*QUIZ, QUIZ[0])
    answers = {0: {1: "A", 2: "B"}, 2: {1: "B", 2: "B"}, 3: {1: "B"}}  # Ann right, then wrong when asked again
    graded, tallies = standings.tallies(questions, origins, {0, 1, 2, 3}, answers)
    assert graded == 2 and tallies == {1: standings.Tally(1, 2), 2: standings.Tally(1, 2)}
    shown = standings.public_scores("teams", PUPILS, graded, tallies)
    assert (shown["right"], shown["answered"], shown["percent"]) == (2, 4, 50.0)
    assert shown["teams"] == [{"team": "Red", "members": 2, "right": 2, "answered": 4, "percent": 50.0},
                              {"team": "Blue", "members": 1, "right": 0, "answered": 0, "percent": None}]
    assert "Ann" not in repr(shown) and "card" not in repr(shown)
    ranking = standings.teacher_ranking(PUPILS, tallies, named=False)
    assert [r["card"] for r in ranking] == [1, 2, 3, 4] and not any("name" in r for r in ranking)
