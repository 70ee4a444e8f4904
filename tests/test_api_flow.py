"""The teacher's whole lesson through the API, against a real server, a real SQLite file and the simulated
classroom camera: the answers that arrive must be exactly the ones the simulated students chose."""
from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp

from appliance.app import SIM
from appliance.live.engine import question_key
from appliance.server import start_server


async def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.25)


async def _start_demo_session(teacher) -> tuple[dict, dict, dict]:
    classes = await (await teacher.get("/api/v1/classes")).json()
    quizzes = await (await teacher.get("/api/v1/quizzes")).json()
    demo_class = classes[0]
    demo_quiz = await (await teacher.get(f"/api/v1/quizzes/{quizzes[0]['id']}")).json()
    response = await teacher.post("/api/v1/sessions", json={"class_id": demo_class["id"], "quiz_id": demo_quiz["id"]})
    assert response.status == 200, await response.text()
    return demo_class, demo_quiz, await response.json()


async def _answers_by_card(teacher, session_id: int, question: int) -> dict[int, str]:
    view = await (await teacher.get(f"/api/v1/sessions/{session_id}")).json()
    return {r["card"]: r["answer"] for r in view["responses"] if r["question"] == question}


async def _collect_question(server, teacher, session_id: int, index: int, option_count: int) -> dict[int, str]:
    planned = server.app[SIM].planned_answers(question_key(session_id, index), option_count)
    assert planned, "the simulated class should answer"

    async def all_final_answers_in():
        got = await _answers_by_card(teacher, session_id, index)
        return got if got == planned else None

    return await _wait_for(all_final_answers_in, 40, f"question {index} answers to equal {planned}")


async def test_demo_data_shapes(teacher):
    classes = await (await teacher.get("/api/v1/classes")).json()
    assert classes[0]["name"] == "Demo class"
    assert [s["card"] for s in classes[0]["students"]] == list(range(1, 31))
    assert set(classes[0]["students"][0]) == {"id", "name", "card", "team"}
    listed = (await (await teacher.get("/api/v1/quizzes")).json())[0]
    assert set(listed) == {"id", "title", "tags", "question_count"}  # a list never loads questions
    quiz = await (await teacher.get(f"/api/v1/quizzes/{listed['id']}")).json()
    assert {"id", "title", "questions"} <= set(quiz) and len(quiz["questions"]) == listed["question_count"]
    assert {"id", "text", "options", "correct"} <= set(quiz["questions"][0])
    assert 2 <= len(quiz["questions"][0]["options"]) <= 4


async def test_a_lesson_from_login_to_csv(server, teacher, anonymous):
    demo_class, demo_quiz, session = await _start_demo_session(teacher)
    sid = session["id"]
    assert session["state"] == "ready" and session["question"] is None

    response = await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    assert response.status == 200 and (await response.json())["state"] == "open"
    options = len(demo_quiz["questions"][0]["options"])
    answers = await _collect_question(server, teacher, sid, 0, options)

    public = await (await anonymous.get("/api/v1/public/state")).json()
    assert public["session"]["answered"] == len(answers)
    assert public["session"]["total"] == len(demo_class["students"])
    assert public["session"]["distribution"] is None and public["session"]["correct"] is None

    assert (await teacher.post(f"/api/v1/sessions/{sid}/close")).status == 200
    assert (await teacher.post(f"/api/v1/sessions/{sid}/reveal")).status == 200
    public = await (await anonymous.get("/api/v1/public/state")).json()
    expected = {letter: 0 for letter in "ABCD"[:options]} | Counter(answers.values())
    assert public["session"]["distribution"] == expected
    assert public["session"]["correct"] == demo_quiz["questions"][0]["correct"]

    # Second question: the class answers again, independently.
    assert (await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 1})).status == 200
    second = await _collect_question(server, teacher, sid, 1, len(demo_quiz["questions"][1]["options"]))
    assert (await teacher.post(f"/api/v1/sessions/{sid}/end")).status == 200

    results = await (await teacher.get(f"/api/v1/sessions/{sid}/results")).json()
    by_card = {s["card"]: s for s in results["students"]}
    for card, answer in answers.items():
        assert by_card[card]["answers"][0] == answer
    for card, answer in second.items():
        assert by_card[card]["answers"][1] == answer
    correct = demo_quiz["questions"][0]["correct"]
    assert results["questions"][0]["answered"] == len(answers)
    assert results["questions"][0]["percent_correct"] == round(
        100 * sum(a == correct for a in answers.values()) / len(answers), 1)

    csv_response = await teacher.get(f"/api/v1/sessions/{sid}/results.csv")
    assert csv_response.status == 200 and csv_response.content_type == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    lines = (await csv_response.text()).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Student,Card,Q1,Q2,")
    key = lines.index("Answer key")  # the answer key is a section of its own after a blank line
    assert key == 1 + len(demo_class["students"]) + 1 and lines[key - 1] == ""
    # The answer key has a row per question; the item analysis follows as a section of its own.
    analysis = lines.index("Item analysis")
    assert analysis == key + 2 + len(demo_quiz["questions"]) + 1 and lines[analysis - 1] == ""
    assert lines[analysis + 1].startswith("Question,Text,Correct answer,Rounds,Answered,Right,Difficulty,")


