"""Issue #11's library and results, against a real server and SQLite file: deleting a quiz for good while past
lessons keep their results, each question's answer in a student's history, teams in the roster, and the
optional scores after reveal (never a name in the public state)."""
from __future__ import annotations

import json
import time

import aiohttp
import pytest

from appliance import keys
from appliance.store import image_owners
from appliance.vision.types import Registration
from tests.school_files import oneroster_zip, students

QUIZ = {"title": "Delete me", "questions": [
    {"text": "2 + 2?", "options": ["3", "4", "5"], "correct": "B"},
    {"text": "$x^2$ at $x=3$?", "options": ["6", "9", "3", "12"], "correct": "B"},
    {"type": "poll", "text": "Liked it?", "options": ["Yes", "No"], "correct": None},
]}


async def _start(teacher, quiz_body=QUIZ):
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    quiz = await (await teacher.post("/api/v1/quizzes", json=quiz_body)).json()
    session = await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": quiz["id"]})).json()
    return klass, quiz, session["id"]


async def _ask(teacher, engine, sid, index, answers: dict[int, str]):
    """Open question `index`, let the cards in `answers` answer, close and reveal it."""
    assert (await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": index})).status == 200
    for card, letter in answers.items():
        await engine.register(Registration(card, letter, time.monotonic()))
    await teacher.post(f"/api/v1/sessions/{sid}/close")
    assert (await teacher.post(f"/api/v1/sessions/{sid}/reveal")).status == 200


async def test_deleting_a_quiz_keeps_past_results_and_refuses_while_it_runs(server, teacher):
    engine = server.app[keys.ENGINE]
    klass, quiz, sid = await _start(teacher)
    busy = await teacher.delete(f"/api/v1/quizzes/{quiz['id']}")
    assert busy.status == 409 and "end the lesson" in (await busy.json())["error"]
    await _ask(teacher, engine, sid, 0, {1: "B", 2: "A"})
    await teacher.post(f"/api/v1/sessions/{sid}/end")
    before = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()

    deleted = await teacher.delete(f"/api/v1/quizzes/{quiz['id']}")
    assert deleted.status == 200 and await deleted.json() == {"ok": True, "lessons_kept": 1}
    assert (await teacher.get(f"/api/v1/quizzes/{quiz['id']}")).status == 404
    assert quiz["id"] not in [q["id"] for q in await (await teacher.get("/api/v1/quizzes")).json()]
    assert (await teacher.delete(f"/api/v1/quizzes/{quiz['id']}")).status == 404

    # The results read exactly as before, under the quiz's title; the lesson list and the history say it too.
    after = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    for view, quiz_id in ((after, None), (before, quiz["id"])):  # only the link to the quiz is gone
        assert view["session"].pop("quiz_id") == view["session"]["quiz"].pop("id") == quiz_id
    assert after == before
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    assert view["quiz"]["title"] == "Delete me" and view["quiz_id"] is None and len(view["quiz"]["questions"]) == 3
    listed = next(s for s in await (await teacher.get("/api/v1/sessions")).json() if s["id"] == sid)
    assert listed["quiz_title"] == "Delete me"
    history = await (await teacher.get(f"/api/v1/students/{klass['students'][0]['id']}/history")).json()
    assert history["sessions"][-1]["title"] == "Delete me" and history["sessions"][-1]["score"] == 1
    audit = await (await teacher.get("/api/v1/audit")).json()
    assert audit[0]["action"] == "quiz.delete" and "'Delete me'" in audit[0]["detail"]


async def test_a_quiz_deleted_between_reading_it_and_starting_the_lesson_is_a_clear_404(server, teacher):
    """The start reads the quiz, then awaits the engine: a deletion in between must not end in a foreign key error."""
    from appliance.classroom.errors import NotFound
    from appliance.store import quizzes
    from appliance.store import sessions as store

    db = server.app[keys.DB]
    quiz = await (await teacher.post("/api/v1/quizzes", json=QUIZ)).json()
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    await quizzes.delete_quiz(db, quiz["id"])
    with pytest.raises(NotFound, match=f"^quiz {quiz['id']} does not exist$"):
        await store.create_session(db, klass["id"], quiz["id"], 1, ())


async def test_sync_turned_on_after_a_deletion_still_sends_the_quizs_title(server, teacher):
    from appliance.store import outbox

    db = server.app[keys.DB]
    klass, quiz, sid = await _start(teacher)
    await teacher.post(f"/api/v1/sessions/{sid}/end")
    assert (await teacher.delete(f"/api/v1/quizzes/{quiz['id']}")).status == 200
    assert await outbox.start_recording(db) > 0  # the lessons already on disk become events
    row = await db.fetchone("SELECT body FROM sync_events WHERE local_id = ?", (f"s{sid}-started",))
    body = json.loads(row["body"])
    assert body["quiz_title"] == "Delete me" and body["quiz_id"] is None


async def test_another_teachers_quiz_cannot_be_deleted(server, teacher):
    quiz = await (await teacher.post("/api/v1/quizzes", json=QUIZ)).json()
    assert (await teacher.post("/api/v1/users", json={"username": "ms.other", "password": "teacher-pass"})).status == 201
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
        await other.post("/api/v1/login", json={"username": "ms.other", "password": "teacher-pass"})
        refused = await other.delete(f"/api/v1/quizzes/{quiz['id']}")
        assert refused.status == 404  # answered as if it did not exist: ids tell nothing
    assert (await teacher.get(f"/api/v1/quizzes/{quiz['id']}")).status == 200


async def test_a_deleted_quizs_images_become_unused_unless_a_lesson_showed_them(server, teacher):
    db = server.app[keys.DB]
    for name in ("a" * 64 + ".png", "b" * 64 + ".png"):
        await image_owners.add(db, name, 1, 10)
    shown = dict(QUIZ, title="Pictures", questions=[dict(QUIZ["questions"][0], image="/images/" + "a" * 64 + ".png")])
    hidden = dict(QUIZ, title="Never run", questions=[dict(QUIZ["questions"][0], image="/images/" + "b" * 64 + ".png")])
    klass, quiz, sid = await _start(teacher, shown)
    await teacher.post(f"/api/v1/sessions/{sid}/end")
    never = await (await teacher.post("/api/v1/quizzes", json=hidden)).json()
    assert {"a" * 64 + ".png", "b" * 64 + ".png"} <= await image_owners.in_use(db)
    for made in (quiz, never):
        assert (await teacher.delete(f"/api/v1/quizzes/{made['id']}")).status == 200
    used = await image_owners.in_use(db)
    assert "a" * 64 + ".png" in used  # the past lesson's results still show its picture
    assert "b" * 64 + ".png" not in used  # only the deleted quiz used it: the cleanup may remove it


async def test_the_history_gives_each_questions_answer_and_the_latest_round_counts(server, teacher):
    engine = server.app[keys.ENGINE]
    klass, quiz, sid = await _start(teacher)
    await _ask(teacher, engine, sid, 0, {1: "A", 2: "B"})  # card 1 wrong, card 2 right
    await _ask(teacher, engine, sid, 1, {2: "C"})  # card 1 does not answer
    await _ask(teacher, engine, sid, 2, {1: "A"})  # a poll: no right answer
    again = await teacher.post(f"/api/v1/sessions/{sid}/reask", json={"question": 0})
    assert again.status == 200
    await engine.register(Registration(2, "C", time.monotonic()))  # card 2 changes to wrong in the second round
    await teacher.post(f"/api/v1/sessions/{sid}/end")
    ann, ben = klass["students"][0], klass["students"][1]
    assert (ann["card"], ben["card"]) == (1, 2)

    ann_rows = (await (await teacher.get(f"/api/v1/students/{ann['id']}/history")).json())["sessions"][-1]
    assert [(a["label"], a["answer"], a["correct"], a["result"], a["rounds"]) for a in ann_rows["answers"]] == [
        ("Question 1 of 3", "A", "B", "wrong", 2), ("Question 2 of 3", None, "B", "no answer", 1),
        ("Question 3 of 3", "A", None, "not scored", 1)]
    ben_rows = (await (await teacher.get(f"/api/v1/students/{ben['id']}/history")).json())["sessions"][-1]
    # Right the first time, wrong when asked again: the latest round counts, in the row and in the score.
    assert [(a["answer"], a["result"]) for a in ben_rows["answers"]] == [("C", "wrong"), ("C", "wrong"),
                                                                        (None, "not scored")]
    assert ben_rows["score"] == 0 and ben_rows["graded"] == 2
    assert ben_rows["answers"][1]["text"] == "$x^2$ at $x=3$?"  # stored as typed; the page draws the maths


async def test_teams_come_from_the_roster_and_are_edited_and_kept(teacher):
    klass = await (await teacher.post("/api/v1/classes", json={"name": "Teams 8A"})).json()
    roster = "Nachname;Vorname;Klasse;Gruppe\nAdams;Zoe;8A;Red\nKhan;Yusuf;8A;Blue\nMartin;Chloé;8A;\n"
    preview = await (await teacher.post(f"/api/v1/classes/{klass['id']}/roster?dry_run=1", data=roster.encode(),
                                        headers={"Content-Type": "text/csv"})).json()
    assert preview["columns"]["team"] == "Gruppe" and "Klasse" in preview["ignored"]  # Klasse is the class
    imported = await (await teacher.post(f"/api/v1/classes/{klass['id']}/roster", data=roster.encode(),
                                         headers={"Content-Type": "text/csv"})).json()
    assert {s["name"]: s["team"] for s in imported["students"]} == {"Zoe Adams": "Red", "Yusuf Khan": "Blue",
                                                                    "Chloé Martin": None}
    chloe = next(s for s in imported["students"] if s["team"] is None)
    moved = await teacher.patch(f"/api/v1/students/{chloe['id']}", json={"team": " Red "})
    assert moved.status == 200 and (await moved.json())["team"] == "Red"
    assert (await (await teacher.patch(f"/api/v1/students/{chloe['id']}", json={"team": ""})).json())["team"] is None
    too_long = await teacher.patch(f"/api/v1/students/{chloe['id']}", json={"team": "x" * 41})
    assert too_long.status == 400 and "team" in (await too_long.json())["error"]
    # One card for two students is a conflict between them (409), as a card already taken is: a schema cannot
    # say it, so the contract test's schema-valid requests meet it.
    twice = await teacher.post("/api/v1/classes", json={"name": "Twice", "students": [
        {"name": "Ann", "card": 8}, {"name": "Bob", "card": 8}]})
    assert twice.status == 409 and "card 8 is already given to students[0]" in await twice.text()
    template = await (await teacher.get("/api/v1/roster-template.csv")).text()
    assert "Group" in template.lstrip("\ufeff").split("\r\n")[0].split(",")


async def test_a_oneroster_reimport_keeps_the_teams_set_in_argus(teacher):
    """OneRoster carries no groups inside a class, so a re-import (next term) leaves the teacher's teams alone."""
    zip_header = {"Content-Type": "application/zip"}
    made = await (await teacher.post("/api/v1/classes/import", data=oneroster_zip({"t1": students("s", 3)}),
                                     headers=zip_header)).json()
    class_id = made["classes"][0]["id"]
    roster = await (await teacher.get(f"/api/v1/classes/{class_id}")).json()
    for s in roster["students"]:
        await teacher.patch(f"/api/v1/students/{s['id']}", json={"team": f"Team {s['card'] % 2}"})
    again = await teacher.post("/api/v1/classes/import", data=oneroster_zip({"t1": students("s", 4)}), headers=zip_header)
    assert again.status == 201 and (await again.json())["classes"][0]["added"] == 1
    after = {s["card"]: s["team"] for s in (await (await teacher.get(f"/api/v1/classes/{class_id}")).json())["students"]}
    assert after == {1: "Team 1", 2: "Team 0", 3: "Team 1", 4: None}


async def test_scores_after_reveal_count_what_results_count_and_carry_no_name(server, teacher, anonymous):
    engine = server.app[keys.ENGINE]
    klass = (await (await teacher.get("/api/v1/classes")).json())[0]
    pupils = klass["students"]
    for s in pupils[:4]:  # cards 1-2 are team Red, 3-4 team Blue, the rest in no team
        await teacher.patch(f"/api/v1/students/{s['id']}", json={"team": "Red" if s["card"] <= 2 else "Blue"})
    _, quiz, sid = await _start(teacher)
    shown = await teacher.post(f"/api/v1/sessions/{sid}/display", json={"scores": "teams"})
    assert shown.status == 200 and (await shown.json())["display"]["scores"] == "teams"
    assert (await teacher.post(f"/api/v1/sessions/{sid}/display", json={"scores": "names"})).status == 400

    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    for card, letter in {1: "B", 2: "B", 3: "A", 4: "B", 5: "B"}.items():
        await engine.register(Registration(card, letter, time.monotonic()))
    await teacher.post(f"/api/v1/sessions/{sid}/close")
    before = await (await anonymous.get("/api/v1/public/state")).json()
    assert before["session"]["scores"] is None  # nothing before the reveal
    await teacher.post(f"/api/v1/sessions/{sid}/reveal")
    scores = (await (await anonymous.get("/api/v1/public/state")).json())["session"]["scores"]
    assert scores["percent"] == 80.0 and (scores["right"], scores["answered"], scores["questions"]) == (4, 5, 1)
    assert [(t["team"], t["right"], t["answered"], t["percent"]) for t in scores["teams"]] == [
        ("Red", 2, 2, 100.0), ("Blue", 1, 2, 50.0)]

    # A poll does not count; a re-asked question counts once, with each student's latest round.
    await _ask(teacher, engine, sid, 2, {1: "A", 2: "B"})
    await teacher.post(f"/api/v1/sessions/{sid}/reask", json={"question": 0})
    await engine.register(Registration(3, "B", time.monotonic()))  # card 3 gets it right the second time
    await engine.register(Registration(1, "C", time.monotonic()))  # card 1 gets it wrong the second time
    await teacher.post(f"/api/v1/sessions/{sid}/close")
    await teacher.post(f"/api/v1/sessions/{sid}/display", json={"scores": "ranking"})
    view = await (await teacher.post(f"/api/v1/sessions/{sid}/reveal")).json()
    public = await (await anonymous.get("/api/v1/public/state")).json()
    scores = public["session"]["scores"]
    assert (scores["mode"], scores["right"], scores["answered"], scores["questions"]) == ("ranking", 4, 5, 1)
    assert "teams" not in scores and "cards" not in scores  # the ranking stays on the teacher's page
    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    by_card = {s["card"]: s["score"] for s in results["students"]}
    ranking = view["scores"]["ranking"]
    assert {r["card"]: r["right"] for r in ranking} == by_card  # the same count as the results
    assert ranking[0]["name"] and [r["right"] for r in ranking] == sorted((r["right"] for r in ranking), reverse=True)

    # The public state names nobody, in any mode (team names are the roster's, not students').
    names = {s["name"] for s in pupils}
    for mode in ("class", "teams", "ranking"):
        await teacher.post(f"/api/v1/sessions/{sid}/display", json={"scores": mode})
        text = json.dumps(await (await anonymous.get("/api/v1/public/state")).json())
        assert not any(name in text for name in names) and '"card"' not in text and "student_id" not in text

    await teacher.post(f"/api/v1/sessions/{sid}/anonymous")
    view = await (await teacher.post(f"/api/v1/sessions/{sid}/display", json={"scores": "ranking"})).json()
    assert view["scores"]["ranking"] and not any("name" in r for r in view["scores"]["ranking"])
