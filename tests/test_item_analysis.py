"""Item analysis (issue 23) against cases worked out by hand: every number below was computed on paper from
the definitions in docs/ITEM_ANALYSIS.md, and the code must match it to 1e-9."""
from __future__ import annotations

import math

import pytest

from appliance.classroom import item_analysis
from appliance.classroom.item_analysis import Sitting
from appliance.classroom.models import Question, Response
from appliance.classroom.numbering import Origin

TOL = 1e-9


def q(correct: str | None, asked: bool = True, options: int = 4) -> Question:
    return Question(f"Q key {correct}", tuple(f"option {i}" for i in range(options)), correct, asked=asked)


def answer(position: int, student: int, letter: str, at: float = 1.0) -> Response:
    return Response(position, student, student, letter, letter, at, at, 0)


# Positions: 0, 1, 2 graded quiz questions (keys B, C, A); 3 a poll; 4 a quiz question never asked;
# 5 question 1 asked again.
QUESTIONS = (q("B"), q("C"), q("A"), q(None), q("D", asked=False), q("B"))
ORIGINS = (Origin(None, False),) * 5 + (Origin(0, False),)
# Item scores x (Q1, Q2, Q3) worked out by hand:   totals
#   student 1: B right, C right, A right  -> 1 1 1   3
#   student 2: B right, C right, D wrong  -> 1 1 0   2
#   student 3: A then B in round 2 (latest counts), A wrong, D wrong -> 1 0 0   1
#   student 4: B then D in round 2 (latest counts: wrong), A wrong, D wrong -> 0 0 0   0
#   student 5: no answer to Q1 (x = 0), C right, B wrong -> 0 1 0   1
# Student 6 is absent (answers recorded, e.g. a card left on a desk); student 7 answered only the poll.
RESPONSES = (
    answer(0, 1, "B"), answer(1, 1, "C"), answer(2, 1, "A"), answer(3, 1, "A"),
    answer(0, 2, "B"), answer(1, 2, "C"), answer(2, 2, "D"),
    answer(0, 3, "A", 1.0), answer(5, 3, "B", 2.0), answer(1, 3, "A"), answer(2, 3, "D"),
    answer(0, 4, "B", 1.0), answer(5, 4, "D", 2.0), answer(1, 4, "A"), answer(2, 4, "D"),
    answer(1, 5, "C"), answer(2, 5, "B"),
    answer(0, 6, "A"), answer(1, 6, "A"), answer(2, 6, "A"),
    answer(3, 7, "B"),
)
SITTING = Sitting(QUESTIONS, ORIGINS, RESPONSES, frozenset({6}))


