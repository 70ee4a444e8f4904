"""Several teachers on one appliance, on a hostile network: each lesson's answers and camera picture stay with
its teacher, nobody silently ends a colleague's lesson, a socket lives no longer than its login, and anonymous
clients cannot crowd teachers out. Each against a real server with real websockets on loopback."""
from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from appliance import keys
from appliance.accounts import setup_code
from appliance.server import start_server
from appliance.vision.types import Registration

PASSWORD = "teacher-pass"
QUIZ = {"title": "Fractions", "questions": [
    {"type": "multiple", "text": "1/2 + 1/4?", "options": ["3/4", "2/6", "1/8"], "correct": "A"}]}


def _client(server, local_address: str | None = None) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(local_addr=(local_address, 0)) if local_address else None
    return aiohttp.ClientSession(base_url=server.url, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=connector)


async def _login(client, username: str, password: str = PASSWORD) -> None:
    response = await client.post("/api/v1/login", json={"username": username, "password": password})
    assert response.status == 200, await response.text()


@pytest.fixture
async def school(settings_factory):
    """A claimed appliance with an admin and two teachers (alice, bob), each logged in with a class and a quiz."""
    server = await start_server(settings_factory(demo=False, server={"login_recheck_seconds": 0.3}))
    clients = {name: _client(server) for name in ("admin", "alice", "bob")}
    try:
        code = (server.app[keys.SETTINGS].data_dir / setup_code.FILE_NAME).read_text().strip()
        claimed = await clients["admin"].post("/api/v1/setup", json={"code": code, "username": "admin",
                                                                      "password": "admin-pass"})
        assert claimed.status == 201
        lessons = {}
        for name in ("alice", "bob"):
            made = await clients["admin"].post("/api/v1/users", json={"username": name, "password": PASSWORD})
            assert made.status == 201
            await _login(clients[name], name)
            klass = await (await clients[name].post("/api/v1/classes", json={
                "name": f"{name}'s class", "students": [{"name": f"{name} pupil {n}", "card": n}
                                                        for n in range(1, 6)]})).json()
            quiz = await (await clients[name].post("/api/v1/quizzes", json=QUIZ)).json()
            lessons[name] = {"class_id": klass["id"], "quiz_id": quiz["id"]}
        yield server, clients, lessons
    finally:
        for client in clients.values():
            await client.close()
        await server.stop()


async def _events_until(ws, done, timeout: float = 10.0) -> list[dict]:
    """Every event received until `done(event)` is true (that one included)."""
    seen = []

    async def read():
        while True:
            message = await ws.receive()
            assert message.type == aiohttp.WSMsgType.TEXT, message
            seen.append(json.loads(message.data))
            if done(seen[-1]):
                return seen
    return await asyncio.wait_for(read(), timeout)


def _answered(event: dict) -> bool:
    session = event.get("state", {}).get("session") if event["type"] == "state" else None
    return bool(session and session["answered"] >= 1)


async def _start(client, lesson: dict, **extra) -> aiohttp.ClientResponse:
    return await client.post("/api/v1/sessions", json={**lesson, **extra})


async def test_a_lessons_responses_reach_only_its_teacher_and_the_admins(school):
    server, clients, lessons = school
    sid = (await (await _start(clients["alice"], lessons["alice"])).json())["id"]
    async with clients["alice"].ws_connect("/api/v1/live") as alice_ws, \
            clients["bob"].ws_connect("/api/v1/live") as bob_ws, \
            clients["admin"].ws_connect("/api/v1/live") as admin_ws:
        for ws in (alice_ws, bob_ws, admin_ws):
            await _events_until(ws, lambda e: e["type"] == "camera")  # connected, past the greeting
        assert (await clients["alice"].post(f"/api/v1/sessions/{sid}/open", json={"question": 0})).status == 200
        await server.app[keys.ENGINE].register(Registration(3, "B", time.monotonic()))
        # The count on the public state follows the response on every socket's own queue: once bob's socket
        # shows the count, it would already have carried the response.
        for_bob = await _events_until(bob_ws, _answered)
        for_alice = await _events_until(alice_ws, _answered)
        for_admin = await _events_until(admin_ws, _answered)
    assert not [e for e in for_bob if e["type"] == "response"]
    assert "alice pupil" not in json.dumps(for_bob)
    for events in (for_alice, for_admin):
        response = next(e for e in events if e["type"] == "response")
        assert response["session_id"] == sid and response["card"] == 3 and response["name"] == "alice pupil 3"


async def test_the_camera_of_a_running_lesson_is_its_teachers_and_the_admins(school):
    server, clients, lessons = school
    # No lesson running: any teacher may check the camera, e.g. before class.
    assert (await clients["bob"].get("/api/v1/camera/check")).status == 200
    assert (await _start(clients["alice"], lessons["alice"])).status == 200
    for path in ("/api/v1/camera/check", "/api/v1/camera/preview.jpg"):
        refused = await clients["bob"].get(path)
        assert refused.status == 403 and "another teacher's lesson" in (await refused.json())["error"]
        for allowed in ("alice", "admin"):
            assert (await clients[allowed].get(path)).status in (200, 503), (allowed, path)  # 503: no frame yet
    check = await (await clients["alice"].get(f"/api/v1/camera/check?class_id={lessons['alice']['class_id']}"))\
        .json()
    assert {s["card"] for s in check["not_seen"]} <= set(range(1, 6))