async def test_wrong_state_and_unknown_session_are_clear_errors(teacher):
    _, _, session = await _start_demo_session(teacher)
    sid = session["id"]
    response = await teacher.post(f"/api/v1/sessions/{sid}/close")
    assert response.status == 409 and "no question is open" in (await response.json())["error"]
    response = await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 99})
    assert response.status == 409 and "out of range" in (await response.json())["error"]
    response = await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": "first"})
    assert response.status == 400 and "question: must be an integer" in (await response.json())["error"]
    response = await teacher.post(f"/api/v1/sessions/{sid}/open", data=b"{not json", headers={
        "Content-Type": "application/json"})
    assert response.status == 400 and "not valid JSON" in (await response.json())["error"]
    assert (await teacher.get("/api/v1/sessions/9999")).status == 404
    response = await teacher.post("/api/v1/sessions", json={"class_id": 9999, "quiz_id": 1})
    assert response.status == 404 and "class 9999" in (await response.json())["error"]


async def test_teacher_endpoints_need_a_login(anonymous):
    for path in ("/api/v1/classes", "/api/v1/quizzes", "/api/v1/sessions", "/api/v1/sessions/1",
                 "/api/v1/sessions/1/results.csv", "/api/v1/health", "/api/v1/me"):
        response = await anonymous.get(path)
        assert response.status == 401, path
        assert "error" in await response.json()
    response = await anonymous.post("/api/v1/sessions/1/open", json={"question": 0})
    assert response.status == 401


async def test_wrong_password_is_refused_and_repeated_failures_are_slowed(anonymous):
    response = await anonymous.post("/api/v1/login", json={"username": "demo", "password": "nope"})
    assert response.status == 401 and "argus_session" not in response.cookies
    response = await anonymous.post("/api/v1/login", json={"username": "demo"})
    assert response.status == 400
    # [login] attempts_per_address (30 a minute) counts wrong guesses for any usernames from one address...
    await asyncio.gather(*(anonymous.post("/api/v1/login", json={"username": f"nobody{n}", "password": "x"})
                           for n in range(29)))
    for wrong in ({"username": "nobody", "password": "x"}, {"username": "demo", "password": "nope again"}):
        response = await anonymous.post("/api/v1/login", json=wrong)
        assert response.status == 429 and "Retry-After" in response.headers
    # ...but a right password is not refused because others guessed there (docs/SECURITY.md, rule 2).
    response = await anonymous.post("/api/v1/login", json={"username": "demo", "password": "demo"})
    assert response.status == 200