def test_the_hand_computed_lesson():
    result = item_analysis.analyse(SITTING)
    assert result["students"] == 5  # 6 absent, 7 answered no graded question
    assert [item["index"] for item in result["questions"]] == [0, 1, 2]  # the poll and the unasked one are out
    q1, q2, q3 = result["questions"]
    # difficulty: 3/5, 3/5, 1/5
    assert abs(q1["difficulty"] - 0.6) < TOL and abs(q2["difficulty"] - 0.6) < TOL and abs(q3["difficulty"] - 0.2) < TOL
    # Q1: x = 1 1 1 0 0, rest = 2 1 0 0 1; deviations .4 .4 .4 -.6 -.6 and 1.2 .2 -.8 -.8 .2:
    # Sxy = .48 + .08 - .32 + .48 - .12 = 0.6, Sxx = 1.2, Syy = 2.8 -> r = 0.6 / sqrt(3.36)
    assert abs(q1["discrimination"] - 0.6 / math.sqrt(3.36)) < TOL
    # Q2: x = 1 1 0 0 1, rest = 2 1 1 0 0: Sxy = 0.6, Sxx = 1.2, Syy = 2.8
    assert abs(q2["discrimination"] - 0.6 / math.sqrt(3.36)) < TOL
    # Q3: x = 1 0 0 0 0, rest = 2 2 1 0 1: Sxy = .64 - .16 + .04 + .24 + .04 = 0.8, Sxx = .8, Syy = 2.8
    assert abs(q3["discrimination"] - 0.8 / math.sqrt(0.8 * 2.8)) < TOL
    # totals 3 2 1 0 1: mean 1.4, population variance (2.56 + .36 + .16 + 1.96 + .16) / 5 = 1.04;
    # sum p(1-p) = .24 + .24 + .16 = .64; KR-20 = 3/2 (1 - .64/1.04) = 15/26
    assert abs(result["kr20"] - 15 / 26) < TOL
    assert (q1["answered"], q1["correct"], q1["key"], q1["rounds"]) == (4, 3, "B", 2)
    assert (q2["answered"], q2["correct"], q3["answered"], q3["correct"]) == (5, 3, 5, 1)
    assert {k: v["count"] for k, v in q1["options"].items()} == {"A": 0, "B": 3, "C": 0, "D": 1}
    assert q1["options"]["B"]["share"] == 0.75 and q1["options"]["D"]["share"] == 0.25
    assert {k: v["count"] for k, v in q3["options"].items()} == {"A": 1, "B": 1, "C": 0, "D": 3}
    assert abs(q3["options"]["D"]["share"] - 0.6) < TOL
    assert q1["flags"] == ["unused:A", "unused:C"]
    assert q2["flags"] == ["unused:B", "unused:D"]
    assert q3["flags"] == ["distractor_beats_key", "unused:C"]


def test_an_absent_student_counts_when_attendance_says_present():
    """The absent set is what takes student 6 out: without it, six students and other numbers."""
    result = item_analysis.analyse(Sitting(QUESTIONS, ORIGINS, RESPONSES))
    assert result["students"] == 6
    # Student 6 answered A A A: right only on Q3, so Q3 is now right for 2 of 6.
    assert abs(result["questions"][2]["difficulty"] - 2 / 6) < TOL


def test_negative_discrimination_and_the_nulls():
    # x for (Q1, Q2): s1 1 0, s2 1 0, s3 0 1. Q1: x = 1 1 0, rest = 0 0 1: r = -1 exactly (rest = 1 - x).
    questions = (q("A"), q("A"))
    responses = (answer(0, 1, "A"), answer(1, 1, "B"), answer(0, 2, "A"), answer(1, 2, "B"),
                 answer(0, 3, "B"), answer(1, 3, "A"))
    result = item_analysis.analyse(Sitting(questions, (Origin(None, False),) * 2, responses))
    first, second = result["questions"]
    assert abs(first["discrimination"] + 1) < TOL and abs(second["discrimination"] + 1) < TOL
    assert "negative_discrimination" in first["flags"] and "negative_discrimination" in second["flags"]
    # Every total is 1: the variance is 0, so no KR-20.
    assert result["kr20"] is None

    # Everyone right on Q1: x does not vary, no discrimination; one graded question: no KR-20.
    one = item_analysis.analyse(Sitting((q("A"),), (Origin(None, False),),
                                        (answer(0, 1, "A"), answer(0, 2, "A"))))
    assert one["questions"][0]["discrimination"] is None and one["kr20"] is None
    assert one["questions"][0]["difficulty"] == 1.0

    # Q1 varies but the rest score does not (everyone wrong on Q2): no discrimination.
    flat_rest = item_analysis.analyse(Sitting(questions, (Origin(None, False),) * 2,
                                              (answer(0, 1, "A"), answer(1, 1, "B"),
                                               answer(0, 2, "B"), answer(1, 2, "B"))))
    assert flat_rest["questions"][0]["discrimination"] is None
    assert "negative_discrimination" not in flat_rest["questions"][0]["flags"]


