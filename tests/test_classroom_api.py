"""The teacher's classroom through the API: claiming, accounts, rosters, the quiz library, timers,
re-asking, ad-hoc questions, reports and exports — each against a real server and a real SQLite file."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import cv2
import numpy as np
import pytest

from appliance import keys
from appliance.accounts import setup_code
from appliance.server import start_server
from appliance.vision.types import Registration


@pytest.fixture
async def fresh_server(settings_factory):
    """A real (non-demo) appliance: no accounts until it is claimed."""
    running = await start_server(settings_factory(demo=False))
    yield running
    await running.stop()


def _client(server) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _claim(server, client) -> None:
    # The code is read from the data folder, as an admin with the device in hand would.
    code = (server.app[keys.SETTINGS].data_dir / setup_code.FILE_NAME).read_text().strip()
    response = await client.post("/api/v1/setup", json={"code": code, "username": "admin", "password": "s3cret-pass"})
    assert response.status == 201, await response.text()


async def test_claiming_needs_the_setup_code_from_the_device(fresh_server):
    async with _client(fresh_server) as client:
        assert (await (await client.get("/api/v1/setup")).json()) == {"claimed": False}
        wrong = await client.post("/api/v1/setup", json={"code": "AAAA-BBBB-CCCC", "username": "x",
                                                           "password": "long enough"})
        assert wrong.status == 403 and "setup code" in (await wrong.json())["error"]
        await _claim(fresh_server, client)
        assert (await client.get("/api/v1/me")).status == 200  # logged in straight away
        assert (await (await client.get("/api/v1/setup")).json()) == {"claimed": True}
        again = await client.post("/api/v1/setup", json={"code": "whatever", "username": "y", "password": "long enough"})
        assert again.status == 409
    data_dir = fresh_server.app[keys.SETTINGS].data_dir
    assert not (data_dir / setup_code.FILE_NAME).exists()


async def test_admin_manages_teachers_and_teachers_see_only_their_own(fresh_server):
    async with _client(fresh_server) as admin, _client(fresh_server) as teacher:
        await _claim(fresh_server, admin)
        made = await admin.post("/api/v1/users", json={"username": "ms.h", "password": "teacher-pass"})
        assert made.status == 201 and (await made.json())["role"] == "teacher"
        assert (await admin.post("/api/v1/users", json={"username": "ms.h", "password": "teacher-pass"})).status == 409
        short = await admin.post("/api/v1/users", json={"username": "x", "password": "short"})
        assert short.status == 400 and "at least 8" in (await short.json())["error"]
        await admin.post("/api/v1/classes", json={"name": "Admin's class"})

        assert (await teacher.post("/api/v1/login", json={"username": "ms.h", "password": "teacher-pass"})).status == 200
        assert (await teacher.get("/api/v1/users")).status == 403
        assert await (await teacher.get("/api/v1/classes")).json() == []
        mine = await (await teacher.post("/api/v1/classes", json={"name": "7B"})).json()
        admin_view = await (await admin.get("/api/v1/classes")).json()
        admins_class = next(c for c in admin_view if c["name"] == "Admin's class")
        peek = await teacher.get(f"/api/v1/camera/check?class_id={admins_class['id']}")
        assert peek.status == 404  # another teacher's roster is not visible through the camera check
        own = await (await teacher.get(f"/api/v1/camera/check?class_id={mine['id']}")).json()
        assert own["not_seen"] == [] and "readable_distance_m" in own
        assert {c["name"] for c in admin_view} == {"Admin's class", "7B"}
        other = next(c for c in admin_view if c["name"] == "Admin's class")
        assert (await teacher.patch(f"/api/v1/classes/{other['id']}", json={"name": "mine now"})).status == 404

        # Password change ends the login; admin reset works.
        changed = await teacher.post("/api/v1/me/password", json={"current": "teacher-pass", "new": "new-teacher-pass"})
        assert changed.status == 200
        assert (await teacher.get("/api/v1/me")).status == 401
        users = await (await admin.get("/api/v1/users")).json()
        ms_h = next(u for u in users if u["username"] == "ms.h")
        assert "password_hash" not in ms_h
        assert (await admin.post(f"/api/v1/users/{ms_h['id']}/password", json={"password": "reset-by-admin"})).status == 200
        login = await teacher.post("/api/v1/login", json={"username": "ms.h", "password": "reset-by-admin"})
        assert login.status == 200 and mine["name"] == "7B"


async def test_rosters_import_all_or_nothing_with_line_numbers(teacher):
    created = await teacher.post("/api/v1/classes", json={"name": "8A", "students": [{"name": "Ann", "card": 5}]})
    klass = await created.json()
    assert created.status == 201 and klass["students"][0]["card"] == 5
    bad = "name,card\nBob,\n,3\nCy,999\nDee,5x\n"
    response = await teacher.post(f"/api/v1/classes/{klass['id']}/roster", data=bad.encode(),
                                  headers={"Content-Type": "text/csv"})
    body = await response.json()
    assert response.status == 400
    assert body["problems"] == ["line 3: the name is empty", "line 4: card '999' is not a number from 1 to 64",
                                "line 5: card '5x' is not a number from 1 to 64"]
    after = [c for c in await (await teacher.get("/api/v1/classes")).json() if c["id"] == klass["id"]][0]
    assert [s["name"] for s in after["students"]] == ["Ann"]  # nothing half-imported

    clash = await teacher.post(f"/api/v1/classes/{klass['id']}/roster", data=b"Bob,5\n",
                               headers={"Content-Type": "text/csv"})
    assert clash.status == 400 and "card 5 already belongs" in (await clash.json())["problems"][0]

    good = "\ufeffname;card\nBob;\nZoë;2\nCy;\n".encode()  # Excel's BOM and semicolons
    response = await teacher.post(f"/api/v1/classes/{klass['id']}/roster", data=good,
                                  headers={"Content-Type": "text/csv"})
    roster = await response.json()
    assert response.status == 200
    assert {s["name"]: s["card"] for s in roster["students"]} == {"Ann": 5, "Bob": 1, "Zoë": 2, "Cy": 3}

    bob = next(s for s in roster["students"] if s["name"] == "Bob")
    taken = await teacher.patch(f"/api/v1/students/{bob['id']}", json={"card": 5})
    assert taken.status == 409 and "Ann" in (await taken.json())["error"]
    moved = await teacher.patch(f"/api/v1/students/{bob['id']}", json={"card": 40, "name": "Robert"})
    assert await moved.json() == {"id": bob["id"], "name": "Robert", "card": 40, "team": None}
    added = await (await teacher.post(f"/api/v1/classes/{klass['id']}/students", json={"name": "Eve"})).json()
    assert added["card"] == 1  # the lowest free card
    assert (await teacher.delete(f"/api/v1/students/{added['id']}")).status == 200
    assert (await teacher.patch(f"/api/v1/classes/{klass['id']}", json={"archived": True})).status == 200
    assert klass["id"] not in [c["id"] for c in await (await teacher.get("/api/v1/classes")).json()]
    archived = await (await teacher.get("/api/v1/classes?archived=1")).json()
    assert klass["id"] in [c["id"] for c in archived]


QUIZ = {"title": "Fractions", "tags": ["Maths", "year 7"], "questions": [
    {"type": "multiple", "text": "1/2 + 1/4?", "options": ["3/4", "2/6", "1/8"], "correct": "A", "time_limit": 30},
    {"type": "truefalse", "text": "1/3 > 1/4", "options": ["True", "False"], "correct": "A"},
    {"type": "poll", "text": "Confidence?", "options": ["Low", "OK", "High"], "correct": None},
]}


async def test_quiz_library_edit_search_tags_clone_import_export(teacher):
    created = await teacher.post("/api/v1/quizzes", json=QUIZ)
    quiz = await created.json()
    assert created.status == 201 and quiz["tags"] == ["maths", "year 7"]
    assert [q["type"] for q in quiz["questions"]] == ["multiple", "truefalse", "poll"]
    assert quiz["questions"][0]["time_limit"] == 30

    # The schema names every field of the wrong shape, and every rule between fields that is broken.
    bad = await teacher.post("/api/v1/quizzes", json={"title": "", "questions": [{"text": 7}, {"options": "ab"}]})
    problems = (await bad.json())["problems"]
    assert bad.status == 400
    for problem in ("title: must be non-empty text", "questions[0].text: must be text",
                    "questions[0].options: missing", "questions[1].text: missing",
                    "questions[1].options: must be a list or null"):
        assert problem in problems
    bad = await teacher.post("/api/v1/quizzes", json={"title": "T", "questions": [
        {"text": "?", "options": ["only one"], "correct": "A"}, {"type": "poll", "text": "x", "options": ["a", "b"],
                                                                  "correct": "B"}]})
    problems = (await bad.json())["problems"]
    assert bad.status == 400
    assert problems == ["questions[0].options: must have 2 to 4 items",
                        "questions[1].correct: must be one of null, \"\""]

    # The editor saves whole quizzes: reorder and duplicate are just a new order.
    edited = dict(QUIZ, questions=[QUIZ["questions"][2], QUIZ["questions"][0], QUIZ["questions"][0]])
    saved = await (await teacher.put(f"/api/v1/quizzes/{quiz['id']}", json=edited)).json()
    assert [q["text"] for q in saved["questions"]] == ["Confidence?", "1/2 + 1/4?", "1/2 + 1/4?"]

    assert [q["title"] for q in await (await teacher.get("/api/v1/quizzes?search=fraction")).json()] == ["Fractions"]
    assert [q["title"] for q in await (await teacher.get("/api/v1/quizzes?search=confidence")).json()] == ["Fractions"]
    # A tag is found by the search box too ("year 7" is a tag of Fractions, in no title or question).
    assert [q["title"] for q in await (await teacher.get("/api/v1/quizzes?search=year%207")).json()] == ["Fractions"]
    assert await (await teacher.get("/api/v1/quizzes?search=%25")).json() == []  # LIKE wildcards are literal
    assert [q["title"] for q in await (await teacher.get("/api/v1/quizzes?tag=maths"))
            .json()] == ["Fractions"]
    assert "year 7" in await (await teacher.get("/api/v1/tags")).json()

    clone = await (await teacher.post(f"/api/v1/quizzes/{quiz['id']}/clone")).json()
    assert clone["title"] == "Fractions (copy)" and len(clone["questions"]) == 3

    exported = await (await teacher.get(f"/api/v1/quizzes/{quiz['id']}/export.json")).text()
    reimported = await teacher.post("/api/v1/quizzes/import?format=json", data=exported.encode())
    assert reimported.status == 201
    assert [q["text"] for q in (await reimported.json())["questions"]] == [q["text"] for q in saved["questions"]]
    csv_text = await (await teacher.get(f"/api/v1/quizzes/{quiz['id']}/export.csv")).text()
    assert csv_text.startswith("type,text,option_a,option_b,option_c,option_d,correct,time_limit")
    from_csv = await teacher.post("/api/v1/quizzes/import?format=csv&title=From%20CSV", data=csv_text.encode())
    assert from_csv.status == 201 and len((await from_csv.json())["questions"]) == 3
    broken = await teacher.post("/api/v1/quizzes/import?format=csv&title=X",
                                data=b"type,text,option_a,option_b,option_c,option_d,correct,time_limit\n"
                                     b"multiple,Q,a,b,,,E,\n")
    assert broken.status == 400 and (await broken.json())["problems"] == ["line 2.correct: must be one of A, B"]

    assert (await teacher.patch(f"/api/v1/quizzes/{clone['id']}", json={"archived": True})).status == 200
    assert clone["id"] not in [q["id"] for q in await (await teacher.get("/api/v1/quizzes")).json()]


async def test_question_images_are_type_checked_and_size_limited(teacher, anonymous):
    ok, png = cv2.imencode(".png", np.full((40, 60, 3), 128, np.uint8))
    response = await teacher.post("/api/v1/images", data=png.tobytes(), headers={"Content-Type": "image/png"})
    image = await response.json()
    assert response.status == 201 and image["url"].startswith("/images/")
    served = await anonymous.get(image["url"])
    assert served.status == 200 and (await served.read()) == png.tobytes()
    fake = await teacher.post("/api/v1/images", data=b"%PDF-1.4 not an image", headers={"Content-Type": "image/png"})
    assert fake.status == 400 and "not a PNG, JPEG, GIF or WebP" in (await fake.json())["error"]
    truncated = await teacher.post("/api/v1/images", data=png.tobytes()[:60], headers={"Content-Type": "image/png"})
    assert truncated.status == 400 and "damaged" in (await truncated.json())["error"]
    huge = b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024)
    assert (await teacher.post("/api/v1/images", data=huge, headers={"Content-Type": "image/png"})).status == 413
    quiz = dict(QUIZ, questions=[dict(QUIZ["questions"][0], image=image["image"])])
    saved = await (await teacher.post("/api/v1/quizzes", json=quiz)).json()
    assert saved["questions"][0]["image"] == image["url"]
    sneaky = dict(QUIZ, questions=[dict(QUIZ["questions"][0], image="../../etc/passwd")])
    assert (await teacher.post("/api/v1/quizzes", json=sneaky)).status == 400
    assert (await anonymous.get("/images/..%2F..%2Fetc%2Fpasswd")).status == 404


async def _class_and_quiz(teacher, quiz=QUIZ):
    classes = await (await teacher.get("/api/v1/classes")).json()
    made = await (await teacher.post("/api/v1/quizzes", json=quiz)).json()
    return classes[0], made


async def test_a_countdown_is_stored_and_paused_through_the_api(teacher):
    """The countdown running out is tested with a hand-moved clock in tests/live/test_engine.py."""
    klass, _ = await _class_and_quiz(teacher)
    quiz = await (await teacher.post("/api/v1/quizzes", json={"title": "Quick", "questions": [
        {"text": "Fast?", "options": ["Yes", "No"], "correct": "A", "time_limit": 5}]})).json()
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": quiz["id"]})).json())["id"]
    opened = await (await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})).json()
    assert opened["state"] == "open" and opened["deadline"] is not None
    paused = await (await teacher.post(f"/api/v1/sessions/{sid}/pause")).json()
    assert paused["state"] == "paused" and 4 < paused["remaining"] <= 5 and paused["allowed"] == ["resume", "close",
                                                                                                    "reveal", "end"]
    resumed = await (await teacher.post(f"/api/v1/sessions/{sid}/resume")).json()
    assert resumed["state"] == "open" and resumed["deadline"] is not None


async def test_a_restarted_appliance_resumes_the_open_question_with_its_deadline(settings):
    server = await start_server(settings)
    async with _client(server) as client:
        await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
        klass = (await (await client.get("/api/v1/classes")).json())[0]
        quiz = await (await client.post("/api/v1/quizzes", json={"title": "T", "questions": [
            {"text": "Q", "options": ["a", "b"], "correct": "A", "time_limit": 600}]})).json()
        sid = (await (await client.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": quiz["id"]})).json())["id"]
        deadline = (await (await client.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})).json())["deadline"]
    await server.stop()
    server = await start_server(settings)
    try:
        async with _client(server) as client, client.ws_connect("/api/v1/live") as ws:
            state = (await ws.receive_json(timeout=10))["state"]["session"]
            assert (state["id"], state["state"], state["deadline"]) == (sid, "open", deadline)
    finally:
        await server.stop()


async def test_reask_adhoc_and_anonymous_sessions(teacher, anonymous):
    klass, quiz = await _class_and_quiz(teacher)
    session = await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "anonymous": True})).json()
    sid = session["id"]
    assert session["question_count"] == 0 and session["anonymous"] is True
    assert (await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})).status == 409
    adhoc = await teacher.post(f"/api/v1/sessions/{sid}/questions", json={
        "type": "truefalse", "text": "Is the board readable?", "correct": "A"})
    view = await adhoc.json()
    assert adhoc.status == 200 and view["state"] == "open" and view["question"] == 0
    assert view["quiz"]["questions"][0]["options"] == ["True", "False"]
    public = await (await anonymous.get("/api/v1/public/state")).json()
    assert public["session"]["anonymous"] is True
    busy = await teacher.post(f"/api/v1/sessions/{sid}/questions", json={"text": "Next?", "options": ["a", "b"],
                                                                          "correct": "B"})
    assert busy.status == 409 and "close it first" in (await busy.json())["error"]
    await teacher.post(f"/api/v1/sessions/{sid}/close")
    bad = await teacher.post(f"/api/v1/sessions/{sid}/questions", json={"text": "", "options": ["a"]})
    assert bad.status == 400 and "text: must be non-empty text" in (await bad.json())["error"]
    again = await (await teacher.post(f"/api/v1/sessions/{sid}/reask", json={"question": 0})).json()
    assert again["question"] == 1 and again["question_count"] == 2
    assert again["quiz"]["questions"][1]["text"] == "Is the board readable?"
    listed = await (await teacher.get("/api/v1/sessions")).json()
    assert listed[0]["id"] == sid and listed[0]["quiz_title"] == "Quick questions"


async def test_reports_history_gradebook_trends(server, teacher):
    klass, quiz = await _class_and_quiz(teacher)
    sid = (await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": quiz["id"]})).json())["id"]
    engine = server.app[keys.ENGINE]
    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    await engine.register(Registration(1, "B", time.monotonic()))
    await engine.register(Registration(1, "A", time.monotonic()))  # changed their mind: right in the end
    await engine.register(Registration(2, "C", time.monotonic()))
    await teacher.post(f"/api/v1/sessions/{sid}/end")

    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    first = {s["card"]: s for s in results["students"]}
    assert first[1]["answers"][0] == "A" and first[1]["first_answers"][0] == "B" and first[1]["score"] == 1
    ann = klass["students"][0]
    history = await (await teacher.get(f"/api/v1/students/{ann['id']}/history")).json()
    # Only question 1 was asked: the score is out of 1, not out of the whole quiz.
    last = history["sessions"][-1]
    assert last == {"session_id": sid, "title": "Fractions", "created_at": last["created_at"],
                    "score": 1, "graded": 1, "answered": 1, "questions": 1, "percent": 100.0, "absent": False,
                    "answers": [{"question": 0, "label": "Question 1 of 3", "text": "1/2 + 1/4?",
                                 "options": ["3/4", "2/6", "1/8"], "answer": "A", "correct": "A", "result": "right",
                                 "rounds": 1}]}
    assert first[1]["graded"] == 1 and [q["asked"] for q in results["questions"]] == [True, False, False]
    book = await (await teacher.get(f"/api/v1/classes/{klass['id']}/gradebook")).json()
    row = next(r for r in book["rows"] if r["card"] == 1)
    assert row["scores"][-1] == 1 and next(r for r in book["rows"] if r["card"] == 30)["scores"][-1] is None
    csv_text = (await (await teacher.get(f"/api/v1/classes/{klass['id']}/gradebook.csv")).text()).lstrip("\ufeff")
    assert csv_text.splitlines()[0].startswith("Student,Card,Fractions #")
    trends = await (await teacher.get(f"/api/v1/classes/{klass['id']}/trends")).json()
    assert trends["difficulty"][0]["percent_correct"] == 50.0
    assert trends["charts"]["difficulty"].startswith("<svg") and "1/2 + 1/4?" in trends["charts"]["difficulty"]


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


@pytest.fixture
def usb_root(tmp_path):
    root = tmp_path / "media"
    stick, full = root / "STICK", root / "TINY"
    if os.geteuid() != 0 or not _mount_tmpfs(stick, "8m"):
        pytest.skip("mounting a tmpfs as a stand-in USB stick needs root")
    _mount_tmpfs(full, "8k")
    yield root
    for mount in (stick, full):
        subprocess.run(["umount", str(mount)], capture_output=True)


async def test_export_to_usb_is_verified_and_a_full_stick_is_reported(settings_factory, usb_root):
    server = await start_server(settings_factory(export={"usb_root": str(usb_root)}))
    try:
        async with _client(server) as admin:
            await admin.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            mounts = (await (await admin.get("/api/v1/export/usb")).json())["mounts"]
            assert mounts == [str(usb_root / "STICK"), str(usb_root / "TINY")]
            done = await admin.post("/api/v1/export/usb", json={"mount": str(usb_root / "STICK")})
            body = await done.json()
            assert done.status == 200 and body["verified"] and "safe to remove" in body["message"]
            folder = Path(body["folder"])
            dump = json.loads((folder / "argus-dump.json").read_text())
            assert dump["format"] == "argus-dump" and "password_hash" not in json.dumps(dump["users"])
            assert any(name.startswith("gradebook-demo-class") for name in os.listdir(folder))
            # The same files the teacher downloads: workbook, locale CSV, Canvas and Moodle, for every class.
            written = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
            assert set(body["files"]) == written
            stem = next(n for n in written if n.startswith("gradebook-demo-class") and n.endswith(".csv"))[:-4]
            assert {f"{stem}.xlsx", f"lms/{stem}-canvas.csv", f"lms/{stem}-moodle.csv"} <= written
            assert (folder / f"{stem}.xlsx").read_bytes()[:2] == b"PK"
            full = await admin.post("/api/v1/export/usb", json={"mount": str(usb_root / "TINY")})
            assert full.status == 507 and "could not write" in (await full.json())["error"]
            leftovers = [p for p in (usb_root / "TINY").rglob("*") if p.is_file()]
            assert all(not p.name.endswith(".partial") for p in leftovers)
            elsewhere = await admin.post("/api/v1/export/usb", json={"mount": "/etc"})
            assert elsewhere.status == 409
    finally:
        await server.stop()


def test_argus_export_writes_the_same_files(tmp_path, settings):
    async def make_data():
        server = await start_server(settings)
        await server.stop()
    asyncio.run(make_data())
    target = tmp_path / "out"
    target.mkdir()
    result = subprocess.run([sys.executable, "-m", "appliance", "export", "--to", str(target), "--data-dir",
                             settings.storage.data_dir], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (folder,) = target.iterdir()
    assert (folder / "argus-dump.json").exists() and "verified" in result.stdout
    missing = subprocess.run([sys.executable, "-m", "appliance", "export", "--to", str(tmp_path / "nope"),
                              "--data-dir", settings.storage.data_dir], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "is not a folder" in missing.stderr


async def test_lesson_labels_actions_projector_display_and_anonymous_mid_lesson(server, teacher, anonymous):
    klass, quiz = await _class_and_quiz(teacher)
    planned = len(quiz["questions"])
    view = await (await teacher.post("/api/v1/sessions", json={"class_id": klass["id"], "quiz_id": quiz["id"]})).json()
    sid = view["id"]
    assert view["actions"]["main"] == {"name": "open", "label": "Open question 1", "question": 0}
    assert view["display"] == {"blank": False, "card_grid": False, "scores": "off"}
    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    await server.app[keys.ENGINE].register(Registration(1, "B", time.monotonic()))
    public = (await (await anonymous.get("/api/v1/public/state")).json())["session"]
    assert public["label"] == f"Question 1 of {planned}" and public["cards_seen"] is None  # the grid is off by default
    assert public["actions"]["main"]["name"] == "close"

    shown = await (await teacher.post(f"/api/v1/sessions/{sid}/display", json={"card_grid": True, "blank": True})).json()
    assert shown["display"] == {"blank": True, "card_grid": True, "scores": "off"}
    public = (await (await anonymous.get("/api/v1/public/state")).json())["session"]
    assert public["blank"] is True and public["cards_seen"] == [1]
    bad = await teacher.post(f"/api/v1/sessions/{sid}/display", json={"blank": "yes"})
    assert bad.status == 400 and "blank" in (await bad.json())["error"]
    unchanged = await (await teacher.post(f"/api/v1/sessions/{sid}/display", json={})).json()
    assert unchanged["display"] == {"blank": True, "card_grid": True, "scores": "off"}  # what is left out stays
    assert (await anonymous.post(f"/api/v1/sessions/{sid}/display", json={"blank": False})).status == 401

    await teacher.post(f"/api/v1/sessions/{sid}/close")
    again = await (await teacher.post(f"/api/v1/sessions/{sid}/reask", json={"question": 0})).json()
    assert again["label"] == "Question 1, asked again" and again["planned"] == planned
    await teacher.post(f"/api/v1/sessions/{sid}/reveal")
    view = await (await teacher.get(f"/api/v1/sessions/{sid}")).json()
    # After a re-ask the quiz goes on where it was, counted against the quiz, not the rounds.
    assert view["actions"]["main"] == {"name": "open", "label": f"Next: question 2 of {planned}", "question": 1}

    assert view["anonymous"] is False
    turned = await (await teacher.post(f"/api/v1/sessions/{sid}/anonymous", json={})).json()
    assert turned["anonymous"] is True
    assert (await (await anonymous.get("/api/v1/public/state")).json())["session"]["anonymous"] is True
    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    assert [q["label"] for q in results["questions"][:1]] == [f"Question 1 of {planned}"]
    assert results["questions"][planned]["label"] == "Question 1, asked again"