async def test_starting_a_lesson_never_ends_a_colleagues_and_an_admin_takeover_is_recorded(school):
    server, clients, lessons = school
    alice_sid = (await (await _start(clients["alice"], lessons["alice"])).json())["id"]
    refused = await _start(clients["bob"], lessons["bob"])
    body = await refused.json()
    assert refused.status == 409 and "alice's lesson is running" in body["error"]
    assert body["running"]["teacher"] == "alice" and body["running"]["may_take_over"] is False
    assert (await _start(clients["bob"], lessons["bob"], take_over=True)).status == 403
    still = await (await clients["alice"].get(f"/api/v1/sessions/{alice_sid}")).json()
    assert still["state"] == "ready" and still["ended_by"] is None

    # A teacher may still restart their own lesson.
    alice_sid2 = (await (await _start(clients["alice"], lessons["alice"])).json())["id"]
    first = await (await clients["alice"].get(f"/api/v1/sessions/{alice_sid}")).json()
    assert first["state"] == "ended" and first["ended_by"] == "alice"

    admin_plain = await _start(clients["admin"], lessons["bob"])
    assert admin_plain.status == 409 and (await admin_plain.json())["running"]["may_take_over"] is True
    before = time.time()
    taken = await _start(clients["admin"], lessons["bob"], take_over=True)
    assert taken.status == 200
    taken_id = (await taken.json())["id"]
    ended = await (await clients["alice"].get(f"/api/v1/sessions/{alice_sid2}")).json()
    assert ended["state"] == "ended" and ended["ended_by"] == "admin" and ended["end_reason"] == "taken over"
    assert before <= ended["ended_at"] <= time.time()
    # ...and in the audit log, where an admin reviews what admins did; a teacher's own restart is not there.
    entries = await (await clients["admin"].get("/api/v1/audit")).json()
    takeovers = [e for e in entries if e["action"] == "session.takeover"]
    assert len(takeovers) == 1 and takeovers[0]["actor"] == "admin"
    assert f"alice's running lesson (session {alice_sid2})" in takeovers[0]["detail"]
    assert f"to start session {taken_id}" in takeovers[0]["detail"]


async def _closed(ws, timeout: float = 5.0) -> int:
    """Wait for the server to close `ws`, skipping events; returns the close code."""
    async def read():
        while True:
            message = await ws.receive()
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                return ws.close_code
    return await asyncio.wait_for(read(), timeout)


async def test_a_live_socket_ends_with_its_login(school):
    server, clients, _ = school
    # Logout closes that login's socket, not another login of the same user.
    async with _client(server) as second_alice:
        await _login(second_alice, "alice")
        async with clients["alice"].ws_connect("/api/v1/live") as ws, \
                second_alice.ws_connect("/api/v1/live") as other:
            assert (await clients["alice"].post("/api/v1/logout")).status == 200
            assert await _closed(ws) == 4001
            assert not other.closed
            # A new password ends every login, and so every socket, of its user.
            changed = await second_alice.post("/api/v1/me/password", json={"current": PASSWORD, "new": "new-pass-1"})
            assert changed.status == 200
            assert await _closed(other) == 4001

    # An admin's reset closes the teacher's sockets too.
    async with clients["bob"].ws_connect("/api/v1/live") as ws:
        users = await (await clients["admin"].get("/api/v1/users")).json()
        bob = next(u for u in users if u["username"] == "bob")
        reset = await clients["admin"].post(f"/api/v1/users/{bob['id']}/password", json={"password": "reset-pass"})
        assert reset.status == 200
        assert await _closed(ws) == 4001

    # A login that runs out (or is ended behind the server's back) is noticed by the periodic re-check.
    async with clients["admin"].ws_connect("/api/v1/live") as ws:
        await _events_until(ws, lambda e: e["type"] == "camera")
        async with server.app[keys.DB].transaction() as conn:
            await conn.execute("UPDATE auth_sessions SET expires_at = 0")
        assert await _closed(ws) == 4001


async def test_anonymous_sockets_cannot_crowd_teachers_out(settings_factory):
    settings = settings_factory(server={"max_websocket_clients": 12, "reserved_login_sockets": 3,
                                        "max_anonymous_per_address": 4})
    server = await start_server(settings)
    sessions, sockets = [], []
    try:
        async def anonymous_from(address: str):
            client = _client(server, address)
            sessions.append(client)
            return client

        one_address = await anonymous_from("127.0.0.1")
        for _ in range(4):
            sockets.append(await one_address.ws_connect("/api/v1/live"))
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await one_address.ws_connect("/api/v1/live")
        assert refused.value.status == 503
        # Other addresses fill the anonymous share (12 - 3 kept for teachers = 9) and no more.
        for n in range(2, 7):
            client = await anonymous_from(f"127.0.0.{n}")
            try:
                sockets.append(await client.ws_connect("/api/v1/live"))
            except aiohttp.WSServerHandshakeError as exc:
                assert exc.status == 503
        assert len(sockets) == 9
        async with _client(server) as teacher:
            await _login(teacher, "demo", "demo")
            async with teacher.ws_connect("/api/v1/live") as ws:
                event = await _events_until(ws, lambda e: e["type"] == "camera")
                assert event
    finally:
        for ws in sockets:
            await ws.close()
        for client in sessions:
            await client.close()
        await server.stop()


async def test_the_card_check_is_rate_limited_per_address(settings_factory):
    server = await start_server(settings_factory(server={"public_checks_per_minute": 5}))
    try:
        async with _client(server) as phone, _client(server, "127.0.0.2") as other_phone:
            for card in range(1, 6):
                assert (await phone.get(f"/api/v1/public/check?card={card}")).status == 200
            limited = await phone.get("/api/v1/public/check?card=6")
            assert limited.status == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
            assert "too many checks" in (await limited.json())["error"]
            assert (await other_phone.get("/api/v1/public/check?card=6")).status == 200
    finally:
        await server.stop()
