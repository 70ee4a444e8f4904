"""The session state machine and scoring, tested directly (pure code, no I/O)."""
import pytest

from appliance.classroom import numbering, scoring
from appliance.classroom import session as rules
from appliance.classroom.formats import grades
from appliance.classroom.models import ClassRoster, Question, Response, Student

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
    text = grades.csv_text(grades.results_sheets(results))
    assert text.startswith("\ufeffStudent,Card,Q1,Q2,Score,Out of,Percent,Answered,Attendance,"
                           "Entered by the teacher\r\n")
    assert "Ann,1,B,,1,1,100,1,present,\r\n" in text
    assert "\r\n'=cmd|' /C calc'!A0,2," in text  # stays text, never a formula
    # The answer key is its own section after a blank line, so sorting the students leaves it alone.
    assert "\r\n\r\nAnswer key\r\nQuestion,Text,Correct answer," in text
    assert "Q1,2+2?,B,yes," in text


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


# ---------- what the teacher page offers, and how questions are named ----------

def _main(pos, count=4, next_index=None, planned=4):
    return rules.teacher_actions(pos, count, next_index, planned)


def test_the_main_action_always_does_the_next_thing_in_the_lesson():
    steps = [
        (P(rules.READY, None), None, ("open", 0, "Open question 1")),
        (P(rules.OPEN, 0), 1, ("close", 0, "Close the question")),
        (P(rules.PAUSED, 0), 1, ("resume", 0, "Resume")),
        (P(rules.CLOSED, 0), 1, ("reveal", 0, "Reveal the answer")),
        (P(rules.REVEALED, 0), 1, ("open", 1, "Next: question 2 of 4")),
        (P(rules.REVEALED, 3), None, ("end", None, "End the lesson")),
    ]
    for pos, next_index, (name, question, label) in steps:
        main = _main(pos, next_index=next_index).main
        assert (main.name, main.question, main.label) == (name, question, label), pos
    assert _main(P(rules.ENDED, 3)).main is None
    assert _main(P(rules.READY, None), count=0, planned=0).main is None  # quick questions only: nothing to open


def test_main_back_and_next_are_allowed_actions_the_rules_accept():
    """Each button the page offers is one of allowed_actions(), and the rules take it."""
    def apply(pos, action):
        if action.name == "open":
            return rules.open_question(pos, action.question, 4)
        return rules.MOVES[action.name](pos, 0.0)

    for state in rules.STATES:
        pos = P(state, None if state == rules.READY else 0)
        offered = _main(pos, next_index=1)
        allowed = rules.allowed_actions(pos, 4, 1)
        for action in (offered.main, offered.back, offered.next):
            if action is not None:
                assert action.name in allowed or (action is offered.next and "next" in allowed), (state, action)
                apply(pos, action)  # raises if the page offered something the server refuses
    assert _main(P(rules.CLOSED, 0)).back.name == "open"
    assert _main(P(rules.OPEN, 0)).back is None
    # After a re-ask at the end of the list, "next" is the quiz's next question, not the position after it.
    assert "next" in rules.allowed_actions(P(rules.REVEALED, 4), 5, 1)
    assert "next" not in rules.allowed_actions(P(rules.REVEALED, 4), 5, None)


def test_labels_count_the_quiz_not_the_rounds():
    Q = numbering.Origin
    # Four quiz questions, question 3 asked again twice (the second repeat of the repeat), a quick question.
    origins = (Q(None, False),) * 4 + (Q(2, False), Q(4, False), Q(None, True), Q(6, False))
    texts = [label.text for label in numbering.labels(origins)]
    assert texts == ["Question 1 of 4", "Question 2 of 4", "Question 3 of 4", "Question 4 of 4",
                     "Question 3, asked again", "Question 3, asked again (3rd time)", "Quick question 1",
                     "Quick question 1, asked again"]
    assert numbering.planned_count(origins) == 4
    assert numbering.next_quiz_question(origins, {0, 1, 4}) == 2  # re-asks do not move the quiz on
    assert numbering.next_quiz_question(origins, {3}) is None
    assert numbering.next_quiz_question(origins, set()) == 0


def test_a_question_asked_again_counts_once_with_each_students_latest_answer():
    Q = numbering.Origin
    questions = (Question("2+2?", ("3", "4"), "B"), Question("3+3?", ("6", "7"), "A"), Question("2+2?", ("3", "4"), "B"))
    origins = (Q(None, False), Q(None, False), Q(0, False))

    def answer(question, student, letter, at):
        return Response(question, student, 1, letter, letter, at, at, 0)
    responses = [answer(0, 10, "A", 1.0), answer(2, 10, "B", 5.0),   # Ann: wrong, then right when asked again
                 answer(0, 11, "B", 1.0), answer(2, 11, "A", 5.0),   # Bo: right, then wrong
                 answer(0, 12, "B", 1.0)]                              # Cy: right, silent the second time
    results = scoring.session_results(questions, ROSTER, responses, origins)
    assert [q["label"] for q in results["questions"]] == ["Question 1 of 2", "Question 2 of 2",
                                                          "Question 1, asked again"]
    assert results["questions"][0]["rounds"] == 2 and results["questions"][2]["round"] == 2
    ann, bo, cy = results["students"]
    assert (ann["score"], bo["score"], cy["score"]) == (1, 0, 1)
    assert ann["graded"] == 2  # two questions, not three rounds


def test_absent_is_neither_a_zero_nor_a_participant():
    from appliance.classroom import analytics

    responses = (_response(0, 10, 1, "B"), _response(0, 11, 2, "A"), _response(0, 12, 3, "C"))
    session = analytics.SessionData(7, "Sums", 0.0, QUESTIONS, responses, absent=frozenset({12}))
    results = scoring.session_results(QUESTIONS, ROSTER, list(responses), absent=frozenset({12}))
    assert results["present"] == 2 and results["questions"][0]["answered"] == 2  # Cy's stray reading is not counted
    assert results["questions"][0]["percent_correct"] == 50.0 and results["students"][2]["absent"] is True
    book = analytics.gradebook(list(ROSTER.students), [session])
    assert [r["scores"] for r in book["rows"]] == [[1], [0], ["absent"]]
    assert "Cy,3,absent\r\n" in grades.csv_text(grades.gradebook_sheets(book))
    assert grades.canvas_csv(book, {}, "7B").splitlines()[-1].endswith(",EX")  # Canvas: excused, not 0
    assert grades.moodle_csv(book, {}).splitlines()[-1].endswith("Cy,,,")  # Moodle: no grade
    participation = analytics.trends(list(ROSTER.students), [session])["participation"]
    assert participation[0]["percent"] == 50.0  # 2 answers of 2 present students x 2 questions asked
