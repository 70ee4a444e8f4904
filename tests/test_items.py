"""One question, one item (issue 23, item 6): a question asked again is one item everywhere, its counted
answers the ones the score counts, its rounds kept inside it."""
from __future__ import annotations

from appliance.classroom import analytics, items, numbering
from appliance.classroom.formats import grades
from appliance.classroom.models import Question, Response, Student
from appliance.classroom.numbering import Origin

QUESTIONS = (Question("$\\frac{1}{2}+\\frac{1}{4}$?", ("3/4", "2/6", "1/8"), "A"),
             Question("Poll", ("yes", "no"), None), Question("$\\frac{1}{2}+\\frac{1}{4}$?", ("3/4", "2/6", "1/8"), "A"))
ORIGINS = (Origin(None, False), Origin(None, False), Origin(0, False))


def answer(position: int, student: int, letter: str, at: float, first: str | None = None,
           source: str = "camera") -> Response:
    return Response(position, student, student, letter, first or letter, at, at, 0, source)


# Round 1 closed after one (wrong) answer; round 2 after a discussion: three right, one wrong.
RESPONSES = (answer(0, 1, "B", 1.0), answer(2, 1, "A", 5.0), answer(2, 2, "A", 5.0), answer(2, 3, "A", 5.0),
             answer(2, 4, "C", 5.0, first="A"), answer(1, 2, "yes", 3.0))


def test_a_question_asked_again_is_one_item_with_its_rounds():
    grouped = items.session_items(QUESTIONS, numbering.labels(ORIGINS), RESPONSES)
    first, poll = grouped["items"]
    assert (first["index"], first["label"], first["answered"], first["percent_correct"]) == (0, "Question 1 of 2", 4, 75.0)
    assert first["distribution"] == {"A": 3, "B": 0, "C": 1}
    assert [(r["index"], r["round"], r["answered"], r["percent_correct"]) for r in first["rounds"]] == [
        (0, 1, 1, 0.0), (2, 2, 4, 75.0)]
    assert poll["rounds"][0]["round"] == 1 and poll["percent_correct"] is None
    # Student 1 moved from B (round 1) to A (round 2): the first answer over the rounds, then the counted one.
    assert grouped["answers"][1][0] == {"answer": "A", "first": "B", "source": "camera"}
    assert grouped["answers"][4][0] == {"answer": "C", "first": "A", "source": "camera"}  # changed within the round
    assert grouped["answers"][1][1] == {"answer": None, "first": None, "source": None}


def test_the_counted_answer_says_who_gave_it():
    """The teacher typed Ann's second-round answer in: her item's answer is theirs (issue 21's source)."""
    responses = (answer(0, 1, "B", 1.0), answer(2, 1, "A", 5.0, source="teacher"), answer(2, 2, "A", 5.0))
    grouped = items.session_items(QUESTIONS, numbering.labels(ORIGINS), responses)
    assert grouped["answers"][1][0] == {"answer": "A", "first": "B", "source": "teacher"}
    assert grouped["answers"][2][0]["source"] == "camera"


def test_the_hardest_questions_count_an_asked_again_question_once():
    """The bug of issue 23: a first round closed after one answer topped "Hardest questions" at 0%."""
    session = analytics.SessionData(7, "Fractions", 0.0, QUESTIONS, RESPONSES, ORIGINS)
    trends = analytics.trends([Student(n, f"S{n}", n) for n in range(1, 5)], [session])
    assert trends["difficulty"] == [{"session_id": 7, "question": 0, "text": QUESTIONS[0].text,
                                     "percent_correct": 75.0, "answered": 4, "rounds": 2}]


def test_the_results_export_has_one_column_per_question_and_its_rounds_on_a_sheet():
    grouped = items.session_items(QUESTIONS, numbering.labels(ORIGINS), RESPONSES)
    by_hand = [{**grouped["answers"][1][0], "source": "teacher"}, grouped["answers"][1][1]]
    results = {"present": 4, "questions": [], "items": grouped["items"], "students": [
        {"name": "Ann", "card": 1, "absent": False, "items": by_hand, "score": 1, "graded": 1, "answered": 2},
        {"name": "Eve", "card": 5, "absent": True, "items": [{"answer": None, "first": None, "source": None}] * 2,
         "score": 0, "graded": 1, "answered": 0}]}
    sheets = grades.results_sheets(results)
    # Issue 21's attendance and hand entries per question (item), not per round.
    assert sheets["Results"] == [["Student", "Card", "Q1", "Q2", "Score", "Out of", "Percent", "Answered",
                                  "Attendance", "Entered by the teacher"],
                                 ["Ann", 1, "A", "", 1, 1, 100.0, 2, "present", "Q1"],
                                 ["Eve", 5, "", "", None, 1, None, None, "absent", ""]]
    assert sheets["Answer key"][0][4] == "Answered (of 4 present)"
    assert sheets["Answer key"][1] == ["Q1", QUESTIONS[0].text, "A", "yes", 4, 75.0, 3, 0, 1, None, 2]
    assert sheets["Rounds"][1:] == [["Q1", 1, 1, 0.0, 0, 1, 0, None], ["Q1", 2, 4, 75.0, 3, 0, 1, None]]


def test_a_students_history_and_participation_count_questions_not_rounds():
    session = analytics.SessionData(7, "Fractions", 0.0, QUESTIONS, RESPONSES, ORIGINS)
    history = analytics.student_history(Student(1, "Ann", 1), [session])["sessions"][0]
    assert (history["answered"], history["questions"], history["score"], history["graded"]) == (1, 2, 1, 1)
    # 4 students, 2 questions asked: 5 answers to questions (4 to Q1 however often, 1 to the poll) of 8.
    trends = analytics.trends([Student(n, f"S{n}", n) for n in range(1, 5)], [session])
    assert trends["participation"][0]["percent"] == 62.5


def test_an_absent_student_counts_in_no_item_and_no_participation():
    """Student 4 (wrong in round 2) marked absent (issue 21): Q1 is 3 of 3 right, and participation is out of the
    3 present: 4 answers to questions (3 to Q1, 1 to the poll) of 6."""
    session = analytics.SessionData(7, "Fractions", 0.0, QUESTIONS, RESPONSES, ORIGINS, frozenset({4}))
    trends = analytics.trends([Student(n, f"S{n}", n) for n in range(1, 5)], [session])
    assert trends["difficulty"] == [{"session_id": 7, "question": 0, "text": QUESTIONS[0].text,
                                     "percent_correct": 100.0, "answered": 3, "rounds": 2}]
    assert trends["participation"][0]["percent"] == 66.7
