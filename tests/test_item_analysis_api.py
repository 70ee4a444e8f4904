"""Item analysis through the real server and SQLite file (issue 23): the lesson of tests/test_item_analysis.py
played with cards, read back from GET /sessions/{id}/item-analysis with the numbers worked out by hand, and a
quiz's analysis over its ended lessons, the teacher's own only."""
from __future__ import annotations

import math

import aiohttp
import pytest

from appliance import keys
from tests.lessons import play_lesson

TOL = 1e-9
PASSWORD = "teacher-pass"
QUIZ = {"title": "Item analysis", "questions": [
    {"text": "Q1", "options": ["a", "b", "c", "d"], "correct": "B"},
    {"text": "Q2", "options": ["a", "b", "c", "d"], "correct": "C"},
    {"text": "Q3", "options": ["a", "b", "c", "d"], "correct": "A"},
    {"type": "poll", "text": "Liked it?", "options": ["yes", "no"], "correct": None},
    {"text": "never asked", "options": ["a", "b", "c", "d"], "correct": "D"},
]}
# Card → letter for each question opened, as in tests/test_item_analysis.py (students 1-5 and 7; x by hand:
# 1 1 1 / 1 1 0 / 1 0 0 / 0 0 0 / 0 1 0, cards 3 and 4 changing their answer to Q1 when it is asked again).
ROUNDS = [(0, {1: "B", 2: "B", 3: "A", 4: "B"}), (1, {1: "C", 2: "C", 3: "A", 4: "A", 5: "C"}),
          (2, {1: "A", 2: "D", 3: "D", 4: "D", 5: "B"}), (3, {1: "A", 7: "B"})]
AGAIN = {3: "B", 4: "D"}


@pytest.fixture
async def alice(server, teacher):
    """A teacher of her own (the demo login is an admin), with a class of cards 1-7 and the quiz."""
    made = await teacher.post("/api/v1/users", json={"username": "alice", "password": PASSWORD})
    assert made.status == 201, await made.text()
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        assert (await client.post("/api/v1/login", json={"username": "alice", "password": PASSWORD})).status == 200
        klass = await (await client.post("/api/v1/classes", json={
            "name": "7B", "students": [{"name": f"Pupil {n}", "card": n} for n in range(1, 8)]})).json()
        quiz = await (await client.post("/api/v1/quizzes", json=QUIZ)).json()
        yield client, klass, quiz


async def _play(client, engine, class_id: int, quiz_id: int, rounds=ROUNDS, again=AGAIN, end=True) -> int:
    return await play_lesson(client, engine, class_id, quiz_id, rounds, again, end)


def _check_hand_computed(result: dict) -> None:
    assert result["students"] == 5
    q1, q2, q3 = result["questions"]
    assert [q["index"] for q in result["questions"]] == [0, 1, 2]
    assert abs(q1["difficulty"] - 0.6) < TOL and abs(q2["difficulty"] - 0.6) < TOL
    assert abs(q3["difficulty"] - 0.2) < TOL
    assert abs(q1["discrimination"] - 0.6 / math.sqrt(3.36)) < TOL
    assert abs(q2["discrimination"] - 0.6 / math.sqrt(3.36)) < TOL
    assert abs(q3["discrimination"] - 0.8 / math.sqrt(2.24)) < TOL
    assert abs(result["kr20"] - 15 / 26) < TOL
    assert (q1["answered"], q1["correct"], q1["rounds"]) == (4, 3, 2)
    assert q1["options"]["D"] == {"count": 1, "share": 0.25, "misconception": None}
    assert q3["flags"] == ["distractor_beats_key", "unused:C"]


async def test_a_lessons_item_analysis_matches_the_hand_computed_numbers(server, alice):
    client, klass, quiz = alice
    sid = await _play(client, server.app[keys.ENGINE], klass["id"], quiz["id"])
    response = await client.get(f"/api/v1/sessions/{sid}/item-analysis")
    assert response.status == 200
    _check_hand_computed(await response.json())


