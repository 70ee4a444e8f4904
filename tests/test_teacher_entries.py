"""The teacher has the last word: answers set or cleared by hand, the absent list and spare cards, each against
a real server, a real SQLite file and the engine's own camera path (the simulated class holds cards 1..30; this
class holds cards 40..44, which the camera never sees, so every camera reading here is one the test makes)."""
from __future__ import annotations

import asyncio
import json
import time

import aiohttp

from appliance import keys
from appliance.reports import export
from appliance.store import attendance, outbox
from appliance.vision.types import Registration

CARDS = (40, 41, 42, 43, 44)
QUIZ = {"title": "Forgotten cards", "questions": [
    {"text": "Three options", "options": ["one", "two", "three"], "correct": "B"},
    {"text": "Four options", "options": ["w", "x", "y", "z"], "correct": "D"}]}


async def _lesson(teacher) -> tuple[dict, int]:
    """A class of five (cards 40..44), a two-question quiz, a started session with question 1 open."""
    made = await teacher.post("/api/v1/classes", json={"name": "Hand entries", "students": [
        {"name": f"Pupil {card}", "card": card} for card in CARDS]})
    assert made.status in (200, 201), await made.text()
    klass = await made.json()
    quiz = await (await teacher.post("/api/v1/quizzes", json=QUIZ)).json()
    started = await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": quiz["id"]})
    assert started.status == 200, await started.text()
    sid = (await started.json())["id"]
    assert (await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})).status == 200
    return {s["card"]: s["id"] for s in klass["students"]}, sid


async def _camera(server, card: int, answer: str) -> None:
    await server.app[keys.ENGINE].register(Registration(card, answer, time.monotonic()))


async def _put(client, sid: int, what: str, body: dict) -> aiohttp.ClientResponse:
    return await client.put(f"/api/v1/sessions/{sid}/{what}", json=body)


def _by_card(view: dict, question: int = 0) -> dict[int, tuple[str, str]]:
    return {r["card"]: (r["answer"], r["source"]) for r in view["responses"] if r["question"] == question}


async def _audit(client) -> list[dict]:
    return await (await client.get("/api/v1/audit")).json()


async def _events(server, kind: str | None = None) -> list[dict]:
    rows = await server.app[keys.DB].fetchall("SELECT local_id, type, body FROM sync_events ORDER BY seq")
    return [{"id": r["local_id"], "type": r["type"], **json.loads(r["body"])} for r in rows
            if kind is None or r["type"] == kind]


async def test_a_hand_entry_wins_over_the_camera_until_cleared(server, teacher):
    students, sid = await _lesson(teacher)
    await outbox.start_recording(server.app[keys.DB])
    await _camera(server, 40, "A")
    set_ = await _put(teacher, sid, "answers", {"question": 0, "student_id": students[40], "answer": "C"})
    assert set_.status == 200, await set_.text()
    view = await set_.json()
    assert view["id"] == sid and _by_card(view)[40] == ("C", "teacher")
    await _put(teacher, sid, "answers", {"question": 0, "student_id": students[41], "answer": "B"})
    await _camera(server, 40, "B")  # the camera still sees the card it misread: the teacher's entry stays
    await _camera(server, 41, "A")
    await _camera(server, 42, "A")
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    assert _by_card(view) == {40: ("C", "teacher"), 41: ("B", "teacher"), 42: ("A", "camera")}

    cleared = await _put(teacher, sid, "answers", {"question": 0, "student_id": students[40], "answer": None})
    assert cleared.status == 200 and 40 not in _by_card(await cleared.json())
    await _camera(server, 40, "B")  # back to the camera
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    assert _by_card(view)[40] == ("B", "camera")

    public = (await (await teacher.get("/api/v1/public/state")).json())["session"]
    assert (public["answered"], public["total"]) == (3, 5)
    log = [e for e in await _audit(teacher) if e["action"].startswith("answer.")]
    assert [e["action"] for e in log] == ["answer.clear", "answer.set", "answer.set"]
    assert log[0]["actor"] == "demo" and "Pupil 40" in log[0]["detail"] and "C" in log[0]["detail"]
    assert "Pupil 41" in log[1]["detail"] and "set to B" in log[1]["detail"]

    # Sync: every stored version is one event with its source, the clear is an event, no id repeats.
    mine = [e for e in await _events(server) if e.get("student_id") == students[40]]
    assert [(e["type"], e.get("answer"), e["source"], e["changes"]) for e in mine] == [
        ("response", "A", "camera", 0), ("response", "C", "teacher", 1), ("response_cleared", None, "teacher", 2),
        ("response", "B", "camera", 3)]
    assert len({e["id"] for e in mine}) == 4