async def test_session_cookie_is_httponly_and_strict(anonymous):
    response = await anonymous.post("/api/v1/login", json={"username": "demo", "password": "demo"})
    cookie = response.cookies["argus_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


async def test_state_changes_from_another_origin_are_refused(server, teacher):
    _, _, session = await _start_demo_session(teacher)
    url = f"/api/v1/sessions/{session['id']}/open"
    response = await teacher.post(url, json={"question": 0}, headers={"Origin": "http://evil.example"})
    assert response.status == 403 and "cross-origin" in (await response.json())["error"]
    response = await teacher.post(url, json={"question": 0}, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status == 403
    response = await teacher.post(url, json={"question": 0}, headers={"Origin": server.url})
    assert response.status == 200


async def test_student_check_says_yes_or_no_and_never_the_answer(server, teacher, anonymous):
    _, demo_quiz, session = await _start_demo_session(teacher)
    sid = session["id"]
    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    answers = await _collect_question(server, teacher, sid, 0, len(demo_quiz["questions"][0]["options"]))
    answered = next(iter(answers))
    silent = next(card for card in range(1, 31) if card not in answers) if len(answers) < 30 else None
    body = await (await anonymous.get(f"/api/v1/public/check?card={answered}")).json()
    assert body == {"card": answered, "registered": True, "in_class": True}
    if silent is not None:
        assert (await (await anonymous.get(f"/api/v1/public/check?card={silent}")).json())["registered"] is False
    response = await anonymous.get("/api/v1/public/check?card=abc")
    assert response.status == 400 and "card: must be an integer from 1 to" in (await response.json())["error"]
    # The demo class has cards 1..30: card 50 is a real card, but not this class's.
    assert (await (await anonymous.get("/api/v1/public/check?card=50")).json())["in_class"] is False


async def test_qr_code_points_at_the_student_page(anonymous, server):
    response = await anonymous.get("/api/v1/public/qr.svg")
    assert response.status == 200 and response.content_type == "image/svg+xml"
    assert (await response.text()).lstrip().startswith("<?xml")
    assert response.headers["X-Student-URL"] == f"{server.url}/student"


async def test_openapi_documents_every_api_route(server, anonymous):
    document = await (await anonymous.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    routes = {(r.method, r.resource.canonical) for r in server.app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/api/v1") and r.method != "HEAD"}
    assert len(routes) > 50
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert routes <= documented, routes - documented


async def test_responses_and_state_survive_a_restart(settings, tmp_path):
    server = await start_server(settings)
    try:
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            _, demo_quiz, session = await _start_demo_session(client)
            sid = session["id"]
            await client.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
            answers = await _collect_question(server, client, sid, 0, len(demo_quiz["questions"][0]["options"]))
            await client.post(f"/api/v1/sessions/{sid}/close")
    finally:
        await server.stop()

    server = await start_server(settings)
    try:
        async with aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await client.post("/api/v1/login", json={"username": "demo", "password": "demo"})
            view = await (await client.get(f"/api/v1/sessions/{sid}")).json()
            assert view["state"] == "closed" and view["question"] == 0
            assert {r["card"]: r["answer"] for r in view["responses"]} == answers
            public = await (await client.get("/api/v1/public/state")).json()
            assert public["session"]["id"] == sid and public["session"]["answered"] == len(answers)
    finally:
        await server.stop()


async def test_a_photo_of_the_class_registers_answers_and_garbage_stores_nothing(server, teacher):
    import cv2
    import numpy as np

    from appliance.vision.cards import render_card

    demo_class, demo_quiz, session = await _start_demo_session(teacher)
    sid = session["id"]
    photo = np.full((900, 1600), 190, np.uint8)
    chosen = {3: "A", 9: "B", 27: "C"}  # rot90 by k quarter turns counter-clockwise shows answer "ABCD"[k]
    for i, (card, answer) in enumerate(chosen.items()):
        photo[200:520, 100 + i * 500:420 + i * 500] = np.rot90(render_card(card, 320), "ABCD".index(answer))
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])

    closed = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=jpeg.tobytes())
    assert closed.status == 409 and "no question is open" in (await closed.json())["error"]

    # Let the simulated class finish answering first, so the photo's answers are the last word.
    await teacher.post(f"/api/v1/sessions/{sid}/open", json={"question": 0})
    await _collect_question(server, teacher, sid, 0, len(demo_quiz["questions"][0]["options"]))
    garbage = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=b"\xff\xd8\xff not really a jpeg")
    assert garbage.status == 400 and "not a photo" in (await garbage.json())["error"]
    assert await _answers_by_card(teacher, sid, 0) == server.app[SIM].planned_answers(question_key(sid, 0), 4)

    response = await teacher.post(f"/api/v1/sessions/{sid}/photo", data=jpeg.tobytes())
    body = await response.json()
    assert response.status == 200
    assert {c["card"]: c["answer"] for c in body["cards"]} == chosen
    after = await _answers_by_card(teacher, sid, 0)
    for card, answer in chosen.items():
        assert after[card] == answer