async def test_a_student_marked_absent_is_left_out_of_the_item_analysis(server, alice):
    """Card 6 is read right on Q1-Q3 (held up by a neighbour, say), then the teacher marks its student absent
    (issue 21's attendance): the lesson's and the quiz's analysis read as worked out by hand without them."""
    client, klass, quiz = alice
    rounds = [(index, {**answers, 6: letter}) for (index, answers), letter in zip(ROUNDS, "BCA")] + ROUNDS[3:]
    sid = await _play(client, server.app[keys.ENGINE], klass["id"], quiz["id"], rounds=rounds)
    before = await (await client.get(f"/api/v1/sessions/{sid}/item-analysis")).json()
    assert before["students"] == 6 and before["questions"][2]["correct"] == 2  # present until marked absent
    six = next(s["id"] for s in klass["students"] if s["card"] == 6)
    marked = await client.put(f"/api/v1/sessions/{sid}/attendance", json={"absent": [six]})
    assert marked.status == 200, await marked.text()
    _check_hand_computed(await (await client.get(f"/api/v1/sessions/{sid}/item-analysis")).json())
    pooled = await (await client.get(f"/api/v1/quizzes/{quiz['id']}/item-analysis")).json()
    assert pooled["sessions"] == 1
    _check_hand_computed(pooled)


async def test_a_quizs_item_analysis_pools_its_ended_lessons_of_this_teacher(server, teacher, alice):
    client, klass, quiz = alice
    engine = server.app[keys.ENGINE]
    first = await _play(client, engine, klass["id"], quiz["id"])
    # A second lesson: card 5 alone, right on Q1 only (x = 1 0 0); it adds a sixth row.
    await _play(client, engine, klass["id"], quiz["id"], rounds=[(0, {5: "B"}), (1, {5: "A"})], again=None)
    pooled = await (await client.get(f"/api/v1/quizzes/{quiz['id']}/item-analysis")).json()
    assert pooled["sessions"] == 2 and pooled["students"] == 6
    # Q1 right for 3 + 1 of 6, Q2 for 3 of 6; Q3 was not asked in the second lesson: 1 of its 5.
    # KR-20 over Q1 and Q2 (asked in both): x = 11 11 10 00 01 10, totals 2 2 1 0 1 1: mean 7/6, population
    # variance 11/6 - 49/36 = 17/36; sum p(1-p) = 8/36 + 9/36 = 17/36; KR-20 = 2/1 (1 - 1) = 0.
    q1, q2, q3 = pooled["questions"]
    assert abs(q1["difficulty"] - 4 / 6) < TOL and abs(q2["difficulty"] - 3 / 6) < TOL
    assert abs(q3["difficulty"] - 1 / 5) < TOL and q3["students"] == 5
    assert abs(pooled["kr20"]) < TOL

    # A lesson still running is not in it, nor is one an admin ran with her quiz (not hers).
    running = await _play(client, engine, klass["id"], quiz["id"], rounds=[(0, {1: "A"})], again=None, end=False)
    assert (await client.get(f"/api/v1/quizzes/{quiz['id']}/item-analysis")).status == 200
    assert (await (await client.get(f"/api/v1/quizzes/{quiz['id']}/item-analysis")).json()) == pooled
    await client.post(f"/api/v1/sessions/{running}/end")
    await _play(teacher, engine, klass["id"], quiz["id"], rounds=[(0, {2: "B"})], again=None)
    mine = await (await client.get(f"/api/v1/quizzes/{quiz['id']}/item-analysis")).json()
    # Ended now, the third lesson adds card 1 (wrong on Q1: a seventh row); the admin's lesson is not hers.
    assert mine["sessions"] == 3 and mine["students"] == 7
    assert abs(mine["questions"][0]["difficulty"] - 4 / 7) < TOL
    everyone = await (await teacher.get(f"/api/v1/quizzes/{quiz['id']}/item-analysis")).json()
    assert everyone["sessions"] == 4 and everyone["students"] == 8
    assert abs(everyone["questions"][0]["difficulty"] - 5 / 8) < TOL
    # The first lesson alone still reads as worked out by hand.
    _check_hand_computed(await (await client.get(f"/api/v1/sessions/{first}/item-analysis")).json())


async def test_item_analysis_is_the_teachers_own(server, teacher, alice):
    client, klass, quiz = alice
    sid = await _play(client, server.app[keys.ENGINE], klass["id"], quiz["id"])
    made = await teacher.post("/api/v1/users", json={"username": "bob", "password": PASSWORD})
    assert made.status == 201
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as bob:
        assert (await bob.post("/api/v1/login", json={"username": "bob", "password": PASSWORD})).status == 200
        for path in (f"/api/v1/sessions/{sid}/item-analysis", f"/api/v1/quizzes/{quiz['id']}/item-analysis"):
            refused = await bob.get(path)
            assert refused.status == 404 and "does not exist" in (await refused.json())["error"]
    async with aiohttp.ClientSession(base_url=server.url) as nobody:
        assert (await nobody.get(f"/api/v1/sessions/{sid}/item-analysis")).status == 401
    # The admin sees it, with the same numbers.
    _check_hand_computed(await (await teacher.get(f"/api/v1/sessions/{sid}/item-analysis")).json())