async def test_after_the_lesson_the_teacher_completes_the_record(server, teacher):
    students, sid = await _lesson(teacher)
    await _camera(server, 40, "B")
    assert (await teacher.post(f"/api/v1/sessions/{sid}/end")).status == 200
    done = await _put(teacher, sid, "answers", {"question": 0, "student_id": students[43], "answer": "B"})
    assert done.status == 200, await done.text()
    assert _by_card(await done.json()) == {40: ("B", "camera"), 43: ("B", "teacher")}
    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    row = next(s for s in results["students"] if s["card"] == 43)
    assert row["answers"][0] == "B" and row["sources"][0] == "teacher" and row["score"] == 1


async def test_bad_hand_entries_are_refused_and_write_nothing(server, teacher, settings_factory):
    students, sid = await _lesson(teacher)
    await _camera(server, 40, "A")
    before_view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    before_log = await _audit(teacher)
    other_class = await (await teacher.post("/api/v1/classes", json={"name": "Other", "students": [
        {"name": "Stranger", "card": 9}]})).json()
    stranger = other_class["students"][0]["id"]
    cases = [
        ({"question": 0, "student_id": stranger, "answer": "A"}, 404, f"student {stranger} is not in"),
        ({"question": 1, "student_id": students[40], "answer": "A"}, 409, "question index 1 has not been asked"),
        ({"question": 7, "student_id": students[40], "answer": "A"}, 404, "question index 7 does not exist"),
        ({"question": 0, "student_id": students[40], "answer": "D"}, 409, "no answer D"),
        ({"question": 0, "student_id": students[40], "answer": "E"}, 400, "answer"),
        ({"question": 0, "student_id": students[40]}, 400, "answer"),
        ({"question": 0, "student_id": students[40], "answer": "A", "card": 3}, 400, "card"),
    ]
    for body, status, words in cases:
        refused = await _put(teacher, sid, "answers", body)
        assert refused.status == status, (body, await refused.text())
        assert words in (await refused.json())["error"], (body, await refused.text())
    for body, status, words in [({"absent": [stranger]}, 404, f"student {stranger} is not in"),
                                ({"absent": "all"}, 400, "absent"), ({}, 400, "absent")]:
        refused = await _put(teacher, sid, "attendance", body)
        assert refused.status == status and words in (await refused.json())["error"], await refused.text()
    for body, status, words in [({"student_id": students[40], "card": 5}, 409, "card 5 is not one of"),
                                ({"student_id": stranger}, 404, "not in this session's class")]:
        refused = await _put(teacher, sid, "spares", body)
        assert refused.status == status and words in (await refused.json())["error"], await refused.text()

    # Another teacher's session is answered as if it did not exist.
    made = await teacher.post("/api/v1/users", json={"username": "bea", "password": "a long password"})
    assert made.status == 201
    async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as bea:
        assert (await bea.post("/api/v1/login", json={"username": "bea", "password": "a long password"})).status == 200
        for what, body in [("answers", {"question": 0, "student_id": students[41], "answer": "A"}),
                           ("attendance", {"absent": [students[41]]}), ("spares", {"student_id": students[41]})]:
            refused = await _put(bea, sid, what, body)
            assert refused.status == 404 and f"session {sid} does not exist" in (await refused.json())["error"]

    after_view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    assert after_view["responses"] == before_view["responses"] and after_view["absent"] == [] == after_view["spares"]
    after_log = await _audit(teacher)
    assert [e for e in after_log if e["action"] != "user.create"] == before_log


