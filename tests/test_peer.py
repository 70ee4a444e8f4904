"""Peer instruction (issue 23): vote, discuss, vote again. The rounds are compared purely, the projector gets
counts only, the teacher sees who moved; and through the real server and engine."""
from __future__ import annotations

import json
import time

import aiohttp

from appliance import keys
from appliance.classroom import peer
from appliance.classroom.models import Question
from appliance.classroom.numbering import Origin
from appliance.vision.types import Registration

Q = Question("1/2 + 1/4?", ("3/4", "2/6", "1/8"), "A")
QUESTIONS = (Q, Question("Next", ("a", "b"), "B"), Q)
ORIGINS = (Origin(None, False), Origin(None, False), Origin(0, False))
# Round 1 (position 0): 1 right, 2 B, 3 C, 4 A, 5 B. Round 2 (position 2): 1 B, 2 A, 3 A, 4 A, 6 A.
ANSWERS = {0: {1: "A", 2: "B", 3: "C", 4: "A", 5: "B"}, 1: {1: "B"}, 2: {1: "B", 2: "A", 3: "A", 4: "A", 6: "A"}}


def test_movement_between_the_rounds():
    moved = peer.movement(QUESTIONS, ORIGINS, {0, 1, 2}, ANSWERS, 2)
    assert moved == {"position": 2, "from_round": 1, "to_round": 2, "key": "A", "wrong_to_right": [2, 3],
                     "right_to_wrong": [1], "stayed_right": 1, "stayed_wrong": 0, "answered_both": 4}
    assert peer.movement(QUESTIONS, ORIGINS, {0, 1, 2}, ANSWERS, 0) is None  # a first round
    poll = (Question("Poll", ("a", "b"), None),) * 2
    assert peer.movement(poll, (Origin(None, False), Origin(0, False)), {0, 1}, {}, 1) is None


def test_the_projector_gets_each_rounds_counts_only():
    rounds = peer.public_rounds(QUESTIONS, ORIGINS, {0, 1, 2}, ANSWERS, 2)
    assert rounds == [{"round": 1, "position": 0, "answered": 5, "distribution": {"A": 2, "B": 2, "C": 1}},
                      {"round": 2, "position": 2, "answered": 5, "distribution": {"A": 4, "B": 1, "C": 0}}]
    assert peer.public_rounds(QUESTIONS, ORIGINS, {0, 1, 2}, ANSWERS, 1) is None


async def test_discuss_and_vote_again_through_the_server(server, teacher):
    engine = server.app[keys.ENGINE]
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    names = [s["name"] for s in klass["students"]]
    by_card = {s["card"]: s["id"] for s in klass["students"]}
    quiz = await (await teacher.post("/api/v1/quizzes", json={"title": "PI", "questions": [
        {"text": "1/2 + 1/4?", "options": ["3/4", "2/6", "1/8"], "correct": "A"}]})).json()
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"],
                                                               "quiz_id": quiz["id"]})).json())["id"]
    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    for card, letter in {1: "A", 2: "B", 3: "C"}.items():
        await engine.register(Registration(card, letter, time.monotonic()))
    closed = await (await teacher.post(f"/api/v1/sessions/{sid}/close")).json()
    assert closed["peer"] is None  # a first round: nothing to compare
    # Closed without revealing: "Discuss and vote again" is asking it again, a second round that opens at once.
    assert "reask" in closed["allowed"]
    again = await (await teacher.post(f"/api/v1/sessions/{sid}/reask", json={"question": 0})).json()
    assert again["state"] == "open" and again["question"] == 1 and again["label"] == "Question 1, asked again"
    for card, letter in {1: "B", 2: "A", 3: "A"}.items():
        await engine.register(Registration(card, letter, time.monotonic()))
    closed = await (await teacher.post(f"/api/v1/sessions/{sid}/close")).json()
    assert closed["peer"] is None  # not before the reveal: the teacher's screen may be on the projector
    revealed = await (await teacher.post(f"/api/v1/sessions/{sid}/reveal")).json()
    assert revealed["peer"]["wrong_to_right"] == sorted([by_card[2], by_card[3]])
    assert revealed["peer"]["right_to_wrong"] == [by_card[1]]

    async with aiohttp.ClientSession(base_url=server.url) as anyone:
        public = await (await anyone.get("/api/v1/public/state")).json()
    assert [(r["round"], r["distribution"]) for r in public["session"]["rounds"]] == [
        (1, {"A": 1, "B": 1, "C": 1}), (2, {"A": 2, "B": 1, "C": 0})]
    text = json.dumps(public)
    assert not any(name in text for name in names)  # counts only on the shared screens
    # Results keep both rounds: one item, its rounds inside.
    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    item = results["items"][0]
    assert [(r["round"], r["answered"], r["distribution"]) for r in item["rounds"]] == [
        (1, 3, {"A": 1, "B": 1, "C": 1}), (2, 3, {"A": 2, "B": 1, "C": 0})]
    csv = await (await teacher.get(f"/api/v1/sessions/{sid}/results.csv")).text()
    assert "\r\nRounds\r\nQuestion,Round,Answered,% correct,A,B,C,D\r\nQ1,1,3,33.3,1,1,1,\r\nQ1,2,3,66.7,2,1,0,\r\n" in csv

    # Card 3 was held up by a neighbour: marked absent (issue 21), its student moved nowhere and is in no count.
    marked = await teacher.put(f"/api/v1/sessions/{sid}/attendance", json={"absent": [by_card[3]]})
    assert marked.status == 200
    assert (await marked.json())["peer"]["wrong_to_right"] == [by_card[2]]
    async with aiohttp.ClientSession(base_url=server.url) as anyone:
        public = await (await anyone.get("/api/v1/public/state")).json()
    assert [(r["round"], r["answered"], r["distribution"]) for r in public["session"]["rounds"]] == [
        (1, 2, {"A": 1, "B": 1, "C": 0}), (2, 2, {"A": 1, "B": 1, "C": 0})]
    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    assert [r["answered"] for r in results["items"][0]["rounds"]] == [2, 2]
