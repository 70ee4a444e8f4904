"""The session state machine and scoring, tested directly (pure code, no I/O)."""
import pytest

from appliance.classroom import scoring
from appliance.classroom import session as rules
from appliance.classroom.models import ClassRoster, Question, Response, Student
from appliance.classroom.reports import results_csv

P = rules.SessionPosition


def test_a_full_lesson_walks_through_the_states():
    pos = P(rules.READY, None)
    pos = rules.open_question(pos, 0, 3)
    assert pos == P(rules.OPEN, 0) and rules.accepts_answers(pos)
    pos = rules.close_question(pos)
    assert pos == P(rules.CLOSED, 0) and not rules.accepts_answers(pos)
    pos = rules.reveal(pos)
    assert pos == P(rules.REVEALED, 0)
    pos = rules.open_question(pos, 1, 3)
    assert pos == P(rules.OPEN, 1)
    pos = rules.reveal(pos)  # reveal straight from open closes it
    assert pos == P(rules.REVEALED, 1) and not rules.accepts_answers(pos)
    assert rules.end(pos) == P(rules.ENDED, 1)


@pytest.mark.parametrize("pos, action, message", [
    (P(rules.OPEN, 0), lambda p: rules.open_question(p, 1, 3), "still open"),
    (P(rules.READY, None), lambda p: rules.open_question(p, 3, 3), "out of range"),
    (P(rules.READY, None), lambda p: rules.open_question(p, -1, 3), "out of range"),
    (P(rules.READY, None), rules.close_question, "no question is open"),
    (P(rules.READY, None), rules.reveal, "nothing to reveal"),
    (P(rules.REVEALED, 0), rules.reveal, "nothing to reveal"),
    (P(rules.ENDED, 0), lambda p: rules.open_question(p, 0, 3), "has ended"),
    (P(rules.ENDED, 0), rules.end, "already ended"),
])
def test_actions_that_do_not_fit_the_state_are_refused(pos, action, message):
    with pytest.raises(rules.InvalidTransition, match=message):
        action(pos)


def test_a_closed_question_can_be_asked_again():
    assert rules.open_question(P(rules.CLOSED, 2), 2, 3) == P(rules.OPEN, 2)


QUESTIONS = (
    Question("2+2?", ("3", "4", "5"), "B"),
    Question("Favourite colour?", ("Red", "Blue"), None),
)
ROSTER = ClassRoster(1, "7B", (Student(10, "Ann", 1), Student(11, "=cmd|' /C calc'!A0", 2), Student(12, "Cy", 3)))


def _response(question, student, card, answer, first=None):
    return Response(question, student, card, answer, first or answer, 1.0, 2.0, 0 if first is None else 1)


def test_results_count_distribution_percent_and_scores():
    responses = [_response(0, 10, 1, "B", first="A"), _response(0, 11, 2, "C"), _response(1, 10, 1, "A")]
    results = scoring.session_results(QUESTIONS, ROSTER, responses)
    q0, q1 = results["questions"]
    assert q0["distribution"] == {"A": 0, "B": 1, "C": 1} and q0["answered"] == 2
    assert q0["percent_correct"] == 50.0
    assert q1["distribution"] == {"A": 1, "B": 0} and q1["percent_correct"] is None  # a poll has no right answer
    ann, bob, cy = results["students"]
    assert ann["answers"] == ["B", "A"] and ann["first_answers"] == ["A", "A"] and ann["score"] == 1
    assert bob["score"] == 0 and bob["answered"] == 1
    assert cy["answers"] == [None, None] and cy["answered"] == 0


def test_results_csv_opens_in_spreadsheets_and_defuses_formulas():
    results = scoring.session_results(QUESTIONS, ROSTER, [_response(0, 10, 1, "B")])
    text = results_csv(results)
    assert text.startswith("\ufeffStudent,Card,Q1,Q2,Score,Answered\r\n")
    assert "Ann,1,B,,1,1\r\n" in text
    assert "\r\n'=cmd|' /C calc'!A0,2," in text  # stays text, never a formula
    assert "Correct answer,,B,(poll),," in text


def test_pause_keeps_the_countdown_and_resume_restarts_it():
    pos = rules.open_question(P(rules.READY, None), 0, 3, now=100.0, time_limit=30)
    assert pos.deadline == 130.0 and not rules.expired(pos, 129.9) and rules.expired(pos, 130.0)
    paused = rules.pause(pos, now=110.0)
    assert paused.state == rules.PAUSED and paused.remaining == 20.0 and paused.deadline is None
    assert not rules.accepts_answers(paused) and not rules.expired(paused, 10_000)
    resumed = rules.resume(paused, now=500.0)
    assert resumed == P(rules.OPEN, 0, 520.0, None)
    assert rules.close_question(rules.pause(resumed, 501.0)).state == rules.CLOSED


def test_questions_without_a_time_limit_never_expire():
    pos = rules.open_question(P(rules.READY, None), 0, 1, now=100.0)
    assert pos.deadline is None and not rules.expired(pos, 1e12)
    assert rules.resume(rules.pause(pos, 5.0), 6.0).deadline is None


@pytest.mark.parametrize("pos, action, message", [
    (P(rules.CLOSED, 0), lambda p: rules.pause(p, 0), "only an open question can be paused"),
    (P(rules.OPEN, 0), lambda p: rules.resume(p, 0), "nothing is paused"),
    (P(rules.PAUSED, 0), lambda p: rules.open_question(p, 1, 3), "still open"),
    (P(rules.READY, None), lambda p: rules.open_question(p, 0, 0), "no questions yet"),
])
def test_pause_and_resume_refuse_what_does_not_fit(pos, action, message):
    with pytest.raises(rules.InvalidTransition, match=message):
        action(pos)