async def test_a_hand_entry_racing_the_camera_has_one_winner_and_one_event_each(server, teacher):
    students, sid = await _lesson(teacher)
    await outbox.start_recording(server.app[keys.DB])
    for round_ in range(10):
        card = CARDS[round_ % len(CARDS)]
        letter = "ABC"[round_ % 3]
        camera_letter = "ABC"[(round_ + 1) % 3]
        hand = _put(teacher, sid, "answers", {"question": 0, "student_id": students[card], "answer": letter})
        camera = [_camera(server, card, camera_letter) for _ in range(3)]
        results = await asyncio.gather(*camera[:2], hand, *camera[2:])
        assert results[2].status == 200
        view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
        assert _by_card(view)[card] == (letter, "teacher"), round_
    events = await _events(server, "response")
    assert len({e["id"] for e in events}) == len(events)
    for card in CARDS:  # the newest event of each student is the teacher's entry, as stored
        newest = [e for e in events if e["card"] == card][-1]
        stored = _by_card(view)[card]
        assert (newest["answer"], newest["source"]) == stored
        versions = [e["changes"] for e in events if e["card"] == card]
        assert versions == sorted(set(versions)), versions  # each version once, in order


async def test_absent_students_are_left_out_of_participation_and_percent(server, teacher):
    students, sid = await _lesson(teacher)
    await outbox.start_recording(server.app[keys.DB])
    for card, letter in [(40, "B"), (41, "B"), (42, "A")]:
        await _camera(server, card, letter)
    # Roll call: whoever the camera read is present; the teacher adjusts (43 came in late, 44 is away).
    put = await _put(teacher, sid, "attendance", {"absent": [students[43], students[44]]})
    assert put.status == 200 and (await put.json())["absent"] == sorted([students[43], students[44]])
    put = await _put(teacher, sid, "attendance", {"absent": [students[44]]})
    assert (await put.json())["absent"] == [students[44]]
    public = (await (await teacher.get("/api/v1/public/state")).json())["session"]
    assert (public["answered"], public["total"]) == (3, 4)
    refused = await _put(teacher, sid, "answers", {"question": 0, "student_id": students[44], "answer": "B"})
    assert refused.status == 409 and "absent" in (await refused.json())["error"]

    for action in ("close", "end"):
        assert (await teacher.post(f"/api/v1/sessions/{sid}/{action}")).status == 200
    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    assert results["present"] == 4
    first = results["questions"][0]
    assert first["answered"] == 3 and first["percent_correct"] == 66.7
    rows = {s["card"]: s for s in results["students"]}
    assert rows[44]["absent"] is True and rows[43]["absent"] is False

    class_id = (await (await teacher.get(f"/api/v1/sessions/{sid}")).json())["class_id"]
    book = await (await teacher.get(f"/api/v1/classes/{class_id}/gradebook")).json()
    scores = {r["card"]: r["scores"][-1] for r in book["rows"]}
    assert scores[44] == "absent" and scores[43] is None and scores[40] == 1
    csv = (await (await teacher.get(f"/api/v1/sessions/{sid}/results.csv")).read()).decode("utf-8-sig")
    assert "Pupil 44,44,,,,1,,,absent," in csv and ",Answered (of 4 present),% correct," in csv

    assert await attendance.absent_students(server.app[keys.DB], sid) == {students[44]}
    log = [e["detail"] for e in await _audit(teacher) if e["action"] == "attendance.set"]
    assert len(log) == 2 and "present: Pupil 43 (card 43)" in log[0] and "absent: Pupil 43 (card 43)" in log[1]
    sent = await _events(server, "attendance")
    assert [e["absent"] for e in sent] == [sorted([students[43], students[44]]), [students[44]]]
    unchanged = await _put(teacher, sid, "attendance", {"absent": [students[44]]})
    assert unchanged.status == 200 and len(await _events(server, "attendance")) == 2  # no change, no event


async def test_a_spare_card_answers_for_its_student(server, teacher):
    students, sid = await _lesson(teacher)
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    assert view["spare_cards"] == [61, 62, 63, 64]  # the highest numbers the class does not use
    given = await _put(teacher, sid, "spares", {"student_id": students[42]})
    assert given.status == 200, await given.text()
    assert (await given.json())["spares"] == [{"card": 61, "student_id": students[42]}]
    await _camera(server, 61, "C")
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    mine = [r for r in view["responses"] if r["student_id"] == students[42]]
    assert [(r["card"], r["answer"], r["source"]) for r in mine] == [(61, "C", "camera")]
    taken = await _put(teacher, sid, "spares", {"student_id": students[43], "card": 61})
    assert taken.status == 409 and "already given" in (await taken.json())["error"]
    back = await _put(teacher, sid, "spares", {"student_id": students[42], "card": None})
    assert (await back.json())["spares"] == []
    await _camera(server, 61, "A")  # a spare nobody holds any more is nobody's
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    assert [r["answer"] for r in view["responses"] if r["student_id"] == students[42]] == ["C"]
    log = [(e["action"], e["detail"]) for e in await _audit(teacher) if e["action"].startswith("spare.")]
    assert log == [("spare.return", f"session {sid}: took spare card 61 back from Pupil 42 (card 42)"),
                   ("spare.give", f"session {sid}: gave spare card 61 to Pupil 42 (card 42)")]