def test_nobody_present_gives_empty_numbers_not_errors():
    result = item_analysis.analyse(Sitting(QUESTIONS, ORIGINS, (answer(3, 7, "B"),)))
    assert result["students"] == 0 and result["kr20"] is None
    for item in result["questions"]:
        assert item["difficulty"] is None and item["discrimination"] is None and item["answered"] == 0
        assert all(option["share"] is None for option in item["options"].values())
        assert "distractor_beats_key" not in item["flags"]


@pytest.mark.parametrize("answers, unused", [(20, False), (21, True)])
def test_unused_means_fewer_than_five_percent(answers, unused):
    """One student of 20 on C is 5% exactly (used); one of 21 is 4.76% (unused)."""
    responses = tuple(answer(0, n, "C" if n == 1 else "A") for n in range(1, answers + 1))
    result = item_analysis.analyse(Sitting((q("A"),), (Origin(None, False),), responses))
    assert ("unused:C" in result["questions"][0]["flags"]) is unused
    assert "unused:B" in result["questions"][0]["flags"] and "unused:D" in result["questions"][0]["flags"]


def test_a_quiz_over_two_lessons_pools_the_students():
    """Two lessons of the quiz are the same as one lesson with both classes' students (rows are sittings)."""
    first = Sitting(QUESTIONS, ORIGINS, RESPONSES[:11], frozenset())
    second = Sitting(QUESTIONS, ORIGINS, RESPONSES[11:], frozenset({6}))
    pooled = item_analysis.analyse_many([first, second])
    assert pooled == item_analysis.analyse(SITTING)
    # The same student id in two lessons is two sittings: student 1 twice gives 2 rows.
    twice = item_analysis.analyse_many([Sitting(QUESTIONS, ORIGINS, RESPONSES[:4])] * 2)
    assert twice["students"] == 2 and twice["questions"][0]["correct"] == 2


def test_over_lessons_an_item_counts_where_it_was_asked_and_kr20_over_the_items_all_asked():
    # Lesson 1 is the hand-computed one. Lesson 2 asked only Q1 and Q2: student 1 right, wrong (x = 1 0).
    second = Sitting(QUESTIONS[:2], ORIGINS[:2], (answer(0, 1, "B"), answer(1, 1, "A")))
    result = item_analysis.analyse_many([SITTING, second])
    q1, q2, q3 = result["questions"]
    assert result["students"] == 6 and (q1["students"], q3["students"]) == (6, 5)
    assert abs(q1["difficulty"] - 4 / 6) < TOL and abs(q2["difficulty"] - 3 / 6) < TOL
    assert abs(q3["difficulty"] - 1 / 5) < TOL  # the lesson that never asked it does not count it wrong
    # Q3's rest score is over the lesson's own questions: lesson 1's rows only, as in the hand-computed case.
    assert abs(q3["discrimination"] - 0.8 / math.sqrt(2.24)) < TOL
    # KR-20 over Q1 and Q2 (asked in both): x = 11 11 10 00 01 10, totals 2 2 1 0 1 1: mean 7/6,
    # variance 11/6 - 49/36 = 17/36; sum p(1-p) = 8/36 + 9/36 = 17/36, so KR-20 = 2 (1 - 1) = 0.
    assert abs(result["kr20"]) < TOL


def test_a_question_changed_between_lessons_is_another_item():
    edited = (Question("Q key B, reworded", QUESTIONS[0].options, "B"),)
    other = Sitting(edited, (Origin(None, False),), (answer(0, 1, "B"),))
    result = item_analysis.analyse_many([SITTING, other])
    assert [(q["index"], q["text"], q["students"]) for q in result["questions"]] == [
        (0, "Q key B", 5), (1, "Q key C", 5), (2, "Q key A", 5), (0, "Q key B, reworded", 1)]
    assert result["kr20"] is None  # no item was asked in both lessons
    # The same text asked twice in one lesson stays two items.
    twice = item_analysis.analyse(Sitting((q("A"), q("A")), (Origin(None, False),) * 2,
                                          (answer(0, 1, "A"), answer(1, 1, "B"))))
    assert [item["correct"] for item in twice["questions"]] == [1, 0]
