"""Skills over time (issue 23): mastery per student and skill from every lesson, worked out by hand, and the
class's grid through the real server with its spreadsheet."""
from __future__ import annotations

import dataclasses

from appliance import keys
from appliance.classroom import analytics, skills
from appliance.classroom.models import Question, Response, Student
from appliance.classroom.numbering import Origin
from tests.lessons import play_lesson

FRACTIONS, TABLES = "fractions", "times tables"


def q(correct: str, *tags: str) -> Question:
    return Question(f"Q {correct}", ("a", "b", "c"), correct, skills=tags)


def r(position: int, student: int, letter: str, at: float = 1.0) -> Response:
    return Response(position, student, student, letter, letter, at, at, 0)


def session(sid: int, when: float, questions, responses, origins=None) -> analytics.SessionData:
    return analytics.SessionData(sid, f"L{sid}", when, tuple(questions), tuple(responses), origins)


# Lesson 1: two fractions questions (keys A, B) and a times-tables one (key C), a poll-free quiz.
# Lesson 2: three fractions questions (A, A, A), the first asked again (round 2 counts).
L1 = session(1, 100.0, [q("A", FRACTIONS), q("B", FRACTIONS), q("C", TABLES)],
             [r(0, 1, "A"), r(1, 1, "B"), r(2, 1, "C"),   # student 1: right, right, right
              r(0, 2, "B"), r(1, 2, "B"),                 # student 2: wrong, right; no times tables
              r(0, 3, "A")])                              # student 3: right
L2 = session(2, 200.0, [q("A", FRACTIONS), q("A", FRACTIONS), q("A", FRACTIONS), q("A", FRACTIONS)],
             [r(0, 1, "A", 1.0), r(3, 1, "B", 2.0), r(1, 1, "A"), r(2, 1, "A"),  # 1: round 2 wrong, right, right
              r(0, 2, "A"), r(1, 2, "A"), r(2, 2, "C")],                          # 2: right, right, wrong
             (Origin(None, False),) * 3 + (Origin(0, False),))
STUDENTS = [Student(1, "Ann", 1), Student(2, "Ben", 2), Student(3, "Cy", 3), Student(4, "Di", 4)]


def test_mastery_by_hand():
    grid = skills.grid(STUDENTS, [L2, L1])  # lesson order comes from the dates, not the list
    ann, ben, cy, di = grid["students"]
    # Ann's fractions attempts: R R (lesson 1), W R R (lesson 2) -> last 5 = 4/5; before lesson 2: 2/2 -> -0.2.
    assert ann["skills"][FRACTIONS] == {"attempts": 5, "right": 4, "mastery": 0.8, "level": "mastered",
                                        "change": 0.8 - 1.0}
    # Ben: W R, R R W -> 3/5 developing; before lesson 2: 1/2 -> +0.1.
    assert ben["skills"][FRACTIONS]["mastery"] == 0.6 and ben["skills"][FRACTIONS]["level"] == "developing"
    assert abs(ben["skills"][FRACTIONS]["change"] - 0.1) < 1e-12
    # Cy: one attempt, right: too few to say.
    assert cy["skills"][FRACTIONS] == {"attempts": 1, "right": 1, "mastery": 1.0, "level": "too few", "change": None}
    assert di["skills"][FRACTIONS] == {"attempts": 0, "right": 0, "mastery": None, "level": "too few", "change": None}
    assert ann["skills"][TABLES]["attempts"] == 1 and ben["skills"][TABLES]["attempts"] == 0
    fractions = next(s for s in grid["skills"] if s["skill"] == FRACTIONS)
    # Class trend: lesson 1 has 5 fractions answers of which 4 right; lesson 2 has 6 of which 4 right.
    assert [(p["session_id"], p["answers"], p["share"]) for p in fractions["trend"]] == [(1, 5, 0.8), (2, 6, 4 / 6)]
    assert fractions["students"] == {"mastered": 1, "developing": 1, "not yet": 0, "too few": 2}



def test_an_absent_student_makes_no_attempt():
    """Ben marked absent from lesson 1 (issue 21): his readings there are no attempts, nor in the class trend."""
    grid = skills.grid(STUDENTS, [dataclasses.replace(L1, absent=frozenset({2}))])
    assert grid["students"][1]["skills"][FRACTIONS]["attempts"] == 0
    fractions = next(s for s in grid["skills"] if s["skill"] == FRACTIONS)
    assert [(p["answers"], p["share"]) for p in fractions["trend"]] == [(3, 1.0)]

def test_only_the_last_five_attempts_count():
    lesson = session(1, 1.0, [q("A", FRACTIONS)] * 7, [r(i, 1, "B" if i < 2 else "A") for i in range(7)])
    mine = skills.grid([Student(1, "Ann", 1)], [lesson])["students"][0]["skills"][FRACTIONS]
    assert (mine["attempts"], mine["right"], mine["mastery"], mine["level"]) == (7, 5, 1.0, "mastered")
    wrong = session(1, 1.0, [q("A", FRACTIONS)] * 3, [r(i, 1, "B") for i in range(3)])
    assert skills.grid([Student(1, "Ann", 1)], [wrong])["students"][0]["skills"][FRACTIONS]["level"] == "not yet"


async def test_the_class_grid_and_its_spreadsheet_through_the_server(server, teacher):
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    quiz = await (await teacher.post("/api/v1/quizzes", json={"title": "Skills", "questions": [
        {"text": "1/2 + 1/4?", "options": ["3/4", "2/6"], "correct": "A", "skills": [FRACTIONS]},
        {"text": "7 x 8?", "options": ["54", "56"], "correct": "B", "skills": [TABLES, "mental maths"]}]})).json()
    sid = await play_lesson(teacher, server.app[keys.ENGINE], klass["id"], quiz["id"],
                            [(0, {1: "A", 2: "B"}), (1, {1: "B"})])
    grid = await (await teacher.get(f"/api/v1/classes/{klass['id']}/skills")).json()
    assert [s["skill"] for s in grid["skills"]] == [FRACTIONS, "mental maths", TABLES]
    first, second = grid["students"][0], grid["students"][1]
    assert first["skills"][FRACTIONS]["right"] == 1 and first["skills"][TABLES]["right"] == 1
    assert second["skills"][FRACTIONS] == {"attempts": 1, "right": 0, "mastery": 0.0, "level": "too few",
                                           "change": None}
    csv = (await (await teacher.get(f"/api/v1/classes/{klass['id']}/skills.csv")).text()).lstrip("\ufeff")
    assert csv.startswith(f"Student,Card,{FRACTIONS},mental maths,{TABLES}\r\n")
    assert f"\r\n{first['name']},1,100,100,100\r\n" in csv and f"\r\n{second['name']},2,0,,\r\n" in csv
    assert "\r\nLevels\r\n" in csv and f"{FRACTIONS},{sid}," in csv
    book = await teacher.get(f"/api/v1/classes/{klass['id']}/skills.xlsx")
    assert book.status == 200 and (await book.read())[:2] == b"PK"