async def test_not_read_yet_says_who_was_seen_and_where(server, teacher):
    """Card 1 is held by the simulated class (the reader really sees it); 40..44 nobody holds."""
    made = await (await teacher.post("/api/v1/classes", json={"name": "Seen", "students": [
        {"name": "Held up", "card": 1}, *[{"name": f"Pupil {card}", "card": card} for card in (40, 41, 42)]]})).json()
    ids = {s["card"]: s["id"] for s in made["students"]}
    quiz = await (await teacher.post("/api/v1/quizzes", json=QUIZ)).json()
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": made["id"], "quiz_id": quiz["id"]}))
           .json())["id"]
    assert (await (await teacher.get(f"/api/v1/sessions/{sid}/unread")).json()) == {"open": False, "students": []}
    assert (await teacher.post("/api/v1/camera/raise-all")).status == 200
    reading = server.app[keys.READING]
    deadline = time.monotonic() + 30
    while 1 not in reading.last_place:
        assert time.monotonic() < deadline, "the reader never read card 1"
        await asyncio.sleep(0.2)
    assert (await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})).status == 200
    await _camera(server, 40, "A")
    # Card 41 was read a moment ago at the back left, as the reader records a sighting, and then lost.
    reading.last_seen[41], reading.last_place[41] = time.monotonic() - 2, (0.1, 0.2)
    await _put(teacher, sid, "attendance", {"absent": [ids[42]]})
    body = await (await teacher.get(f"/api/v1/sessions/{sid}/unread")).json()
    states = {s["card"]: s for s in body["students"]}
    assert body["open"] is True and set(states) == {1, 40, 41}  # the absent student is not waited for
    assert states[1]["state"] in ("seen", "answered") and 0 <= states[1]["place"]["x"] <= 1
    assert states[40]["state"] == "answered" and states[40]["place"] is None  # entered, never seen
    assert states[41]["state"] == "seen" and 1.5 < states[41]["seen_ago"] < 10
    assert states[41]["place"] == {"x": 0.1, "y": 0.2, "area": "back-left"}
    reading.last_seen[41] = time.monotonic() - 60  # long ago: no longer "seen"
    body = await (await teacher.get(f"/api/v1/sessions/{sid}/unread")).json()
    assert {s["card"]: s["state"] for s in body["students"]}[41] == "not_seen"
    given = await _put(teacher, sid, "spares", {"student_id": ids[41]})  # a spare is the card to look for
    assert given.status == 200
    body = await (await teacher.get(f"/api/v1/sessions/{sid}/unread")).json()
    assert {s["student_id"]: s["card"] for s in body["students"]}[ids[41]] == 61


async def test_the_usb_export_carries_sources_and_absences(server, teacher, tmp_path):
    students, sid = await _lesson(teacher)
    await _camera(server, 40, "B")
    await _put(teacher, sid, "answers", {"question": 0, "student_id": students[41], "answer": "B"})
    await _put(teacher, sid, "attendance", {"absent": [students[44]]})
    assert (await teacher.post(f"/api/v1/sessions/{sid}/end")).status == 200
    files = await export.build_files(server.app[keys.DB])
    folder = export.write_export(tmp_path, files)  # what POST /export/usb writes to the stick
    results = next(folder.glob(f"sessions/session-{sid}-*.csv")).read_bytes().decode("utf-8-sig")
    assert "Pupil 41,41,B,,1,1,100,1,present,Q1\r\n" in results  # entered by the teacher: Q1
    assert "Pupil 40,40,B,,1,1,100,1,present,\r\n" in results and "Pupil 44,44,,,,1,,,absent," in results
    dump = json.loads((folder / "argus-dump.json").read_text())
    mine = {r["student_id"]: r["source"] for r in dump["responses"] if r["session_id"] == sid}
    assert mine == {students[40]: "camera", students[41]: "teacher"}
    assert [a["student_id"] for a in dump["session_absences"] if a["session_id"] == sid] == [students[44]]
