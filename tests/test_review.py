"""Review that comes back (issue 23): questions worth asking again, spaced 1 day / 1 week / 1 month after they
were last asked, added to a new lesson in one step, and then counted as asked again."""
from __future__ import annotations

import dataclasses
import time

from appliance import keys
from appliance.classroom import analytics, review
from appliance.classroom.models import Question, Response
from appliance.vision.types import Registration
from tests.lessons import play_lesson

DAY = 86_400.0
HARD = Question("1/2 + 1/4?", ("3/4", "2/6", "1/8"), "A", skills=("fractions",), misconceptions=(("B", "adds"),))
EASY = Question("2 + 2?", ("3", "4"), "B")
TRAP = Question("Largest planet?", ("Mars", "Jupiter", "Venus"), "B")


def r(position: int, student: int, letter: str) -> Response:
    return Response(position, student, student, letter, letter, 1.0, 1.0, 0)


def lesson(sid: int, when: float, questions, answers: dict[int, str]) -> analytics.SessionData:
    responses = tuple(r(pos, student, letter) for pos, by in enumerate(answers) for student, letter in by.items())
    return analytics.SessionData(sid, f"L{sid}", when, tuple(questions), responses)


# HARD: 1 of 4 right (25%). EASY: 4 of 4. TRAP: 3 of 5 right (60%, under 70%) and C (1) never beats B.
FIRST = lesson(1, 0.0, [HARD, EASY, TRAP], [{1: "A", 2: "B", 3: "B", 4: "C"}, {1: "B", 2: "B", 3: "B", 4: "B"},
                                             {1: "B", 2: "B", 3: "B", 4: "C", 5: "A"}])


def test_worth_asking_again_and_the_spacing():
    early = review.candidates([FIRST], now=0.5 * DAY)
    assert [(c["text"], c["reasons"], c["due"]) for c in early] == [
        ("1/2 + 1/4?", ["low_share", "distractor_beats_key"], False), ("Largest planet?", ["low_share"], False),
        ("2 + 2?", [], False)]
    assert early[0]["share_right"] == 0.25 and early[0]["due_at"] == 1 * DAY and early[0]["times_asked"] == 1
    assert review.pick([FIRST], now=0.5 * DAY, count=5) == []  # nothing due before a day has passed
    picked = review.pick([FIRST], now=1 * DAY, count=1)
    assert [p["text"] for p in picked] == ["1/2 + 1/4?"]  # the weakest first
    copies = review.as_questions([FIRST], picked)
    assert copies == (HARD,) and copies[0].misconceptions == (("B", "adds"),)

    # Asked again as review on day 2, still weak: next due a week after that; then a month.
    second = lesson(2, 2 * DAY, [HARD], [{1: "B", 2: "A"}])
    now = review.candidates([FIRST, second], now=2 * DAY)
    assert [c["text"] for c in now][:2] == ["Largest planet?", HARD.text]  # due first, then the weakest
    again = now[1]
    assert (again["times_asked"], again["due_at"], again["share_right"], again["due"]) == (2, 9 * DAY, 0.5, False)
    third = lesson(3, 10 * DAY, [HARD], [{1: "B"}])
    hard = next(c for c in review.candidates([FIRST, second, third], now=0) if c["text"] == HARD.text)
    assert (hard["times_asked"], hard["due_at"]) == (3, 40 * DAY)
    # Learnt the second time: no longer worth asking again.
    learnt = lesson(2, 2 * DAY, [HARD], [{1: "A", 2: "A", 3: "A"}])
    assert next(c for c in review.candidates([FIRST, learnt], 0) if c["text"] == HARD.text)["reasons"] == []


def test_an_absent_students_answers_are_not_weighed():
    """TRAP with student 5 (wrong) marked absent (issue 21): 3 of 4 right, 75%, not worth asking again."""
    away = dataclasses.replace(FIRST, absent=frozenset({5}))
    trap = next(c for c in review.candidates([away], now=0) if c["text"] == TRAP.text)
    assert (trap["answered"], trap["share_right"], trap["reasons"]) == (4, 0.75, [])


async def test_a_lesson_starts_with_review_questions_in_one_step(server, teacher):
    db, engine = server.app[keys.DB], server.app[keys.ENGINE]
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    quiz = await (await teacher.post("/api/v1/quizzes", json={"title": "Week 1", "questions": [
        {"text": HARD.text, "options": list(HARD.options), "correct": "A", "skills": ["fractions"]},
        {"text": EASY.text, "options": list(EASY.options), "correct": "B"}]})).json()
    sid = await play_lesson(teacher, engine, klass["id"], quiz["id"],
                            [(0, {1: "B", 2: "B", 3: "A"}), (1, {1: "B", 2: "B"})])
    listed = await (await teacher.get(f"/api/v1/classes/{klass['id']}/review")).json()
    assert listed["due"] == 0 and [q["text"] for q in listed["questions"]] == [HARD.text]
    async with db.transaction() as conn:  # the lesson was two days ago
        await conn.execute("UPDATE sessions SET created_at = created_at - ? WHERE id = ?", (2 * DAY, sid))
    listed = await (await teacher.get(f"/api/v1/classes/{klass['id']}/review")).json()
    assert listed["due"] == 1 and listed["questions"][0]["reasons"] == ["low_share", "distractor_beats_key"]

    other = await (await teacher.post("/api/v1/quizzes", json={"title": "Week 2", "questions": [
        {"text": "3 x 3?", "options": ["6", "9"], "correct": "B"}]})).json()
    started = await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": other["id"],
                                                                  "review": 3})).json()
    assert [q["text"] for q in started["quiz"]["questions"]] == ["3 x 3?", HARD.text]  # only one is due
    assert started["quiz"]["questions"][1]["skills"] == ["fractions"]
    assert started["labels"][1]["text"] == "Question 2 of 2"
    # Added but not yet asked: it stays due (a review question counts once it is asked).
    assert (await (await teacher.get(f"/api/v1/classes/{klass['id']}/review")).json())["due"] == 1
    await teacher.post(f"/api/v1/sessions/{started['id']}/open", json={"question": 1})
    for card, letter in {1: "B", 2: "A"}.items():
        await engine.register(Registration(card, letter, time.monotonic()))
    await teacher.post(f"/api/v1/sessions/{started['id']}/close")
    await teacher.post(f"/api/v1/sessions/{started['id']}/end")
    # Asked again (as review): the next time it is due is a week after this lesson, and it is not due now.
    listed = await (await teacher.get(f"/api/v1/classes/{klass['id']}/review")).json()
    assert listed["due"] == 0
    again = listed["questions"][0]
    assert (again["text"], again["times_asked"], again["share_right"]) == (HARD.text, 2, 0.5)
    assert abs(again["due_at"] - time.time() - 7 * DAY) < 60
    # In the class's history it is one more question answered: the student's history of that lesson has it.
    history = await (await teacher.get(f"/api/v1/students/{klass['students'][1]['id']}/history")).json()
    assert [(a["text"], a["result"]) for a in history["sessions"][-1]["answers"]] == [(HARD.text, "right")]
    # Quick questions only, with review: the review questions alone (none due now).
    quick = await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "review": 2})).json()
    assert quick["question_count"] == 0
    refused = await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "review": 21})
    assert refused.status == 400
